"""Character n-gram counts as sorted (key, count) arrays that merge.

An n-gram of up to four 16-bit character ids packs into one uint64, first character in the
high bits, unused trailing fields zero (ids start at 1, so the order is implicit). Sorting
such keys groups every extension of a prefix together. Counts of one chunk are a sorted
``(keys, counts)`` table (:mod:`nlpzero._tables`); chunks combine with ``merge_counts``,
which is associative, so the same code serves a single pass over a file, bounded memory on
one machine, or the reduce step of a map-reduce.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from .._tables import MergeStack, lookup_counts, merge_counts, run_lengths

MAX_ORDER = 4
_SHIFTS = np.array([48, 32, 16, 0], dtype=np.uint64)


@njit(cache=True, nogil=True)
def ngram_keys(ids, max_n):
    """Packed keys of every n-gram (1 <= n <= max_n) that lies inside a run of ids > 0."""
    n = ids.shape[0]
    total = 0
    run = 0
    for i in range(n):
        if ids[i] > 0:
            run += 1
            total += min(run, max_n)
        else:
            run = 0
    out = np.empty(total, dtype=np.uint64)
    m = 0
    for i in range(n):
        if ids[i] <= 0:
            continue
        key = np.uint64(0)
        for k in range(max_n):
            j = i + k
            if j >= n or ids[j] <= 0:
                break
            key |= np.uint64(ids[j]) << np.uint64(48 - 16 * k)
            out[m] = key
            m += 1
    return out[:m]


@njit(cache=True, nogil=True, inline="always")
def _byte_histograms(keys, n):
    """How many of keys[:n] have each value (0-255) of each of their eight bytes."""
    hist = np.zeros((8, 256), np.int64)
    for i in range(n):
        k = keys[i]
        for d in range(8):
            hist[d, np.int64((k >> np.uint64(8 * d)) & np.uint64(255))] += 1
    return hist


@njit(cache=True, nogil=True, inline="always")
def _byte_offsets(hist, d, n, off):
    """*off*: where each value of byte *d* starts in the order sorted by that byte; False
    (and *off* untouched) when all *n* keys share byte *d*, so its pass can be skipped."""
    for b in range(256):
        if hist[d, b] == n:
            return False
    total = 0
    for b in range(256):
        off[b] = total
        total += hist[d, b]
    return True


@njit(cache=True, nogil=True, inline="always")
def _radix_pass(src, dst, shift, off, n):
    """One stable scatter of :func:`sort_keys_with` by the byte at *shift*."""
    for i in range(n):
        k = src[i]
        b = np.int64((k >> shift) & np.uint64(255))
        dst[off[b]] = k
        off[b] += 1


@njit(cache=True, nogil=True)
def sort_keys(keys):
    """Sort uint64 *keys* in place, as ``keys.sort()`` does (the same array results), by
    an LSD radix sort: one pass takes the histograms of the eight bytes, then one stable
    scatter pass per byte, skipped where every key has the same byte (the zero low fields
    of packed n-gram keys). numpy's comparison sort takes 50-95 ns a key on this
    project's block tables (1.4 M keys), this 17-35. Short arrays too: calling numpy's sort
    from a kernel would compile its quicksort (about 2 s on a first run). Needs a buffer as
    large as *keys* (:func:`sort_keys_with` takes the caller's)."""
    sort_keys_with(keys, np.empty(keys.shape[0], np.uint64))


@njit(cache=True, nogil=True)
def sort_keys_with(keys, buf):
    """:func:`sort_keys` with *buf* (at least as long as *keys*, not overlapping it) as
    its scratch space."""
    n = keys.shape[0]
    if buf.shape[0] < n:
        raise ValueError("sort_keys_with: buffer too short")
    hist = _byte_histograms(keys, n)
    flips = 0
    off = np.empty(256, np.int64)
    for d in range(8):
        if not _byte_offsets(hist, d, n, off):
            continue
        if flips % 2 == 0:
            _radix_pass(keys, buf, np.uint64(8 * d), off, n)
        else:
            _radix_pass(buf, keys, np.uint64(8 * d), off, n)
        flips += 1
    if flips % 2 == 1:  # a loop, not keys[:] = buf[:n]: a slice copy compiles numpy's
        for i in range(n):  # shape-mismatch error path (its message formatting too)
            keys[i] = buf[i]


@njit(cache=True, nogil=True, inline="always")
def sorted_head(buf, m):
    """buf[:m] sorted in place (:func:`sort_keys`) and returned, with buf[m:2m] as the
    sort's scratch when *buf* is that long (keys written into a buffer sized for more),
    so the sort then takes no more memory than an in-place one."""
    keys = buf[:m]
    if 2 * m <= buf.shape[0]:
        sort_keys_with(keys, buf[m:2 * m])
    else:
        sort_keys(keys)
    return keys


@njit(cache=True, nogil=True)
def sorted_keys_and_order(keys):
    """uint64 *keys* sorted, and the permutation that sorts them, stably (``np.sort(keys)``
    and ``np.argsort(keys, kind="stable")``): the radix passes of :func:`sort_keys_with`,
    each key's index moving with it, so the sorted keys need no gather through the
    permutation. In a kernel, numpy's argsort would compile its quicksort (about 2 s on a
    first run)."""
    n = keys.shape[0]
    src, dst = keys.copy(), np.empty(n, np.uint64)
    order, order_dst = np.arange(n), np.empty(n, np.int64)
    hist = _byte_histograms(src, n)
    off = np.empty(256, np.int64)
    for d in range(8):
        if not _byte_offsets(hist, d, n, off):
            continue
        shift = np.uint64(8 * d)
        for i in range(n):
            b = np.int64((src[i] >> shift) & np.uint64(255))
            dst[off[b]] = src[i]
            order_dst[off[b]] = order[i]
            off[b] += 1
        src, dst = dst, src
        order, order_dst = order_dst, order
    return src, order  # src: the keys sorted (their copy when no pass ran: all equal)


#: Pairs of character ids below this are counted in a dense matrix (DENSE_IDS² uint32,
#: 16 MB); ids come in order of first appearance, so these are the common pairs. 4096
#: (64 MB) measured the same on Gutenberg (3.2-4.0 s either way), at more memory.
DENSE_IDS = 2048


@njit(cache=True, nogil=True)
def count_pairs_sorted(ids, char_counts, pair_counts, dense_ids):
    """Add a block's characters and adjacent pairs to dense counts; return the packed keys
    of the pairs that do not fit the dense matrix, sorted in their buffer (a slot a
    character; :func:`sorted_head`)."""
    n = ids.shape[0]
    overflow = np.empty(n, dtype=np.uint64)
    m = 0
    for i in range(n):
        a = ids[i]
        if a <= 0:
            continue
        char_counts[a] += 1
        if i + 1 < n:
            b = ids[i + 1]
            if b > 0:
                if a < dense_ids and b < dense_ids:
                    pair_counts[a * dense_ids + b] += 1
                else:
                    overflow[m] = (np.uint64(a) << np.uint64(48)) | (
                        np.uint64(b) << np.uint64(32))
                    m += 1
    return sorted_head(overflow, m)


class PairCounter:
    """Characters and adjacent pairs of a corpus, counted block by block.

    Common pairs go to a dense matrix, the rest to sorted tables merged on a
    :class:`MergeStack`; :meth:`result` gives the same :class:`NgramCounts` (max_n = 2)
    as ``NgramCounts.from_ids(ids, 2)`` over the whole corpus.
    """

    def __init__(self, dense_ids: int = DENSE_IDS) -> None:
        self.dense_ids = dense_ids
        self.chars = np.zeros(1 << 16, dtype=np.int64)
        self.pairs = np.zeros(dense_ids * dense_ids, dtype=np.uint32)
        self.rest = MergeStack(merge_counts)
        self.n_chars = 0

    def add(self, ids: np.ndarray) -> None:
        self.n_chars += ids.size
        if self.n_chars > np.iinfo(np.uint32).max and self.pairs.dtype == np.uint32:
            self.pairs = self.pairs.astype(np.uint64)  # a count could now pass 2^32
        overflow = count_pairs_sorted(ids, self.chars, self.pairs, self.dense_ids)
        table = run_lengths(overflow)
        self.rest.push(table, table[0].size)

    def result(self) -> NgramCounts:
        char_ids = np.flatnonzero(self.chars)
        cells = np.flatnonzero(self.pairs)
        a, b = np.divmod(cells, self.dense_ids)
        # characters and dense pairs are each sorted already: merge, don't sort
        keys, counts = merge_counts(
            char_ids.astype(np.uint64) << np.uint64(48), self.chars[char_ids],
            pair_keys(a, b), self.pairs[cells].astype(np.int64))
        rest = self.rest.result()
        if rest is not None:
            keys, counts = merge_counts(keys, counts, *rest)
        return NgramCounts(keys, counts, 2)


@njit(cache=True)
def key_order(keys):
    """The n of each packed key (number of non-zero 16-bit fields)."""
    out = np.empty(keys.shape[0], dtype=np.int8)
    for i in range(keys.shape[0]):
        k = keys[i]
        n = 0
        while n < 4 and ((k >> np.uint64(48 - 16 * n)) & np.uint64(0xFFFF)) != 0:
            n += 1
        out[i] = n
    return out


def sub_key(keys: np.ndarray, start: int, length: int) -> np.ndarray:
    """Keys of the sub-sequences [start, start + length) of packed keys, re-packed."""
    k = keys << np.uint64(16 * start)
    if length < 4:
        k = k & ~((np.uint64(1) << np.uint64(64 - 16 * length)) - np.uint64(1))
    return k


def pair_keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Packed keys of the character pairs (a[i], b[i])."""
    return (a.astype(np.uint64) << np.uint64(48)) | (b.astype(np.uint64) << np.uint64(32))


def pair_ids(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The character ids (a, b) of packed pair keys, as int64."""
    return ((keys >> np.uint64(48)).astype(np.int64),
            ((keys >> np.uint64(32)) & np.uint64(0xFFFF)).astype(np.int64))


def unpack(keys: np.ndarray) -> np.ndarray:
    """(len(keys), 4) array of character ids; zero where the n-gram is shorter."""
    return np.stack([(keys >> s) & np.uint64(0xFFFF) for s in _SHIFTS], axis=1).astype(np.int32)


@dataclass
class NgramCounts:
    """Counts of all 1..max_n-grams of a corpus, one sorted table."""

    keys: np.ndarray
    counts: np.ndarray
    max_n: int
    _char_counts: np.ndarray | None = field(default=None, repr=False, compare=False)

    @classmethod
    def empty(cls, max_n: int = MAX_ORDER) -> NgramCounts:
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.int64), max_n)

    @classmethod
    def from_ids(cls, ids: np.ndarray, max_n: int = MAX_ORDER) -> NgramCounts:
        keys = ngram_keys(ids, max_n)
        keys.sort()
        return cls(*run_lengths(keys), max_n)

    def merge(self, other: NgramCounts) -> NgramCounts:
        if other.max_n != self.max_n:
            raise ValueError("cannot merge counts of different orders")
        return NgramCounts(*merge_counts(self.keys, self.counts, other.keys, other.counts),
                           self.max_n)

    def orders(self) -> np.ndarray:
        return key_order(self.keys)

    def totals(self) -> np.ndarray:
        """Total count per order n (index n), i.e. the number of n-gram positions."""
        return np.bincount(self.orders(), weights=self.counts, minlength=self.max_n + 1)

    def get(self, queries: np.ndarray) -> np.ndarray:
        """Counts of packed keys (0 when absent); single characters from a dense array."""
        queries = np.asarray(queries, dtype=np.uint64)
        low = np.uint64((1 << 48) - 1)
        single = (queries & low) == 0
        out = np.empty(queries.size, dtype=np.int64)
        out[single] = self.char_counts()[(queries[single] >> np.uint64(48)).astype(np.int64)]
        out[~single] = lookup_counts(self.keys, self.counts, queries[~single])
        return out

    def char_counts(self) -> np.ndarray:
        """Count of every character id (index = id), cached."""
        if self._char_counts is None:
            unigrams = (self.keys & np.uint64((1 << 48) - 1)) == 0
            dense = np.zeros(1 << 16, dtype=np.int64)
            dense[(self.keys[unigrams] >> np.uint64(48)).astype(np.int64)] = self.counts[unigrams]
            self._char_counts = dense
        return self._char_counts
