"""Distributed runs on a real Dask LocalCluster (2 worker processes) give byte-identical
results to the single-process library calls on the data samples.

One cluster serves every test (starting one costs seconds); small ranges make the 250 KB
sample span several ranges, so the merges across workers are exercised.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

pytest.importorskip("distributed")

CHUNK = 1 << 15  # 32 KB ranges: the sample corpus becomes 8 ranges


@pytest.fixture(scope="module")
def address():
    from distributed import LocalCluster

    with warnings.catch_warnings():  # "port 8787 in use" when another cluster runs here
        warnings.simplefilter("ignore")
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
    with cluster:
        yield cluster.scheduler_address


class _Recorder:
    """A Progress that records [stage, total bytes, bytes advanced]."""

    def __init__(self) -> None:
        self.stages: list[list] = []

    def stage(self, name: str, total_bytes: int | None = None) -> None:
        self.stages.append([name, total_bytes, 0])

    def advance(self, n_bytes: int) -> None:
        self.stages[-1][2] += n_bytes

    def note(self, message: str) -> None:
        pass


def _text(lexicon) -> str:
    out = io.StringIO()
    lexicon.write(out)
    return out.getvalue()


@pytest.mark.parametrize("method", ["unigram", "ngram", "nlpzero"])
def test_discover_identical(address, data_dir, method):
    import nlpzero.distributed as D
    from nlpzero.words.discovery import discover

    corpus = data_dir / "corpus.txt"
    expected = _text(discover(corpus, method))
    progress = _Recorder()
    lexicon, peaks = D.discover([corpus], address, method, progress=progress,
                                chunk_bytes=CHUNK)
    assert _text(lexicon) == expected
    if method == "unigram":  # the later n-gram rounds ran on one worker, over excerpts
        names = [name for name, _, _ in progress.stages]
        assert "counting 5-grams" in names and "counting 6-grams" not in names
    assert len(peaks) == 2 and all(p > 0 for p in peaks.values())
    # progress follows the range tasks: every stage over the corpus advances by its size
    size = corpus.stat().st_size
    assert progress.stages[0] == ["reading characters", size, size]
    assert all(done == total == size for _, total, done in progress.stages if total)


def test_segment_identical(address, data_dir, tmp_path):
    import nlpzero.distributed as D
    from nlpzero.words.lexicon import Lexicon
    from nlpzero.words.segmentation import Segmenter

    corpus = data_dir / "corpus.txt"
    lexicon = Lexicon.read(data_dir / "lexicon.tsv")
    expected = io.StringIO()
    with open(corpus, "rb") as fh:
        Segmenter(lexicon).stream(fh, expected.write)
    out = io.StringIO()
    D.segment([corpus], address, lexicon, out, chunk_bytes=CHUNK)
    assert out.getvalue() == expected.getvalue()


@pytest.mark.parametrize("dynamic, subsample", [(False, 0.0), (True, 1e-3), (False, 1e-2)])
def test_cooccur_identical(address, data_dir, tmp_path, dynamic, subsample):
    """The same counts, also with the dynamic window and subsampling (decided per line by a
    hash, so 8 ranges drop the single process's tokens)."""
    import nlpzero.distributed as D
    from nlpzero.vectors.cooccurrence import cooccur

    corpus = data_dir / "corpus.gold.txt"
    expected = cooccur(corpus, 5, 2, dynamic=dynamic, subsample_t=subsample)
    got, _ = D.cooccur([corpus], address, 5, 2, chunk_bytes=CHUNK, dynamic=dynamic,
                       subsample_t=subsample)
    if subsample:  # it does drop tokens
        kept_all = cooccur(corpus, 5, 2, dynamic=dynamic, subsample_t=0.0)
        assert expected.counts.sum() < kept_all.counts.sum()
    assert (got.dynamic, got.subsample) == (dynamic, subsample)
    assert got.vocab.words == expected.vocab.words
    assert np.array_equal(got.vocab.counts, expected.vocab.counts)
    for name in ("rows", "cols", "counts"):
        assert np.array_equal(getattr(got, name), getattr(expected, name))
    assert got.n_tokens == expected.n_tokens


def test_unigram_every_round_distributed(address, data_dir, monkeypatch):
    """With no n-gram round left to one worker, every level is its own shuffle (hashed
    keys from 5 characters on: their rows' ids come from the ranges); the lexicon, and
    the one of a shorter max_len, are the single-process ones."""
    import nlpzero.distributed as D
    import nlpzero.distributed.unigram as DU
    from nlpzero.words.discovery import discover

    monkeypatch.setattr(DU, "TAIL_IDS", -1)
    corpus = data_dir / "corpus.txt"
    for options in ({"min_count": 2}, {"max_len": 2}):
        progress = _Recorder()
        lexicon, _ = D.discover([corpus], address, progress=progress, chunk_bytes=CHUNK,
                                **options)
        assert _text(lexicon) == _text(discover(corpus, **options)), options
        if "min_count" in options:
            assert "counting 7-grams" in [name for name, _, _ in progress.stages]


def test_unigram_min_count_settles_by_size_as_in_one_process(address, data_dir, monkeypatch):
    """min_count's default settles on the driver once the characters are counted (the pairs
    were pruned at 2 until then): a corpus at the size threshold gets the single-process
    lexicon of min_count 3, one under it that of min_count 2."""
    import nlpzero.distributed as D
    from nlpzero.words import unigram
    from nlpzero.words.discovery import discover

    corpus = data_dir / "corpus.txt"
    n_chars = sum(ch.isalnum() for ch in corpus.read_text(encoding="utf-8"))
    for limit, settled in ((n_chars, 3), (n_chars + 1, 2)):
        monkeypatch.setattr(unigram, "SMALL_CORPUS_CHARS", limit)
        lexicon, _ = D.discover([corpus], address, chunk_bytes=CHUNK)
        assert _text(lexicon) == _text(discover(corpus, min_count=settled)), limit
    assert _text(discover(corpus, min_count=2)) != _text(discover(corpus, min_count=3))


def test_many_files_same_as_one(address, data_dir, tmp_path):
    """The corpus cut into 16 files (in a folder) gives the one-file lexicon."""
    import nlpzero.distributed as D
    from nlpzero.words.discovery import discover

    corpus = data_dir / "corpus.txt"
    lines = corpus.read_bytes().splitlines(keepends=True)
    folder = tmp_path / "parts"
    folder.mkdir()
    step = -(-len(lines) // 16)
    for i in range(16):
        (folder / f"part{i:02d}.txt").write_bytes(b"".join(lines[i * step:(i + 1) * step]))
    lexicon, _ = D.discover([folder], address)
    assert _text(lexicon) == _text(discover(corpus))


def test_bad_input_errors(address, data_dir, write_file):
    import nlpzero.distributed as D
    from nlpzero.errors import InputError
    from nlpzero.words.discovery import discover

    bad = write_file("bad.txt", "中文\n".encode() * 5000 + b"ab\xff\n")  # 35002
    with pytest.raises(InputError) as single:
        discover(bad)
    with pytest.raises(InputError, match="byte offset 35002") as distributed:
        D.discover([bad], address, chunk_bytes=4096)
    assert str(distributed.value) == str(single.value)


def test_templates_identical(address, data_dir):
    import nlpzero.distributed as D
    from nlpzero.sentences.templates import TemplateFinder, find_templates

    corpus = data_dir / "corpus.gold.txt"
    finder = TemplateFinder(5, 1e-4, 1.0)
    expected = find_templates(corpus, 5, 1e-4, 1.0, finder=finder)
    got, pieces, skipped, _ = D.templates([corpus], address, 5, 1e-4, 1.0, chunk_bytes=CHUNK)
    assert list(got) == list(expected) and len(got) > 100
    assert (pieces, skipped) == (finder.pieces, finder.pieces_skipped)


def test_cli_byte_identical(cli, address, data_dir, tmp_path):
    """The commands with --dask write the single-process bytes (segment keeps line order;
    embed's vectors with the same seed)."""
    corpus, gold = data_dir / "corpus.txt", data_dir / "corpus.gold.txt"
    for args in (["discover", corpus],
                 ["segment", corpus, "-l", data_dir / "lexicon.tsv"],
                 ["embed", gold, "--min-count", "2", "--dim", "16", "--seed", "3"],
                 ["embed", gold, "--min-count", "2", "--dim", "16", "--uniform-window",
                  "--subsample", "0"],
                 ["templates", gold, "--min-proba", "1e-4"]):
        single, dask = tmp_path / "single", tmp_path / "dask"
        assert cli.invoke(*args, "-q", "-o", single).exit_code == 0
        result = cli.invoke(*args, "-o", dask, "--dask", address)
        assert result.exit_code == 0, result.output
        assert "2 Dask workers, peak memory per worker" in result.stderr
        assert dask.read_bytes() == single.read_bytes(), args[0]


@pytest.mark.parametrize("args, needle", [
    (["-", "--dask", "local:2"], "stdin is not accepted"),
    (["CORPUS", "--dask", "local:0"], "1 <= N <= 256"),
    (["CORPUS", "--dask", "local:99999999999999999999"], "1 <= N <= 256"),
    (["CORPUS", "--dask", "local:2:10kB"], "at least 64MB"),
    (["CORPUS", "--dask", "local:2:nan"], "at least 64MB"),
    (["CORPUS", "--dask", "local:x"], "local:N"),
    (["CORPUS", "--dask", "nowhere"], "tcp://host:8786"),
    (["CORPUS", "CORPUS"], "several inputs need --dask"),
])
def test_cli_usage_errors(cli, data_dir, args, needle):
    args = [data_dir / "corpus.txt" if a == "CORPUS" else a for a in args]
    cli.assert_usage_error(cli.invoke("discover", *args, input="中文\n"), needle)


def test_cli_unrecoverable_failure_is_one_line(cli, data_dir, tmp_path):
    """No scheduler at the address: exit 1, one error line, no output file."""
    out = tmp_path / "lex.tsv"
    result = cli.invoke("discover", data_dir / "corpus.txt", "-o", out, "--method", "ngram",
                        "--dask", "tcp://127.0.0.1:9")
    cli.assert_runtime_error(result, "Dask scheduler unreachable")
    assert not out.exists()


def test_cli_missing_file_fails_before_the_cluster_starts(cli, tmp_path):
    result = cli.invoke("discover", tmp_path / "missing.txt", "--method", "ngram", "--dask",
                        "local:2")
    cli.assert_runtime_error(result, "missing.txt: no such file")


def test_local_cluster_leaves_the_driver_environment_alone(monkeypatch):
    """Dask writes its pre-spawn environment (OPENBLAS_NUM_THREADS=1 ...) into the process
    that starts local workers; a BLAS loaded later on the driver (embed's solver) would
    then round differently from the single-process command."""
    import os

    from nlpzero.distributed.engine import cluster

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    before = dict(os.environ)
    with cluster("local:1") as client:
        assert len(client.scheduler_info()["workers"]) == 1
        assert dict(os.environ) == before


def test_cli_bad_input_on_local_workers_is_one_line(tmp_path):
    """A task that fails on bad input: the worker logged 'Compute Failed' with the task's
    traceback (at ERROR, which the local cluster let through) before the one-line error."""
    import os
    import shutil
    import subprocess
    import sys

    script = shutil.which("nlpzero", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the nlpzero console script is not installed")
    bad = tmp_path / "bad.txt"
    bad.write_bytes("中文\n".encode() * 50 + b"ab\xff\n")
    proc = subprocess.run([script, "discover", bad, "-q", "--dask", "local:1", "-o",
                           tmp_path / "lex.tsv"], capture_output=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.decode().splitlines() == [
        f"error: {bad}: invalid UTF-8 at byte offset 352; use --errors replace to read it as "
        "a separator"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]
