"""Numba kernels for the lexicon: a hash table over character-id sequences, and the
unigram maximum-probability segmenter that walks it.

Keys: a sequence of up to four 16-bit character ids is packed into a uint64 exactly
(first character in the high bits); longer sequences extend that key with a 64-bit mixing
hash, salted by length. Every prefix of every word is in the table, so a walk from a
start position stops at the first character that no word continues with. Table slots
hold the word index, or -1 for a prefix that is not itself a word.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._hashing import extend_key, fibonacci_slot

# extend_key and fibonacci_slot are inlined here: numba's on-disk cache only notices edits
# to this file, so a change to them must come with an edit here (as with extend_key's
# 2026-11 mixing fix).

EMPTY = np.uint64(0)  # extend_key never returns 0
#: The table stores lengths as int16: a sequence longer than this is never found.
MAX_FOUND = int(np.iinfo(np.int16).max)


def scan_length(lengths: np.ndarray) -> int:
    """How far a walk from a start position can usefully go: the longest word the table
    can find (at most MAX_FOUND characters; 1 when there is none). A longer word's
    prefixes only lengthen the walk: a periodic word of a million characters made every
    shift of a periodic text walk MAX_FOUND steps."""
    found = lengths[lengths <= MAX_FOUND]
    return int(found.max()) if found.size else 1


@njit(cache=True, inline="always")
def sequence_slot(key, length, mask):
    """Home slot of a character sequence's key, salted by its length."""
    return fibonacci_slot(key + np.uint64(length), 40, mask)


@njit(cache=True, inline="always")
def find_sequence(keys, lens, key, length):
    """Slot of the sequence (*key*, *length*) in the table, or -1 when it is absent."""
    mask = keys.shape[0] - 1
    s = sequence_slot(key, length, mask)
    while keys[s] != EMPTY:
        if keys[s] == key and lens[s] == length:
            return s
        s = (s + 1) & mask
    return -1


@njit(cache=True)
def build_table(word_ptr, word_chars, capacity):
    """Insert every word and all its prefixes.

    Returns (keys, lens, vals, duplicate): *duplicate* is the first word whose ids repeat
    an earlier word's (-1 if none); the entry keeps the earlier index.
    """
    keys = np.zeros(capacity, dtype=np.uint64)
    lens = np.zeros(capacity, dtype=np.int16)
    vals = np.full(capacity, -1, dtype=np.int32)
    mask = capacity - 1
    duplicate = -1
    for w in range(word_ptr.shape[0] - 1):
        key = EMPTY
        start = word_ptr[w]
        n = word_ptr[w + 1] - start
        for L in range(n):
            key = extend_key(key, L, word_chars[start + L])
            s = sequence_slot(key, L + 1, mask)
            while keys[s] != EMPTY and not (keys[s] == key and lens[s] == L + 1):
                s = (s + 1) & mask
            if keys[s] == EMPTY:
                keys[s] = key
                lens[s] = L + 1
            if n - 1 == L:
                if vals[s] < 0:
                    vals[s] = w  # a repeated word keeps its first index
                elif duplicate < 0:
                    duplicate = w
    return keys, lens, vals, duplicate


@njit(cache=True)
def best_path(ids, cls, start, end, keys, lens, vals, logp, max_len, unknown_score,
              score, back, via):
    """Unigram max-probability path over positions [start, end) of a run of word chars.

    Cut points are positions not inside an alphanumeric run (cls 2 continuing cls 2), so
    letter/digit runs stay whole. Edges: lexicon words (score ln p), a single ideograph or
    a whole letter/digit run (score *unknown_score*). Ties keep the first path found.
    Fills back[] with the start of the word ending at each position and via[] with its
    lexicon index (-1 for a fallback); returns the score.
    """
    neg = -1e300
    for i in range(start, end + 1):
        score[i] = neg
    score[start] = 0.0
    for i in range(start, end):
        if score[i] == neg:
            continue
        base = score[i]
        # lexicon words starting at i
        key = EMPTY
        stop = min(end, i + max_len)
        for j in range(i, stop):
            key = extend_key(key, j - i, ids[j])
            if ids[j] <= 0:
                break
            found = find_sequence(keys, lens, key, j - i + 1)
            if found < 0:
                break
            w = vals[found]
            e = j + 1
            if w >= 0 and (e == end or not (cls[e] == 2 and cls[e - 1] == 2)):
                cand = base + logp[w]
                if cand > score[e]:
                    score[e] = cand
                    back[e] = i
                    via[e] = w
        # fallback: one ideograph, or the whole letter/digit run
        e = i + 1
        if cls[i] == 2:
            while e < end and cls[e] == 2:
                e += 1
        cand = base + unknown_score
        if cand > score[e]:
            score[e] = cand
            back[e] = i
            via[e] = -1
    return score[end]


@njit(cache=True, nogil=True)
def segment_block(cps, ids, cls, keys, lens, vals, logp, max_len, unknown_score,
                  at_line_start):
    """Segment a block of text; return (output code points, at_line_start).

    Tokens are separated by one space; newlines are kept; other whitespace is dropped;
    a run of one repeated punctuation mark (—— or ……) is one token, any other
    punctuation mark is a token of its own. *at_line_start* carries across blocks.
    """
    n = cps.shape[0]
    out = np.empty(2 * n + 1, dtype=np.uint32)
    m = 0
    score = np.empty(n + 1, dtype=np.float64)
    back = np.zeros(n + 1, dtype=np.int64)
    via = np.empty(n + 1, dtype=np.int64)
    starts = np.zeros(n + 1, dtype=np.bool_)
    i = np.int64(0)  # not the literal 0: see path_words
    while i < n:
        c = cls[i]
        if c == 0:
            if cps[i] == 10:
                out[m] = 10
                m += 1
                at_line_start = True
            i += 1
            continue
        if c == 3:
            j = i + 1
            while j < n and cps[j] == cps[i]:
                j += 1
            if not at_line_start:
                out[m] = 32
                m += 1
            for k in range(i, j):
                out[m] = cps[k]
                m += 1
            at_line_start = False
            i = j
            continue
        j = i + 1
        while j < n and (cls[j] == 1 or cls[j] == 2):
            j += 1
        best_path(ids, cls, i, j, keys, lens, vals, logp, max_len, unknown_score,
                  score, back, via)
        p = j
        while p > i:
            q = back[p]
            starts[q] = True
            p = q
        for k in range(i, j):
            if starts[k]:
                starts[k] = False
                if not at_line_start:
                    out[m] = 32
                    m += 1
            out[m] = cps[k]
            m += 1
            at_line_start = False
        i = j
    return out[:m], at_line_start


@njit(cache=True, nogil=True)
def path_words(ids, cls, keys, lens, vals, logp, max_len, unknown_score):
    """Lexicon index of every word on the best path, in reading order (-1 for fallbacks).

    Same rules as :func:`segment_block`, without building text; used by discovery to
    re-segment the corpus and count the words chosen.
    """
    n = ids.shape[0]
    score = np.empty(n + 1, dtype=np.float64)
    back = np.zeros(n + 1, dtype=np.int64)
    via = np.empty(n + 1, dtype=np.int64)
    words = np.empty(n, dtype=np.int64)
    m = 0
    # np.int64(0), not 0: with a literal start, type inference first types the call below
    # with Literal[int](0) and compiles best_path twice (seconds on first use)
    i = np.int64(0)
    while i < n:
        if cls[i] == 0 or cls[i] == 3:
            i += 1
            continue
        j = i + 1
        while j < n and (cls[j] == 1 or cls[j] == 2):
            j += 1
        best_path(ids, cls, i, j, keys, lens, vals, logp, max_len, unknown_score,
                  score, back, via)
        p = j
        first = m
        while p > i:
            words[m] = via[p]
            m += 1
            p = back[p]
        a, b = first, m - 1  # this run's words into reading order, in place
        while a < b:
            words[a], words[b] = words[b], words[a]
            a += 1
            b -= 1
        i = j
    return words[:m]


@njit(cache=True)
def best_split_scores(ids, cls, word_ptr, keys, lens, vals, logp, max_len, unknown_score):
    """Score of the best segmentation of each word ``ids[word_ptr[w]:word_ptr[w + 1]]``
    (−inf for a word with a character that is not a word character). Calls best_path
    with the same argument types as the segmenter, so no new specialisation compiles."""
    n_words = word_ptr.shape[0] - 1
    out = np.full(n_words, -np.inf)
    n = ids.shape[0]
    score = np.empty(n + 1, dtype=np.float64)
    back = np.zeros(n + 1, dtype=np.int64)
    via = np.empty(n + 1, dtype=np.int64)
    for w in range(n_words):
        a = np.int64(word_ptr[w])
        b = np.int64(word_ptr[w + 1])
        ok = b > a
        for i in range(a, b):
            if cls[i] == 0 or cls[i] == 3:
                ok = False
        if ok:
            out[w] = best_path(ids, cls, a, b, keys, lens, vals, logp, max_len,
                               unknown_score, score, back, via)
    return out
