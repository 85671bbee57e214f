"""Cosine k-nearest-neighbour graphs: exact against brute force, ties, threshold, approx."""

from __future__ import annotations

import numpy as np
import pytest

from nlpzero.graphs import knn
from nlpzero.graphs.knn import cosine_knn


def brute_force(vectors, k, min_similarity):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = unit @ unit.T
    links = []
    for i in range(len(vectors)):
        order = sorted((j for j in range(len(vectors)) if j != i),
                       key=lambda j: (-scores[i, j], j))[:k]
        links += [(i, j) for j in order if scores[i, j] >= min_similarity]
    return links


@pytest.mark.parametrize("n, block", [(57, 1 << 25), (57, 400)])  # one block; 20-row blocks
def test_exact_knn_matches_brute_force(monkeypatch, n, block):
    monkeypatch.setattr(knn, "BLOCK_SIMILARITIES", block)
    vectors = np.random.default_rng(0).normal(size=(n, 6)).astype(np.float32)
    source, target, sim = cosine_knn(vectors, k=5, min_similarity=0.1)
    assert list(zip(source.tolist(), target.tolist())) == brute_force(vectors, 5, 0.1)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert sim == pytest.approx((unit[source] * unit[target]).sum(1), abs=1e-6)
    assert (sim >= 0.1).all()


def test_ties_go_to_the_lower_index_and_self_is_never_a_neighbour():
    vectors = np.array([[1, 0], [1, 0], [1, 0], [1, 0], [0, 1]], dtype=np.float32)
    source, target, _ = cosine_knn(vectors, k=2, min_similarity=0.5)
    pairs = list(zip(source.tolist(), target.tolist()))
    assert pairs == [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1), (3, 0), (3, 1)]


def test_tiny_and_bad_inputs():
    source, target, sim = cosine_knn(np.ones((1, 3)), k=5)
    assert len(source) == len(target) == len(sim) == 0
    with pytest.raises(ValueError, match="NaN"):
        cosine_knn(np.array([[1.0, np.nan], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="k must"):
        cosine_knn(np.ones((3, 2)), k=0)
    with pytest.raises(ValueError, match="2-D"):
        cosine_knn(np.ones(3))


def test_approx_ranking_agrees_with_exact_on_clustered_vectors():
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(10, 16))
    vectors = (centres[rng.integers(0, 10, 300)] + 0.3 * rng.normal(size=(300, 16)))
    exact = cosine_knn(vectors, k=5, min_similarity=0.0)
    approx = cosine_knn(vectors, k=5, min_similarity=0.0, approx=True)
    assert approx[0].tolist() == exact[0].tolist()
    assert (approx[1] == exact[1]).mean() > 0.98


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def word_vectors(tmp_path):
    """Three groups of words around three directions, written in word2vec text format."""
    from nlpzero.vectors.word2vec import write_word2vec

    rng = np.random.default_rng(2)
    groups = {"水果": ["苹果", "香蕉", "葡萄", "西瓜"], "城市": ["北京", "上海", "广州", "南京"],
              "动物": ["猫", "狗", "鸟", "熊猫"]}
    words, rows = [], []
    for g, (_, members) in enumerate(groups.items()):
        for word in members:
            words.append(word)
            rows.append(np.eye(3)[g] * 5 + rng.normal(scale=0.5, size=3))
    path = tmp_path / "vectors.txt"
    write_word2vec(str(path), words, np.array(rows, dtype=np.float32))
    return path, groups


def test_knn_command_links_similar_words_and_feeds_cluster(cli, word_vectors):

    path, groups = word_vectors
    result = cli.invoke("knn", path, "-k", "3", "--min-sim", "0.8")
    assert result.exit_code == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(rows) == 12 * 3
    group_of = {w: g for g, members in groups.items() for w in members}
    assert all(group_of[a] == group_of[b] and float(s) >= 0.8 for a, b, s in rows)
    clustered = cli.invoke("cluster", "-", "--directed", "-q", input=result.stdout)
    assert clustered.exit_code == 0, clustered.stderr
    modules = {}
    for line in clustered.stdout.splitlines():
        word, module, _ = line.split("\t")
        modules.setdefault(group_of[word], set()).add(module)
    assert all(len(m) == 1 for m in modules.values()) and len(set().union(*modules.values())) == 3


def test_knn_command_words_and_approx(cli, word_vectors):

    path, _ = word_vectors
    top = cli.invoke("knn", path, "--words", "4", "-k", "10", "--min-sim", "-1")
    assert top.exit_code == 0 and len(top.stdout.splitlines()) == 4 * 3
    exact = cli.invoke("knn", path, "-k", "3", "-q")
    approx = cli.invoke("knn", path, "-k", "3", "-q", "--approx")
    assert approx.exit_code == 0
    assert [ln.split("\t")[:2] for ln in approx.stdout.splitlines()] == \
        [ln.split("\t")[:2] for ln in exact.stdout.splitlines()]


def test_knn_command_bad_input(cli, write_file):

    cli.assert_runtime_error(cli.invoke("knn", write_file("v.txt", "2 2\na 1 nan\nb 0 1\n")), "NaN")
    cli.assert_runtime_error(cli.invoke("knn", write_file("v.txt", "")), "empty")
    cli.assert_runtime_error(cli.invoke("knn", write_file("v.txt", "2 2\na 1 0\nb 0\n")), "line 3")
    cli.assert_usage_error(cli.invoke("knn", write_file("v.txt", "1 1\na 1\n"), "-k", "0"), "-k")
