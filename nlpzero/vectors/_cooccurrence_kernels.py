"""Numba kernels for window co-occurrence counting over integer token ids.

Pairs are packed as ``key = i * V + j`` with ``i < j`` (X is symmetric, so each unordered
pair is counted once). A chunk of tokens is counted in an open-addressing hash table, then
its keys are sorted and merged into the running sorted (key, count) arrays
(:func:`merge_pair_counts`: int32 counts, refusing a sum past 2^31 - 1).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._hashing import GOLDEN, fibonacci_slot, splitmix64

#: Token id that marks a line end: windows never cross it.
LINE_END = -2

_EMPTY = -1


#: The largest count a table slot may reach (int32).
COUNT_LIMIT = 2147483647


@njit(cache=True)
def count_window_pairs(ids, start, window, n_words, table_keys, table_counts, used, lo, hi,
                       weight_window):
    """Add every unordered pair (i != j) within *window* in-vocabulary tokens to the table
    (only the pairs whose smaller id lies in [lo, hi)). A pair at distance d
    adds 1, or ``weight_window - d + 1`` when weight_window > 0 (word2vec's dynamic window:
    the expected weight of a window drawn uniformly from 1..weight_window, times
    weight_window; *window* is then at most weight_window).

    Counting starts at the later token ``ids[start]`` and stops early, before a token whose
    pairs could push the table past 70% full. Returns ``(next_start, used)``: the caller
    drains the table and calls again from ``next_start`` until it equals ``len(ids)``;
    next_start is -1 when a count would pass 2^31 - 1.
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
            low = min(a, b)
            if a != b and lo <= low < hi:
                inc = 1 if weight_window <= 0 else weight_window - (p - q) + 1
                key = np.int64(a) * n_words + b if a < b else np.int64(b) * n_words + a
                s = fibonacci_slot(key, 20, mask)
                while True:
                    k = table_keys[s]
                    if k == key:
                        if table_counts[s] > COUNT_LIMIT - inc:
                            return -1, used
                        table_counts[s] += inc
                        break
                    if k == _EMPTY:
                        table_keys[s] = key
                        table_counts[s] = inc
                        used += 1
                        break
                    s = (s + 1) & mask
            q -= 1
    return ids.shape[0], used


#: The odd constant that spreads a token's place in its line before the finaliser.
_PLACE_MIX = np.uint64(0xBF58476D1CE4E5B9)


@njit(cache=True)
def subsample_tokens(ids, thresholds, key):
    """Drop frequent words' tokens, in place; returns how many ids (tokens and line ends) are
    kept at the front of *ids*.

    The token at position j (from 0) of a line is kept when the top 32 bits of a hash of
    (*key*, the line's in-vocabulary ids, j) are below ``thresholds[id]`` (keep probability
    × 2^32). The decision depends on the line alone, never on where the corpus was cut into
    pieces or on a generator's state; line ends are always kept."""
    n = ids.shape[0]
    out = 0
    start = 0
    while start < n:
        end = start
        h = splitmix64(np.uint64(key) ^ GOLDEN)
        while end < n and ids[end] >= 0:
            h = splitmix64(h + (np.uint64(ids[end]) + np.uint64(1)) * GOLDEN)
            end += 1
        for j in range(start, end):  # writes never overtake reads: out <= j
            u = splitmix64(h ^ (np.uint64(j - start + 1) * _PLACE_MIX)) >> np.uint64(32)
            if np.int64(u) < thresholds[ids[j]]:
                ids[out] = ids[j]
                out += 1
        if end < n:
            ids[out] = ids[end]  # the line end
            out += 1
            end += 1
        start = end
    return out


@njit(cache=True)
def row_pair_bounds(ids, window, n_words):
    """An upper bound on the distinct pairs of each row i (pairs (i, j), i < j):
    min(window co-occurrences with a larger id, n_words - 1 - i)."""
    occ = np.zeros(n_words, np.int64)
    for p in range(ids.shape[0]):
        b = ids[p]
        if b < 0:
            continue
        q = p - 1
        while q >= 0 and q >= p - window:
            a = ids[q]
            if a < 0:
                break
            if a != b:
                occ[min(a, b)] += 1
            q -= 1
    for i in range(n_words):
        occ[i] = min(occ[i], n_words - 1 - i)
    return occ


@njit(cache=True)
def drain_sorted(table_keys, table_counts, used):
    """The table's keys sorted (int64) and their counts (int32), and the table reset.

    Only the keys are copied out and sorted in place; each count is then read back from the
    table by key, so the chunk costs 12 bytes an entry (no argsort, no int64 counts)."""
    keys = np.empty(used, np.int64)
    n = 0
    for s in range(table_keys.shape[0]):
        if table_keys[s] != _EMPTY:
            keys[n] = table_keys[s]
            n += 1
    keys.sort()
    mask = table_keys.shape[0] - 1
    counts = np.empty(used, np.int32)
    for p in range(used):
        s = fibonacci_slot(keys[p], 20, mask)
        while table_keys[s] != keys[p]:
            s = (s + 1) & mask
        counts[p] = table_counts[s]
    table_keys[:] = _EMPTY
    table_counts[:] = 0
    return keys, counts


@njit(cache=True)
def pmi_values(rows, cols, counts, log_marginal, log_total, out):
    """out[k] = log X_k - log Z - m[rows[k]] - m[cols[k]], written in place (no temporaries)."""
    for k in range(counts.shape[0]):
        out[k] = (np.log(np.float64(counts[k])) - log_total - log_marginal[rows[k]]
                  - log_marginal[cols[k]])


@njit(cache=True)
def split_keys(keys, n_words):
    """Row and column ids (int32) of packed keys ``i * n_words + j``, without int64 temporaries."""
    rows = np.empty(keys.shape[0], np.int32)
    cols = np.empty(keys.shape[0], np.int32)
    for p in range(keys.shape[0]):
        i = keys[p] // n_words
        rows[p] = i
        cols[p] = keys[p] - i * n_words
    return rows, cols


@njit(cache=True)
def merge_pair_counts(a_keys, a_counts, b_keys, b_counts):
    """Merge two sorted (key, count) tables, summing equal keys, into arrays of exactly the
    merged size (a first pass counts it), with int32 counts. Returns (keys, counts, ok);
    ok is False when a summed count would not fit in int32."""
    na, nb = a_keys.shape[0], b_keys.shape[0]
    i = j = m = 0
    while i < na and j < nb:
        if a_keys[i] < b_keys[j]:
            i += 1
        elif a_keys[i] > b_keys[j]:
            j += 1
        else:
            i += 1
            j += 1
        m += 1
    m += (na - i) + (nb - j)
    keys = np.empty(m, np.int64)
    counts = np.empty(m, np.int32)
    limit = np.int64(COUNT_LIMIT)
    i = j = m = 0
    while i < na or j < nb:
        if j >= nb or (i < na and a_keys[i] < b_keys[j]):
            keys[m] = a_keys[i]
            total = np.int64(a_counts[i])
            i += 1
        elif i >= na or a_keys[i] > b_keys[j]:
            keys[m] = b_keys[j]
            total = np.int64(b_counts[j])
            j += 1
        else:
            keys[m] = a_keys[i]
            total = np.int64(a_counts[i]) + np.int64(b_counts[j])
            i += 1
            j += 1
        if total > limit:
            return keys, counts, False
        counts[m] = total
        m += 1
    return keys, counts, True
