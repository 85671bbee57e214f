"""TensorBoard Embedding Projector files (embed --projector, map --projector)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlpzero.errors import InputError
from nlpzero.vectors.projector import projector_paths, write_projector


def test_files_by_hand(tmp_path: Path) -> None:
    matrix = np.array([[1.5, -2], [0.25, 3]])
    vec, meta = write_projector(tmp_path / "p", ["北京", "猫"], matrix)
    assert (vec, meta) == projector_paths(tmp_path / "p")
    assert Path(vec).read_text("utf-8") == "1.5\t-2\n0.25\t3\n"
    assert Path(meta).read_text("utf-8") == "北京\n猫\n"  # one column: no header
    write_projector(tmp_path / "q", ["北京", "猫"], matrix, ["1", "2:1"])
    assert (tmp_path / "q.metadata.tsv").read_text("utf-8") == "word\tmodule\n北京\t1\n猫\t2:1\n"
    folder = tmp_path / "tb"
    folder.mkdir()
    assert write_projector(f"{folder}/", ["a"], np.ones((1, 2)))[0] == f"{folder}/vectors.tsv"


def test_refuses_what_the_projector_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_projector(tmp_path / "p", ["a b"], np.ones((1, 2)))
    with pytest.raises(ValueError, match="NaN"):
        write_projector(tmp_path / "p", ["a"], np.array([[np.nan, 1]]))
    assert not list(tmp_path.iterdir())


def test_embed_writes_projector_files_with_modules(cli, data_dir: Path, tmp_path: Path) -> None:
    clusters = tmp_path / "c.tsv"
    clusters.write_text("的\t1\t0.5\n我\t2\t0.5\n", "utf-8")
    result = cli.invoke("embed", data_dir / "corpus.gold.txt", "-o", tmp_path / "v.txt",
                        "--dim", 8, "--projector", tmp_path / "p", "--clusters", clusters, "-q")
    assert result.exit_code == 0, result.output
    words = [ln.split()[0] for ln in (tmp_path / "v.txt").read_text("utf-8").splitlines()[1:]]
    meta = (tmp_path / "p.metadata.tsv").read_text("utf-8").splitlines()
    assert meta[0] == "word\tmodule" and [m.split("\t")[0] for m in meta[1:]] == words
    modules = dict(m.split("\t") for m in meta[1:])
    assert modules["的"] == "1" and modules["我"] == "2"
    assert sum(1 for v in modules.values() if v) == 2
    rows = (tmp_path / "p.vectors.tsv").read_text("utf-8").splitlines()
    assert len(rows) == len(words) and all(len(r.split("\t")) == 8 for r in rows)


def test_embed_reads_the_clusters_before_training(cli, data_dir: Path, tmp_path: Path) -> None:
    # a missing or malformed --clusters file failed only after the (long) counting and fit
    bad = tmp_path / "c.tsv"
    bad.write_text("的\n", "utf-8")
    for clusters in (tmp_path / "missing.tsv", bad):
        result = cli.invoke("embed", data_dir / "corpus.gold.txt", "-o", tmp_path / "v.txt",
                            "--projector", tmp_path / "p", "--clusters", clusters)
        cli.assert_runtime_error(result, str(clusters))
        assert "counting" not in result.stderr and "fit" not in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.tsv"]
