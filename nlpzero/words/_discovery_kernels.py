"""Numba kernels for word discovery.

Words and candidates are kept as a string table: sorted uint64 ``keys`` (the lexicon key of
the character-id sequence, :func:`nlpzero._hashing.seq_key`), ``counts``, and the ids
themselves in CSR form (``ptr``, ``chars``). Tables of chunks merge like n-gram counts.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# The kernels imported here (extend_key, seq_key and fibonacci_slot, the lexicon table's
# probes, sorted_keys_and_order) are compiled into this file's, and numba's on-disk cache
# only notices edits to this file: a change to one of them must come with an edit here (as
# with extend_key's 2026-11 mixing fix).
from .._hashing import extend_key, fibonacci_slot, seq_key
from ._lexicon_kernels import EMPTY, MAX_FOUND, find_sequence, sequence_slot
from .ngrams import sorted_keys_and_order


@njit(cache=True)
def build_key_set(keys):
    """Open-addressing hash set of packed n-gram keys (non-zero), at most half full."""
    capacity = 16
    while capacity < 2 * keys.shape[0]:
        capacity *= 2
    table = np.zeros(capacity, dtype=np.uint64)
    mask = capacity - 1
    for k in keys:
        s = fibonacci_slot(k, 40, mask)
        while table[s] != EMPTY and table[s] != k:
            s = (s + 1) & mask
        table[s] = k
    return table


@njit(cache=True, inline="always")
def key_in_set(table, key):
    mask = table.shape[0] - 1
    s = fibonacci_slot(key, 40, mask)
    while table[s] != EMPTY:
        if table[s] == key:
            return True
        s = (s + 1) & mask
    return False


@njit(cache=True, inline="always")
def pair_in(a, b, rank, bits, top, pair_set):
    """Is the character pair (a, b) in the set? Pairs of the *top* most frequent characters
    are bits of a matrix indexed by frequency ``rank`` (it stays in cache); other pairs
    are packed keys in the hash set *pair_set* (:func:`build_key_set`)."""
    ra = rank[a]
    rb = rank[b]
    if ra < top and rb < top:
        c = ra * top + rb
        return (bits[c >> 3] >> (c & 7)) & 1 == 1
    return key_in_set(pair_set, (np.uint64(a) << np.uint64(48)) | (np.uint64(b) << np.uint64(32)))


@njit(cache=True, nogil=True)
def strong_joins(ids, rank, bits, top, pair_set):
    """join[i] = 1 when ids[i] and ids[i+1] are word characters whose pair is in the set.

    No branch depends on the outcome, so the loop runs at memory speed; fragment bounds
    then come from vectorised ``flatnonzero`` (see :func:`fragment_bounds`).
    """
    n = ids.shape[0]
    join = np.zeros(n, dtype=np.bool_)
    for i in range(n - 1):
        a = ids[i]
        b = ids[i + 1]
        if a > 0 and b > 0:
            join[i] = pair_in(a, b, rank, bits, top, pair_set)
    return join


def fragment_bounds(ids: np.ndarray, *lookup) -> tuple[np.ndarray, np.ndarray]:
    """nlp-zero's cut ("当机立断"): fragments are maximal runs joined by strong pairs.

    Returns (starts, ends) of every fragment; the strong pairs are a :func:`pair_in` set
    given as *lookup* = (rank, bits, top, pair_set).
    """
    join = strong_joins(ids, *lookup)
    word = ids > 0
    joined_before = np.empty_like(join)
    joined_before[0] = False
    joined_before[1:] = join[:-1]
    starts = np.flatnonzero(word & ~joined_before)
    ends = np.flatnonzero(word & ~join) + 1
    return starts, ends


@njit(cache=True, nogil=True)
def trigram_keys(ids, rank, bits, top, pair_set):
    """Packed keys of the 3-grams whose two pairs are both in the (frequent) pair set."""
    n = ids.shape[0]
    out = np.empty(max(0, n - 2), dtype=np.uint64)
    m = 0
    for i in range(n - 2):
        a, b, c = ids[i], ids[i + 1], ids[i + 2]
        if a > 0 and b > 0 and c > 0 and pair_in(a, b, rank, bits, top, pair_set) \
                and pair_in(b, c, rank, bits, top, pair_set):
            out[m] = (np.uint64(a) << np.uint64(48)) | (np.uint64(b) << np.uint64(32)) | (
                np.uint64(c) << np.uint64(16))
            m += 1
    return out[:m]


@njit(cache=True, nogil=True)
def fourgram_keys(ids, tri_set):
    """Packed keys of the 4-grams whose 3-gram prefix and suffix are both in *tri_set*."""
    n = ids.shape[0]
    out = np.empty(max(0, n - 3), dtype=np.uint64)
    m = 0
    for i in range(n - 3):
        a, b, c, d = ids[i], ids[i + 1], ids[i + 2], ids[i + 3]
        if a <= 0 or b <= 0 or c <= 0 or d <= 0:
            continue
        prefix = (np.uint64(a) << np.uint64(48)) | (np.uint64(b) << np.uint64(32)) | (
            np.uint64(c) << np.uint64(16))
        suffix = (np.uint64(b) << np.uint64(48)) | (np.uint64(c) << np.uint64(32)) | (
            np.uint64(d) << np.uint64(16))
        if key_in_set(tri_set, prefix) and key_in_set(tri_set, suffix):
            out[m] = prefix | np.uint64(d)
            m += 1
    return out[:m]


@njit(cache=True, nogil=True)
def short_span_keys(ids, starts, ends, max_short):
    """Packed keys of spans of at most *max_short* (<= 4) ids, and the rows of longer spans."""
    m = starts.shape[0]
    n_short = 0
    for k in range(m):
        if ends[k] - starts[k] <= max_short:
            n_short += 1
    keys = np.empty(n_short, dtype=np.uint64)
    long_rows = np.empty(m - n_short, dtype=np.int64)
    a = b = 0
    for k in range(m):
        if ends[k] - starts[k] <= max_short:
            key = np.uint64(0)
            for t in range(ends[k] - starts[k]):
                key |= np.uint64(ids[starts[k] + t]) << np.uint64(48 - 16 * t)
            keys[a] = key
            a += 1
        else:
            long_rows[b] = k
            b += 1
    return keys, long_rows


@njit(cache=True, nogil=True)
def count_spans(ids, starts, ends):
    """String table (keys, counts, ptr, chars) of the spans ids[starts[k]:ends[k]].

    Counts with an open-addressing hash table that doubles at half load, so memory follows
    the number of distinct spans; only the distinct keys are sorted.
    """
    m = starts.shape[0]
    capacity = 1 << 16
    t_keys = np.zeros(capacity, dtype=np.uint64)
    t_lens = np.zeros(capacity, dtype=np.int32)
    t_count = np.zeros(capacity, dtype=np.int64)
    t_first = np.zeros(capacity, dtype=np.int64)
    used = 0
    for k in range(m):
        length = ends[k] - starts[k]
        key = seq_key(ids, starts[k], ends[k])
        mask = capacity - 1
        s = sequence_slot(key, length, mask)
        while t_keys[s] != EMPTY and not (t_keys[s] == key and t_lens[s] == length):
            s = (s + 1) & mask
        if t_keys[s] == EMPTY:
            t_keys[s] = key
            t_lens[s] = length
            t_first[s] = k
            used += 1
        t_count[s] += 1
        if 2 * used > capacity:
            capacity *= 2
            mask = capacity - 1
            n_keys = np.zeros(capacity, dtype=np.uint64)
            n_lens = np.zeros(capacity, dtype=np.int32)
            n_count = np.zeros(capacity, dtype=np.int64)
            n_first = np.zeros(capacity, dtype=np.int64)
            for r in range(t_keys.shape[0]):
                if t_keys[r] != EMPTY:
                    q = sequence_slot(t_keys[r], t_lens[r], mask)
                    while n_keys[q] != EMPTY:
                        q = (q + 1) & mask
                    n_keys[q] = t_keys[r]
                    n_lens[q] = t_lens[r]
                    n_count[q] = t_count[r]
                    n_first[q] = t_first[r]
            t_keys, t_lens, t_count, t_first = n_keys, n_lens, n_count, n_first
    occupied = np.flatnonzero(t_keys != EMPTY)
    u_keys, order = sorted_keys_and_order(t_keys[occupied])
    rows = occupied[order]  # the table slots in key order
    u_counts = t_count[rows]
    first = t_first[rows]
    n_unique = u_keys.shape[0]
    ptr = np.zeros(n_unique + 1, dtype=np.int64)
    for u in range(n_unique):
        ptr[u + 1] = ptr[u] + ends[first[u]] - starts[first[u]]
    chars = np.empty(ptr[n_unique], dtype=np.int32)
    for u in range(n_unique):
        s = starts[first[u]]
        for t in range(ptr[u + 1] - ptr[u]):
            chars[ptr[u] + t] = ids[s + t]
    return u_keys, u_counts, ptr, chars


@njit(cache=True, nogil=True)
def merge_tables(ak, ac, ap, ach, bk, bc, bp, bch):
    """Merge two sorted string tables, summing counts of equal keys."""
    na, nb = ak.shape[0], bk.shape[0]
    keys = np.empty(na + nb, dtype=np.uint64)
    counts = np.empty(na + nb, dtype=np.int64)
    src = np.empty(na + nb, dtype=np.int64)  # >= 0: row of a, < 0: -(row of b) - 1
    i = j = m = 0
    while i < na or j < nb:
        if j >= nb or (i < na and ak[i] < bk[j]):
            keys[m], counts[m], src[m] = ak[i], ac[i], i
            i += 1
        elif i >= na or bk[j] < ak[i]:
            keys[m], counts[m], src[m] = bk[j], bc[j], -j - 1
            j += 1
        else:
            keys[m], counts[m], src[m] = ak[i], ac[i] + bc[j], i
            i += 1
            j += 1
        m += 1
    ptr = np.zeros(m + 1, dtype=np.int64)
    for r in range(m):
        s = src[r]
        ln = ap[s + 1] - ap[s] if s >= 0 else bp[-s] - bp[-s - 1]
        ptr[r + 1] = ptr[r] + ln
    chars = np.empty(ptr[m], dtype=np.int32)
    for r in range(m):
        s = src[r]
        if s >= 0:
            chars[ptr[r]:ptr[r + 1]] = ach[ap[s]:ap[s + 1]]
        else:
            chars[ptr[r]:ptr[r + 1]] = bch[bp[-s - 1]:bp[-s]]
    return keys[:m].copy(), counts[:m].copy(), ptr, chars


@njit(cache=True)
def _best_split(ptr, chars, w, keys, lens, vals, logc, removed, log_total, unknown_score,
                split_words, best, back, via, max_part):
    """Best segmentation of word w into other (not removed) words: (score, n_parts).

    score = Σ ln p(w_i) with ln p = ln count − *log_total*; parts go to split_words.
    *max_part* is the longest word shorter than w that the table can find (at most
    MAX_FOUND characters): no part can be longer, so the scan from each start stops there
    (without it, a long periodic fragment, whose every shift is a prefix of itself, costs
    its length times MAX_FOUND).
    """
    start = ptr[w]
    L = ptr[w + 1] - start
    for p in range(L + 1):  # buffers are reused across words (no allocation per word)
        best[p] = -1e300
        via[p] = -1
    best[0] = 0.0
    for i in range(L):
        if best[i] == -1e300:
            continue
        key = EMPTY
        for j in range(i, min(L, i + max_part)):
            key = extend_key(key, j - i, chars[start + j])
            found = find_sequence(keys, lens, key, j - i + 1)
            if found < 0:
                break
            v = vals[found]
            if v >= 0 and not removed[v] and not (i == 0 and j == L - 1):
                cand = best[i] + logc[v] - log_total
                if cand > best[j + 1]:
                    best[j + 1] = cand
                    back[j + 1] = i
                    via[j + 1] = v
        cand = best[i] + unknown_score
        if cand > best[i + 1]:
            best[i + 1] = cand
            back[i + 1] = i
            via[i + 1] = -1
    n = 0
    p = L
    while p > 0:
        split_words[n] = via[p]
        n += 1
        p = back[p]
    return best[L], n


@njit(cache=True)
def remove_redundant(ptr, chars, counts, order, keys, lens, vals, unknown_score, sequential):
    """去冗: drop words that their best split explains almost as well.

    For each word w (in *order*, longest first) with its best split w_1..w_k into other
    words, keep w iff ln p(w) − Σ ln p(w_i) ≥ len(w) − 1 (nlp-zero's rule; the minimum-
    entropy merge gain needs the PMI to exceed 1 nat per join). With *sequential*
    (nlp-zero), a dropped word's count moves to its parts and the total grows accordingly;
    otherwise every word is judged against the same fixed counts.
    Returns (keep mask, new counts, gain in nats per word).
    """
    n_words = ptr.shape[0] - 1
    counts = counts.astype(np.float64).copy()
    logc = np.log(np.maximum(counts, 1e-300))
    removed = np.zeros(n_words, dtype=np.bool_)
    gain = np.zeros(n_words, dtype=np.float64)
    total = counts.sum()
    longest = 1
    for w in range(n_words):
        longest = max(longest, ptr[w + 1] - ptr[w])
    shorter = np.zeros(longest + 1, dtype=np.int64)  # length -> longest word shorter
    for w in range(n_words):
        shorter[ptr[w + 1] - ptr[w]] = 1
    last = 0
    for n in range(longest + 1):
        seen = shorter[n]
        shorter[n] = last
        if seen:
            last = n
    split_words = np.empty(longest, dtype=np.int64)
    best = np.empty(longest + 1, dtype=np.float64)
    back = np.zeros(longest + 1, dtype=np.int64)
    via = np.empty(longest + 1, dtype=np.int64)
    for t in range(order.shape[0]):
        w = order[t]
        L = ptr[w + 1] - ptr[w]
        if L < 2 or removed[w]:
            continue
        num = counts[w]
        score = logc[w] - np.log(total)
        removed[w] = True
        if sequential:
            total -= num
        split, k = _best_split(ptr, chars, w, keys, lens, vals, logc, removed, np.log(total),
                               unknown_score, split_words, best, back, via,
                               shorter[min(L, MAX_FOUND + 1)])
        gain[w] = score - split
        if gain[w] < L - 1:
            if sequential:
                for q in range(k):
                    v = split_words[q]
                    if v >= 0:
                        counts[v] += num
                        logc[v] = np.log(counts[v])
                        total += num
        else:
            removed[w] = False
            if sequential:
                total += num
    return ~removed, counts, gain


@njit(cache=True)
def span_rows(keys, l_ptr, l_chars):
    """The rows of packed n-gram *keys* (their non-zero 16-bit fields, first field
    first), then the rows of the string table (*l_ptr*, *l_chars*), as one CSR table (ptr
    int64, ids int32), written straight into arrays of the exact size: no unpacked
    (keys × 4) temporaries."""
    n = keys.shape[0]
    nl = l_ptr.shape[0] - 1
    ptr = np.zeros(n + nl + 1, np.int64)
    total = 0
    for r in range(n):
        k = keys[r]
        for f in range(4):
            if (k >> np.uint64(48 - 16 * f)) & np.uint64(0xFFFF) != 0:
                total += 1
        ptr[r + 1] = total
    for r in range(nl):
        ptr[n + r + 1] = total + l_ptr[r + 1]
    chars = np.empty(ptr[n + nl], np.int32)
    m = 0
    for r in range(n):
        k = keys[r]
        for f in range(4):
            c = (k >> np.uint64(48 - 16 * f)) & np.uint64(0xFFFF)
            if c != 0:
                chars[m] = np.int32(c)
                m += 1
    for j in range(l_chars.shape[0]):
        chars[m + j] = l_chars[j]
    return ptr, chars
