"""UTF-8 bytes straight to character ids, in Numba (no Python ``str`` in between).

Discovery only needs the id of every character (0 for separators), so decoding, the
full-width fold, the class lookup and new-id assignment happen in one GIL-free pass over
the bytes. Validation is strict (the rules of the Unicode standard, table 3-7, as Python's
``utf-8`` codec applies them): the first invalid byte's offset is returned, so the caller
can report it. Text that must be reproduced exactly (segmentation) goes through ``str``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _decode_at(data, i, n):
    """(code point, length) of the sequence at i; length 0 = invalid, -1 = truncated."""
    b0 = np.int64(data[i])
    if b0 < 0x80:
        return b0, 1
    if 0xC2 <= b0 <= 0xDF:
        need, lo, hi, cp = 1, 0x80, 0xBF, b0 & 0x1F
    elif 0xE0 <= b0 <= 0xEF:
        need, cp = 2, b0 & 0x0F
        lo = 0xA0 if b0 == 0xE0 else 0x80
        hi = 0x9F if b0 == 0xED else 0xBF
    elif 0xF0 <= b0 <= 0xF4:
        need, cp = 3, b0 & 0x07
        lo = 0x90 if b0 == 0xF0 else 0x80
        hi = 0x8F if b0 == 0xF4 else 0xBF
    else:
        return 0, 0
    for k in range(need):
        if i + 1 + k >= n:
            return 0, -1
        b = np.int64(data[i + 1 + k])
        if k == 0:
            if b < lo or b > hi:
                return 0, 0
        elif b < 0x80 or b > 0xBF:
            return 0, 0
        cp = (cp << 6) | (b & 0x3F)
    return cp, need + 1


@njit(cache=True, nogil=True)
def utf8_to_ids(data, classes, ids, chars, id_classes, n_chars, fold, replace):
    """Ids of the characters in UTF-8 *data* (callers cut blocks at complete sequences).

    Returns (ids, n_chars, error): *error* is the offset of the first invalid or truncated
    sequence (-1 if none; with *replace* invalid bytes become separators instead).
    """
    n = data.shape[0]
    out = np.empty(n, dtype=np.int32)  # every used slot is written; no page is zero-filled
    m = 0
    i = 0
    while i < n:
        b0 = np.int64(data[i])
        if b0 < 0x80:  # fast paths: ASCII, and well-formed 3-byte sequences (CJK)
            cp, length = b0, 1
        elif (b0 & 0xF0) == 0xE0 and i + 2 < n and (data[i + 1] & 0xC0) == 0x80 \
                and (data[i + 2] & 0xC0) == 0x80 and not (b0 == 0xE0 and data[i + 1] < 0xA0) \
                and not (b0 == 0xED and data[i + 1] > 0x9F):
            cp = ((b0 & 0x0F) << 12) | ((np.int64(data[i + 1]) & 0x3F) << 6) | (
                np.int64(data[i + 2]) & 0x3F)
            length = 3
        else:
            cp, length = _decode_at(data, i, n)
        if length <= 0:
            if not replace:
                return out[:m], n_chars, i
            out[m] = 0
            m += 1
            i += 1
            continue
        i += length
        if fold and 0xFF10 <= cp <= 0xFF5A:
            cp -= 0xFEE0
        k = classes[cp]
        cid = 0
        if k == 1 or k == 2:
            cid = ids[cp]
            if cid == 0:
                if n_chars < 0xFFFF:
                    n_chars += 1
                    cid = n_chars
                    ids[cp] = cid
                    chars[cid] = cp
                    id_classes[cid] = k
                else:
                    cid = 0  # table full: treated as a separator
            elif cid < 0:
                cid = 0
        out[m] = cid
        m += 1
    return out[:m], n_chars, -1


@njit(cache=True, inline="always")
def _char_start_before(data, i):
    j = i - 1
    while j >= 0 and data[j] & 0xC0 == 0x80:
        j -= 1
    return j


@njit(cache=True, nogil=True)
def safe_cut(data, classes, limit):
    """Where to end a block of UTF-8 *data* with no newline: before the last separator
    run (or after it when it starts the data); 0 = carry everything. With nothing to cut
    at and more than *limit* characters, a hard cut at the last character boundary."""
    n = data.shape[0]
    i = _char_start_before(data, n)
    while i >= 0:
        cp, length = _decode_at(data, i, n)
        if length > 0 and (classes[cp] == 0 or classes[cp] == 3):
            j = i
            while True:
                k = _char_start_before(data, j)
                if k < 0:
                    break
                cp2, length2 = _decode_at(data, k, n)
                if length2 != length or cp2 != cp:
                    break
                j = k
            if j > 0:
                return j
            if i + length < n:
                return i + length
            break
        i = _char_start_before(data, i)
    n_chars = 0
    for k in range(n):
        n_chars += (data[k] & 0xC0) != 0x80
    if n_chars <= limit:
        return 0
    return max(0, _char_start_before(data, n))
