"""Deterministic generator of a small synthetic Chinese corpus whose true words are known.

Why: unsupervised word discovery and segmentation need a test bed where the right answer is
known exactly.  Real gold-standard corpora are large and carry licences; this script instead
samples sentences from a hand-written lexicon (just under 500 everyday modern Chinese words of
1-4 characters, grouped by part of speech, with Zipf-like frequencies inside each class) and a small
phrase-structure grammar, so every generated line comes with its gold segmentation.

The lexicon deliberately contains words that share characters (中国/国家/家庭/家里/大家,
学生/学校/大学/大学生/研究生/研究, 人民/民主/工人, 电脑/电视/电影/电影院, 手机/机场/市场/超市
...), so plain character co-occurrence is not enough to recover the words.

Outputs (written to ``--out-dir``):

* ``corpus.txt``       raw text, one paragraph (1-4 sentences) per line, no spaces.
* ``corpus.gold.txt``  the same lines segmented into true words, tokens separated by two spaces
                       (SIGHAN / PKU style); punctuation marks are tokens of their own.
* ``lexicon.tsv``      every true word (all non-punctuation gold tokens) with its count in the
                       corpus, ``word<TAB>count``, most frequent first, ties in code-point order.

Segmentation conventions: a run of ASCII digits is never split.  Calendar expressions written
with digits keep their unit as one token (``2024年``, ``5月``, ``12日``, as in the PKU gold
files); any other digit run is a token by itself (``300  个  学生``, ``25  岁``).  Upper-case
abbreviations (``AI``, ``GDP`` ...) are single tokens.

Only the standard library is used and all randomness comes from one ``random.Random(seed)``
through ``Random.random()``, so the same seed gives byte-identical files.  The defaults below
reproduce the files committed in ``data_samples/``::

    python data_samples/generate.py --seed 0 --lines 4000 --out-dir data_samples
"""

from __future__ import annotations

import argparse
import bisect
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import accumulate
from pathlib import Path

DEFAULT_SEED = 0
DEFAULT_LINES = 4000
# The script's own folder, i.e. ``data_samples`` when run from the repository root as documented,
# but also the right place when run from anywhere else.
DEFAULT_OUT_DIR = Path(__file__).resolve().parent

ZIPF_EXPONENT = 0.8
SOLD_BY_WEIGHT = frozenset(("苹果", "鸡蛋", "西瓜", "葡萄", "香蕉", "蔬菜", "鱼", "水果"))
PUNCTUATION = frozenset("，。？！、")
DIGIT_TOKEN = re.compile(r"[0-9]+[年月日]?")

# --------------------------------------------------------------------------------------------
# Lexicon.  Inside every class the words are listed from most to least frequent; the sampling
# weight of the word of rank r is 1 / r ** ZIPF_EXPONENT.  "word/量" gives a noun's measure word.
# --------------------------------------------------------------------------------------------

LEXICON_SOURCE: dict[str, str] = {
    # pronouns and people
    "pronoun": "我 他 你 她 我们 他们 大家 你们 她们 咱们",
    "plural_pronoun": "我们 他们 大家 你们 她们 咱们",
    "possessor": "我 他 你 她 我们 他们",
    "name": "小王 王明 李华 张伟 小李 老张 刘洋 陈静 王芳 小张 李娜 赵雷 老王 孙丽 周杰 马丁",
    "person": (
        "学生/个 老师/位 朋友/个 孩子/个 医生/位 同学/个 大学生/个 工人/个 经理/位 司机/个 "
        "客人/位 研究生/个 "
        "记者/个 警察/个 作家/位 专家/位 护士/个 邻居/个 农民/个 律师/个 老板/个 演员/个"
    ),
    "family": "妈妈 爸爸 哥哥 姐姐 弟弟 妹妹 爷爷 奶奶 儿子 女儿 丈夫 妻子",
    # concrete nouns
    "thing": (
        "书/本 手机/部 衣服/件 电脑/台 东西/些 电影/部 自行车/辆 照片/张 汽车/辆 礼物/个 电视/台 "
        "报纸/份 杂志/本 房子/套 桌子/张 椅子/把 雨伞/把 裤子/条 鞋/双 帽子/顶 词典/本 "
        "信/封 画/幅 电影票/张 钥匙/把 公共汽车/辆 电子邮件/封"
    ),
    "food": (
        "米饭/碗 面条/碗 苹果/个 面包/个 水果/种 蔬菜/种 鸡蛋/个 饺子/个 蛋糕/块 西瓜/个 "
        "鱼/条 包子/个 香蕉/根 葡萄/串"
    ),
    "drink": "茶/杯 水/杯 咖啡/杯 牛奶/杯 啤酒/瓶 果汁/杯",
    "fruit": "苹果 西瓜 香蕉 葡萄",
    "animal": "猫/只 狗/只 鸟/只 熊猫/只 马/匹",
    "place": (
        "学校 家里 公司 北京 医院 上海 公园 商店 图书馆 中国 银行 饭店 超市 机场 教室 "
        "办公室 火车站 市场 美国 农村 广州 食堂 宿舍 博物馆 动物园 电影院 咖啡馆 体育馆 "
        "大学 南京 日本 国外"
    ),
    "city": "北京 上海 广州 南京 西安 杭州 成都 香港",
    "region_name": "中国 北京 上海 美国 农村 日本 广州 南京",
    "region": "城市 国家 地方 村子 学校 公司",
    "sport": "跑步 游泳 篮球 足球 打球 太极拳",
    # abstract nouns
    "topic": (
        "问题 经济 文化 历史 技术 科学 教育 环境 社会 生活 健康 音乐 新闻 家庭 "
        "计划 人民 知识 语言 汉语 英语 数学 互联网 人工智能 文学 艺术 体育 交通 安全 "
        "法律 民主 传统 习惯"
    ),
    "topic_countable": "问题 计划 方法 机会 情况 习惯 经验 关系",
    "vt_relative": "关心 研究 讨论 喜欢 需要 重视 了解 介绍",
    "event": "比赛/场 会议/个 考试/次 活动/个 晚会/个 课/节",
    "time": "今天 明天 昨天 现在 晚上 早上 上午 下午 周末 去年 今年 明年 以前 最近 每天 平时 中午",
    # verbs
    "vt_thing": "买 看 喜欢 需要 找 带 卖 送 借 拿 用 修 丢",
    "vt_food": "吃 买 做 喜欢 点",
    "vt_topic": "学习 研究 讨论 了解 关心 喜欢 重视 介绍 支持 注意 保护 改变 提高",
    "vt_event": "参加 准备 组织 举办",
    "vt_person": "认识 帮助 照顾 等 相信 关心 陪 欢迎 请 找 想念 联系",
    "vi": (
        "休息 工作 学习 跑步 睡觉 说话 上班 下班 游泳 旅游 回家 出发 唱歌 跳舞 上课 "
        "吃饭 散步 起床 开会 锻炼 毕业 加班 购物 聊天 做饭 逛街 看病"
    ),
    "v_motion": "去 来 回 到",
    "v_manner": "跑 说 写 唱 做 学 走 吃 长 讲",
    "modal": "想 要 会 能 可以 应该 打算 愿意 希望",
    # adjectives
    "adj_person": (
        "高兴 忙 累 认真 聪明 努力 年轻 健康 开心 热情 友好 紧张 快乐 可爱 幸福 辛苦 客气"
    ),
    "adj_thing": "好 漂亮 贵 便宜 新 旧 大 小 干净 方便 舒服 好看 有名 实用",
    "adj_place": "安静 热闹 干净 漂亮 大 美 有名 远 近 方便",
    "adj_food": "好吃 新鲜 便宜 贵 甜 辣 香 健康",
    "adj_weather": "热 冷 暖和 凉快 不错 舒服",
    "adj_manner": "快 慢 好 清楚 认真 流利 漂亮 好听",
    "adj_topic": "重要 复杂 简单 有意思 严重 特别 清楚 有用",
    # adverbs
    "adv_degree": "很 非常 特别 比较 挺 有点 十分 相当",
    "adv": "经常 也 还 就 已经 一直 马上 一起 常常 一定 可能 终于 突然 再 又 先 只 总是 正在",
    # numbers, measure words, demonstratives
    "numeral": "一 两 三 四 五 六 七 八 九 十 几 二十 一百",
    "demonstrative": "这 那",
    # grammatical words and content words that templates use literally (not sampled by class;
    # listed so that the vocabulary check in generate_paragraphs is complete)
    "function": (
        "的 了 在 是 和 有 不 没有 都 把 给 比 得 上 但是 因为 所以 如果 虽然 可是 而且 "
        "然后 还是 不过 就 先 最 太 真 谁 什么 哪里 怎么 为什么 多少 怎么样 很多"
    ),
    "fixed": (
        "喝 解决 放 送 用 看 去 来 天气 时间 生日 快乐 祝 出生 增长 超过 百分点 运动 钱 块 "
        "岁 公里 斤 小时 个 万 城市 人口 技术 发展 公司 手机 东西 比赛 经常 研究 工作 跑步 "
        "桌子 家里 每天 今天 昨天 今年 一 一起 我们 你 这 那 一路平安"
    ),
    "particle": "吗 呢 吧 啊",
    "abbreviation": "AI GDP APP CEO NBA",
}


class WeightedWords:
    """A word class sampled with rank-based Zipf weights (first word = most frequent)."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = tuple(words)
        weights = [1.0 / (rank**ZIPF_EXPONENT) for rank in range(1, len(self.words) + 1)]
        self.cumulative = tuple(accumulate(weights))

    def sample(self, rng: random.Random) -> str:
        position = rng.random() * self.cumulative[-1]
        return self.words[bisect.bisect_right(self.cumulative, position)]


def parse_lexicon(
    source: dict[str, str],
) -> tuple[dict[str, WeightedWords], dict[str, str]]:
    """Split the lexicon source into weighted word classes and a noun -> measure-word map."""
    classes: dict[str, WeightedWords] = {}
    measure_words: dict[str, str] = {}
    for name, text in source.items():
        words = []
        for entry in text.split():
            word, _, measure = entry.partition("/")
            words.append(word)
            if measure:
                measure_words[word] = measure
        classes[name] = WeightedWords(words)
    return classes, measure_words


def vocabulary(classes: dict[str, WeightedWords], measure_words: dict[str, str]) -> set[str]:
    """Every word the grammar may emit (besides digit tokens and punctuation)."""
    words = {word for word_class in classes.values() for word in word_class.words}
    return words | set(measure_words.values())


# --------------------------------------------------------------------------------------------
# Grammar.  Every phrase function returns a list of tokens; sentence templates also return the
# sentence-final punctuation mark.
# --------------------------------------------------------------------------------------------

Tokens = list[str]


class SentenceSampler:
    """Samples token lists from the grammar with one seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.classes, self.measure_words = parse_lexicon(LEXICON_SOURCE)
        self.templates: list[tuple[float, Callable[[], tuple[Tokens, str]]]] = [
            (14.0, self.action_statement),
            (7.0, self.location_statement),
            (6.0, self.motion_statement),
            (7.0, self.adjective_statement),
            (5.0, self.identity_statement),
            (4.0, self.possession_statement),
            (3.0, self.relative_clause_statement),
            (2.0, self.favourite_statement),
            (3.0, self.coordination_statement),
            (2.0, self.comparison_statement),
            (2.0, self.ba_statement),
            (3.0, self.manner_statement),
            (3.0, self.sequence_statement),
            (3.0, self.because_statement),
            (2.5, self.condition_statement),
            (1.5, self.concession_statement),
            (2.0, self.date_statement),
            (3.0, self.quantity_statement),
            (1.2, self.abbreviation_statement),
            (9.0, self.question),
            (3.0, self.exclamation),
        ]
        self.template_cumulative = tuple(accumulate(weight for weight, _ in self.templates))

    # ---- random helpers ---------------------------------------------------------------------

    def word(self, word_class: str) -> str:
        return self.classes[word_class].sample(self.rng)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def uniform_choice(self, options: Sequence[str]) -> str:
        return options[int(self.rng.random() * len(options))]

    def integer(self, low: int, high: int) -> int:
        """Uniform integer in [low, high]."""
        return low + int(self.rng.random() * (high - low + 1))

    # ---- noun phrases -----------------------------------------------------------------------

    def numeral(self) -> str:
        return self.word("numeral")

    def digit_quantity(self) -> str:
        """A small ASCII number, biased towards small values."""
        magnitude = self.rng.random()
        if magnitude < 0.6:
            return str(self.integer(2, 20))
        if magnitude < 0.9:
            return str(self.integer(21, 100))
        return str(self.integer(101, 999))

    def counted(self, noun: str, digits: bool = False) -> Tokens:
        amount = self.digit_quantity() if digits else self.numeral()
        return [amount, self.measure_words[noun], noun]

    def demonstrated(self, noun: str) -> Tokens:
        return [self.word("demonstrative"), self.measure_words[noun], noun]

    def subject(self) -> Tokens:
        roll = self.rng.random()
        if roll < 0.40:
            return [self.word("pronoun")]
        if roll < 0.58:
            return [self.word("name")]
        if roll < 0.80:
            noun = self.word("person")
            if self.chance(0.3):
                return self.demonstrated(noun)
            if self.chance(0.3):
                return [self.word("possessor"), "的", noun]
            return [noun]
        family = self.word("family")
        if self.chance(0.6):
            return [self.word("possessor"), "的", family]
        return [family]

    def plural_subject(self) -> Tokens:
        if self.chance(0.5):
            return [self.word("plural_pronoun")]
        first = self.person_np()
        second = self.person_np()
        while second == first:
            second = self.person_np()
        return [*first, "和", *second]

    def person_np(self) -> Tokens:
        roll = self.rng.random()
        if roll < 0.35:
            return [self.word("name")]
        if roll < 0.55:
            return [self.word("possessor"), "的", self.word("family")]
        if roll < 0.75:
            return [self.word("pronoun")]
        noun = self.word("person")
        return self.demonstrated(noun) if self.chance(0.3) else [noun]

    def object_np(self, word_class: str) -> Tokens:
        """A noun phrase of a countable class: bare, counted, demonstrated or modified."""
        noun = self.word(word_class)
        roll = self.rng.random()
        if roll < 0.50:
            return [noun]
        if roll < 0.58:
            return ["一", self.measure_words[noun], noun]
        if roll < 0.72:
            return self.demonstrated(noun)
        if roll < 0.86:
            adjective = "adj_food" if word_class in ("food", "drink") else "adj_thing"
            return [self.word("adv_degree"), self.word(adjective), "的", noun]
        return [self.word("possessor"), "的", noun]

    def topic_np(self) -> Tokens:
        noun = self.word("topic")
        roll = self.rng.random()
        if roll < 0.55:
            return [noun]
        if roll < 0.70:
            return [self.word("demonstrative"), "个", self.word("topic_countable")]
        if roll < 0.85:
            return [self.word("region_name"), "的", noun]
        return [self.word("adj_topic"), "的", noun]

    def place_np(self) -> Tokens:
        return [self.word("place")]

    # ---- verb phrases -----------------------------------------------------------------------

    def verb_core(self) -> Tokens:
        """A verb with its object, without adverbs."""
        roll = self.rng.random()
        if roll < 0.24:
            return [self.word("vt_thing"), *self.object_np("thing")]
        if roll < 0.34:
            return [self.word("vt_food"), *self.object_np("food")]
        if roll < 0.40:
            return ["喝", *self.object_np("drink")]
        if roll < 0.56:
            return [self.word("vt_topic"), *self.topic_np()]
        if roll < 0.72:
            return [self.word("vi")]
        if roll < 0.82:
            return [self.word("vt_person"), *self.person_np()]
        if roll < 0.90:
            return [self.word("vt_event"), *self.object_np("event")]
        if roll < 0.95:
            return ["解决", "这", "个", "问题"] if self.chance(0.5) else ["解决", "问题"]
        if roll < 0.975:
            return ["看", *self.object_np("animal")]
        return ["喜欢", self.word("sport")]

    def motion_phrase(self) -> Tokens:
        tokens = [self.word("v_motion"), *self.place_np()]
        if self.chance(0.4):
            tokens.append(self.word("vi"))
        return tokens

    def verb_phrase(self) -> Tokens:
        """A predicate with optional adverb, modal verb or negation."""
        core = self.motion_phrase() if self.chance(0.15) else self.verb_core()
        roll = self.rng.random()
        if roll < 0.12:
            return ["不", *core]
        if roll < 0.30:
            return [self.word("modal"), *core]
        if roll < 0.38:
            return [*core[:1], "了", *core[1:]] if len(core) > 1 else [*core, "了"]
        if roll < 0.44:
            return ["没有", *core]
        if roll < 0.75:
            adverb = self.word("adv")
            if adverb == "已经":
                return [adverb, *core, "了"]
            if self.chance(0.25):
                return [adverb, self.word("modal"), *core]
            return [adverb, *core]
        return core

    def perfective_phrase(self) -> Tokens:
        word_class, verb_class = ("food", "vt_food") if self.chance(0.35) else ("thing", "vt_thing")
        verb = "买" if self.chance(0.5) else self.word(verb_class)
        return [verb, "了", *self.counted(self.word(word_class), digits=self.chance(0.2))]

    # ---- clauses ----------------------------------------------------------------------------

    def action_clause(self) -> Tokens:
        roll = self.rng.random()
        if roll < 0.2:
            tokens = [self.word("time"), *self.subject()]
        elif roll < 0.32:
            tokens = [*self.subject(), self.word("time")]
        else:
            tokens = self.subject()
        tokens += self.perfective_phrase() if self.chance(0.12) else self.verb_phrase()
        return tokens

    def adjective_clause(self) -> Tokens:
        roll = self.rng.random()
        if roll < 0.30:
            return [*self.subject(), self.word("adv_degree"), self.word("adj_person")]
        if roll < 0.50:
            noun = self.word("thing")
            return [*self.demonstrated(noun), self.word("adv_degree"), self.word("adj_thing")]
        if roll < 0.65:
            place = [self.word("place")] if self.chance(0.5) else ["这", "个", self.word("region")]
            return [*place, self.word("adv_degree"), self.word("adj_place")]
        if roll < 0.78:
            return [self.word("food"), self.word("adv_degree"), self.word("adj_food")]
        if roll < 0.90:
            time = self.word("time")
            if self.chance(0.5):
                return [time, "的", "天气", self.word("adv_degree"), self.word("adj_weather")]
            return [time, self.word("adv_degree"), self.word("adj_weather")]
        return [*self.topic_np(), self.word("adv_degree"), self.word("adj_topic")]

    def condition_clause(self) -> Tokens:
        roll = self.rng.random()
        if roll < 0.3:
            return [self.word("time"), "天气", "好"]
        if roll < 0.55:
            return [*self.subject(), "有", "时间"]
        if roll < 0.75:
            return [*self.subject(), "不", self.word("adj_person")]
        return [*self.subject(), self.word("modal"), *self.verb_core()]

    # ---- sentence templates -----------------------------------------------------------------

    def action_statement(self) -> tuple[Tokens, str]:
        tokens = self.action_clause()
        if self.chance(0.2):
            connective = self.uniform_choice(("而且", "但是", "可是", "不过"))
            tokens += ["，", connective, *self.action_clause()]
        return tokens, "。"

    def location_statement(self) -> tuple[Tokens, str]:
        tokens = [*self.subject()]
        if self.chance(0.3):
            tokens.append(self.uniform_choice(("经常", "也", "一直", "常常", "总是", "还")))
        tokens += ["在", *self.place_np(), *self.verb_core()]
        return tokens, "。"

    def motion_statement(self) -> tuple[Tokens, str]:
        tokens = [self.word("time"), *self.subject()] if self.chance(0.6) else self.subject()
        if self.chance(0.3):
            tokens.append(self.word("modal"))
        tokens += self.motion_phrase()
        return tokens, "。"

    def adjective_statement(self) -> tuple[Tokens, str]:
        tokens = self.adjective_clause()
        if self.chance(0.2):
            tokens += ["，", "而且", *self.adjective_clause()]
        return tokens, "。"

    def identity_statement(self) -> tuple[Tokens, str]:
        roll = self.rng.random()
        if roll < 0.4:
            tokens = [*self.subject(), "是", self.word("person")]
        elif roll < 0.65:
            tokens = [self.word("name"), "是", self.word("possessor"), "的", self.word("family")]
        elif roll < 0.85:
            noun = self.word("thing")
            tokens = ["这", "是", self.word("possessor"), "的", noun]
        else:
            tokens = [self.word("city"), "是", "一", "个", self.word("adj_place"), "的", "城市"]
        return tokens, "。"

    def possession_statement(self) -> tuple[Tokens, str]:
        roll = self.rng.random()
        if roll < 0.35:
            tokens = [*self.subject(), "有", *self.counted(self.word("thing"))]
        elif roll < 0.6:
            tokens = [self.word("place"), "有", *self.counted(self.word("person"), digits=True)]
        elif roll < 0.8:
            tokens = [*self.subject(), "没有", self.word("thing")]
        else:
            tokens = [*self.subject(), "家里", "有", *self.counted(self.word("animal"))]
        return tokens, "。"

    def relative_clause_statement(self) -> tuple[Tokens, str]:
        noun_class = "topic" if self.chance(0.5) else "thing"
        noun = self.word(noun_class)
        modifier = [self.word("plural_pronoun")]
        if self.chance(0.6):
            modifier.append(self.uniform_choice(("一直", "经常", "最", "都")))
        tokens = [*modifier, self.word("vt_relative"), "的", noun]
        if self.chance(0.5):
            return ["这", "是", *tokens], "。"
        return [*tokens, self.word("adv_degree"), self.word("adj_topic")], "。"

    def favourite_statement(self) -> tuple[Tokens, str]:
        category, word_class = (("水果", "fruit"), ("运动", "sport"), ("城市", "city"))[
            self.integer(0, 2)
        ]
        tokens = [*self.subject(), "最", "喜欢", "的", category, "是", self.word(word_class)]
        return tokens, "。"

    def coordination_statement(self) -> tuple[Tokens, str]:
        if self.chance(0.6):
            tokens = [*self.plural_subject(), "都", *self.verb_phrase()]
        else:
            first = self.word("food")
            second = self.word("food")
            while second == first:
                second = self.word("food")
            foods = [first, "和", second]
            if self.chance(0.3):
                foods = [first, "、", second, "和", self.word("drink")]
            tokens = [*self.subject(), "买" if self.chance(0.5) else "喜欢", *foods]
        return tokens, "。"

    def comparison_statement(self) -> tuple[Tokens, str]:
        roll = self.rng.random()
        if roll < 0.4:
            first, second = self.word("name"), self.word("name")
            while second == first:
                second = self.word("name")
            tokens = [first, "比", second, self.word("adj_person")]
        elif roll < 0.7:
            tokens = ["今天", "比", "昨天", self.word("adj_weather")]
        else:
            noun = self.word("thing")
            measure = self.measure_words[noun]
            tokens = ["这", measure, noun, "比", "那", measure, self.word("adj_thing")]
        return tokens, "。"

    def ba_statement(self) -> tuple[Tokens, str]:
        noun = self.word("thing")
        thing = self.demonstrated(noun) if self.chance(0.5) else [noun]
        if self.chance(0.5):
            tokens = [*self.subject(), "把", *thing, "送", "给", "了", *self.person_np()]
        else:
            tokens = [*self.subject(), "把", *thing, "放", "在", "桌子", "上", "了"]
        return tokens, "。"

    def manner_statement(self) -> tuple[Tokens, str]:
        tokens = [*self.subject(), self.word("v_manner"), "得", self.word("adv_degree")]
        tokens.append(self.word("adj_manner"))
        return tokens, "。"

    def sequence_statement(self) -> tuple[Tokens, str]:
        tokens = [*self.subject(), "先", *self.motion_phrase(), "，", "然后", *self.verb_core()]
        return tokens, "。"

    def because_statement(self) -> tuple[Tokens, str]:
        tokens = ["因为", *self.adjective_clause(), "，", "所以", *self.action_clause()]
        return tokens, "。"

    def condition_statement(self) -> tuple[Tokens, str]:
        tokens = ["如果", *self.condition_clause(), "，", *self.subject(), "就"]
        tokens += self.motion_phrase() if self.chance(0.6) else self.verb_core()
        return tokens, "。"

    def concession_statement(self) -> tuple[Tokens, str]:
        subject = self.subject()
        tokens = ["虽然", *subject, self.word("adv_degree"), self.word("adj_person"), "，"]
        tokens += ["但是", *subject, "还是", *self.verb_core()]
        return tokens, "。"

    def year(self) -> str:
        return f"{self.integer(1949, 2024)}年"

    def date(self) -> Tokens:
        tokens = [f"{self.integer(1, 12)}月"]
        if self.chance(0.7):
            tokens.append(f"{self.integer(1, 28)}日")
        return tokens

    def date_statement(self) -> tuple[Tokens, str]:
        roll = self.rng.random()
        if roll < 0.3:
            tokens = [self.year(), *self.date(), "，", *self.subject()]
            tokens += ["去", "了", self.word("city")]
        elif roll < 0.5:
            tokens = [*self.person_np(), "是", self.year(), "出生", "的"]
        elif roll < 0.7:
            tokens = [*self.date(), "是", *self.person_np(), "的", "生日"]
        elif roll < 0.85:
            tokens = [self.year(), "，", "这", "个", self.word("region"), "的", "人口"]
            tokens += ["超过", "了", self.digit_quantity(), "万"]
        else:
            tokens = [*self.subject(), self.year(), "在", self.word("place"), "工作"]
        return tokens, "。"

    def quantity_statement(self) -> tuple[Tokens, str]:
        roll = self.rng.random()
        amount = self.digit_quantity()
        if roll < 0.25:
            noun = self.word("food")
            unit = "斤" if noun in SOLD_BY_WEIGHT else self.measure_words[noun]
            tokens = [*self.subject(), "买", "了", amount, unit, noun]
        elif roll < 0.4:
            tokens = [*self.subject(), "每天", "跑步", str(self.integer(2, 15)), "公里"]
        elif roll < 0.6:
            tokens = [*self.subject(), self.word("vi"), "了", str(self.integer(2, 12)), "个"]
            tokens.append("小时")
        elif roll < 0.75:
            tokens = [*self.person_np(), "今年", str(self.integer(3, 90)), "岁"]
        else:
            noun = self.word("thing")
            tokens = ["这", self.measure_words[noun], noun, amount, "块", "钱"]
        return tokens, "。"

    def abbreviation_statement(self) -> tuple[Tokens, str]:
        roll = self.rng.random()
        if roll < 0.25:
            tokens = ["AI", "技术", "发展", "得", self.word("adv_degree"), "快"]
        elif roll < 0.4:
            tokens = ["很多", "公司", "都", "在", "研究", "AI"]
        elif roll < 0.6:
            tokens = [*self.subject(), "经常", "用", "手机", "APP", self.word("vt_thing"), "东西"]
        elif roll < 0.75:
            tokens = ["公司", "的", "CEO", self.word("time"), "去", self.word("city")]
        elif roll < 0.9:
            tokens = [self.year(), "中国", "的", "GDP", "增长", "了"]
            tokens += [str(self.integer(2, 9)), "个", "百分点"]
        else:
            tokens = [*self.subject(), "喜欢", "看", "NBA", "比赛"]
        return tokens, "。"

    def question(self) -> tuple[Tokens, str]:
        roll = self.rng.random()
        if roll < 0.30:
            tokens = [*self.action_clause(), "吗"]
        elif roll < 0.42:
            food = self.chance(0.5)
            verb = self.word("vt_food") if food else self.word("vt_thing")
            tokens = [*self.subject(), self.word("modal"), verb, "什么"]
            if self.chance(0.4):
                tokens.append(self.word("food" if food else "thing"))
            tokens.append("呢")
        elif roll < 0.52:
            tokens = [*self.subject(), "在", "哪里", self.word("vi"), "呢"]
        elif roll < 0.60:
            tokens = ["谁", *self.verb_phrase()]
        elif roll < 0.68:
            tokens = [*self.subject(), "怎么", "去", self.word("place")]
        elif roll < 0.76:
            tokens = [*self.topic_np(), "怎么样"]
        elif roll < 0.84:
            noun = self.word("thing")
            tokens = ["这", self.measure_words[noun], noun, "多少", "钱"]
        elif roll < 0.92:
            adjective = self.word("adj_thing")
            tokens = [*self.demonstrated(self.word("thing")), adjective, "不", adjective]
        else:
            tokens = [*self.subject(), "为什么", "不", *self.verb_core(), "呢"]
        return tokens, "？"

    def exclamation(self) -> tuple[Tokens, str]:
        roll = self.rng.random()
        if roll < 0.35:
            return ["太", self.word("adj_thing"), "了"], "！"
        if roll < 0.65:
            noun = self.word("place") if self.chance(0.5) else self.word("food")
            adjective = "adj_place" if noun in self.classes["place"].words else "adj_food"
            return [noun, "真", self.word(adjective), "啊"], "！"
        if roll < 0.9:
            return ["我们", "一起", self.word("vi"), "吧"], "！"
        wish = ["生日", "快乐"] if self.chance(0.6) else ["一路平安"]
        return ["祝", self.uniform_choice(("你", "你们", "大家")), *wish], "！"

    # ---- sentences and paragraphs -----------------------------------------------------------

    def sentence(self) -> Tokens:
        position = self.rng.random() * self.template_cumulative[-1]
        _, template = self.templates[bisect.bisect_right(self.template_cumulative, position)]
        tokens, final_mark = template()
        return [*tokens, final_mark]

    def paragraph(self) -> Tokens:
        roll = self.rng.random()
        count = 1 if roll < 0.40 else 2 if roll < 0.73 else 3 if roll < 0.90 else 4
        tokens: Tokens = []
        for _ in range(count):
            tokens += self.sentence()
        return tokens


# --------------------------------------------------------------------------------------------
# Corpus assembly and output
# --------------------------------------------------------------------------------------------


def generate_paragraphs(seed: int, lines: int) -> list[Tokens]:
    """Sample ``lines`` paragraphs, each a list of gold tokens, from ``random.Random(seed)``."""
    sampler = SentenceSampler(random.Random(seed))
    known = vocabulary(sampler.classes, sampler.measure_words) | PUNCTUATION
    paragraphs = [sampler.paragraph() for _ in range(lines)]
    for tokens in paragraphs:
        for token in tokens:
            assert token in known or DIGIT_TOKEN.fullmatch(token), f"unknown token {token!r}"
    return paragraphs


def count_words(paragraphs: Sequence[Tokens]) -> list[tuple[str, int]]:
    """Counts of all non-punctuation gold tokens, most frequent first, ties by code point."""
    counts = Counter(token for tokens in paragraphs for token in tokens if token not in PUNCTUATION)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def write_outputs(paragraphs: Sequence[Tokens], out_dir: Path) -> None:
    """Write corpus.txt, corpus.gold.txt, lexicon.tsv (gold checked against raw text) and
    graph.tsv, a small word graph for ``nlpzero cluster``."""
    raw_lines = ["".join(tokens) for tokens in paragraphs]
    gold_lines = ["  ".join(tokens) for tokens in paragraphs]
    for raw, gold in zip(raw_lines, gold_lines, strict=True):
        assert gold.replace(" ", "") == raw, f"gold/raw mismatch: {gold!r}"
        assert " " not in raw, f"space in raw text: {raw!r}"
    out_dir.mkdir(parents=True, exist_ok=True)
    lexicon_lines = [f"{word}\t{count}" for word, count in count_words(paragraphs)]
    for name, lines in (
        ("corpus.txt", raw_lines),
        ("corpus.gold.txt", gold_lines),
        ("lexicon.tsv", lexicon_lines),
        ("graph.tsv", word_graph(DEFAULT_SEED)),
    ):
        (out_dir / name).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


#: Word classes that make the communities of graph.tsv (a word keeps its first class).
GRAPH_CLASSES = ("name", "person", "family", "thing", "food", "drink", "animal", "city",
                 "sport", "topic", "time", "adj_person", "adj_weather", "numeral")


def word_classes() -> dict[str, str]:
    """Word -> class for the words of ``GRAPH_CLASSES``, each word in its first class."""
    classes, _ = parse_lexicon(LEXICON_SOURCE)
    membership: dict[str, str] = {}
    for name in GRAPH_CLASSES:
        for word in classes[name].words:
            membership.setdefault(word, name)
    return membership


def word_graph(seed: int) -> list[str]:
    """A word-similarity-like link list: each word links to 4 words of its class
    (similarity 0.6-0.95) and, one time in five, to a word of another class (0.6-0.7)."""
    rng = random.Random(seed)
    membership = word_classes()
    by_class: dict[str, list[str]] = {}
    for word, name in membership.items():
        by_class.setdefault(name, []).append(word)
    words = list(membership)
    lines = []
    for word in words:
        peers = [w for w in by_class[membership[word]] if w != word]
        for peer in rng.sample(peers, min(4, len(peers))):
            lines.append(f"{word}\t{peer}\t{rng.uniform(0.6, 0.95):.3f}")
        if rng.random() < 0.2:
            other = rng.choice([w for w in words if membership[w] != membership[word]])
            lines.append(f"{word}\t{other}\t{rng.uniform(0.6, 0.7):.3f}")
    return lines


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES, help="number of paragraphs")
    parser.add_argument(
        "--out-dir", type=Path, default=DEFAULT_OUT_DIR, help="directory for the three files"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    write_outputs(generate_paragraphs(args.seed, args.lines), args.out_dir)


if __name__ == "__main__":
    main()
