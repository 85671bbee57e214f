"""Word-similarity graphs: each word linked to its k most cosine-similar words.

Su Jianlin's recipe for clustering words with Infomap: take the most frequent words, link
each to its top-k neighbours whose cosine similarity reaches a threshold, weight = cosine.
The exact search is blocked matrix products (BLAS) with a partial sort per row, so memory
stays at ``block_rows × n`` similarities whatever the vocabulary.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cosine_knn"]

#: Similarities held at once per block (float32): 32 M = 128 MB.
BLOCK_SIMILARITIES = 1 << 25


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def cosine_knn(vectors: np.ndarray, k: int = 10, min_similarity: float = 0.6, *,
               approx: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Links ``(source, target, similarity)``: every row to its k most similar other rows.

    Only neighbours with cosine ≥ ``min_similarity`` are kept. Links come by source row,
    most similar first, ties to the lower index. ``approx=True`` ranks with Mitchell's
    multiplier-free products (:func:`nlpzero.approx.cosine_topk`) and re-ranks exactly.
    """
    vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array, got shape {vectors.shape}")
    if k < 1:
        raise ValueError("k must be at least 1")
    if not np.isfinite(vectors).all():
        raise ValueError("vectors contain NaN or infinity")
    n = len(vectors)
    k = min(k, n - 1)
    if k < 1:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0, dtype=np.float32)
    unit = np.ascontiguousarray(_unit_rows(vectors.astype(np.float32)))
    block = max(1, min(n, BLOCK_SIMILARITIES // n))
    sources, targets, sims = [], [], []
    for start in range(0, n, block):
        stop = min(n, start + block)
        rows = np.arange(start, stop)
        if approx:
            idx, sim = _approx_block(unit, rows, k)
        else:
            scores = unit[start:stop] @ unit.T
            scores[rows - start, rows] = -np.inf
            idx = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            sim = np.take_along_axis(scores, idx, axis=1)
            order = np.lexsort((idx, -sim), axis=1)
            idx = np.take_along_axis(idx, order, axis=1)
            sim = np.take_along_axis(sim, order, axis=1)
        keep = sim >= min_similarity
        sources.append(np.broadcast_to(rows[:, None], idx.shape)[keep])
        targets.append(idx[keep])
        sims.append(sim[keep].astype(np.float32))
    return (np.concatenate(sources).astype(np.int64), np.concatenate(targets).astype(np.int64),
            np.concatenate(sims))


def _approx_block(unit: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mitchell-product top-(k+1), then drop each row itself."""
    from .approx import cosine_topk

    idx, sim = cosine_topk(unit[rows], unit, k + 1)
    not_self = idx != rows[:, None]
    # the row itself is normally first; if it was not in the top k+1, drop the last instead
    drop_last = not_self.all(axis=1)
    not_self[drop_last, -1] = False
    return idx[not_self].reshape(len(rows), k), sim[not_self].reshape(len(rows), k)
