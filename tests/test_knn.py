"""Cosine k-nearest-neighbour graphs: exact against brute force, ties, threshold, approx."""

from __future__ import annotations

import numpy as np
import pytest

from nlpzero import knn
from nlpzero.knn import cosine_knn


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
