"""Numba kernel of the shuffle: a sorted table cut into hash buckets in one pass."""

from __future__ import annotations

import numpy as np
from numba import njit

from .._hashing import GOLDEN


@njit(cache=True, nogil=True)
def bucket_split(keys, counts, n_buckets):
    """(keys, counts, bounds): the rows regrouped by bucket ((key * GOLDEN) >> 40) % n, each
    bucket in its original (sorted) order; bucket b is rows bounds[b]:bounds[b + 1]."""
    n = keys.shape[0]
    b = np.empty(n, dtype=np.int64)
    bounds = np.zeros(n_buckets + 1, dtype=np.int64)
    for i in range(n):
        h = ((keys[i] * GOLDEN) >> np.uint64(40)) % np.uint64(n_buckets)
        b[i] = np.int64(h)
        bounds[b[i] + 1] += 1
    for j in range(n_buckets):
        bounds[j + 1] += bounds[j]
    fill = bounds[:-1].copy()
    out_keys = np.empty_like(keys)
    out_counts = np.empty_like(counts)
    for i in range(n):
        p = fill[b[i]]
        out_keys[p] = keys[i]
        out_counts[p] = counts[i]
        fill[b[i]] = p + 1
    return out_keys, out_counts, bounds
