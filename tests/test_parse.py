"""Parsing: hand-built parses with exact scores, the literal-only template, agreement with
a slow memoised plain-Python reference, a 500-word sentence, and the command line."""

from __future__ import annotations

import json
import math
import random
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from nlpzero.errors import InputError
from nlpzero.sentences.parsing import Parser, Tree
from nlpzero.sentences.templates import Templates, find_templates

X = None
DEMO = Templates([(X, "的", X), ("谢谢",), (X, "吗"), (X, "可以", X), (X, "是", X, "呢")],
                 np.array([20, 10, 9, 5, 3]))
LN = {t: math.log(c / 47) for t, c in DEMO}


def ref_best(words, templates, null_score=-20.0):
    """Best score by brute force: every way every template matches every span exactly."""
    total = sum(c for _, c in templates)
    words = tuple(words)

    def ways(t, s, e):
        """Child spans of each exact match of template t on words[s:e]."""
        def rec(k, p):
            if k == len(t):
                if p == e:
                    yield []
                return
            if t[k] is not None:
                if p < e and words[p] == t[k]:
                    yield from rec(k + 1, p + 1)
            else:
                for q in range(p + 1, e + 1):
                    for rest in rec(k + 1, q):
                        yield [(p, q), *rest]
        yield from rec(0, s)

    @cache
    def best(s, e):
        cands = [math.log(c / total) + sum(best(a, b) for a, b in spans)
                 for t, c in templates for spans in ways(t, s, e)]
        return max(cands) if cands else null_score * (e - s - 1)

    return (best(0, len(words)) if words else 0.0), ways


def tree_score(tree: Tree, templates, ways, words, offset=0, null_score=-20.0) -> float:
    """Check that *tree* is a valid parse (each template matches its span exactly, flat spans
    have no matching template) and return its score."""
    table = dict(templates)
    total = sum(table.values())
    s, e = offset, offset + len(tree.words)
    assert tree.words == list(words[s:e])
    if tree.template is None:
        assert not tree.children
        assert not any(True for t in table for _ in ways(t, s, e))
        return null_score * (len(tree.words) - 1)
    score, p, k = math.log(table[tree.template] / total), s, 0
    for el in tree.template:
        if el is None:
            child = tree.children[k]
            k += 1
            assert child.words
            score += tree_score(child, templates, ways, words, p, null_score)
            p += len(child.words)
        else:
            assert words[p] == el
            p += 1
    assert p == e and k == len(tree.children)
    return score


def test_demo_parses_with_exact_scores() -> None:
    parser = Parser(DEMO)
    tree = parser.parse("鸡蛋 可以 吃 吗")
    assert tree.plot() == "\n".join([
        "+---> (鸡蛋可以吃)吗",
        "|     +---> (鸡蛋)可以(吃)",
        "|     |     +---> 鸡蛋",
        "|     |     |     +---> 鸡蛋",
        "|     |     +---> 可以",
        "|     |     +---> 吃",
        "|     |     |     +---> 吃",
        "|     +---> 吗",
    ])
    assert tree.score == pytest.approx(LN[(X, "吗")] + LN[(X, "可以", X)], abs=1e-12)
    tree = parser.parse("苹果 的 颜色 是 什么 呢 ？")  # punctuation is dropped
    assert tree.template == (X, "是", X, "呢")
    assert [c.template for c in tree.children] == [(X, "的", X), None]
    assert tree.children[0].words == ["苹果", "的", "颜色"]
    assert tree.score == pytest.approx(LN[(X, "是", X, "呢")] + LN[(X, "的", X)], abs=1e-12)


def test_literal_only_template_matches_exactly(cli) -> None:
    parser = Parser(DEMO)
    alone = parser.parse("谢谢")
    assert alone.template == ("谢谢",) and alone.score == pytest.approx(LN[("谢谢",)])
    # nlp-zero's XTrie let ('谢谢',) also match 谢谢 你 and 谢谢 你 吗; it must not
    tree = parser.parse("谢谢 你 吗")
    assert tree.template == (X, "吗")
    assert tree.children[0].template is None and tree.children[0].words == ["谢谢", "你"]
    assert tree.score == pytest.approx(LN[(X, "吗")] - 20.0, abs=1e-12)
    flat = parser.parse("谢谢 你")
    assert flat.template is None and flat.score == -20.0


def test_uncovered_sentence_is_flat_and_empty_line_is_empty() -> None:
    parser = Parser(DEMO)
    tree = parser.parse("甲 乙 丙 丁")
    assert tree.template is None and tree.score == -60.0 and not tree.children
    assert tree.plot().splitlines()[0] == "+---> 甲乙丙丁"
    assert parser.parse("  ，  ").words == []
    assert '"score": 0.0' in parser.parse("甲").to_json()  # not -0.0


def test_nested_parallel_structure() -> None:
    templates = Templates([(X, "和", X), (X, "的", X, "是", X, "呢")], np.array([5, 2]))
    tree = Parser(templates).parse("雪梨 和 苹果 和 香蕉 的 颜色 是 什么 呢")
    assert tree.template == (X, "的", X, "是", X, "呢")
    inner = tree.children[0]
    assert inner.template == (X, "和", X) and inner.words == ["雪梨", "和", "苹果", "和", "香蕉"]


@pytest.mark.parametrize("seed", range(40))
def test_agrees_with_slow_reference(seed: int) -> None:
    rng = random.Random(seed)
    vocab = [chr(0x4E00 + i) for i in range(rng.randint(2, 6))]
    templates = {}
    for _ in range(rng.randint(1, 8)):
        t: list[str | None] = []
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.4 and (not t or t[-1] is not None):
                t.append(None)
            t.append(rng.choice(vocab))
        if rng.random() < 0.5:
            t.append(None)
        templates[tuple(t)] = rng.randint(1, 30)
    table = Templates(list(templates), np.array(list(templates.values())))
    null_score = rng.choice([-20.0, -3.0, -0.5])
    parser = Parser(table, null_score)
    for _ in range(5):
        words = rng.choices(vocab, k=rng.randint(0, 9))
        tree = parser.parse_words(words)
        best, ways = ref_best(words, list(table), null_score)
        assert tree.score == pytest.approx(best, abs=1e-9)
        if words:
            got = tree_score(tree, list(table), ways, words, 0, null_score)
            assert got == pytest.approx(best, abs=1e-9)


def test_500_word_sentence_parses() -> None:
    """Speed is measured in benchmarks/bench_templates.py; here: a long sentence parses."""
    rng = random.Random(5)
    vocab = [chr(0x4E00 + i) for i in range(40)] + ["的", "是", "了", "和", "吗"]
    weights = [1.0] * 40 + [12.0, 6.0, 6.0, 4.0, 2.0]
    corpus = [" ".join(rng.choices(vocab, weights, k=rng.randint(3, 25))) for _ in range(3000)]
    templates = find_templates(corpus, min_proba=1e-4, min_pmi=0.05)
    assert len(templates) > 50
    parser = Parser(templates)
    sentence = rng.choices(vocab, weights, k=500)
    tree = parser.parse_words(sentence)
    assert len(tree.words) == 500 and tree.template is not None


def test_errors() -> None:
    with pytest.raises(ValueError):
        Parser(DEMO, null_score=float("nan"))
    with pytest.raises(InputError, match="max_words"):
        Parser(DEMO, max_words=3).parse("甲 乙 丙 丁")


# --- command line ----------------------------------------------------------------------------


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "t.tsv"
    with open(path, "w", encoding="utf-8") as out:
        DEMO.write(out)
    return path


def test_cli_parse_tree_and_json(cli, tmp_path: Path, table: Path) -> None:
    text = "鸡蛋 可以 吃 吗\n\n谢谢\u2028谢谢\r\n"  # U+2028 is a space, not a line end
    result = cli.invoke("parse", "-", "-t", str(table), input=text)
    assert result.exit_code == 0, result.output
    results, lines = [], []  # each result's lines end with an empty line
    for line in result.stdout.split("\n")[:-1]:
        if line:
            lines.append(line)
        else:
            results.append(lines)
            lines = []
    assert len(results) == 3 and not lines
    assert results[0][0] == "+---> (鸡蛋可以吃)吗" and len(results[0]) == 8
    assert results[1] == []
    assert results[2] == ["+---> 谢谢谢谢", "|     +---> 谢谢", "|     +---> 谢谢"]  # flat: -20
    out = tmp_path / "p.jsonl"
    result = cli.invoke("parse", "-", "-t", str(table), "--json", "-o", str(out),
                           input=text)
    assert result.exit_code == 0 and result.stdout == ""
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3 and rows[1]["words"] == []
    assert rows[0]["template"] == "[X] 吗" and rows[0]["children"][0]["template"] == "[X] 可以 [X]"
    assert rows[0]["score"] == pytest.approx(LN[(X, "吗")] + LN[(X, "可以", X)], abs=1e-6)


def test_cli_parse_errors(cli, tmp_path: Path, table: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("[X] 的\n", encoding="utf-8")
    cases = [
        (["parse", "-", "-t", str(bad)], "x\n", 1, "template<TAB>count"),
        (["parse", "-", "-t", str(tmp_path / "none.tsv")], "x\n", 1, "no such file"),
        (["parse", "-", "-t", str(table), "--max-words", "2"], "甲\n甲 乙 丙\n", 1,
         "<stdin>:2: a sentence of 3 words"),
        (["parse", "-", "-t", str(table)], b"\xff\n", 1, "invalid UTF-8"),
        (["parse", "-"], "x\n", 2, "--templates"),
        (["parse", "-", "-t", str(table), "--null-score", "nan"], "x\n", 2, "--null-score"),
        (["parse", "-", "-t", str(table)], b"a\x00b\n", 1, "binary"),
    ]
    for args, stdin, code, needle in cases:
        result = cli.invoke(*args, input=stdin)
        assert result.exit_code == code, (args, result.output)
        assert needle in " ".join(result.stderr.split()), (args, result.stderr)
        assert "Traceback" not in result.output
