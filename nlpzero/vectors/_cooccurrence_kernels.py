"""Numba kernels for window co-occurrence counting over integer token ids.

Pairs are packed as ``key = i * V + j`` with ``i < j`` (X is symmetric, so each unordered
pair is counted once). A chunk of tokens is counted in an open-addressing hash table, then
its keys are sorted and merged into the running sorted (key, count) arrays
(``nlpzero._tables.merge_counts``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._hashing import fibonacci_slot

#: Token id that marks a line end: windows never cross it.
LINE_END = -2

_EMPTY = -1


@njit(cache=True)
def count_window_pairs(ids, start, window, n_words, table_keys, table_counts, used):
    """Add every unordered pair (i != j) within *window* in-vocabulary tokens to the table.

    Counting starts at the later token ``ids[start]`` and stops early, before a token whose
    pairs could push the table past 70% full. Returns ``(next_start, used)``: the caller
    drains the table and calls again from ``next_start`` until it equals ``len(ids)``.
    """
    mask = table_keys.shape[0] - 1
    # one token adds at most min(window, n_words - 1) new pairs; the caller sizes the table
    # so that limit > 0, hence every call counts at least one token (the loop progresses)
    limit = (table_keys.shape[0] * 7) // 10 - min(window, n_words)
    for p in range(start, ids.shape[0]):
        if used > limit:
            return p, used
        b = ids[p]
        if b < 0:
            continue
        q = p - 1
        while q >= 0 and q >= p - window:
            a = ids[q]
            if a < 0:
                break  # line end
            if a != b:
                key = np.int64(a) * n_words + b if a < b else np.int64(b) * n_words + a
                s = fibonacci_slot(key, 20, mask)
                while True:
                    k = table_keys[s]
                    if k == key:
                        table_counts[s] += 1
                        break
                    if k == _EMPTY:
                        table_keys[s] = key
                        table_counts[s] = 1
                        used += 1
                        break
                    s = (s + 1) & mask
            q -= 1
    return ids.shape[0], used


@njit(cache=True)
def drain_table(table_keys, table_counts, used):
    """The table's (key, count) entries, unsorted, and the table reset to empty."""
    keys = np.empty(used, np.int64)
    counts = np.empty(used, np.int64)
    n = 0
    for s in range(table_keys.shape[0]):
        if table_keys[s] != _EMPTY:
            keys[n] = table_keys[s]
            counts[n] = table_counts[s]
            table_keys[s] = _EMPTY
            table_counts[s] = 0
            n += 1
    return keys, counts
