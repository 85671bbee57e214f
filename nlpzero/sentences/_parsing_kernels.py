"""Numba kernels of :mod:`nlpzero.sentences.parsing`: template occurrences and the span DP.

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

Each span is solved once (the original re-parsed identical spans recursively). The M
tables are sparse (literal blocks only occur where their words do), so their maxima run over
short candidate lists; only the Q term is a dense O(n^3) loop (a vectorisable max of sums).
Memory is O(n^2) per sentence plus the occurrences. No back-pointers are stored: the tree
is read back by finding, for each chosen span, the first candidate equal to its best score.
"""

from __future__ import annotations

import numpy as np
from numba import njit

LL, LX, XL, XX = 0, 1, 2, 3  # shapes: leading literal / [X], trailing literal / [X]


@njit(cache=True, nogil=True)
def _grown(a, n):
    out = np.empty(max(2 * a.shape[0], n), dtype=a.dtype)
    for i in range(a.shape[0]):  # not out[:len(a)] = a: see find_occurrences
        out[i] = a[i]
    return out


@njit(cache=True, nogil=True)
def find_occurrences(sent, lit_ptr, lit_ids, lit_gap, lead, trail, by_first_ptr, by_first,
                     max_m):
    """Every placement of every template's literals in *sent* that can match some span
    (*max_m*: the most literals of any template).

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
                for jj in range(m):  # a loop: a slice copy compiles numba's shape-error
                    occ_pos[start + jj] = pos[jj]  # formatting, seconds on first use
                occ_ptr[n_occ + 1] = start + m
                n_occ += 1
                if m == 1:
                    break
    return (occ_t[:n_occ], occ_first[:n_occ], occ_last[:n_occ], occ_ptr[:n_occ + 1],
            occ_pos[:occ_ptr[n_occ]])


#: No NaN ever occurs in the DP; -inf does, so "ninf" stays off.
_FAST = {"nnan", "nsz", "reassoc"}


@njit(cache=True, nogil=True, fastmath=_FAST)
def _max_sum(a, b):
    """max_i a[i] + b[i] (-inf when empty); a single add per term, so exact. Four running
    maxima break the dependency chain (about 3x faster than one)."""
    n = a.shape[0]
    v0 = v1 = v2 = v3 = -np.inf
    i = 0
    while i + 4 <= n:
        v0 = max(v0, a[i] + b[i])
        v1 = max(v1, a[i + 1] + b[i + 1])
        v2 = max(v2, a[i + 2] + b[i + 2])
        v3 = max(v3, a[i + 3] + b[i + 3])
        i += 4
    while i < n:
        v0 = max(v0, a[i] + b[i])
        i += 1
    return max(max(v0, v1), max(v2, v3))


@njit(cache=True, nogil=True)
def _first_sum(a, b, target):
    """First i with a[i] + b[i] == target (the same add as in _max_sum), else -1."""
    for i in range(a.shape[0]):
        if a[i] + b[i] == target:
            return i
    return -1


@njit(cache=True, nogil=True)
def _lists(keys, values, mask, n):
    """CSR lists: for each key 0..n-1, the values of the masked entries, ascending."""
    sel = np.flatnonzero(mask)
    order = np.argsort(keys[sel].astype(np.int64) * (n + 1) + values[sel], kind="mergesort")
    ptr = np.zeros(n + 1, dtype=np.int64)
    for k in sel:
        ptr[keys[k] + 1] += 1
    for k in range(n):
        ptr[k + 1] += ptr[k]
    out = np.empty(sel.shape[0], dtype=np.int64)
    for j in range(sel.shape[0]):
        out[j] = values[sel[order[j]]]
    return ptr, out


@njit(cache=True, nogil=True)
def best_spans(n, occ_t, occ_first, occ_last, occ_ptr, occ_pos, lit_ptr, lit_gap, lead,
               trail, log_p, null_score):
    """The span DP (see the module docstring). Returns the tables the tree is read back
    from: best[s, e], best_t[e, s], m_ll / m_lx [first, last], m_xl / m_xx [last, first],
    q[s, last], m_occ[shape, first, last] (the occurrence behind each m entry), and the
    candidate lists (lx: lasts by first; xl, xx: firsts by last)."""
    neg = -np.inf
    best = np.full((n + 1, n + 1), neg)
    best_t = np.full((n + 1, n + 1), neg)  # best_t[e, s] = best[s, e]: contiguous columns
    m_ll = np.full((n, n), neg)
    m_lx = np.full((n, n), neg)
    m_xl = np.full((n, n), neg)
    m_xx = np.full((n, n), neg)
    m_occ = np.full((4, n, n), -1, dtype=np.int32)
    q = np.full((n, n), neg)
    # literal blocks are sparse: only the q loop below is dense (O(n^3) in all)
    lead_o = lead[occ_t]
    trail_o = trail[occ_t]
    lx = _lists(occ_first, occ_last, ~lead_o & trail_o, n)
    xl = _lists(occ_last, occ_first, lead_o & ~trail_o, n)
    xx = _lists(occ_last, occ_first, lead_o & trail_o, n)
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
        # (b) q[s, l] = max_{s < f <= l} best[s, f] + m_xx[l, f], with l - s + 1 = L
        for s in range(0, n - L + 1):
            la = s + L - 1
            v = neg
            for k in range(xx[0][la], xx[0][la + 1]):
                f = xx[1][k]
                if f > s:
                    v = max(v, best[s, f] + m_xx[la, f])
            q[s, la] = v
        # (c) best over [s, e) with e - s = L
        for s in range(0, n - L + 1):
            e = s + L
            v = m_ll[s, e - 1]
            for k in range(lx[0][s], lx[0][s + 1]):
                la = lx[1][k]
                if la < e - 1:
                    v = max(v, m_lx[s, la] + best[la + 1, e])
            for k in range(xl[0][e - 1], xl[0][e]):
                f = xl[1][k]
                if f > s:
                    v = max(v, best[s, f] + m_xl[e - 1, f])
            v = max(v, _max_sum(q[s, s + 1:e - 1], best_t[e, s + 2:e]))
            if v == neg:
                v = null_score * (L - 1) + 0.0  # never -0.0 for one word
            best[s, e] = v
            best_t[e, s] = v
    return best, best_t, m_ll, m_lx, m_xl, m_xx, q, m_occ, lx, xl, xx


@njit(cache=True, nogil=True)
def _first_in_list(ptr, values, key, lo, hi, a_row, b_row, b_shift, target):
    """First listed value v of *key* with lo <= v <= hi and
    a_row[v] + b_row[v + b_shift] == target (the DP's own add); -1 if none."""
    for k in range(ptr[key], ptr[key + 1]):
        v = values[k]
        if lo <= v <= hi and a_row[v] + b_row[v + b_shift] == target:
            return v
    return -1


@njit(cache=True, nogil=True)
def backtrack(n, tables, occ_t, occ_ptr, occ_pos, lit_ptr, lit_gap, lead, trail):
    """The best tree as nodes in depth-first order: (start, end, template or -1, parent),
    and each node's score.

    Each span's choice is found again by scanning its candidates in the DP's order for
    the first one equal to best[s, e], so the DP itself keeps no back-pointers.
    """
    best, best_t, m_ll, m_lx, m_xl, m_xx, q, m_occ, lx, xl, xx = tables
    neg = -np.inf
    cap = 2 * n + 1
    nodes = np.empty((cap, 4), dtype=np.int64)
    stack = np.empty((cap, 3), dtype=np.int64)
    stack[0, 0], stack[0, 1], stack[0, 2] = 0, n, -1
    depth = 1
    count = 0
    while depth > 0:
        depth -= 1
        s, e, parent = stack[depth, 0], stack[depth, 1], stack[depth, 2]
        me = count
        count += 1
        target = best[s, e]
        o = -1
        first = last = -1
        if m_ll[s, e - 1] > neg and m_ll[s, e - 1] == target:
            o, first, last = m_occ[LL, s, e - 1], s, e - 1
        if o < 0:
            # m_lx[s, la] + best_t[e, la + 1]
            la = _first_in_list(lx[0], lx[1], s, s, e - 2, m_lx[s], best_t[e], 1,
                                target)
            if la >= 0:
                o, first, last = m_occ[LX, s, la], s, la
        if o < 0:
            # best[s, f] + m_xl[e - 1, f]
            f = _first_in_list(xl[0], xl[1], e - 1, s + 1, e - 1, best[s],
                               m_xl[e - 1], 0, target)
            if f >= 0:
                o, first, last = m_occ[XL, f, e - 1], f, e - 1
        if o < 0:
            la = _first_sum(q[s, s + 1:e - 1], best_t[e, s + 2:e], target)
            if la >= 0:
                last = s + 1 + la
                first = _first_in_list(xx[0], xx[1], last, s + 1, last, best[s],
                                       m_xx[last], 0, q[s, last])
                o = m_occ[XX, first, last]
        t = occ_t[o] if o >= 0 else -1
        nodes[me, 0], nodes[me, 1], nodes[me, 2], nodes[me, 3] = s, e, t, parent
        if o < 0:
            continue
        # children (placeholder spans) pushed right to left, so they pop left to right
        a = lit_ptr[t]
        m = lit_ptr[t + 1] - a
        if trail[t]:
            stack[depth, 0], stack[depth, 1], stack[depth, 2] = last + 1, e, me
            depth += 1
        for j in range(m - 1, 0, -1):
            if lit_gap[a + j]:
                stack[depth, 0] = occ_pos[occ_ptr[o] + j - 1] + 1
                stack[depth, 1] = occ_pos[occ_ptr[o] + j]
                stack[depth, 2] = me
                depth += 1
        if lead[t]:
            stack[depth, 0], stack[depth, 1], stack[depth, 2] = s, first, me
            depth += 1
    scores = np.empty(count)
    for k in range(count):
        scores[k] = best[nodes[k, 0], nodes[k, 1]]
    return nodes[:count], scores


@njit(cache=True, nogil=True)
def parse_ids(sent, lit_ptr, lit_ids, lit_gap, lead, trail, by_first_ptr, by_first, max_m,
              log_p, null_score):
    """Best tree of one sentence of word ids (-1 = not in any template); see backtrack."""
    occ_t, occ_first, occ_last, occ_ptr, occ_pos = find_occurrences(
        sent, lit_ptr, lit_ids, lit_gap, lead, trail, by_first_ptr, by_first, max_m)
    n = sent.shape[0]
    tables = best_spans(n, occ_t, occ_first, occ_last, occ_ptr, occ_pos, lit_ptr, lit_gap,
                        lead, trail, log_p, null_score)
    return backtrack(n, tables, occ_t, occ_ptr, occ_pos, lit_ptr, lit_gap, lead, trail)
