"""The committed synthetic corpus in data_samples/ is reproducible and its gold is consistent."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

DATA_DIR = Path(__file__).resolve().parent.parent / "data_samples"
OUTPUT_FILES = ("corpus.txt", "corpus.gold.txt", "lexicon.tsv", "graph.tsv")
PUNCTUATION = frozenset("，。？！、")


def load_generator() -> ModuleType:
    """Import data_samples/generate.py by path (data_samples is not a package)."""
    spec = importlib.util.spec_from_file_location("data_samples_generate", DATA_DIR / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("data_samples")
    load_generator().main(["--out-dir", str(out_dir)])
    return out_dir


@pytest.mark.parametrize("name", OUTPUT_FILES)
def test_regeneration_is_byte_identical(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (DATA_DIR / name).read_bytes()


def test_gold_without_spaces_equals_corpus() -> None:
    raw = (DATA_DIR / "corpus.txt").read_text(encoding="utf-8").splitlines()
    gold = (DATA_DIR / "corpus.gold.txt").read_text(encoding="utf-8").splitlines()
    assert len(raw) == len(gold) > 0
    for line_number, (raw_line, gold_line) in enumerate(zip(raw, gold, strict=True), start=1):
        assert gold_line.replace(" ", "") == raw_line, f"line {line_number}"


def test_lexicon_counts_match_gold_tokens() -> None:
    gold = (DATA_DIR / "corpus.gold.txt").read_text(encoding="utf-8").splitlines()
    tokens = [token for line in gold for token in line.split("  ")]
    assert all(tokens), "empty token (more than two spaces in a gold line)"
    expected = Counter(token for token in tokens if token not in PUNCTUATION)
    rows = (DATA_DIR / "lexicon.tsv").read_text(encoding="utf-8").splitlines()
    lexicon = [(word, int(count)) for word, count in (row.split("\t") for row in rows)]
    assert dict(lexicon) == expected
    assert lexicon == sorted(lexicon, key=lambda item: (-item[1], item[0]))


def test_sample_graph_clusters_into_its_word_classes() -> None:
    from nlpzero.graphs.formats import read_graph
    from nlpzero.graphs.infomap import infomap

    graph = read_graph(DATA_DIR / "graph.tsv")
    result = infomap((graph.source, graph.target, graph.weight), graph.n_nodes)
    classes = load_generator().word_classes()
    pairs = {(classes[word], int(m)) for word, m in zip(graph.names, result.modules)}
    assert len(pairs) == len(set(classes.values())) == result.n_modules
