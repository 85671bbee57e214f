"""SIGHAN-style scores: hand-computed values, a span-matching reference, and input checks."""

from __future__ import annotations

import random

import pytest

from nlpzero.errors import InputError
from nlpzero.words.scoring import Scores, read_lines, score, score_lines

GOLD = ["中外 科学 名著", "我 爱 北京"]
PRED = ["中外 科学 名 著", "我 爱 北 京"]


def test_hand_computed_precision_recall_f1() -> None:
    # gold: 6 words; pred: 8 words; correct: 中外 科学 我 爱 = 4
    s = score_lines(GOLD, PRED)
    assert (s.gold_words, s.pred_words, s.correct) == (6, 8, 4)
    assert s.precision == pytest.approx(4 / 8)
    assert s.recall == pytest.approx(4 / 6)
    assert s.f1 == pytest.approx(4 / 7)  # 2·(1/2)(2/3) / (1/2 + 2/3)
    assert s.oov_rate is None and s.oov_recall is None and s.iv_recall is None


def test_oov_and_iv_recall() -> None:
    # OOV gold words: 科学 (hit), 爱 (hit); IV: 中外 (hit), 名著 (miss), 我 (hit), 北京 (miss)
    s = score_lines(GOLD, PRED, training_words={"中外", "名著", "我", "北京", "名"})
    assert (s.oov_words, s.oov_correct) == (2, 2)
    assert s.oov_rate == pytest.approx(2 / 6)
    assert s.oov_recall == pytest.approx(1.0)
    assert s.iv_recall == pytest.approx(2 / 4)
    rows = dict(s.as_rows())
    assert rows["f1"] == pytest.approx(4 / 7)
    assert rows["oov_recall"] == pytest.approx(1.0)
    assert rows["correct"] == 4


def test_perfect_and_empty() -> None:
    s = score_lines(GOLD, GOLD)
    assert s.precision == s.recall == s.f1 == 1.0
    empty = score_lines(["", "  "], ["", ""])
    assert (empty.gold_words, empty.pred_words, empty.f1) == (0, 0, 0.0)
    assert Scores(0, 0, 0).precision == 0.0


def test_whitespace_forms_are_equivalent() -> None:
    s = score_lines(["中外  科学\t名著  "], [" 中外 科学 名著"])
    assert s.f1 == 1.0


def reference_scores(gold: list[str], pred: list[str]) -> tuple[int, int, int]:
    def spans(line: str) -> set[tuple[int, int]]:
        out, pos = set(), 0
        for w in line.split():
            out.add((pos, pos + len(w)))
            pos += len(w)
        return out

    g = [spans(x) for x in gold]
    p = [spans(x) for x in pred]
    return (sum(map(len, g)), sum(map(len, p)), sum(len(a & b) for a, b in zip(g, p)))


def random_split(rng: random.Random, text: str) -> str:
    return "".join(c + (" " if rng.random() < 0.4 else "") for c in text)


def test_agrees_with_span_reference_on_random_splits() -> None:
    rng = random.Random(3)
    for _ in range(200):
        texts = ["".join(rng.choice("中外科学名著") for _ in range(rng.randrange(0, 15)))
                 for _ in range(rng.randrange(1, 4))]
        gold = [random_split(rng, t) for t in texts]
        pred = [random_split(rng, t) for t in texts]
        s = score_lines(gold, pred)
        assert (s.gold_words, s.pred_words, s.correct) == reference_scores(gold, pred)
        assert 0.0 <= s.f1 <= 1.0
        swapped = score_lines(pred, gold)  # precision and recall trade places
        assert swapped.precision == pytest.approx(s.recall)
        assert swapped.f1 == pytest.approx(s.f1)


def test_differing_texts_name_the_line() -> None:
    with pytest.raises(InputError, match=r"line 2\b.*character 4"):
        score_lines(["我 爱", "中外 科学"], ["我 爱", "中外 科 字"])
    with pytest.raises(InputError, match=r"line 1\b"):
        score_lines(["中外 科学"], ["中外 科"])  # a prefix is not the same text


@pytest.mark.parametrize(("gold", "pred", "side"), [
    (["a b", "c"], ["a b"], "gold"),
    (["a b"], ["a b", "c"], "prediction"),
])
def test_different_line_counts(gold: list[str], pred: list[str], side: str) -> None:
    with pytest.raises(InputError, match=rf"line 2: the {side} has more lines"):
        score_lines(gold, pred)


def test_read_lines_handles_crlf_bom_and_missing_final_newline(write_file) -> None:
    path = write_file("g.txt", b"\xef\xbb\xbf" + "中外 科学\r\n我 爱\r\n\r\n北京".encode())
    assert list(read_lines(path)) == ["中外 科学", "我 爱", "", "北京"]
    assert list(read_lines(write_file("e.txt", b""))) == []


def test_score_files_with_crlf_and_bom_in_gold(write_file) -> None:
    gold = write_file("gold.txt", b"\xef\xbb\xbf" + "\r\n".join(GOLD).encode() + b"\r\n")
    pred = write_file("pred.txt", "\n".join(PRED) + "\n")
    words = write_file("train.txt", "中外\t5\n名著 3\n我\n北京\n\n")
    s = score(gold, pred)
    assert (s.gold_words, s.pred_words, s.correct) == (6, 8, 4)
    s = score(gold, pred, training_words=words)
    assert (s.oov_words, s.oov_correct) == (2, 2)


def test_score_files_report_problems(write_file) -> None:
    gold = write_file("gold.txt", "中外 科学\n名著\n")
    with pytest.raises(InputError, match="line 2"):
        score(gold, write_file("p1.txt", "中外 科学\n名 字\n"))
    with pytest.raises(InputError, match="more lines"):
        score(gold, write_file("p2.txt", "中外 科学\n"))
    with pytest.raises(InputError, match="invalid UTF-8 at byte offset 3"):
        score(gold, write_file("p3.txt", b"ab \xff\n"))
