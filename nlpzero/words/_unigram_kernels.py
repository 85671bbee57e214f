"""Numba kernels for the unigram discovery method (:mod:`nlpzero.words.unigram`).

N-grams of any length are identified by their lexicon key (:func:`extend_key`: four
16-bit ids packed exactly, longer sequences continued as a 64-bit hash), so a candidate's
key is the key the segmenter will look up. Counting is apriori by level: ``lvl[i]`` is the
length of the longest frequent n-gram known to start at position i, and an n-gram is
counted only where the (n−1)-grams at i and i+1 are both frequent.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# The kernels imported here (sorted_head and the radix sort it calls, pair_in, the _tables
# merges, extend_key and seq_key, prefetch) are compiled into this file's, and numba's
# on-disk cache only notices edits to this file: a change to one of them must come with an
# edit here (as with the sort's 2026-11-30 change, which sorts short arrays by radix too
# and needs a full-size buffer).
from .._hashing import GOLDEN, extend_key, seq_key
from .._prefetch import prefetch
from .._tables import count_runs, merge_typed
from ._discovery_kernels import pair_in
from ._lexicon_kernels import EMPTY
from .ngrams import sorted_head

NEG = -1e300
#: The Viterbi passes prefetch the table slots of the prefixes (2 to PREFETCH_LEN ids) that
#: start PREFETCH_AHEAD positions ahead: a walk's probes mostly miss the cache, and so
#: they overlap (about a quarter off the Gutenberg boundary pass).
PREFETCH_AHEAD = 16
PREFETCH_LEN = 4


@njit(cache=True, inline="always")
def _home(key, cap):
    """Home slot of *key* in a table of *cap* slots (any size below 2^32): the top 32 bits
    of key × 2^64/φ scaled to [0, cap) by a multiply-shift, so the table need not be a
    power of two (a power of two would waste up to half of it)."""
    h = (np.uint64(key) * GOLDEN) >> np.uint64(32)
    return np.int64((h * np.uint64(cap)) >> np.uint64(32))


@njit(cache=True, inline="always")
def _slot(tk, key):
    """The slot of *key* in an open-addressing table, or the empty slot where it goes
    (linear probing from its home slot)."""
    cap = tk.shape[0]
    s = _home(key, cap)
    while tk[s] != EMPTY and tk[s] != key:
        s += 1
        if s == cap:
            s = 0
    return s


@njit(cache=True, inline="always")
def _put(tk, tv, key, row):
    """key -> row in a :func:`key_table`."""
    s = _slot(tk, key)
    tk[s] = key
    tv[s] = row


@njit(cache=True)
def key_table(keys):
    """Open-addressing map key -> row (linear probing, at most two thirds full, 12 bytes a
    slot, so 18 bytes a key); keys are distinct and non-zero."""
    cap = max(16, keys.shape[0] + keys.shape[0] // 2 + 1)
    tk = np.zeros(cap, np.uint64)
    tv = np.full(cap, -1, np.int32)
    for r in range(keys.shape[0]):
        _put(tk, tv, keys[r], r)
    return tk, tv


@njit(cache=True)
def row_key_table(ptr, chars):
    """A :func:`key_table` of the rows of a CSR string table (their lexicon keys), without
    an array of the keys, and at most four fifths full (15 bytes a row): its lookups
    (the candidates' parts) nearly all hit, and hits stay short at that load, where the
    counting rounds' lookups mostly miss."""
    n = ptr.shape[0] - 1
    cap = max(16, n + n // 4 + 1)
    tk = np.zeros(cap, np.uint64)
    tv = np.full(cap, -1, np.int32)
    for r in range(n):
        _put(tk, tv, seq_key(chars, ptr[r], ptr[r + 1]), r)
    return tk, tv


@njit(cache=True, inline="always")
def key_row(tk, tv, key):
    """Row of *key* in a :func:`key_table`, or -1."""
    cap = tk.shape[0]
    s = _home(key, cap)
    while tk[s] != EMPTY:
        if tk[s] == key:
            return tv[s]
        s += 1
        if s == cap:
            s = 0
    return -1


@njit(cache=True, inline="always")
def _prefetch_row(tk, tv, key):
    """Prefetch the home slot of *key* in a :func:`key_table` (both arrays): a probe a
    few rows ahead then finds its cache lines loaded."""
    s = _home(key, tk.shape[0])
    prefetch(tk, s)
    prefetch(tv, s)


@njit(cache=True)
def row_keys(ptr, chars):
    """Lexicon key of every row of a CSR string table."""
    n = ptr.shape[0] - 1
    out = np.empty(n, np.uint64)
    for r in range(n):
        out[r] = seq_key(chars, ptr[r], ptr[r + 1])
    return out


@njit(cache=True, nogil=True)
def init_levels(ids, is_han, rank, bits, top, pair_set):
    """lvl[i]: 0 off ideographs, 1 on one, 2 where the pair at i is frequent (in the set)."""
    n = ids.shape[0]
    lvl = np.zeros(n, np.uint8)
    for i in range(n):
        a = ids[i]
        if a > 0 and is_han[a]:
            lvl[i] = 1
            if i + 1 < n:
                b = ids[i + 1]
                if b > 0 and is_han[b] and pair_in(a, b, rank, bits, top, pair_set):
                    lvl[i] = 2
    return lvl


@njit(cache=True, nogil=True)
def level_round_sorted(ids, lvl, active, scan_all, keep_active, L, tk, tv, row_chars, emit,
                       update, part, n_parts):
    """:func:`_level_round`'s keys, sorted in their buffer (one slot a position visited;
    :func:`ngrams.sorted_head`: the buffer's tail is the sort's scratch when the keys are
    split into partitions), and positions."""
    out, nxt, k = _level_round(ids, lvl, active, scan_all, keep_active, L, tk, tv, row_chars,
                               emit, update, part, n_parts)
    return sorted_head(out, k), nxt


@njit(cache=True, nogil=True, inline="always")
def _level_round(ids, lvl, active, scan_all, keep_active, L, tk, tv, row_chars, emit,
                 update, part, n_parts):
    """One apriori round over a block, right to left: over every position when *scan_all*,
    else over the *active* positions (ascending; those whose (L−1)-gram was counted last
    round — the same set, but stored lists cost 4 bytes a position, so they are kept only
    once they are short).

    First the (L−1)-grams counted last round are looked up in the frequent set (*tk*, *tv*;
    only for L−1 >= 3, pairs come from ``init_levels``): a hit raises ``lvl[i]`` to L−1
    and writes the n-gram's ids into its row of *row_chars* (every writer writes the same
    ids); only when *update* (the first of *n_parts* passes). Then, if *emit*, the key of
    the L-gram at every i whose (L−1)-grams at i and i+1 are frequent is returned
    (unsorted) when it falls in hash partition *part* of *n_parts*, with all those
    positions (ascending) if *keep_active*, else an empty list: (the keys' buffer, the
    positions, the number of keys).
    """
    n = ids.shape[0]
    m = n if scan_all else active.shape[0]
    out = np.empty(m if emit else 0, np.uint64)
    nxt = np.empty(m if emit and keep_active else 0, np.int32)
    k = 0
    a = 0
    lookup = update and L - 1 >= 3
    for t in range(m - 1, -1, -1):
        i = t if scan_all else active[t]
        if lookup and t >= PREFETCH_AHEAD:  # the probe of a position ahead (leftwards)
            q = t - PREFETCH_AHEAD if scan_all else active[t - PREFETCH_AHEAD]
            if q + L - 1 <= n and lvl[q] >= L - 2 and lvl[q + 1] >= L - 2:
                _prefetch_row(tk, tv, seq_key(ids, q, q + L - 1))
        if i + 1 >= n:
            continue
        if lookup and lvl[i] >= L - 2 and lvl[i + 1] >= L - 2:
            r = key_row(tk, tv, seq_key(ids, i, i + L - 1))
            if r >= 0:
                lvl[i] = L - 1
                for j in range(L - 1):
                    row_chars[r, j] = ids[i + j]
        if emit and lvl[i] >= L - 1 and lvl[i + 1] >= L - 1:
            key = seq_key(ids, i, i + L)
            if n_parts == 1 or np.int64((key * GOLDEN) >> np.uint64(33)) % n_parts == part:
                out[k] = key
                k += 1
            if keep_active:
                nxt[a] = i
                a += 1
    if not keep_active:
        return out, nxt, k
    return out, nxt[:a][::-1].copy(), k


@njit(cache=True, nogil=True)
def digit_unit_spans(ids, is_digit, is_han):
    """Every maximal digit run followed by an ideograph: (keys of run + ideograph, unit
    ideograph ids, lengths, CSR ids) and the number of digit runs in the block."""
    n = ids.shape[0]
    starts = np.empty(n // 2 + 1, np.int64)
    lens = np.empty(n // 2 + 1, np.int64)
    m = 0
    runs = 0
    i = 0
    while i < n:
        if is_digit[ids[i]] and (i == 0 or not is_digit[ids[i - 1]]):
            j = i
            while j < n and is_digit[ids[j]]:
                j += 1
            runs += 1
            if j < n and ids[j] > 0 and is_han[ids[j]]:
                starts[m] = i
                lens[m] = j - i + 1
                m += 1
            i = j
        else:
            i += 1
    keys = np.empty(m, np.uint64)
    units = np.empty(m, np.int64)
    ptr = np.zeros(m + 1, np.int64)
    for r in range(m):
        ptr[r + 1] = ptr[r] + lens[r]
    chars = np.empty(ptr[m], np.int32)
    for r in range(m):
        s = starts[r]
        keys[r] = seq_key(ids, s, s + lens[r])
        units[r] = ids[s + lens[r] - 1]
        for j in range(lens[r]):
            chars[ptr[r] + j] = ids[s + j]
    return keys, units, lens[:m].copy(), ptr, chars, runs


@njit(cache=True, nogil=True)
def best_split(chars, start, L, self_row, tk, tv, logp, unknown_score, best, back, via):
    """Best segmentation of chars[start:start+L] into table words other than *self_row*
    (a single character outside the table scores *unknown_score*). Fills back/via."""
    best[0] = 0.0
    for e in range(1, L + 1):
        best[e] = NEG
        for s in range(e - 1, -1, -1):
            if best[s] <= NEG:
                continue
            r = key_row(tk, tv, seq_key(chars, start + s, start + e))
            usable = r >= 0 and r != self_row and logp[r] > NEG
            if usable:
                sc = logp[r]
            elif e - s == 1:
                sc = unknown_score
                r = -1
            else:
                continue
            v = best[s] + sc
            if v > best[e]:
                best[e] = v
                back[e] = s
                via[e] = r
    return best[L]


@njit(cache=True)
def unigram_model(ptr, counts):
    """The unigram model of a CSR word table's *counts* as :func:`prune_rows` reads it:
    ln p(w) = ln c(w) − ln N (NEG for unseen words), N = Σ c, and the longest word."""
    n = ptr.shape[0] - 1
    total = 0.0
    for w in range(n):
        total += counts[w]
    logp = np.full(n, NEG)
    for w in range(n):
        if counts[w] > 0:
            logp[w] = math.log(counts[w]) - math.log(total)
    longest = 1
    for w in range(n):
        longest = max(longest, ptr[w + 1] - ptr[w])
    return logp, total, longest


@njit(cache=True, nogil=True)
def prune_rows(ptr, chars, counts, logp, total, longest, tk, tv, unknown_score, char_cost,
               lexicon_cost, keep, gain, saved, first, stop):
    """The minimum-entropy redundancy test for the multi-character words first..stop with
    count > 0, all against the same counts (model :func:`unigram_model`). With w_1..w_k
    w's best split into other words:

    gain = ln p(w) − Σ ln p(w_i)  (nats saved per occurrence; keep needs >= len(w) − 1),
    saved = the exact change of the corpus code length N ln N − Σ c ln c (nats) if w's
    occurrences were re-spelt as w_1..w_k (keep needs >= lexicon_cost · char_cost · len(w),
    the cost of spelling w in the lexicon).

    Writes keep[w] = False for the words that fail, gain[w] and saved[w]; words are
    independent, so halves of the table run on two threads.
    """
    best = np.empty(longest + 1)
    back = np.zeros(longest + 1, np.int64)
    via = np.zeros(longest + 1, np.int64)
    parts = np.empty(longest, np.int64)
    for w in range(first, stop):
        L = ptr[w + 1] - ptr[w]
        if L < 2 or counts[w] <= 0:
            continue
        split = best_split(chars, ptr[w], L, w, tk, tv, logp, unknown_score, best, back, via)
        k = 0
        e = L
        while e > 0:
            parts[k] = via[e]
            k += 1
            e = back[e]
        c = counts[w]
        g = logp[w] - split
        n1 = total + (k - 1) * c
        d = n1 * math.log(n1) - total * math.log(total) + c * math.log(c)
        for a in range(k):
            v = parts[a]
            if v < 0:
                d -= c * unknown_score
                continue
            seen_before = False  # count each distinct part once, with its multiplicity
            for b in range(a):
                if parts[b] == v:
                    seen_before = True
            if seen_before:
                continue
            mult = 0
            for b in range(k):
                if parts[b] == v:
                    mult += 1
            cv = counts[v]
            d -= (cv + mult * c) * math.log(cv + mult * c) - cv * math.log(cv)
        gain[w] = g
        saved[w] = d
        if g < L - 1 or d < lexicon_cost * char_cost * L:
            keep[w] = False


@njit(cache=True, nogil=True)
def chunk_joins(ids, is_alnum, rank, bits, top, pair_set):
    """join[i]: positions i and i+1 can lie inside one word — a letter/digit run goes on,
    or the pair is inside some candidate word (in the :func:`pair_in` set)."""
    n = ids.shape[0]
    join = np.zeros(n, np.bool_)
    for i in range(n - 1):
        a = ids[i]
        b = ids[i + 1]
        if a > 0 and b > 0:
            join[i] = (is_alnum[a] and is_alnum[b]) or pair_in(a, b, rank, bits, top, pair_set)
    return join


@njit(cache=True)
def path_table(ptr, chars):
    """The lookup :func:`chunk_path_counts` walks: every prefix of every row of a CSR
    string table by its lexicon key and length, with the row of the string when it is
    a row itself (the first such row), else -1 — the entries of the lexicon's
    ``build_table``, in one array of two 8-byte words a slot (key; length << 32 | row + 1)
    so that a probe reads one cache line where the lexicon's three arrays read three.
    At most two thirds full (every prefix costs an id), 24 bytes an id."""
    n = ptr.shape[0] - 1
    cap = max(16, chars.shape[0] + chars.shape[0] // 2 + 1)
    tab = np.zeros(2 * cap, np.uint64)
    for w in range(n):
        key = EMPTY
        start = ptr[w]
        m = ptr[w + 1] - start
        for L in range(m):
            key = extend_key(key, L, chars[start + L])
            length = np.uint64(L + 1)
            s = _home(key, cap)
            while tab[2 * s] != EMPTY and not (tab[2 * s] == key
                                               and (tab[2 * s + 1] >> np.uint64(32)) == length):
                s += 1
                if s == cap:
                    s = 0
            if tab[2 * s] == EMPTY:
                tab[2 * s] = key
                tab[2 * s + 1] = length << np.uint64(32)
            if m - 1 == L and (tab[2 * s + 1] & np.uint64(0xFFFFFFFF)) == 0:
                tab[2 * s + 1] |= np.uint64(w + 1)
    return tab


@njit(cache=True, inline="always")
def _path_find(tab, cap, key, length):
    """(found, row) of the prefix (*key*, *length*) in a :func:`path_table`: found is
    False when no word starts so; row is -1 for a prefix that is no word."""
    s = _home(key, cap)
    want = np.uint64(length)
    while True:
        k = tab[2 * s]
        if k == EMPTY:
            return False, np.int64(-1)
        if k == key:
            meta = tab[2 * s + 1]
            if (meta >> np.uint64(32)) == want:
                return True, np.int64(meta & np.uint64(0xFFFFFFFF)) - 1
        s += 1
        if s == cap:
            s = 0


@njit(cache=True, nogil=True, inline="always")
def chunk_best_path(chars, cls, s0, L, tab, logp, max_len, unknown_score, score, back,
                    via):
    """The unigram max-probability path of the chunk chars[s0:s0+L] over a
    :func:`path_table` *tab*: the segmenter's (:func:`_lexicon_kernels.best_path`, the
    same edges in the same order, so ties break the same way): lexicon words (score
    ln p), a single ideograph or a whole letter/digit run (*unknown_score*); no word ends
    inside a letter/digit run. Fills back[1..L] (where the word ending there starts) and
    via[1..L] (its row, -1 for a fallback). The probes of the prefixes a few positions
    ahead are prefetched (they may lie past the chunk: harmless)."""
    cap = tab.shape[0] // 2
    n = chars.shape[0]
    for i in range(L + 1):
        score[i] = NEG
    score[0] = 0.0
    for i in range(L):
        q = s0 + i + PREFETCH_AHEAD
        if q + PREFETCH_LEN <= n:
            k = EMPTY
            for t in range(PREFETCH_LEN):
                k = extend_key(k, t, chars[q + t])
                if t >= 1:
                    prefetch(tab, 2 * _home(k, cap))
        if score[i] == NEG:
            continue
        base = score[i]
        key = EMPTY
        stop = min(L, i + max_len)
        for j in range(i, stop):
            c = chars[s0 + j]
            key = extend_key(key, j - i, c)
            if c <= 0:
                break
            found, w = _path_find(tab, cap, key, j - i + 1)
            if not found:
                break
            e = j + 1
            if w >= 0 and (e == L or not (cls[s0 + e] == 2 and cls[s0 + e - 1] == 2)):
                cand = base + logp[w]
                if cand > score[e]:
                    score[e] = cand
                    back[e] = i
                    via[e] = w
        e = i + 1
        if cls[s0 + i] == 2:
            while e < L and cls[s0 + e] == 2:
                e += 1
        cand = base + unknown_score
        if cand > score[e]:
            score[e] = cand
            back[e] = i
            via[e] = -1


@njit(cache=True, inline="always")
def _path_buffers(starts, ends):
    """Viterbi's score, back-pointer and word arrays for the longest chunk starts..ends."""
    longest = 1
    for r in range(starts.shape[0]):
        longest = max(longest, ends[r] - starts[r])
    return np.empty(longest + 1), np.zeros(longest + 1, np.int64), np.empty(longest + 1, np.int64)


@njit(cache=True, nogil=True)
def chunk_path_counts(starts, ends, chars, cls, weights, tab, logp, max_len,
                      unknown_score, n_words):
    """Unigram Viterbi (:func:`chunk_best_path`) over each chunk chars[starts[r]:ends[r]]
    (no word crosses a chunk's ends); each word on a chunk's best path counts
    *weights[r]* times. *tab* is the :func:`path_table` of the words."""
    out = np.zeros(n_words, np.int64)
    score, back, via = _path_buffers(starts, ends)
    for r in range(starts.shape[0]):
        L = ends[r] - starts[r]
        chunk_best_path(chars, cls, starts[r], L, tab, logp, max_len, unknown_score, score,
                        back, via)
        p = L
        while p > 0:
            if via[p] >= 0:
                out[via[p]] += weights[r]
            p = back[p]
    return out


@njit(cache=True, nogil=True)
def _add_pair(tk, tv, key, c):
    """tv[key] += c in an open-addressing table (*tk* 0 = empty); 1 if *key* is new."""
    s = _slot(tk, key)
    if tk[s] == EMPTY:
        tk[s] = key
        tv[s] = c
        return 1
    tv[s] += c
    return 0


@njit(cache=True, nogil=True)
def chunk_path_pairs(starts, ends, chars, cls, weights, tab, logp, max_len, unknown_score,
                     single):
    """The unigram Viterbi paths of :func:`chunk_path_counts` (*tab* the words'
    :func:`path_table`), read for their adjacent one-character words: how often word a is
    followed by word b on the chunks' best paths (each chunk *weights[r]* times), for the
    words with ``single[a]`` and ``single[b]``. Returns (a · n + b, count) for
    n = ``single.shape[0]``, unsorted (the hash table holds a · n + b + 1: 0 is its empty
    slot)."""
    n = single.shape[0]
    score, back, via = _path_buffers(starts, ends)
    tk = np.zeros(1024, np.uint64)
    tv = np.zeros(1024, np.int64)
    used = 0
    for r in range(starts.shape[0]):
        L = ends[r] - starts[r]
        chunk_best_path(chars, cls, starts[r], L, tab, logp, max_len, unknown_score, score,
                        back, via)
        p = L
        after = -1  # the word after the one ending at p
        while p > 0:
            w = via[p]
            if w >= 0 and after >= 0 and single[w] and single[after]:
                used += _add_pair(tk, tv, np.uint64(w * n + after + 1), weights[r])
                if 3 * used > 2 * tk.shape[0]:  # at most two thirds full
                    ok = np.zeros(2 * tk.shape[0], np.uint64)
                    ov = np.zeros(2 * tk.shape[0], np.int64)
                    for t in range(tk.shape[0]):
                        if tk[t] != EMPTY:
                            _add_pair(ok, ov, tk[t], tv[t])
                    tk, tv = ok, ov
            after = w
            p = back[p]
    m = 0
    out_k = np.empty(used, np.int64)
    out_c = np.empty(used, np.int64)
    for t in range(tk.shape[0]):
        if tk[t] != EMPTY:
            out_k[m] = np.int64(tk[t]) - 1
            out_c[m] = tv[t]
            m += 1
    return out_k, out_c


@njit(cache=True)
def char_rows(ptr, chars):
    """rows[id]: the row of the one-character string *id* in a CSR string table, or -1 (a
    dense lookup for the splits that cut off one character)."""
    n = ptr.shape[0] - 1
    top = 0
    for j in range(chars.shape[0]):
        top = max(top, chars[j])
    rows = np.full(top + 1, -1, np.int32)
    for r in range(n):
        if ptr[r + 1] - ptr[r] == 1:
            rows[chars[ptr[r]]] = r
    return rows


@njit(cache=True)
def length_starts(ptr):
    """starts[L]: the first row of length L in a CSR string table whose rows come shortest
    first (``starts[L + 1]`` ends them; empty lengths start where the next one does), for
    L = 0 .. longest + 2."""
    n = ptr.shape[0] - 1
    longest = 1
    for r in range(n):
        L = ptr[r + 1] - ptr[r]
        if longest > L:
            raise ValueError("select_candidates: rows must come shortest first")
        longest = L
    starts = np.full(longest + 3, n, np.int64)
    for r in range(n - 1, -1, -1):
        starts[ptr[r + 1] - ptr[r]] = r
    for L in range(longest, -1, -1):
        starts[L] = min(starts[L], starts[L + 1])
    return starts


@njit(cache=True, nogil=True)
def shorter_rows(ptr, chars, one, tk, tv, offset, left, right, first, stop):
    """For the rows first..stop of one length L >= 2 (which starts at row *offset*): the
    rows of w[:-1] and of w[1:] into left[r − offset] and right[r − offset] (−1 where
    absent; through *one* for L = 2). The key lookups of the candidate selection's
    extension pass, whose results its cohesion pass reuses one length later; halves of a
    length run on two threads."""
    for r in range(first, stop):
        p = ptr[r]
        L = ptr[r + 1] - p
        if L == 2:
            left[r - offset] = one[chars[p]]
            right[r - offset] = one[chars[p + 1]]
            continue
        if r + PREFETCH_AHEAD < stop:
            q = ptr[r + PREFETCH_AHEAD]
            _prefetch_row(tk, tv, seq_key(chars, q, q + L - 1))
            _prefetch_row(tk, tv, seq_key(chars, q + 1, q + L))
        left[r - offset] = key_row(tk, tv, seq_key(chars, p, p + L - 1))
        right[r - offset] = key_row(tk, tv, seq_key(chars, p + 1, p + L))


@njit(cache=True)
def extension_stats(ptr, chars, counts, one, base, size, first, stop, left, right, h0,
                    with_autonomy):
    """What the *size* rows from *base* (one length L) learn from the rows one longer
    (first..stop, whose w[:-1] and w[1:] rows are *left* and *right*): each row's largest
    extension share c(wx) / c(w) or c(xw) / c(w) over the extensions whose added character
    is a row, and with *with_autonomy* its right and left branching entropies h_right(w) =
    ln c(w) − Σ_x c(wx) ln c(wx) / c(w) and h_left (empty otherwise). For L = 1 the
    empty string's entropy (the character entropy) replaces *h0*.
    Returns (share, h_right, h_left, h0)."""
    share = np.zeros(size, np.float32)
    m = size if with_autonomy else 0
    hr = np.zeros(m)
    hl = np.zeros(m)
    L = ptr[base + 1] - ptr[base] if size > 0 else 0
    for r in range(first, stop):
        p = ptr[r]
        a = left[r - first] - base
        b = right[r - first] - base
        if not 0 <= a < size:
            a = -1
        if not 0 <= b < size:
            b = -1
        if a >= 0 and one[chars[p + L]] >= 0:
            share[a] = max(share[a], counts[r] / counts[a + base])
        if b >= 0 and one[chars[p]] >= 0:
            share[b] = max(share[b], counts[r] / counts[b + base])
        if with_autonomy:
            c = float(counts[r])
            if c <= 0:
                continue
            v = c * math.log(c)
            if a >= 0:
                hr[a] += v
            if b >= 0:
                hl[b] += v
    if with_autonomy:
        total = 0.0
        plogp = 0.0
        for i in range(size):
            c = float(counts[base + i])
            if c <= 0:
                continue
            if L == 1:
                total += c
                plogp += c * math.log(c)
            hr[i] = math.log(c) - hr[i] / c
            hl[i] = math.log(c) - hl[i] / c
        if L == 1:
            h0 = math.log(total) - plogp / total if total > 0 else 0.0
    return share, hr, hl, h0


@njit(cache=True, nogil=True)
def cohesion_rows(ptr, chars, counts, one, tk, tv, base, left, right, n_chars, need, share,
                  max_share, hr, hl, hr_shorter, hl_shorter, shorter_base, h0, keep, aut,
                  first, stop):
    """keep[r] for the rows first..stop of one length L (from *base*): one character, or
    cohesion min over splits of ln(N c(w) / (c(left) c(right))) >= *need* and extension
    *share* below *max_share*; with autonomy (*hr* not empty) ``aut[r − base]`` = the raw
    nVBE Δh_right + Δh_left against w[:-1] and w[1:] (rows *left*, *right*; their
    entropies *hr_shorter*, *hl_shorter* from *shorter_base*, h0 for the empty string).
    Rows are independent: halves of a length run on two threads."""
    with_autonomy = hr.shape[0] > 0
    for r in range(first, stop):
        p = ptr[r]
        L = ptr[r + 1] - p
        if L >= 4 and r + PREFETCH_AHEAD < stop:  # the middle splits' parts, ahead
            q = ptr[r + PREFETCH_AHEAD]
            for s in range(2, L - 1):
                _prefetch_row(tk, tv, seq_key(chars, q, q + s))
                _prefetch_row(tk, tv, seq_key(chars, q + s, q + L))
        out = 0.0
        if L < 2:
            keep[r] = True
            if with_autonomy and counts[r] > 0:
                out = hr[r - base] + hl[r - base] - 2.0 * h0
        else:
            w_left = left[r - base]  # rows of w[:-1] and w[1:]
            w_right = right[r - base]
            best = np.inf
            for s in range(1, L):
                if s == 1:
                    a = one[chars[p]]
                elif s == L - 1:
                    a = w_left
                else:
                    a = key_row(tk, tv, seq_key(chars, p, p + s))
                if s == L - 1:
                    b = one[chars[p + L - 1]]
                elif s == 1:
                    b = w_right
                else:
                    b = key_row(tk, tv, seq_key(chars, p + s, p + L))
                if a < 0 or b < 0:
                    continue
                v = math.log(n_chars * counts[r] / (float(counts[a]) * float(counts[b])))
                best = min(best, v)
            keep[r] = best >= need and share[r - base] < max_share
            if with_autonomy and counts[r] > 0:
                i = w_left - shorter_base
                j = w_right - shorter_base
                hr_a = hr_shorter[i] if 0 <= i < hr_shorter.shape[0] else h0
                hl_b = hl_shorter[j] if 0 <= j < hl_shorter.shape[0] else h0
                out = (hr[r - base] - hr_a) + (hl[r - base] - hl_b)
        if with_autonomy:
            aut[r - base] = out


@njit(cache=True)
def kept_autonomy(aut, keep, counts):
    """The autonomy of the kept rows of one length: raw nVBE (:func:`cohesion_rows`) minus
    its mean over the rows of that length seen at all (summed in row order)."""
    total = 0.0
    seen = 0.0
    for i in range(aut.shape[0]):
        if counts[i] > 0:
            total += aut[i]
            seen += 1.0
    out = np.empty(aut.shape[0])
    k = 0
    for i in range(aut.shape[0]):
        if keep[i]:
            out[k] = aut[i] - total / seen if counts[i] > 0 else aut[i]
            k += 1
    return out[:k].copy()


@njit(cache=True)
def boundary_excess(ptr, chars, rows, aut, usable, tk, tv, min_len):
    """For each of the table rows *rows*: how much the best split of the row into two or
    more *usable* rows s_1..s_k (the candidates) outscores the whole in nVBE decoding,
    max Σ a(s_j) len(s_j) − a(w) len(w) (nats; positive: nVBE decoding would cut the string,
    a compound of parts that are each more autonomous, 新|世纪, 检察|机关); −inf for rows
    shorter than *min_len* or without such a split."""
    out = np.full(rows.shape[0], -np.inf)
    longest = 1
    for i in range(rows.shape[0]):
        longest = max(longest, ptr[rows[i] + 1] - ptr[rows[i]])
    best = np.empty(longest + 1)
    for i in range(rows.shape[0]):
        r = rows[i]
        p = ptr[r]
        length = ptr[r + 1] - p
        if length < min_len:
            continue
        best[0] = 0.0
        for e in range(1, length + 1):
            best[e] = NEG
            for s in range(e):
                if best[s] <= NEG or (s == 0 and e == length):
                    continue
                q = key_row(tk, tv, seq_key(chars, p + s, p + e))
                if q < 0 or not usable[q]:
                    continue
                v = best[s] + aut[q] * (e - s)
                if v > best[e]:
                    best[e] = v
        if best[length] > NEG:
            out[i] = best[length] - aut[r] * length
    return out


@njit(cache=True, nogil=True)
def merge_narrow(a_keys, a_counts, b_keys, b_counts):
    """``_tables.merge_counts`` with int32 counts: for the counting rounds' block tables
    when no count can reach 2^31 (the corpus has fewer characters), 12 bytes a key instead
    of 16."""
    return merge_typed(a_keys, a_counts, b_keys, b_counts, 1, np.int32)


@njit(cache=True, nogil=True)
def run_lengths_narrow(sorted_keys):
    """``_tables.run_lengths`` with int32 counts (*sorted_keys* has fewer than 2^31 keys)."""
    return count_runs(sorted_keys, np.int32)


@njit(cache=True, nogil=True)
def chunk_bounds(ids, is_alnum, rank, bits, top, pair_set):
    """The chunks of a block, cut wherever :func:`chunk_joins` does not join two
    neighbours: (starts, ends) of the runs of ids > 0 so joined, as int64 arrays of the
    exact size (the boolean masks and ``np.flatnonzero`` over them took ~30 bytes a
    character of temporaries)."""
    n = ids.shape[0]
    join = chunk_joins(ids, is_alnum, rank, bits, top, pair_set)
    m = 0
    for i in range(n):
        if ids[i] > 0 and not join[i]:
            m += 1  # a chunk ends here: every chunk has one start and one end
    starts = np.empty(m, np.int64)
    ends = np.empty(m, np.int64)
    s = e = 0
    for i in range(n):
        if ids[i] > 0:
            if i == 0 or not join[i - 1]:
                starts[s] = i
                s += 1
            if not join[i]:
                ends[e] = i + 1
                e += 1
    return starts, ends
