"""Template learning: a hand-computed corpus, a slow plain-Python reference, incremental
training, the path bound, and the command line."""

from __future__ import annotations

import math
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from nlpzero.errors import InputError
from nlpzero.sentences.templates import TemplateFinder, Templates, find_templates, is_trivial

HAND = ["我 爱 你", "我 爱 你", "他 走 了"]


def ref_templates(lines, window=5, min_proba=1e-5, min_pmi=2.0):
    """nlp-zero's Template_Finder written plainly: dicts, recursion over all paths."""
    pieces = []
    for line in lines:
        piece = []
        for w in line.split():
            if any(ch.isalnum() for ch in w):
                piece.append(w)
            elif piece:
                pieces.append(piece)
                piece = []
        if piece:
            pieces.append(piece)
    words, pairs = Counter(), Counter()
    for ws in pieces:
        for i, a in enumerate(ws):
            words[a] += 1
            for b in ws[i + 1:i + 1 + window]:
                pairs[a, b] += 1
    lw, lp = math.log(sum(words.values())), math.log(sum(pairs.values()))
    strong = {k for k, c in pairs.items() if math.log(c) - lp > math.log(min_proba)
              and (math.log(c) - lp) - (math.log(words[k[0]]) - lw)
              - (math.log(words[k[1]]) - lw) > min_pmi}
    found = Counter()
    for ws in pieces:
        edges = {i: [j for j in range(i + 1, min(i + 1 + window, len(ws)))
                     if (ws[i], ws[j]) in strong] for i in range(len(ws))}
        targets = {j for js in edges.values() for j in js}

        def paths(i, edges=edges):
            if not edges[i]:
                return [[i]]
            return [[i] + p for j in edges[i] for p in paths(j)]

        for start in (i for i in range(len(ws)) if i not in targets):
            for p in paths(start):
                t = [None] if p[0] != 0 else []
                for k, i in enumerate(p):
                    if k and i - p[k - 1] > 1:
                        t.append(None)
                    t.append(ws[i])
                if p[-1] != len(ws) - 1:
                    t.append(None)
                found[tuple(t)] += 1
    lt = math.log(sum(found.values()))
    return {t: c for t, c in found.items() if math.log(c) - lt > math.log(min_proba)}


def test_hand_computed_templates() -> None:
    # 9 words, 9 pairs. PMI(我, 爱) = ln(9/2) = 1.50, PMI(他, 走) = ln 9 = 2.20: with
    # min_pmi 2 only the pairs of 他 走 了 are strong, giving paths 0-1-2 and 0-2 there.
    found = find_templates(HAND, window=2, min_proba=1e-9, min_pmi=2.0)
    assert found.as_dict() == {
        ("我", None): 2, (None, "爱", None): 2, (None, "你"): 2,
        ("他", "走", "了"): 1, ("他", None, "了"): 1,
    }
    assert found.total == 8
    assert list(found.counts) == sorted(found.counts, reverse=True)
    # p(t) > min_proba: 2/8 = 0.25 stays, 1/8 = 0.125 goes
    assert set(find_templates(HAND, 2, 1e-9, 2.0).as_dict()) >= {("他", None, "了")}
    kept = find_templates(HAND, window=2, min_proba=0.2, min_pmi=2.0).as_dict()
    assert kept == {("我", None): 2, (None, "爱", None): 2, (None, "你"): 2}
    # min_pmi 1: 我 爱 你 becomes one literal template
    assert find_templates(HAND, 2, 1e-9, 1.0).as_dict()[("我", "爱", "你")] == 2


def test_punctuation_cuts_pieces_and_placeholders_collapse() -> None:
    lines = ["你 好 吗 ？", "他 好 吗 ！ 你 好"] * 3
    found = find_templates(lines, window=5, min_proba=1e-9, min_pmi=-100.0).as_dict()
    assert found == ref_templates(lines, 5, 1e-9, -100.0)
    assert all("？" not in t and "！" not in t for t in found)


@pytest.mark.parametrize("seed", range(25))
def test_agrees_with_slow_reference(seed: int) -> None:
    rng = random.Random(seed)
    vocab = [chr(0x4E00 + i) for i in range(rng.randint(3, 12))] + ["，"]
    weights = [rng.random() ** 2 for _ in vocab]
    lines = [" ".join(rng.choices(vocab, weights, k=rng.randint(0, 14)))
             for _ in range(rng.randint(5, 60))]
    window = rng.randint(1, 5)
    min_proba, min_pmi = rng.choice([1e-7, 0.0123, 0.031]), rng.choice([-0.37, 0.3, 0.71])
    if not any(w != "，" for line in lines for w in line.split()):
        lines.append(vocab[0])
    found = find_templates(lines, window, min_proba, min_pmi)
    assert found.as_dict() == ref_templates(lines, window, min_proba, min_pmi)


def test_incremental_training_survives_find() -> None:
    a, b = HAND * 2, ["你 走 了", "他 爱 你", "我 走 了 吗"]
    finder = TemplateFinder(window=3, min_proba=1e-9, min_pmi=0.5)
    finder.train(a)
    keys_before = finder.pair_counts()[0].copy()
    finder.find(a)
    assert np.array_equal(finder.pair_counts()[0], keys_before)  # nlp-zero emptied them
    finder.train(b)
    both = TemplateFinder(window=3, min_proba=1e-9, min_pmi=0.5).train(a + b)
    assert finder.find(a + b).as_dict() == both.find(a + b).as_dict()
    assert finder.find(a + b).as_dict() == ref_templates(a + b, 3, 1e-9, 0.5)


def test_exponential_piece_is_bounded_and_reported() -> None:
    # every pair strong, window 5: a 200-word piece has ~1e55 maximal paths
    line = " ".join(chr(0x4E00 + i % 7) for i in range(200))
    finder = TemplateFinder(window=5, min_proba=1e-12, min_pmi=-1e9, max_paths=1000)
    found = find_templates([line, "甲 乙"], finder=finder)  # counted, not enumerated
    assert finder.pieces == 2 and finder.pieces_skipped == 1
    assert found.as_dict() == {("甲", "乙"): 1}


def test_trivial_and_io_round_trip(tmp_path: Path) -> None:
    found = find_templates(HAND, window=2, min_proba=1e-9, min_pmi=2.0)
    assert is_trivial((None, "爱", None)) and not is_trivial((None, "你"))
    assert (None, "爱", None) not in found.non_trivial().as_dict()
    path = tmp_path / "t.tsv"
    with open(path, "w", encoding="utf-8") as out:
        found.write(out)
    assert path.read_text(encoding="utf-8").splitlines()[0] == "[X] 你\t2"
    assert Templates.read(path).as_dict() == found.as_dict()


@pytest.mark.parametrize("content, needle", [
    ("[X] 的\tx\n", "not an integer"), ("[X] [X] 的\t3\n", "two [X] in a row"),
    ("[X]\t3\n", "at least one word"), ("的\n", "template<TAB>count"), ("", "empty"),
    ("的\t0\n", "positive"),
])
def test_read_rejects_bad_tables(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        Templates.read(path)
    assert needle in str(error.value)


def test_invalid_arguments_and_empty_input() -> None:
    for kwargs in ({"window": 0}, {"min_proba": 0.0}, {"min_proba": 1.5},
                   {"min_pmi": float("nan")}, {"max_paths": 0}):
        with pytest.raises(ValueError):
            TemplateFinder(**kwargs)
    with pytest.raises(InputError, match="no words"):
        find_templates(["", "， 。"])


# --- command line ----------------------------------------------------------------------------


def test_cli_templates_tsv_and_output_file(cli, tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(HAND) + "\n", encoding="utf-8")
    args = ["templates", str(corpus), "--window", "2", "--min-proba", "1e-9"]
    result = cli.invoke(*args)
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0] == ["[X] 你", "2"] and len(rows) == 5
    assert {r[0] for r in rows} >= {"他 [X] 了", "他 走 了"}
    out = tmp_path / "t.tsv"
    result = cli.invoke(*args, "--no-trivial", "-q", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert "[X] 爱 [X]" not in out.read_text(encoding="utf-8")
    result = cli.invoke(*args[:1], "-", *args[2:], "--top", "1",
                           input="\n".join(HAND))
    assert result.stdout == "[X] 你\t2\n"


@pytest.mark.parametrize("content, code, needle", [
    (b"\xe4\xbd\xa0 \xff\n", 1, "invalid UTF-8 at byte offset 4"),
    (b"a\x00b", 1, "binary"),
    (b"", 1, "no words"),
])
def test_cli_templates_bad_input(cli, tmp_path: Path, content: bytes, code: int,
                                 needle: str) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(content)
    result = cli.invoke("templates", str(path))
    assert result.exit_code == code, result.output
    assert needle in " ".join(result.stderr.split()) and "Traceback" not in result.output


def test_cli_templates_usage_errors(cli, tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("我 爱 你\n", encoding="utf-8")
    for bad in (["--min-proba", "2"], ["--min-proba", "nan"], ["--min-pmi", "nan"],
                ["--window", "0"]):
        result = cli.invoke("templates", str(path), *bad)
        assert result.exit_code == 2, (bad, result.output)
        assert "Traceback" not in result.output


def test_vocabulary_interns_like_str_split() -> None:
    from nlpzero.sentences.templates import Vocabulary

    rng = random.Random(1)
    words = [f"w{i}" for i in range(40_000)] + ["你好", "，", "[X]"]
    lines = [" \u3000\t".join(rng.choices(words, k=rng.randint(0, 30))) + " \r"
             for _ in range(3000)]
    vocab = Vocabulary()
    ids = np.concatenate([vocab.encode("\n".join(lines[:1500]) + "\n"),
                          vocab.encode("\n".join(lines[1500:]) + "\n")])
    expected = [w for line in lines for w in [*line.split(), None]]
    assert [vocab.words[i] if i else None for i in ids.tolist()] == expected
    assert len(set(vocab.words[1:])) == len(vocab.words) - 1  # each word interned once
    sep = vocab.is_separator()
    assert sep[vocab.words.index("，")] and sep[vocab.words.index("[X]", 1)] and sep[0]
    assert not sep[vocab.words.index("你好")]


@pytest.mark.parametrize("command", ["templates", "parse"])
def test_cli_help(cli, command: str) -> None:
    result = cli.invoke(command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout
    assert command in cli.invoke("--help").stdout
