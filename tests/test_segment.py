"""The Numba unigram segmenter against a plain-Python reference, and its text contract."""

from __future__ import annotations

import io
import itertools
import math
import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpzero.words.lexicon import Lexicon
from nlpzero.words.segmentation import Segmenter, segment

# --- plain-Python reference ------------------------------------------------------------

SPACE, HAN, ALNUM, PUNCT = range(4)


def fold(ch: str) -> str:
    """Full-width ASCII letters/digits (U+FF10..U+FF5A) read as their ASCII forms."""
    return chr(ord(ch) - 0xFEE0) if 0xFF10 <= ord(ch) <= 0xFF5A else ch


def char_class(ch: str) -> int:
    ch = fold(ch)
    if ch.isspace():
        return SPACE
    if "\u4e00" <= ch <= "\u9fff" or ch in "〇○":
        return HAN
    if ord(ch) < 0x10000 and ch.isalnum():
        return ALNUM
    return PUNCT


def line_classes(line: str) -> list[int]:
    """char_class of each character after the pre-rules: ``.`` or ``@`` (ASCII or
    full-width) between two letters/digits, ``%`` ``％`` ``‰`` after a digit, and a URL
    (scheme://, then printable ASCII, ending in a letter, digit or /) count as letters."""
    k = [char_class(c) for c in line]
    out = list(k)
    for i, ch in enumerate(line):
        if ch in ".．@＠" and 0 < i < len(line) - 1 and k[i - 1] == ALNUM and k[i + 1] == ALNUM:
            out[i] = ALNUM
        if ch in "%％‰" and i > 0 and fold(line[i - 1]) in "0123456789":
            out[i] = ALNUM
    for m in re.finditer(r"[A-Za-z][A-Za-z0-9+.-]*://[!-~]*[A-Za-z0-9/]", line):
        for i in range(m.start(), m.end()):
            out[i] = ALNUM
    return out


def is_word(w: str) -> bool:
    return bool(w) and all(char_class(c) in (HAN, ALNUM) for c in w)


def reference_logp(lex: Lexicon) -> dict[str, float]:
    """ln(count / total) per folded word, computed exactly as the library does (same floats),
    so ties resolve identically; words with non-word characters can never match."""
    folded: dict[str, float] = {}
    for w, c in zip(lex.words, lex.counts):
        if is_word(w):
            key = "".join(fold(ch) for ch in w)
            folded[key] = folded.get(key, 0.0) + float(c)
    logp = np.log(np.array(list(folded.values()), dtype=np.float64)) - math.log(lex.total)
    return dict(zip(folded, (float(x) for x in logp)))


def viterbi(run: str, logp: dict[str, float], unknown: float,
            classes: list[int] | None = None) -> tuple[float, list[int]]:
    """Best split of a run of word characters: (score, cut positions including 0 and n).

    Edges: lexicon words not ending inside a letter/digit run (score ln p), and a fallback
    of one ideograph or a whole letter/digit run (score *unknown*). Edges are relaxed by
    increasing start, then increasing end, lexicon word before fallback; only a strictly
    better score replaces the first path found.
    """
    n = len(run)
    alnum = [k == ALNUM for k in (classes or [char_class(c) for c in run])]
    max_len = max((len(w) for w in logp), default=1)
    score: list[float | None] = [None] * (n + 1)
    back = [0] * (n + 1)
    score[0] = 0.0

    def relax(i: int, e: int, s: float) -> None:
        if score[e] is None or s > score[e]:
            score[e] = s
            back[e] = i

    for i in range(n):
        base = score[i]
        if base is None:
            continue
        fb_end = i + 1
        if alnum[i]:
            while fb_end < n and alnum[fb_end]:
                fb_end += 1
        for e in range(i + 1, min(n, i + max_len) + 1):
            w = run[i:e]
            if w in logp and not (e < n and alnum[e] and alnum[e - 1]):
                relax(i, e, base + logp[w])
        relax(i, fb_end, base + unknown)
    cuts = [n]
    while cuts[-1] > 0:
        cuts.append(back[cuts[-1]])
    assert score[n] is not None
    return score[n], cuts[::-1]


def reference_segment(text: str, lex: Lexicon, unknown: float = -100.0) -> str:
    logp = reference_logp(lex)
    out_lines = []
    for line in text.split("\n"):
        tokens: list[str] = []
        i, n = 0, len(line)
        classes = line_classes(line)
        while i < n:
            k = classes[i]
            j = i + 1
            if k == SPACE:
                i = j
                continue
            if k == PUNCT:
                while j < n and line[j] == line[i]:
                    j += 1
                tokens.append(line[i:j])
                i = j
                continue
            while j < n and classes[j] in (HAN, ALNUM):
                j += 1
            run = "".join(fold(c) for c in line[i:j])
            _, cuts = viterbi(run, logp, unknown, classes[i:j])
            tokens += [line[i + a : i + b] for a, b in zip(cuts, cuts[1:])]
            i = j
        out_lines.append(" ".join(tokens))
    return "\n".join(out_lines)


def path_score(tokens: list[str], logp: dict[str, float], unknown: float) -> float:
    """Best score of a given split of one run (tokens in folded form): a lexicon word scores
    ln p, and a single ideograph or a whole letter/digit run may also score *unknown*."""
    total = 0.0
    for t in tokens:
        options = [logp[t]] if t in logp else []
        if len(t) == 1 or all(char_class(c) == ALNUM for c in t):
            options.append(unknown)
        total += max(options)
    return total


def all_splits(run: str) -> list[list[str]]:
    """Every split of *run* that the segmenter may produce (no cut inside letter/digit runs,
    and a multi-character token is a lexicon word or a whole letter/digit run)."""
    n = len(run)
    alnum = [char_class(c) == ALNUM for c in run]
    allowed = [i for i in range(1, n) if not (alnum[i] and alnum[i - 1])]
    out = []
    for k in range(len(allowed) + 1):
        for cut in itertools.combinations(allowed, k):
            b = [0, *cut, n]
            out.append([run[x:y] for x, y in zip(b, b[1:])])
    return out


def split_ok(tokens: list[str], logp: dict[str, float]) -> bool:
    for t in tokens:
        whole_alnum_run = all(char_class(c) == ALNUM for c in t)
        if len(t) > 1 and t not in logp and not whole_alnum_run:
            return False
    return True


# --- random cases ------------------------------------------------------------------------

HAN_CHARS = "中外科学名著"
ALNUM_CHARS = "ab1２"
TEXT_ALPHABET = HAN_CHARS * 3 + ALNUM_CHARS + "，。—  \n.%＠"


def random_lexicon(rng: random.Random, counts=None) -> Lexicon:
    words = set()
    for _ in range(rng.randrange(1, 12)):
        n = rng.choice([1, 1, 2, 2, 2, 3, 4, 5])
        pool = HAN_CHARS if rng.random() < 0.8 else HAN_CHARS + ALNUM_CHARS
        words.add("".join(rng.choice(pool) for _ in range(n)))
    words = sorted(words)
    rng.shuffle(words)
    if rng.random() < 0.2:
        words.append("中，")  # never matches: contains punctuation
    if counts is None:
        counts = [rng.choice([1, 2, 3, 5, 8, 8, 20, 100]) for _ in words]
    else:
        counts = counts(len(words))
    return Lexicon(words, np.array(counts, dtype=np.float64))


def random_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(TEXT_ALPHABET) for _ in range(n))


def test_hand_computed_example(hand_lexicon: Lexicon) -> None:
    assert segment_text("中外科学名著", hand_lexicon) == "中外 科学 名著"
    assert reference_segment("中外科学名著", hand_lexicon) == "中外 科学 名著"
    # 中外/科学/名著 = ln(10·20·10 / 56³) beats 中/外科/学/名著 = ln(5·8·3·10 / 56⁴)
    logp = reference_logp(hand_lexicon)
    best = path_score(["中外", "科学", "名著"], logp, -100.0)
    assert best == pytest.approx(math.log(10 * 20 * 10 / 56**3))
    assert best > path_score(["中", "外科", "学", "名著"], logp, -100.0)


def test_matches_reference_on_random_lexicons_and_texts() -> None:
    """Exact tokens, ties included: the reference uses the same floats and edge order."""
    rng = random.Random(2024)
    for _ in range(400):
        lex = random_lexicon(rng)
        unknown = rng.choice([-100.0, -3.0, -1.0])
        seg = Segmenter(lex, unknown)
        for _ in range(5):
            text = random_text(rng, rng.randrange(0, 30))
            assert seg.segment_text(text) == reference_segment(text, lex, unknown), (
                lex.words, list(lex.counts), unknown, text)


def test_reference_is_optimal_and_segmenter_agrees_with_brute_force() -> None:
    """The chosen path has the best total score among all splits; with a unique best it is
    exactly that split (this does not rely on the tie rule)."""
    rng = random.Random(77)
    checked_unique = 0
    for _ in range(300):
        lex = random_lexicon(rng, counts=lambda k: [2.0 ** rng.randrange(0, 40) for _ in range(k)])
        unknown = rng.choice([-100.0, -7.5, -2.0])
        logp = reference_logp(lex)
        seg = Segmenter(lex, unknown)
        run = "".join(rng.choice(HAN_CHARS * 2 + ALNUM_CHARS) for _ in range(rng.randrange(1, 9)))
        run = "".join(fold(c) for c in run)
        splits = [s for s in all_splits(run) if split_ok(s, logp)]
        scored = sorted((path_score(s, logp, unknown), s) for s in splits)
        best_score, best_split = scored[-1]
        ref_score, _ = viterbi(run, logp, unknown)
        assert ref_score == pytest.approx(best_score, abs=1e-9)
        got = seg.tokenize(run)
        assert "".join(got) == run
        assert split_ok(got, logp), got
        assert path_score(got, logp, unknown) == pytest.approx(best_score, abs=1e-9)
        if len(scored) == 1 or scored[-2][0] < best_score - 1e-6:
            checked_unique += 1
            assert got == best_split
    assert checked_unique > 100


# --- text contract ------------------------------------------------------------------------


def check_round_trip(text: str, out: str) -> None:
    in_lines, out_lines = text.split("\n"), out.split("\n")
    assert len(out_lines) == len(in_lines)
    for a, b in zip(in_lines, out_lines):
        assert b.replace(" ", "") == "".join(a.split())
        if b:
            assert "" not in b.split(" "), repr(b)  # single spaces, none at the ends


def segment_text(text: str, lexicon: Lexicon, unknown_score: float = -100.0) -> str:
    return Segmenter(lexicon, unknown_score).segment_text(text)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(st.one_of(
    st.sampled_from(list("中外科学名著ab12１２ＡＢ，。—…!  \t\r\n\u3000\u00a0○〇")),
    st.characters(codec="utf-8"),
), max_size=40))
def test_round_trip_and_one_line_per_line(text: str) -> None:
    seg = Segmenter(Lexicon.from_counts({"中外": 10, "科学": 20, "ab": 3, "1２": 2}))
    out = seg.segment_text(text)
    check_round_trip(text, out)
    for tok in out.split():
        kinds = {char_class(c) for c in tok}
        assert SPACE not in kinds
        if PUNCT in kinds and ALNUM in line_classes(tok):  # a number, address or URL
            assert all(k == ALNUM for k in line_classes(tok)), tok
        elif PUNCT in kinds:  # punctuation stands alone, one repeated mark at most
            assert len(set(tok)) == 1, tok


def test_lines_are_kept(hand_lexicon: Lexicon) -> None:
    seg = Segmenter(hand_lexicon)
    assert seg.segment_text("") == ""
    assert seg.segment_text("\n\n中外科学\n\n名著") == "\n\n中外 科学\n\n名著"
    assert seg.segment_text("中外\n") == "中外\n"
    assert seg.segment_text("  中外  \t科学 \n") == "中外 科学\n"
    assert seg.segment_text("中外\r\n科学\r\n") == "中外\n科学\n"
    assert list(segment(["中外科学\n", "\n", "名著"], hand_lexicon)) == ["中外 科学", "", "名著"]


def test_punctuation_tokens(hand_lexicon: Lexicon) -> None:
    seg = Segmenter(hand_lexicon)
    assert seg.segment_text("中外——科学……名著！！") == "中外 —— 科学 …… 名著 ！！"
    assert seg.segment_text("中外，。科学—…") == "中外 ， 。 科学 — …"
    assert seg.segment_text("，中外") == "， 中外"
    assert seg.segment_text("—— ——") == "—— ——"
    assert seg.segment_text("?？!！") == "? ？ ! ！"


def test_letter_and_digit_runs() -> None:
    lex = Lexicon.from_counts({"2001年": 5, "年": 50, "我": 50, "AB": 50, "A": 100})
    seg = Segmenter(lex)
    assert seg.segment_text("ABC我") == "ABC 我"  # never split, even though AB and A are words
    assert seg.segment_text("AB我") == "AB 我"
    assert seg.segment_text("2001年") == "2001年"  # in the lexicon as one word
    assert seg.segment_text("2002年") == "2002 年"  # unknown run kept whole, then 年
    assert seg.segment_text("12001年") == "12001 年"  # 2001年 may not start inside a run
    assert seg.segment_text("x2001年") == "x2001 年"
    assert seg.segment_text("ＡＢＣ我") == "ＡＢＣ 我"
    assert Segmenter(Lexicon.from_counts({"我": 1})).segment_text("Python3我") == "Python3 我"


def test_fullwidth_digits_match_ascii_lexicon_entry() -> None:
    lex = Lexicon.from_counts({"1998年": 5, "年": 50, "我": 50})
    seg = Segmenter(lex)
    assert seg.segment_text("１９９８年我") == "１９９８年 我"  # original characters kept
    assert seg.segment_text("1998年我") == "1998年 我"
    assert seg.segment_text("１９９8年") == "１９９8年"


def test_fullwidth_and_ascii_spellings_share_one_summed_entry() -> None:
    # alone each spelling has ln(1/10) < 2·ln(4/10) and loses to 1998|年; summed, ln(2/10) wins
    split = Lexicon.from_counts({"1998年": 1, "1998": 4, "年": 5})
    assert segment_text("1998年", split) == "1998 年"
    both = Lexicon.from_counts({"1998年": 1, "１９９８年": 1, "1998": 4, "年": 4})
    assert segment_text("1998年", both) == "1998年"
    assert segment_text("１９９８年", both) == "１９９８年"


def test_unknown_score_controls_fallback() -> None:
    lex = Lexicon.from_counts({"中外": 1, "科": 1000})
    # ln(1/1001) ≈ -6.9 beats two unknown characters at -100 but not at -1 each
    assert segment_text("中外", lex) == "中外"
    assert segment_text("中外", lex, unknown_score=-1.0) == "中 外"


def test_lexicon_of_punctuation_only_still_segments() -> None:
    seg = Segmenter(Lexicon.from_counts({"，": 5}))
    assert seg.segment_text("中外，科学") == "中 外 ， 科 学"


# --- streaming ------------------------------------------------------------------------------


def stream(seg: Segmenter, data: bytes, block_bytes: int) -> str:
    out: list[str] = []
    n = seg.stream(io.BytesIO(data), out.append, block_bytes=block_bytes)
    text = "".join(out)
    assert n == len(data.decode("utf-8-sig"))
    return text


def test_stream_equals_one_call_when_runs_fit_in_blocks(hand_lexicon: Lexicon) -> None:
    """Word runs of at most 3 characters, no repeated marks: any block of at least 16 bytes
    holds a separator, so streaming must not change a single token."""
    rng = random.Random(5)
    seg = Segmenter(hand_lexicon)
    seps = ["，", "。", " ", "\n", "\r\n", "！", "—"]
    for _ in range(200):
        parts = []
        for _ in range(rng.randrange(0, 25)):
            parts.append("".join(rng.choice(HAN_CHARS) for _ in range(rng.randrange(1, 4))))
            parts.append(rng.choice(seps))
        text = "".join(parts)
        for block_bytes in (16, 17, 23, 64):
            assert stream(seg, text.encode(), block_bytes) == seg.segment_text(text), (
                text, block_bytes)


def test_stream_keeps_numbers_and_urls_whole_across_blocks(hand_lexicon: Lexicon) -> None:
    """A long line is cut between blocks before a separator; '.', '%', '@', '/' and ':'
    must not count as one, or 3.14% and URLs would be split where a block ends."""
    rng = random.Random(7)
    seg = Segmenter(hand_lexicon)
    units = ["增长了3.14%", "见https://x.org/a/b", "a@b.cn", "15.3％", "1998．5", "中外科学"]
    seps = ["，", "。", " ", "！"]
    for _ in range(100):
        text = "".join(rng.choice(units) + rng.choice(seps) for _ in range(rng.randrange(1, 30)))
        for block_bytes in (48, 49, 61, 64, 100):
            assert stream(seg, text.encode(), block_bytes) == seg.segment_text(text), (
                text, block_bytes)


def test_stream_crlf_and_bom(hand_lexicon: Lexicon) -> None:
    seg = Segmenter(hand_lexicon)
    text = "中外科学，名著\r\n名著。中外\r\n\r\n科学"
    expected = "中外 科学 ， 名著\n名著 。 中外\n\n科学"
    assert seg.segment_text(text) == expected
    for block_bytes in range(16, 40):
        assert stream(seg, b"\xef\xbb\xbf" + text.encode(), block_bytes) == expected


def test_stream_with_tiny_blocks_equals_one_call(hand_lexicon: Lexicon) -> None:
    seg = Segmenter(hand_lexicon)
    line = "中外科学名著，中外科学。名著中外科学！" * 20  # one long line, no newline
    assert stream(seg, line.encode(), 7) == seg.segment_text(line)
    crlf = "中外科学名著\r\n科学名著\r\n"
    assert stream(seg, crlf.encode(), 7) == "中外 科学 名著\n科学 名著\n"


def test_stream_keeps_repeated_mark_across_block_boundary(hand_lexicon: Lexicon) -> None:
    seg = Segmenter(hand_lexicon)
    text = "中外———科学"
    assert seg.segment_text(text) == "中外 ——— 科学"
    # 9-byte reads: 中外— | ——科 | 学 — each read holds a separator, no forced cut
    assert stream(seg, text.encode(), 9) == "中外 ——— 科学"


def test_stream_keeps_circle_zero_in_words() -> None:
    seg = Segmenter(Lexicon.from_counts({"二○○一年": 5, "年": 1}))
    assert seg.segment_text("，二○○一年") == "， 二○○一年"
    # default block size, the whole input fits one read; only the missing final newline matters
    out: list[str] = []
    seg.stream(io.BytesIO("，二○○一年".encode()), out.append)
    assert "".join(out) == "， 二○○一年"


def test_large_single_line_streams_fast() -> None:
    lex = Lexicon.from_counts({"中外": 10, "科学": 20, "名著": 10, "1998年": 4, "我们": 9,
                               "读书": 3, "中": 5, "外科": 8, "学": 3})
    seg = Segmenter(lex)
    sentence = "中外科学名著，1998年的ABC。我们在１９９８年读书！"
    line = sentence * (1_000_000 // len(sentence) + 1)
    data = line.encode()
    assert len(line) >= 1_000_000 and "\n" not in line
    out: list[str] = []
    n = seg.stream(io.BytesIO(data), out.append, block_bytes=1 << 20)
    assert len(out) > 1  # really streamed in several blocks
    text = "".join(out)
    assert n == len(line)
    assert "\n" not in text
    assert text.replace(" ", "") == line
    assert text == seg.segment_text(line)


@pytest.mark.parametrize(("text", "expected"), [
    ("增长15.3％，达到3.14%", "增 长 15.3％ ， 达 到 3.14%"),
    ("１９９８．５年", "１９９８．５ 年"),
    ("见https://x.org/a?b=1下载", "见 https://x.org/a?b=1 下 载"),
    ("写信a@b.cn了", "写 信 a@b.cn 了"),
    ("第1.中国", "第 1 . 中 国"),  # a point not between letters/digits stays a mark
    ("1..5", "1 .. 5"),
    ("%5", "% 5"),  # a sign before the digits is not part of the number
    ("。://x", "。 : // x"),  # no scheme, no URL
])
def test_number_and_url_pre_rules(text: str, expected: str) -> None:
    seg = Segmenter(Lexicon(["中外"], [1.0]))
    assert seg.segment_text(text) == expected
    assert reference_segment(text, Lexicon(["中外"], [1.0])) == expected


def test_a_word_too_long_for_the_table_does_not_slow_the_walk() -> None:
    """The table keeps word lengths in int16: a word over 32,767 characters is never found,
    so it cannot change a segmentation. Its prefixes used to lengthen every walk: with a
    periodic 60,000-character word, each of 1.2 M positions of periodic text walked up to
    32,767 steps (about 100 s); the walk now stops at the longest word the table can find.
    The alarm only detects a hang, it is not a speed test."""
    import signal

    def expire(signum: int, frame: object) -> None:
        raise AssertionError("segmenting did not finish within 60 s (a hang?)")

    short = {"天地": 5, "人": 3, "地人": 2}
    text = "天地人" * 400_000
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    try:
        with_long = Segmenter(Lexicon.from_counts({**short, "天地人" * 20_000: 7}))
        segmented = with_long.segment_text(text)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert segmented == Segmenter(Lexicon.from_counts(short)).segment_text(text)
    assert segmented.split(" ", 3)[:3] == ["天地", "人", "天地"]
