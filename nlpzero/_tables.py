"""Sorted (key, count) tables and CSR string tables: the merge-friendly shapes every
counting stage shares.

A count table is a pair of arrays, uint64 keys sorted ascending and int64 counts. Two tables
combine with :func:`merge_counts`, which is associative and commutative, so counts made per
block, per thread or per machine reduce to the same table in any grouping (a map-reduce's
reduce step). :class:`MergeStack` keeps that reduction O(N log B) for B blocks.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def count_runs(sorted_keys, count_type):
    """Unique keys of a sorted key array and their counts (*count_type*), sized exactly."""
    n = sorted_keys.shape[0]
    n_unique = 0
    for i in range(n):
        if i == 0 or sorted_keys[i] != sorted_keys[i - 1]:
            n_unique += 1
    keys = np.empty(n_unique, dtype=np.uint64)
    counts = np.zeros(n_unique, dtype=count_type)
    m = -1
    for i in range(n):
        if i == 0 or sorted_keys[i] != sorted_keys[i - 1]:
            m += 1
            keys[m] = sorted_keys[i]
        counts[m] += 1
    return keys, counts


@njit(cache=True, nogil=True)
def run_lengths(sorted_keys):
    """Unique keys and their (int64) counts from a sorted key array (outputs sized exactly)."""
    return count_runs(sorted_keys, np.int64)


@njit(cache=True, nogil=True, inline="always")
def _merge_pass(a_keys, a_counts, b_keys, b_counts, min_count, keys, counts, fill):
    """One pass of :func:`merge_typed`: the number of kept keys, written out if *fill*."""
    na, nb = a_keys.shape[0], b_keys.shape[0]
    i = j = m = 0
    while i < na or j < nb:
        if j >= nb or (i < na and a_keys[i] < b_keys[j]):
            k, c = a_keys[i], a_counts[i]
            i += 1
        elif i >= na or a_keys[i] > b_keys[j]:
            k, c = b_keys[j], b_counts[j]
            j += 1
        else:
            k, c = a_keys[i], a_counts[i] + b_counts[j]
            i += 1
            j += 1
        if c >= min_count:
            if fill:
                keys[m] = k
                counts[m] = c
            m += 1
    return m


@njit(cache=True, nogil=True)
def merge_typed(a_keys, a_counts, b_keys, b_counts, min_count, count_type):
    """Merge two sorted (keys, counts) tables, summing the counts of equal keys, keeping the
    keys whose count is *min_count* or more (1: all), counts as *count_type*. Two passes, the
    first only counts, so the output is allocated at its exact size: no buffer for the rows
    of both inputs and no copy of it (for merges of large tables, where those are the
    peak)."""
    keys = np.empty(0, np.uint64)
    counts = np.empty(0, count_type)
    m = _merge_pass(a_keys, a_counts, b_keys, b_counts, min_count, keys, counts, False)
    keys = np.empty(m, np.uint64)
    counts = np.empty(m, count_type)
    _merge_pass(a_keys, a_counts, b_keys, b_counts, min_count, keys, counts, True)
    return keys, counts


@njit(cache=True, nogil=True)
def merge_at_least(a_keys, a_counts, b_keys, b_counts, min_count):
    """:func:`merge_typed` with int64 counts, keeping the keys seen *min_count* times."""
    return merge_typed(a_keys, a_counts, b_keys, b_counts, min_count, np.int64)


@njit(cache=True, nogil=True)
def merge_counts(a_keys, a_counts, b_keys, b_counts):
    """Merge two sorted (keys, counts) tables, summing the counts of equal keys (int64),
    at the exact merged size."""
    return merge_typed(a_keys, a_counts, b_keys, b_counts, 1, np.int64)


def lookup_counts(table_keys: np.ndarray, table_counts: np.ndarray,
                  queries: np.ndarray) -> np.ndarray:
    """Counts of *queries* in a sorted table (0 when absent), by binary search."""
    pos = np.searchsorted(table_keys, queries)
    pos[pos == table_keys.size] = 0
    found = table_keys[pos] == queries if table_keys.size else np.zeros(queries.size, bool)
    return np.where(found, table_counts[pos] if table_keys.size else 0, 0)


def row_offsets(lengths: np.ndarray) -> np.ndarray:
    """CSR row pointer of rows with these lengths: [0, l0, l0 + l1, ...]."""
    ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    return ptr


def gather_rows(flat: np.ndarray, starts: np.ndarray,
                lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows flat[starts[i] : starts[i] + lengths[i]] packed as CSR: (ptr, values)."""
    ptr = row_offsets(lengths)
    return ptr, flat[np.repeat(starts - ptr[:-1], lengths) + np.arange(ptr[-1])]


class MergeStack:
    """Accumulates sorted tables with an associative *merge*, binary-counter style.

    Each table is merged only when a table at least half its size sits on top of it,
    so N rows arriving in B blocks cost O(N log B) merge work instead of O(N B).
    """

    def __init__(self, merge) -> None:
        self.merge = merge
        self.stack: list[tuple[int, tuple]] = []

    def push(self, table: tuple, size: int) -> None:
        self.stack.append((size, table))
        while len(self.stack) > 1 and 2 * self.stack[-1][0] >= self.stack[-2][0]:
            self._merge_top()

    def result(self) -> tuple | None:
        while len(self.stack) > 1:
            self._merge_top()
        return self.stack[0][1] if self.stack else None

    def _merge_top(self) -> None:
        """Replace the top two tables by their merge (the older one first)."""
        (_, b), (_, a) = self.stack.pop(), self.stack.pop()
        merged = self.merge(*a, *b)
        self.stack.append((merged[0].shape[0], merged))
