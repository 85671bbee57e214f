"""Numba kernels of :mod:`nlpzero.graphs.knn`: the exact search's per-row top-k buffers."""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def update_top_k(scores, row0, col0, min_similarity, val, idx):
    """Offer the block ``scores`` (rows ``row0 +``, columns ``col0 +``) to the top-k buffers
    of its rows and, by symmetry, of its columns. Buffers stay sorted best first; as
    columns arrive in increasing order, a tie keeps the lower column."""
    rows, cols = scores.shape
    k = val.shape[1]
    for i in range(rows):
        r = row0 + i
        for j in range(cols):
            c = col0 + j
            if c <= r and row0 == col0:
                continue
            s = scores[i, j]
            if s < min_similarity:
                continue
            _offer(val, idx, r, c, s, k)
            _offer(val, idx, c, r, s, k)


@njit(cache=True, inline="always")
def _offer(val, idx, row, col, s, k):
    """Insert neighbour *col* with score *s* into *row*'s sorted buffer, unless it is no
    better than the buffer's last entry."""
    if s <= val[row, k - 1]:
        return
    pos = k - 1
    while pos > 0 and val[row, pos - 1] < s:
        val[row, pos] = val[row, pos - 1]
        idx[row, pos] = idx[row, pos - 1]
        pos -= 1
    val[row, pos] = s
    idx[row, pos] = col
