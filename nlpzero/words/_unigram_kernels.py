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

from .._hashing import GOLDEN, fibonacci_slot, seq_key
from ._discovery_kernels import pair_in
from ._lexicon_kernels import EMPTY, best_path

NEG = -1e300


@njit(cache=True)
def key_table(keys):
    """Open-addressing map key -> row (at most two thirds full, 12 bytes a slot); keys are
    distinct and non-zero."""
    cap = 16
    while 2 * cap < 3 * keys.shape[0]:
        cap *= 2
    tk = np.zeros(cap, np.uint64)
    tv = np.full(cap, -1, np.int32)
    mask = cap - 1
    for r in range(keys.shape[0]):
        s = fibonacci_slot(keys[r], 32, mask)
        while tk[s] != EMPTY and tk[s] != keys[r]:
            s = (s + 1) & mask
        tk[s] = keys[r]
        tv[s] = r
    return tk, tv


@njit(cache=True, inline="always")
def key_row(tk, tv, key):
    """Row of *key* in a :func:`key_table`, or -1."""
    mask = tk.shape[0] - 1
    s = fibonacci_slot(key, 32, mask)
    while tk[s] != EMPTY:
        if tk[s] == key:
            return tv[s]
        s = (s + 1) & mask
    return -1


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
def level_round(ids, lvl, active, scan_all, keep_active, L, tk, tv, row_chars, emit,
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
    positions (ascending) if *keep_active*, else an empty list.
    """
    n = ids.shape[0]
    m = n if scan_all else active.shape[0]
    out = np.empty(m if emit else 0, np.uint64)
    nxt = np.empty(m if emit and keep_active else 0, np.int32)
    k = 0
    a = 0
    for t in range(m - 1, -1, -1):
        i = t if scan_all else active[t]
        if i + 1 >= n:
            continue
        if update and L - 1 >= 3 and lvl[i] >= L - 2 and lvl[i + 1] >= L - 2:
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
        return out[:k], nxt
    return out[:k], nxt[:a][::-1].copy()


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


@njit(cache=True)
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
def prune(ptr, chars, counts, tk, tv, unknown_score, char_cost, lexicon_cost):
    """The minimum-entropy redundancy test for every multi-character word w with count > 0,
    all against the same counts. With w_1..w_k its best split into other words:

    gain = ln p(w) − Σ ln p(w_i)  (nats saved per occurrence; keep needs >= len(w) − 1),
    saved = the exact change of the corpus code length N ln N − Σ c ln c (nats) if w's
    occurrences were re-spelt as w_1..w_k (keep needs >= lexicon_cost · char_cost · len(w),
    the cost of spelling w in the lexicon).

    Returns (keep, gain, saved).
    """
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
    best = np.empty(longest + 1)
    back = np.zeros(longest + 1, np.int64)
    via = np.zeros(longest + 1, np.int64)
    parts = np.empty(longest, np.int64)
    keep = counts > 0
    gain = np.zeros(n)
    saved = np.zeros(n)
    for w in range(n):
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
            first = True
            for b in range(a):
                if parts[b] == v:
                    first = False
            if not first:
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
    return keep, gain, saved


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


@njit(cache=True, nogil=True)
def chunk_path_counts(ptr, chars, cls, weights, keys, lens, vals, logp, max_len,
                      unknown_score, n_words):
    """Unigram Viterbi over each distinct chunk chars[ptr[r]:ptr[r+1]] (no word crosses a
    chunk's ends); each word on a chunk's best path counts *weights[r]* times."""
    out = np.zeros(n_words, np.int64)
    longest = 1
    for r in range(ptr.shape[0] - 1):
        longest = max(longest, ptr[r + 1] - ptr[r])
    score = np.empty(longest + 1)
    back = np.zeros(longest + 1, np.int64)
    via = np.empty(longest + 1, np.int64)
    for r in range(ptr.shape[0] - 1):
        s, e = ptr[r], ptr[r + 1]
        L = e - s
        best_path(chars[s:e], cls[s:e], np.int64(0), L, keys, lens, vals, logp, max_len,
                  unknown_score, score, back, via)
        p = L
        while p > 0:
            if via[p] >= 0:
                out[via[p]] += weights[r]
            p = back[p]
    return out


@njit(cache=True)
def select_candidates(ptr, chars, counts, tk, tv, n_chars, min_pmi, pmi_step, pmi_cap,
                      max_share):
    """keep[row]: one character, or cohesion (the minimum over binary splits of
    ln(N c(w) / (c(left) c(right)))) >= min(min_pmi + (n − 2) pmi_step, pmi_cap) and no
    one-character extension holding *max_share* of the n-gram's occurrences or more (it is
    a piece of a longer word). One pass, little memory."""
    n = ptr.shape[0] - 1
    share = np.zeros(n, np.float32)
    cohesive = np.zeros(n, np.bool_)
    for r in range(n):
        p = ptr[r]
        L = ptr[r + 1] - p
        if L < 2:
            continue
        best = np.inf
        for s in range(1, L):
            a = key_row(tk, tv, seq_key(chars, p, p + s))
            b = key_row(tk, tv, seq_key(chars, p + s, p + L))
            if a < 0 or b < 0:
                continue
            v = math.log(n_chars * counts[r] / (float(counts[a]) * float(counts[b])))
            best = min(best, v)
            if s == L - 1:
                share[a] = max(share[a], counts[r] / counts[a])
            if s == 1:
                share[b] = max(share[b], counts[r] / counts[b])
        cohesive[r] = best >= min(min_pmi + (L - 2) * pmi_step, pmi_cap)
    keep = np.zeros(n, np.bool_)
    for r in range(n):
        keep[r] = ptr[r + 1] - ptr[r] == 1 or (cohesive[r] and share[r] < max_share)
    return keep


@njit(cache=True)
def autonomy(ptr, chars, counts, tk, tv):
    """Normalised variation of branching entropy (nVBE, Magistry & Sagot 2012) of every
    row w of a frequent n-gram table (all substrings of a row are rows):

    h_right(w) = ln c(w) − Σ_x c(wx) ln c(wx) / c(w) over the rows wx (occurrences whose
    extension is not a row — rarer than min_count, or a mark, or the text's end — count as
    all different), h_left likewise; the empty string's entropy is the character
    entropy. a(w) = h_right(w) − h_right(w[:-1]) + h_left(w) − h_left(w[1:]), minus the mean
    of a over the rows of w's length. High a: w is followed and preceded by many different
    strings, more than its shorter parts are (w ends where words end)."""
    n = ptr.shape[0] - 1
    hr = np.zeros(n)
    hl = np.zeros(n)
    longest = 1
    for r in range(n):
        p = ptr[r]
        L = ptr[r + 1] - p
        longest = max(longest, L)
        if L < 2:
            continue
        c = float(counts[r])
        if c <= 0:
            continue
        v = c * math.log(c)
        a = key_row(tk, tv, seq_key(chars, p, p + L - 1))
        b = key_row(tk, tv, seq_key(chars, p + 1, p + L))
        if a >= 0:
            hr[a] += v
        if b >= 0:
            hl[b] += v
    total = 0.0
    plogp = 0.0
    for r in range(n):
        c = float(counts[r])
        if c <= 0:
            continue
        if ptr[r + 1] - ptr[r] == 1:
            total += c
            plogp += c * math.log(c)
        hr[r] = math.log(c) - hr[r] / c
        hl[r] = math.log(c) - hl[r] / c
    h0 = math.log(total) - plogp / total if total > 0 else 0.0
    out = np.zeros(n)
    sums = np.zeros(longest + 1)
    nums = np.zeros(longest + 1)
    for r in range(n):
        p = ptr[r]
        L = ptr[r + 1] - p
        if counts[r] <= 0:
            continue
        if L < 2:
            out[r] = hr[r] + hl[r] - 2.0 * h0
        else:
            a = key_row(tk, tv, seq_key(chars, p, p + L - 1))
            b = key_row(tk, tv, seq_key(chars, p + 1, p + L))
            out[r] = (hr[r] - (hr[a] if a >= 0 else h0)) + (hl[r] - (hl[b] if b >= 0 else h0))
        sums[L] += out[r]
        nums[L] += 1.0
    for r in range(n):
        L = ptr[r + 1] - ptr[r]
        if counts[r] > 0:
            out[r] -= sums[L] / nums[L]
    return out


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
