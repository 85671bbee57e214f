"""The command line: outputs, the discover → segment → score pipeline, and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def parse_tsv(text: str) -> list[tuple[str, int, float]]:
    rows = []
    for line in text.splitlines():
        word, count, score = line.split("\t")
        rows.append((word, int(count), float(score)))
    return rows


@pytest.fixture(scope="module")
def discovered(cli, tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> dict:
    """Run discover on the sample corpus twice: to stdout and with -o FILE."""
    out_dir = tmp_path_factory.mktemp("cli")
    to_stdout = cli.invoke("discover", data_dir / "corpus.txt")
    lexicon = out_dir / "lexicon.tsv"
    to_file = cli.invoke("discover", "-q", "-o", lexicon, data_dir / "corpus.txt")
    return {"stdout": to_stdout, "file": to_file, "lexicon": lexicon, "dir": out_dir}


# --- help and start-up ---------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["discover", "--help"],
                                  ["segment", "--help"], ["score", "-h"]])
def test_help(cli, args: list[str]) -> None:
    result = cli.invoke(*args)
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    if args[0].startswith("-"):
        for command in ("discover", "segment", "score"):
            assert command in result.stdout


def test_start_up_does_not_load_numba_or_numpy() -> None:
    code = 'import nlpzero.cli.app, sys; print("numba" in sys.modules, "numpy" in sys.modules)'
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert proc.stdout.split() == ["False", "False"]


# --- discover ------------------------------------------------------------------------------


def test_discover_writes_tsv_sorted_by_count(discovered: dict) -> None:
    result = discovered["stdout"]
    assert result.exit_code == 0, result.stderr
    rows = parse_tsv(result.stdout)
    assert len(rows) > 100
    counts = [c for _, c, _ in rows]
    assert counts == sorted(counts, reverse=True)
    assert len({w for w, _, _ in rows}) == len(rows)
    words = {w for w, _, _ in rows}
    assert {"学生", "我们"} <= words
    assert "words" in result.stderr  # the log goes to stderr, never into the TSV


def test_discover_output_file(discovered: dict) -> None:
    result = discovered["file"]
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""  # --quiet
    assert discovered["lexicon"].read_text(encoding="utf-8") == discovered["stdout"].stdout
    assert [p.name for p in discovered["dir"].iterdir()] == ["lexicon.tsv"]  # no temp left


def test_discover_top_and_stdin(cli, discovered: dict, data_dir: Path) -> None:
    text = (data_dir / "corpus.txt").read_text(encoding="utf-8")
    result = cli.invoke("discover", "-q", "--top", "5", "-", input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == discovered["stdout"].stdout.splitlines()[:5]


# --- the pipeline ----------------------------------------------------------------------------


def test_pipeline_discover_segment_score(cli, discovered: dict, data_dir: Path,
                                         tmp_path: Path) -> None:
    corpus = data_dir / "corpus.txt"
    segmented = tmp_path / "seg.txt"
    result = cli.invoke("segment", "-q", "-l", discovered["lexicon"], "-o", segmented, corpus)
    assert result.exit_code == 0, result.stderr
    raw = corpus.read_text(encoding="utf-8").splitlines()
    seg = segmented.read_text(encoding="utf-8").splitlines()
    assert len(seg) == len(raw)
    assert all(s.replace(" ", "") == r for s, r in zip(seg, raw))

    result = cli.invoke("score", data_dir / "corpus.gold.txt", segmented)
    assert result.exit_code == 0, result.stderr
    metrics = dict(line.split("\t") for line in result.stdout.splitlines())
    assert float(metrics["f1"]) > 0.7
    assert int(metrics["gold_words"]) > 0

    # the true lexicon as training words: exactly the punctuation tokens are out of vocabulary
    result = cli.invoke("score", "--training-words", data_dir / "lexicon.tsv",
                    data_dir / "corpus.gold.txt", segmented)
    assert result.exit_code == 0, result.stderr
    metrics = dict(line.split("\t") for line in result.stdout.splitlines())
    gold_tokens = (data_dir / "corpus.gold.txt").read_text(encoding="utf-8").split()
    n_punct = sum(t in "，。？！、" for t in gold_tokens)
    assert int(metrics["gold_words"]) == len(gold_tokens)
    assert int(metrics["oov_words"]) == n_punct > 0
    # 0.66 with the default since min_pmi 1.5 (0.70+ at 2.0): the sample's 500-word grammar
    # makes collocations such as 去学校, 的城市 frequent and tight enough to be glued
    assert float(metrics["iv_recall"]) > 0.63
    assert metrics["oov_recall"] == "1.0000"  # punctuation tokens are always right


def test_segment_reads_stdin(cli, write_file) -> None:
    lex = write_file("lex.tsv", "中外\t10\n科学\t20\n名著\t10\n中\t5\n外科\t8\n学\t3\n")
    text = "中外科学名著\r\n\n１９９８年ABC，中外\n名著"
    expected = "中外 科学 名著\n\n１９９８ 年 ABC ， 中外\n名著"
    result = cli.invoke("segment", "-l", lex, "-", input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected
    result = cli.invoke("segment", "-q", "--lexicon", lex, input=text)  # no argument: stdin pipe
    assert result.stdout == expected


def test_score_hand_example_from_stdin(cli, write_file) -> None:
    gold = write_file("gold.txt", "中外 科学 名著\n我 爱 北京\n")
    words = write_file("train.tsv", "中外\t3\n名著\t1\n我\t2\n北京\t1\n")
    pred = "中外 科学 名 著\n我 爱 北 京\n"
    result = cli.invoke("score", "--training-words", words, gold, input=pred)
    assert result.exit_code == 0, result.stderr
    metrics = dict(line.split("\t") for line in result.stdout.splitlines())
    assert metrics["precision"] == "0.5000"
    assert metrics["recall"] == "0.6667"
    assert metrics["f1"] == "0.5714"
    assert metrics["oov_recall"] == "1.0000"
    assert metrics["iv_recall"] == "0.5000"
    assert (metrics["gold_words"], metrics["pred_words"], metrics["correct"]) == ("6", "8", "4")


# --- usage errors: exit 2 ----------------------------------------------------------------------


def test_usage_errors(cli, write_file) -> None:
    corpus = write_file("c.txt", "中外科学\n")
    cli.assert_usage_error(cli.invoke("discover", "--bogus", corpus), "No such option")
    cli.assert_usage_error(cli.invoke("segment", corpus), "--lexicon")
    cli.assert_usage_error(cli.invoke("discover", "--method", "bogus", corpus), "--method")
    cli.assert_usage_error(cli.invoke("discover", "--min-count", "0", corpus), "--min-count")
    cli.assert_usage_error(cli.invoke("discover", "--errors", "ignore", corpus), "--errors")
    cli.assert_usage_error(cli.invoke("frobnicate"), "frobnicate")
    assert cli.invoke().exit_code == 2  # no command: help, as a usage error


# --- runtime errors: exit 1, one clear message, no traceback ------------------------------------


@pytest.mark.parametrize("command", ["discover", "segment"])
def test_invalid_utf8_names_byte_offset(cli, write_file, command: str) -> None:
    bad = write_file("bad.txt", "中文\n好".encode() + b"\xff" + "好\n".encode())
    lex = write_file("lex.tsv", "中文\t3\n好\t1\n")
    extra = ["-l", lex] if command == "segment" else []
    message = cli.assert_runtime_error(cli.invoke(command, *extra, bad), "byte offset 10",
                                       "bad.txt")
    assert "--errors replace" in message
    result = cli.invoke(command, *extra, "--errors", "replace", bad)
    assert result.exit_code == 0, result.stderr
    if command == "segment":
        assert result.stdout == "中文\n好 \ufffd 好\n"


def test_every_command_that_reads_text_has_errors_replace() -> None:
    """An invalid-UTF-8 error says 'use --errors replace': every command that reads text
    has that option (similar, analogy, keywords, evaluate, approx mul/div had not)."""
    from nlpzero.cli.app import app
    from typer.main import get_command

    def leaves(group, path):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from leaves(command, [*path, name])
            else:
                yield [*path, name], command

    readers = {" ".join(path): command for path, command in leaves(get_command(app), [])}
    del readers["approx errors"]  # the one command without input
    assert len(readers) == 15
    missing = [name for name, command in readers.items()
               if not any("--errors" in p.opts for p in command.params)]
    assert missing == []
    # and --quiet is accepted everywhere (approx mul - -q took -q for the operand Y)
    assert [name for name, command in readers.items()
            if not any("-q" in p.opts for p in command.params)] == []


@pytest.mark.parametrize("args", [
    ["similar", "{vectors}", "-"], ["analogy", "{vectors}", "-"], ["keywords", "{vectors}", "-"],
    ["approx", "mul", "-"], ["similar", "{bad_vectors}", "a"],
    ["evaluate", "{vectors}", "-s", "{bad_pairs}"], ["evaluate", "{vectors}", "-a", "{bad_pairs}"],
])
def test_invalid_utf8_in_query_and_vector_files(cli, write_file, args: list[str]) -> None:
    files = {"vectors": write_file("v.txt", "3 2\na 1 0\nb 0.9 0.1\nc 0 1\n"),
             "bad_vectors": write_file("bv.txt", b"3 2\na 1 0\nb\xff 0.9 0.1\nc 0 1\n"),
             "bad_pairs": write_file("bp.txt", b"a b 1\nb\xff c 2\n")}
    argv = [a.format(**files) for a in args]
    stdin = b"1 2\n2\xff 3\n" if args[0] == "approx" else b"a\xff\n"
    message = cli.assert_runtime_error(cli.invoke(*argv, input=stdin), "invalid UTF-8")
    assert "--errors replace" in message
    replaced = cli.invoke(*argv, "--errors", "replace", input=stdin)
    assert "No such option" not in replaced.stderr and "invalid UTF-8" not in replaced.stderr
    assert replaced.exit_code in (0, 1), replaced.stderr  # a replaced word may be unknown


@pytest.mark.parametrize("command", ["discover", "segment"])
def test_binary_file(cli, write_file, command: str) -> None:
    png = write_file("img.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    lex = write_file("lex.tsv", "中文\t3\n")
    extra = ["-l", lex] if command == "segment" else []
    cli.assert_runtime_error(cli.invoke(command, *extra, png), "binary", "img.png")


def test_discover_on_empty_input(cli, write_file) -> None:
    cli.assert_runtime_error(cli.invoke("discover", write_file("empty.txt", b"")), "to learn from")
    cli.assert_runtime_error(cli.invoke("discover", write_file("punct.txt", "，。！\n\n")),
                         "to learn from")
    cli.assert_runtime_error(cli.invoke("discover", "-"), "to learn from")  # empty stdin


def test_missing_files(cli, tmp_path: Path, write_file) -> None:
    missing = tmp_path / "nope.txt"
    lex = write_file("lex.tsv", "中文\t3\n")
    cli.assert_runtime_error(cli.invoke("discover", missing), "no such file", "nope.txt")
    cli.assert_runtime_error(cli.invoke("segment", "-l", lex, missing), "no such file")
    cli.assert_runtime_error(cli.invoke("segment", "-l", missing, "-", input="中文"),
                             "no such file")
    cli.assert_runtime_error(cli.invoke("score", missing, "-", input="中文"), "no such file")
    cli.assert_runtime_error(cli.invoke("segment", "-l", lex, tmp_path), "directory")


def test_bad_lexicon_files(cli, write_file) -> None:
    empty = write_file("empty.tsv", "")
    cli.assert_runtime_error(cli.invoke("segment", "-l", empty, "-", input="中文"), "no words")
    bad = write_file("bad.tsv", "中文\t3\n好\tlots\n")
    cli.assert_runtime_error(cli.invoke("segment", "-l", bad, "-", input="中文"), "bad.tsv:2:")


def test_score_mismatch_names_line(cli, write_file) -> None:
    gold = write_file("gold.txt", "我 爱\n中外 科学\n")
    pred = write_file("pred.txt", "我 爱\n中外 科 字\n")
    cli.assert_runtime_error(cli.invoke("score", gold, pred), "line 2")
    short = write_file("short.txt", "我 爱\n")
    cli.assert_runtime_error(cli.invoke("score", gold, short), "more lines")


def test_failed_output_leaves_no_file(cli, write_file, tmp_path: Path) -> None:
    bad = write_file("bad.txt", b"\xff")
    target = tmp_path / "out.txt"
    lex = write_file("lex.tsv", "中文\t3\n")
    cli.assert_runtime_error(cli.invoke("segment", "-l", lex, "-o", target, bad), "byte offset 0")
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "lex.tsv"]


def test_error_message_is_one_line_when_piped(tmp_path: Path) -> None:
    folder = tmp_path / ("a_rather_long_folder_name_for_the_input_files" * 2)
    folder.mkdir()
    bad = folder / "bad.txt"
    bad.write_bytes(b"abc\xff\n")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    code = "from nlpzero.cli.app import main; main()"
    proc = subprocess.run([sys.executable, "-c", code, "discover", "-q", str(bad)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env,
                          timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "byte offset 3" in lines[0]
