"""The embed / similar / analogy / keywords / evaluate commands: outputs and exit codes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlpzero.vectors.word2vec import read_word2vec


@pytest.fixture(scope="module")
def vectors(cli, tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> dict:
    out = tmp_path_factory.mktemp("embed")
    path = out / "vec.txt"
    result = cli.invoke("embed", data_dir / "corpus.gold.txt", "-o", path, "--min-count", "3",
                    "--window", "5", "--npy", out / "vec")
    assert result.exit_code == 0, result.output
    return {"path": path, "stderr": result.stderr, "dir": out}


def test_embed_writes_word2vec_text_and_npy(vectors: dict) -> None:
    words, matrix = read_word2vec(vectors["path"])
    header = vectors["path"].read_text(encoding="utf-8").splitlines()[0]
    assert header == f"{len(words)} {matrix.shape[1]}"
    assert "dim " in vectors["stderr"] and "8.33 ln" in vectors["stderr"]
    residual = float(vectors["stderr"].split("max residual")[1].split()[0])
    assert 0 <= residual < 1e-5  # the convergence measure is logged (and small)
    assert matrix.shape[1] % 8 == 0 and np.isfinite(matrix).all()
    npy = np.load(vectors["dir"] / "vec.npy")
    np.testing.assert_allclose(npy, matrix, rtol=1e-5, atol=1e-7)
    vocab = (vectors["dir"] / "vec.vocab.txt").read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in vocab] == words
    counts = [int(line.split("\t")[1]) for line in vocab]
    assert counts == sorted(counts, reverse=True) and counts[-1] >= 3


def test_embed_to_stdout_is_deterministic(cli, data_dir: Path) -> None:
    args = ("embed", data_dir / "corpus.gold.txt", "--min-count", "20", "--dim", "8",
            "--method", "adagrad", "--epochs", "2", "--seed", "3", "-q")
    first, second = cli.invoke(*args), cli.invoke(*args)
    assert first.exit_code == 0 and first.stdout == second.stdout and first.stderr == ""
    assert first.stdout.splitlines()[0].endswith(" 8")
    assert cli.invoke(*args[:-2], "4", "-q").stdout != first.stdout


def test_embed_adagrad_logs_the_loss_per_epoch(cli, data_dir: Path) -> None:
    result = cli.invoke("embed", data_dir / "corpus.gold.txt", "--min-count", "20", "--dim", "8",
                    "--method", "adagrad", "--epochs", "3", "--model", "1", "-o", "-")
    assert result.exit_code == 0
    assert [ln.split(":")[0] for ln in result.stderr.splitlines() if ln.startswith("epoch")] \
        == ["epoch 1", "epoch 2", "epoch 3"]
    assert result.stdout.splitlines()[0].endswith(" 16")  # model 1: concatenated


@pytest.mark.parametrize(("content", "needle"), [
    ("", "empty corpus"),
    ("\n \n", "empty corpus"),
    ("a b c\n", "empty vocabulary"),
    (b"a b \xff\n", "invalid UTF-8"),
    (b"a\x00b", "binary"),
])
def test_embed_bad_input(cli, write_file, content, needle: str) -> None:
    path = write_file("corpus.txt", content)
    cli.assert_runtime_error(cli.invoke("embed", path, "--min-count", "2"), needle)


def test_embed_bad_options(cli, write_file) -> None:
    path = write_file("corpus.txt", "a b\n")
    cli.assert_usage_error(cli.invoke("embed", path, "--model", "3"), "--model")
    cli.assert_usage_error(cli.invoke("embed", path, "--method", "sgd"), "--method")
    for tol in ("0", "1", "-1e-3", "nan", "inf", "1e400"):
        cli.assert_usage_error(cli.invoke("embed", path, "--tol", tol, "--min-count", "1"),
                               "tol")
    for power in ("nan", "-0.5", "2"):
        cli.assert_usage_error(cli.invoke("embed", path, "--eigen-power", power,
                                          "--min-count", "1"), "--eigen-power")


def test_similar_related_analogy(cli, vectors: dict) -> None:
    path = vectors["path"]
    words, _ = read_word2vec(path)
    word = words[10]
    for extra in ([], ["--related"], ["--reference-words", "0"]):
        result = cli.invoke("similar", path, word, "-n", "5", *extra)
        assert result.exit_code == 0, result.output
        rows = [line.split("\t") for line in result.stdout.splitlines()]
        assert len(rows) == 5 and word not in [w for w, _ in rows]
        scores = [float(s) for _, s in rows]
        assert scores == sorted(scores, reverse=True)
    result = cli.invoke("analogy", path, words[3], words[4], words[5], "-n", "3")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 3
    assert not {words[3], words[4], words[5]} & {ln.split("\t")[0]
                                                 for ln in result.stdout.splitlines()}
    cli.assert_runtime_error(cli.invoke("similar", path, "不存在的词"), "not in the vocabulary")
    result = cli.invoke("analogy", path, words[3], words[4], words[5], "-n", "3",
                        "--analogy-method", "mul")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 3
    scores = [float(ln.split("\t")[1]) for ln in result.stdout.splitlines()]
    assert all(s > 0 for s in scores)  # 3CosMul: products of shifted cosines
    cli.assert_usage_error(cli.invoke("analogy", path, words[3], words[4], words[5],
                                      "--analogy-method", "max"), "--analogy-method")


def test_keywords_one_line_per_input_line(cli, vectors: dict) -> None:
    words, _ = read_word2vec(vectors["path"])
    text = f"{words[20]} {words[1]} 不存在\n\n{words[30]}\n"
    result = cli.invoke("keywords", vectors["path"], "-", "-n", "2", input=text)
    assert result.exit_code == 0, result.output
    lines = result.stdout.split("\n")[:-1]
    assert len(lines) == 3 and lines[1] == "" and lines[2] == words[30]
    assert set(lines[0].split("\t")) == {words[20], words[1]}


def test_evaluate_tsv(cli, vectors: dict, write_file) -> None:
    words, _ = read_word2vec(vectors["path"])
    sims = write_file("sims.txt", f"# comment\n{words[1]}\t{words[2]}\t3\n"
                                  f"{words[1]} {words[3]} 1\n{words[4]} 不存在 2\n")
    analogy = write_file("ana.txt", f": s\n{words[1]} {words[2]} {words[3]} {words[4]}\n")
    result = cli.invoke("evaluate", vectors["path"], "--similarity", sims, "--analogy", analogy)
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0][:3] == ["sims.txt", "", "spearman"] and rows[0][4:] == ["2", "3"]
    assert abs(float(rows[0][3])) == pytest.approx(1.0)  # two pairs: ρ = ±1
    assert [r[1] for r in rows[1:]] == ["s", "total"] and rows[2][4:] == ["1", "1"]
    cli.assert_usage_error(cli.invoke("evaluate", vectors["path"]), "--similarity")
    mul = cli.invoke("evaluate", vectors["path"], "--analogy", analogy, "--analogy-method", "mul")
    assert mul.exit_code == 0, mul.output
    assert [line.split("\t")[1] for line in mul.stdout.splitlines()] == ["s", "total"]
    bad = write_file("bad.txt", "a b\n")
    cli.assert_runtime_error(cli.invoke("evaluate", vectors["path"], "-s", bad), "line 1")


@pytest.mark.parametrize("score", ["nan", "-nan", "inf", "-inf", "1e999"])
def test_evaluate_refuses_a_non_finite_human_score(cli, vectors: dict, write_file,
                                                   score: str) -> None:
    # a NaN score made ρ = nan (exit 0); an infinite one was ranked like a huge number
    words, _ = read_word2vec(vectors["path"])
    sims = write_file("sims.txt", f"{words[1]} {words[2]} 3\n{words[1]} {words[3]} {score}\n"
                                  f"{words[4]} {words[5]} 1\n")
    cli.assert_runtime_error(cli.invoke("evaluate", vectors["path"], "-s", sims),
                             f"line 2: score '{score}' is not a finite number")


def test_vector_files_with_nan_or_garbage_are_clear_errors(cli, write_file) -> None:
    nan = write_file("nan.txt", "2 2\na 1 2\nb nan 1\n")
    cli.assert_runtime_error(cli.invoke("similar", nan, "a"), "NaN")
    short = write_file("short.txt", "2 2\na 1 2\nb 1\n")
    cli.assert_runtime_error(cli.invoke("analogy", short, "a", "b", "a"), "line 3")
    cli.assert_runtime_error(cli.invoke("similar", write_file("empty.txt", ""), "a"), "empty")


def test_embed_bad_counting_and_thread_options(cli, write_file) -> None:
    path = write_file("corpus.txt", "a b c\nb c a\n")
    base = ("embed", path, "--min-count", "1")
    for value in ("nan", "-nan", "inf", "-inf", "-1e-3", "1.5", "1e400", "x", ""):
        cli.assert_usage_error(cli.invoke(*base, "--subsample", value), "--subsample")
    cli.assert_usage_error(cli.invoke(*base, "--dynamic-window", "--window", "1001"),
                           "--window")
    cli.assert_usage_error(cli.invoke(*base, "--dynamic-window", "--window", str(2**63)),
                           "--window")
    for value in ("0", "-1", "257", str(2**64), "1.5", "x"):
        cli.assert_usage_error(cli.invoke(*base, "--threads", value), "--threads")


def test_subsampling_a_tiny_corpus_away_is_a_clear_error(cli, write_file) -> None:
    path = write_file("corpus.txt", "a b c\nb c a\n" * 5)
    cli.assert_runtime_error(cli.invoke("embed", path, "--min-count", "1"), "--subsample 0")
    assert cli.invoke("embed", path, "--min-count", "1", "--subsample", "0").exit_code == 0


def test_embed_counting_options_and_threads(cli, data_dir: Path) -> None:
    """The counting options reach the counts (the log says so, the vectors change); the
    defaults are the dynamic window and subsampling 1e-4; any --threads writes the same
    bytes."""
    gold = data_dir / "corpus.gold.txt"
    args = ("embed", gold, "--min-count", "2", "--dim", "8")
    default = cli.invoke(*args, "--threads", "1")
    spelled = cli.invoke(*args, "--dynamic-window", "--subsample", "1e-4", "--threads", "1")
    plain = cli.invoke(*args, "--uniform-window", "--subsample", "0", "--threads", "1")
    assert default.exit_code == spelled.exit_code == plain.exit_code == 0, default.output
    assert "dynamic, subsample 0.0001" in default.stderr
    assert "dynamic" not in plain.stderr and "subsample" not in plain.stderr
    assert default.stdout == spelled.stdout != plain.stdout
    assert cli.invoke(*args, "--uniform-window", "--threads", "1").stdout not in (
        default.stdout, plain.stdout)
    assert cli.invoke(*args, "--threads", "3").stdout == default.stdout
    assert cli.invoke(*args, "--uniform-window", "--subsample", "0",
                      "--threads", "2").stdout == plain.stdout
