"""Numba kernels of :mod:`nlpzero.sentences.templates`: skip-gram counting, maximal DAG paths, and a
hash table of variable-length templates.

Token streams are int32 word ids; 0 ends a line, and ``is_sep[id]`` marks punctuation
tokens, which cut a line into the pieces the statistics are counted on. A template is a
row of ids where 0 is the placeholder [X].
"""

from __future__ import annotations

import numpy as np
from numba import njit

PLACEHOLDER = 0


@njit(cache=True, nogil=True)
def _is_boundary(w, is_sep):
    return w <= 0 or is_sep[w]


@njit(cache=True, nogil=True)
def count_skipgrams(ids, is_sep, window, word_counts):
    """Add each word to *word_counts*; return the packed keys (w1 << 32 | w2) of every pair
    with w2 among the next *window* words of the same piece (unsorted)."""
    n = ids.shape[0]
    total = 0
    for i in range(n):
        if not _is_boundary(ids[i], is_sep):
            total += window
    keys = np.empty(total, dtype=np.uint64)
    m = 0
    for i in range(n):
        a = ids[i]
        if _is_boundary(a, is_sep):
            continue
        word_counts[a] += 1
        for j in range(i + 1, min(i + 1 + window, n)):
            b = ids[j]
            if _is_boundary(b, is_sep):
                break
            keys[m] = (np.uint64(a) << np.uint64(32)) | np.uint64(b)
            m += 1
    return keys[:m]


@njit(cache=True, nogil=True)
def _is_strong(a, b, strong_ptr, strong_to):
    """Whether (a, b) is a strong pair: b among a's sorted strong successors."""
    lo, hi = strong_ptr[a], strong_ptr[a + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        if strong_to[mid] < b:
            lo = mid + 1
        else:
            hi = mid
    return lo < strong_ptr[a + 1] and strong_to[lo] == b


@njit(cache=True, nogil=True)
def _hash_row(row):
    h = np.uint64(14695981039346656037)
    for x in row:
        h = (h ^ np.uint64(x + 1)) * np.uint64(1099511628211)
    return h ^ (h >> np.uint64(29))


@njit(cache=True, nogil=True)
def _find_slot(slots, store, store_ptr, row):
    """Slot of *row* in the open-addressing table (or of the empty slot where it goes)."""
    mask = slots.shape[0] - 1
    s = np.int64(_hash_row(row) & np.uint64(mask))
    while True:
        t = slots[s]
        if t < 0:
            return s
        a, b = store_ptr[t], store_ptr[t + 1]
        if b - a == row.shape[0]:
            same = True
            for k in range(row.shape[0]):
                if store[a + k] != row[k]:
                    same = False
                    break
            if same:
                return s
        s = (s + 1) & mask


@njit(cache=True, nogil=True)
def _add_row(slots, s, store, store_ptr, n_state, row):
    """Store *row* as the next row of the table, in the empty slot *s*; returns its index.
    n_state[0], n_state[1]: rows and store entries used (the caller checked the room)."""
    t = n_state[0]
    slots[s] = t
    a0 = n_state[1]
    for q in range(row.shape[0]):  # a loop: a slice copy compiles numba's shape-error
        store[a0 + q] = row[q]  # formatting (seconds on first use)
    store_ptr[t + 1] = a0 + row.shape[0]
    n_state[0] += 1
    n_state[1] += row.shape[0]
    return t


@njit(cache=True, nogil=True)
def rehash(slots, store, store_ptr, n_templates):
    """Re-insert templates 0..n_templates-1 into the empty table *slots*."""
    for t in range(n_templates):
        row = store[store_ptr[t]:store_ptr[t + 1]]
        slots[_find_slot(slots, store, store_ptr, row)] = t


@njit(cache=True, nogil=True)
def _path_counts(n, out_ptr, out_to, cap, n_paths):
    """n_paths[i] = number of maximal paths from node i (capped at cap + 1), back to front."""
    for i in range(n - 1, -1, -1):
        if out_ptr[i] == out_ptr[i + 1]:
            n_paths[i] = 1
        else:
            c = 0
            for e in range(out_ptr[i], out_ptr[i + 1]):
                c += n_paths[out_to[e]]
                if c > cap:
                    c = cap + 1
                    break
            n_paths[i] = c


@njit(cache=True, nogil=True)
def _piece_dag(piece, window, strong_ptr, strong_to, out_ptr, out_to, has_in):
    """Fill the CSR out-edges (out_ptr, out_to) of a piece's DAG and its in-edge flags."""
    m = piece.shape[0]
    has_in[:m] = False
    e = 0
    for a in range(m):
        out_ptr[a] = e
        if strong_ptr[piece[a]] == strong_ptr[piece[a] + 1]:
            continue  # no strong successor at all: the common case
        for b in range(a + 1, min(a + 1 + window, m)):
            if _is_strong(piece[a], piece[b], strong_ptr, strong_to):
                out_to[e] = b
                e += 1
                has_in[b] = True
    out_ptr[m] = e


@njit(cache=True, nogil=True)
def count_templates(ids, is_sep, window, strong_ptr, strong_to, max_paths, start,
                    slots, store, store_ptr, counts, n_state, singles):
    """Count the templates of every piece of *ids* from index *start* on.

    Per piece: edge i -> j (i < j <= i + window) for each strong pair; every maximal path
    from a node without incoming edges is a template (literal words, one [X] per gap, a
    leading / trailing [X] when the path misses the first / last word). A piece with more
    than *max_paths* maximal paths is skipped. Paths are counted first by dynamic
    programming, so a skipped piece costs O(length x window), never an enumeration.

    A one-word path (most of them: a word with no strong pair) needs no hashing: it is
    counted in singles[shape, word], shape = 2 * (leading [X]) + (trailing [X]); every
    template of two or more words goes to the hash table (so the two never overlap).

    n_state = [n_templates, store_len, n_pieces_skipped, n_pieces]. Returns the index to
    resume from after growing the table when it is too small for the next piece, else -1.
    """
    n = ids.shape[0]
    cap_templates = store_ptr.shape[0] - 1
    longest = 1
    run = 0
    for i in range(start, n):
        run = 0 if _is_boundary(ids[i], is_sep) else run + 1
        longest = max(longest, run)
    out_ptr = np.empty(longest + 1, dtype=np.int64)
    out_to = np.empty(longest * window + 1, dtype=np.int64)
    has_in = np.empty(longest, dtype=np.bool_)
    n_paths = np.empty(longest, dtype=np.int64)
    path = np.empty(longest, dtype=np.int64)
    edge = np.empty(longest, dtype=np.int64)
    row = np.empty(2 * longest + 1, dtype=np.int32)
    i = start
    while i < n:
        if _is_boundary(ids[i], is_sep):
            i += 1
            continue
        j = i
        while j < n and not _is_boundary(ids[j], is_sep):
            j += 1
        piece = ids[i:j]
        m = j - i
        _piece_dag(piece, window, strong_ptr, strong_to, out_ptr, out_to, has_in)
        _path_counts(m, out_ptr, out_to, max_paths, n_paths)
        total = 0
        for a in range(m):
            if not has_in[a]:
                total = min(total + n_paths[a], max_paths + 1)
        if total > max_paths:
            n_state[2] += 1
            n_state[3] += 1
            i = j
            continue
        if (n_state[0] + total > cap_templates
                or n_state[1] + total * (2 * m + 1) > store.shape[0]
                or 2 * (n_state[0] + total) > slots.shape[0]):
            return i  # the caller grows the table and calls again from this piece
        n_state[3] += 1
        for a in range(m):
            if has_in[a]:
                continue
            depth = 0
            path[0] = a
            edge[0] = out_ptr[a]
            while depth >= 0:
                node = path[depth]
                if out_ptr[node] == out_ptr[node + 1]:  # a maximal path ends here
                    if depth == 0:
                        shape = (2 if node != 0 else 0) + (1 if node != m - 1 else 0)
                        singles[shape, piece[node]] += 1
                        depth -= 1
                        continue
                    r = 0
                    if path[0] != 0:
                        row[r] = PLACEHOLDER
                        r += 1
                    for d in range(depth + 1):
                        if d > 0 and path[d] - path[d - 1] > 1:
                            row[r] = PLACEHOLDER
                            r += 1
                        row[r] = piece[path[d]]
                        r += 1
                    if node != m - 1:
                        row[r] = PLACEHOLDER
                        r += 1
                    s = _find_slot(slots, store, store_ptr, row[:r])
                    t = slots[s]
                    if t < 0:
                        t = _add_row(slots, s, store, store_ptr, n_state, row[:r])
                    counts[t] += 1
                    depth -= 1
                    continue
                if edge[depth] < out_ptr[node + 1]:
                    nxt = out_to[edge[depth]]
                    edge[depth] += 1
                    depth += 1
                    path[depth] = nxt
                    edge[depth] = out_ptr[nxt]
                else:
                    depth -= 1
        i = j
    return -1


@njit(cache=True, nogil=True)
def intern_tokens(cps, is_space, start, ids, n_ids, slots, store, store_ptr, n_state,
                  new_spans):
    """Word ids of the whitespace-separated tokens of code points *cps* (0 at each ``\\n``),
    written to ids[n_ids:]; token t of the table has id t + 1.

    A token not in the table is added, and its [start, end) offsets go to new_spans (so the
    caller can name it). Stops early, returning (position, n_ids, n_new) with position >= 0,
    when the table is too small for the next token; position -1 means done.
    n_state = [n_rows, store_len]. is_space[c] for c < is_space.size; beyond: not space.
    """
    n = cps.shape[0]
    n_sp = is_space.shape[0]
    cap_rows = store_ptr.shape[0] - 1
    n_new = 0
    i = start
    while i < n:
        c = cps[i]
        if c == 10:
            ids[n_ids] = 0
            n_ids += 1
            i += 1
            continue
        if c < n_sp and is_space[c]:
            i += 1
            continue
        j = i + 1
        while j < n and not (cps[j] < n_sp and is_space[cps[j]]):
            j += 1
        if (n_state[0] + 1 > cap_rows or n_state[1] + (j - i) > store.shape[0]
                or 2 * (n_state[0] + 1) > slots.shape[0] or n_new >= new_spans.shape[0]):
            return i, n_ids, n_new
        row = cps[i:j]
        s = _find_slot(slots, store, store_ptr, row)
        t = slots[s]
        if t < 0:
            t = _add_row(slots, s, store, store_ptr, n_state, row)
            new_spans[n_new, 0] = i
            new_spans[n_new, 1] = j
            n_new += 1
        ids[n_ids] = t + 1
        n_ids += 1
        i = j
    return -1, n_ids, n_new
