"""Numba kernels of :mod:`nlpzero.parse`: template occurrences and the span DP.

A template is a sequence of literals with gap flags (an [X] before literal k), plus flags
for a leading and a trailing [X]; it matches a span when its literals sit at positions
p_1 < ... < p_m with p_k = p_(k-1) + 1 where no [X] separates them, p_k >= p_(k-1) + 2 where
one does, and each leading / trailing [X] covers at least one word. So a literal-only
template matches exactly its own words, never extra ones.

The DP over spans [s, e) (by increasing length) factors a match into its literal block
[first, last] and the optional leading / trailing placeholder spans:

    inner(o)  = ln p(t) + Σ best(gap)           over the inner gaps of occurrence o
    M_sh[f,l] = max inner(o) over occurrences with first f, last l and shape sh
    Q[s,l]    = max_{s < f <= l} best(s, f) + M_xx[f, l]
    best(s,e) = max( M_ll[s, e-1],
                     max_l M_lx[s, l] + best(l+1, e),
                     max_f best(s, f) + M_xl[f, e-1],
                     max_l Q[s, l] + best(l+1, e) )
    or null_score x (e - s - 1) when no template matches [s, e).

That is O(n^3) time and O(n^2) memory per sentence plus the occurrences, each span solved
once (the original re-parsed identical spans recursively).
"""

from __future__ import annotations

import numpy as np
from numba import njit

LL, LX, XL, XX = 0, 1, 2, 3  # shapes: leading literal / [X], trailing literal / [X]


@njit(cache=True, nogil=True)
def _grown(a, n):
    out = np.empty(max(2 * a.shape[0], n), dtype=a.dtype)
    out[:a.shape[0]] = a
    return out


@njit(cache=True, nogil=True)
def find_occurrences(sent, lit_ptr, lit_ids, lit_gap, lead, trail, by_first_ptr, by_first):
    """Every placement of every template's literals in *sent* that can match some span.

    Returns (occ_t, occ_first, occ_last, occ_ptr, occ_pos): template, first and last
    literal position, and the literal positions as CSR rows.
    """
    n = sent.shape[0]
    cap = 64
    occ_t = np.empty(cap, dtype=np.int32)
    occ_first = np.empty(cap, dtype=np.int32)
    occ_last = np.empty(cap, dtype=np.int32)
    occ_ptr = np.zeros(cap + 1, dtype=np.int64)
    occ_pos = np.empty(4 * cap, dtype=np.int32)
    n_occ = 0
    max_m = 1
    for t in range(lit_ptr.shape[0] - 1):
        max_m = max(max_m, lit_ptr[t + 1] - lit_ptr[t])
    pos = np.empty(max_m, dtype=np.int64)
    cur = np.empty(max_m, dtype=np.int64)  # next position to try for literal k
    for p in range(n):
        w = sent[p]
        if w < 0 or w + 1 >= by_first_ptr.shape[0]:
            continue
        for k0 in range(by_first_ptr[w], by_first_ptr[w + 1]):
            t = by_first[k0]
            if lead[t] and p == 0:
                continue  # a leading [X] needs a word before the first literal
            a = lit_ptr[t]
            m = lit_ptr[t + 1] - a
            limit = n - 2 if trail[t] else n - 1  # latest position of any literal
            pos[0] = p
            k = 1
            if m > 1:
                cur[1] = p + 2 if lit_gap[a + 1] else p + 1
            while k >= 1:
                if k < m:  # place literal k at its next matching position
                    hi = limit if lit_gap[a + k] else min(pos[k - 1] + 1, limit)
                    q = cur[k]
                    while q <= hi and sent[q] != lit_ids[a + k]:
                        q += 1
                    if q > hi:
                        k -= 1  # exhausted: move literal k - 1 on
                        continue
                    pos[k] = q
                    cur[k] = q + 1
                    if k + 1 < m:
                        k += 1
                        cur[k] = q + 2 if lit_gap[a + k] else q + 1
                        continue
                elif pos[0] > limit:
                    break
                # all m literals placed: record the occurrence
                if n_occ == occ_t.shape[0]:
                    occ_t = _grown(occ_t, n_occ + 1)
                    occ_first = _grown(occ_first, n_occ + 1)
                    occ_last = _grown(occ_last, n_occ + 1)
                    occ_ptr = _grown(occ_ptr, n_occ + 2)
                start = occ_ptr[n_occ]
                if start + m > occ_pos.shape[0]:
                    occ_pos = _grown(occ_pos, start + m)
                occ_t[n_occ] = t
                occ_first[n_occ] = p
                occ_last[n_occ] = pos[m - 1]
                occ_pos[start:start + m] = pos[:m]
                occ_ptr[n_occ + 1] = start + m
                n_occ += 1
                if m == 1:
                    break
    return (occ_t[:n_occ], occ_first[:n_occ], occ_last[:n_occ], occ_ptr[:n_occ + 1],
            occ_pos[:occ_ptr[n_occ]])


@njit(cache=True, nogil=True)
def best_spans(n, occ_t, occ_first, occ_last, occ_ptr, occ_pos, lit_ptr, lit_gap, lead,
               trail, log_p, null_score):
    """The span DP (see the module docstring). Returns the score table and back-pointers:
    best[s, e], kind[s, e] (-1 null, else the shape), split[s, e] (last or first literal
    position), q_first[s, l], and m_occ[shape, f, l] (the occurrence chosen)."""
    neg = -np.inf
    # inner loops run along the last index; tables read along a column are kept
    # transposed as well (best_t[e, s] = best[s, e]; x-led tables indexed [last, first])
    best = np.full((n + 1, n + 1), neg)
    best_t = np.full((n + 1, n + 1), neg)
    kind = np.full((n + 1, n + 1), -1, dtype=np.int8)
    split = np.full((n + 1, n + 1), -1, dtype=np.int32)
    m_ll = np.full((n, n), neg)   # [first, last]
    m_lx = np.full((n, n), neg)   # [first, last]
    m_xl = np.full((n, n), neg)   # [last, first]
    m_xx = np.full((n, n), neg)   # [last, first]
    m_occ = np.full((4, n, n), -1, dtype=np.int32)  # [shape, first, last]
    q_best = np.full((n, n), neg)  # [s, last]
    q_first = np.full((n, n), -1, dtype=np.int32)
    # occurrences bucketed by length last - first + 1
    n_occ = occ_t.shape[0]
    by_len_ptr = np.zeros(n + 2, dtype=np.int64)
    for o in range(n_occ):
        by_len_ptr[occ_last[o] - occ_first[o] + 2] += 1
    for L in range(1, n + 2):
        by_len_ptr[L] += by_len_ptr[L - 1]
    fill = by_len_ptr.copy()
    by_len = np.empty(n_occ, dtype=np.int64)
    for o in range(n_occ):
        L = occ_last[o] - occ_first[o] + 1
        by_len[fill[L]] = o
        fill[L] += 1
    for L in range(1, n + 1):
        # (a) literal blocks of length L: their inner gaps are shorter, hence solved
        for k in range(by_len_ptr[L], by_len_ptr[L + 1]):
            o = by_len[k]
            t = occ_t[o]
            a = lit_ptr[t]
            score = log_p[t]
            for j in range(1, lit_ptr[t + 1] - a):
                if lit_gap[a + j]:
                    score += best[occ_pos[occ_ptr[o] + j - 1] + 1, occ_pos[occ_ptr[o] + j]]
            f, la = occ_first[o], occ_last[o]
            if lead[t]:
                table = m_xx if trail[t] else m_xl
                r, c = la, f
            else:
                table = m_lx if trail[t] else m_ll
                r, c = f, la
            if score > table[r, c]:
                table[r, c] = score
                m_occ[(2 if lead[t] else 0) + (1 if trail[t] else 0), f, la] = o
        # (b) Q over [s, l] with l - s + 1 = L
        for s in range(0, n - L + 1):
            la = s + L - 1
            row_b = best[s]
            row_m = m_xx[la]
            for f in range(s + 1, la + 1):
                v = row_b[f] + row_m[f]
                if v > q_best[s, la]:
                    q_best[s, la] = v
                    q_first[s, la] = f
        # (c) best over [s, e) with e - s = L
        for s in range(0, n - L + 1):
            e = s + L
            col = best_t[e]  # best[., e]
            v_best = m_ll[s, e - 1]
            k_best = LL if v_best > neg else -1
            sp = e - 1
            row = m_lx[s]
            for la in range(s, e - 1):
                v = row[la] + col[la + 1]
                if v > v_best:
                    v_best, k_best, sp = v, LX, la
            row_b = best[s]
            row = m_xl[e - 1]
            for f in range(s + 1, e):
                v = row_b[f] + row[f]
                if v > v_best:
                    v_best, k_best, sp = v, XL, f
            row = q_best[s]
            for la in range(s + 1, e - 1):
                v = row[la] + col[la + 1]
                if v > v_best:
                    v_best, k_best, sp = v, XX, la
            if k_best < 0:
                v_best = null_score * (L - 1)
            best[s, e] = v_best
            best_t[e, s] = v_best
            kind[s, e] = k_best
            split[s, e] = sp
    return best, kind, split, q_first, m_occ
