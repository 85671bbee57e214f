"""Word-similarity graphs: each word linked to its k most cosine-similar words.

Su Jianlin's recipe for clustering words with Infomap: take the most frequent words, link
each to its top-k neighbours whose cosine similarity reaches a threshold, weight = cosine.
The exact search computes each pair of row blocks of the similarity matrix once, as one
BLAS product, and offers it to per-row top-k buffers, so memory stays at one block of
similarities (plus the n × k result) whatever the vocabulary.
"""

from __future__ import annotations

import math

import numpy as np

from .._linalg import unit_rows

__all__ = ["cosine_knn"]

#: The similarity budget of a block (float32): 32 M = 128 MB. The exact search's square
#: blocks take a quarter of it (2896 × 2896, 32 MB); the approximate one ranks
#: BLOCK_SIMILARITIES // n rows per call.
BLOCK_SIMILARITIES = 1 << 25


def cosine_knn(vectors: np.ndarray, k: int = 10, min_similarity: float = 0.6, *,
               approx: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Links ``(source, target, similarity)``: every row to its k most similar other rows.

    Only neighbours with cosine ≥ ``min_similarity`` are kept. Links come by source row,
    most similar first, ties to the lower index. The exact search computes each block pair
    of the (symmetric) similarity matrix once, as one matrix product, and feeds both its
    rows and its columns to the top-k buffers. ``approx=True`` ranks with Mitchell's
    multiplier-free products (:func:`nlpzero.approx.cosine_topk`) and re-ranks exactly.
    """
    vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array, got shape {vectors.shape}")
    if k < 1:
        raise ValueError("k must be at least 1")
    if not np.isfinite(vectors).all():
        raise ValueError("vectors contain NaN or infinity")
    if not math.isfinite(min_similarity):
        raise ValueError("min_similarity must be a finite number")
    n = len(vectors)
    k = max(min(k, n - 1), 0)
    unit = np.ascontiguousarray(unit_rows(vectors.astype(np.float32)))
    val = np.full((n, k), -np.inf, dtype=np.float32)
    idx = np.full((n, k), -1, dtype=np.int64)
    if k and approx:
        block = max(1, min(n, BLOCK_SIMILARITIES // n))
        for start in range(0, n, block):
            rows = np.arange(start, min(n, start + block))
            idx[rows], val[rows] = _approx_block(unit, rows, k)
    elif k:
        from ._knn_kernels import update_top_k

        block = int(np.sqrt(BLOCK_SIMILARITIES)) // 2
        for i in range(0, n, block):
            for j in range(i, n, block):
                scores = unit[i:i + block] @ unit[j:j + block].T
                update_top_k(scores, i, j, np.float32(min_similarity), val, idx)
    keep = (val >= min_similarity) & (idx >= 0)
    source = np.broadcast_to(np.arange(n)[:, None], idx.shape)[keep]
    return source.astype(np.int64), idx[keep], val[keep]


def _approx_block(unit: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mitchell-product top-(k+1), then drop each row itself."""
    from ..approx.topk import cosine_topk

    idx, sim = cosine_topk(unit[rows], unit, k + 1)
    not_self = idx != rows[:, None]
    # the row itself is normally first; if it was not in the top k+1, drop the last instead
    drop_last = not_self.all(axis=1)
    not_self[drop_last, -1] = False
    return idx[not_self].reshape(len(rows), k), sim[not_self].reshape(len(rows), k)
