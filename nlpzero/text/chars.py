"""Character classes and the mapping from text to integer character ids.

Every kernel works on integer ids, never on strings. A :class:`CharTable` maps Unicode code
points to dense ids 1..65535 (0 = separator), assigned in order of first appearance so that
the same input always gives the same ids. Four ids fit a uint64, which is how n-grams of
up to four characters are packed into exact sort keys (see :mod:`nlpzero.ngrams`).

Word characters are CJK ideographs (including ``〇`` and ``○`` used as the numeral zero),
letters and digits. Full-width ASCII letters and digits share the id of their ASCII form,
so ``１９９８年`` and ``1998年`` are the same word to the statistics and the segmenter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from numba import njit

SPACE, HAN, ALNUM, PUNCT = 0, 1, 2, 3
MAX_CHAR_ID = 0xFFFF
N_CODEPOINTS = 0x110000

_HAN_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)
_HAN_SINGLES = (0x3007, 0x25CB)  # 〇 and ○, written for zero in dates such as 二○○一年

_CLASS_CACHE: dict[str, np.ndarray] = {}


def char_classes(scheme: str = "unicode") -> np.ndarray:
    """uint8 class per code point: SPACE, HAN, ALNUM or PUNCT.

    ``scheme="nlpzero"`` reproduces nlp-zero's regex ``[^\\u4e00-\\u9fa50-9a-zA-Z]``: only
    U+4E00..U+9FA5 and ASCII letters/digits are word characters.
    """
    if scheme in _CLASS_CACHE:
        return _CLASS_CACHE[scheme]
    classes = np.full(N_CODEPOINTS, PUNCT, dtype=np.uint8)
    if scheme == "nlpzero":
        classes[0x4E00 : 0x9FA5 + 1] = HAN
        for lo, hi in ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)):
            classes[lo : hi + 1] = ALNUM
    elif scheme == "unicode":
        bmp = [chr(c) for c in range(0x10000)]
        classes[:0x10000] = [
            SPACE if ch.isspace() else ALNUM if ch.isalnum() else PUNCT for ch in bmp
        ]
        for lo, hi in _HAN_RANGES:
            classes[lo : hi + 1] = HAN
        classes[list(_HAN_SINGLES)] = HAN
    else:
        raise ValueError(f"unknown character scheme {scheme!r}")
    for ch in " \t\n\r\f\v\u3000\u00a0":
        classes[ord(ch)] = SPACE
    _CLASS_CACHE[scheme] = classes
    return classes


def is_word_char(ch: str) -> bool:
    """Letters, digits and ideographs (classes HAN and ALNUM): what words are made of."""
    global _IS_WORD
    if _IS_WORD is None:
        classes = char_classes()
        _IS_WORD = ((classes == HAN) | (classes == ALNUM)).tobytes()
    return _IS_WORD[ord(ch)] == 1


_IS_WORD: bytes | None = None


def _fold_fullwidth(codepoints: np.ndarray) -> np.ndarray:
    """Map full-width ASCII letters and digits (U+FF10..U+FF5A) to their ASCII forms."""
    folded = codepoints.copy()
    fw = (codepoints >= 0xFF10) & (codepoints <= 0xFF5A)
    folded[fw] -= 0xFEE0
    return folded


def to_codepoints(text: str) -> np.ndarray:
    """The code points of *text* as a uint32 array (no copy beyond the encode)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def from_codepoints(codepoints: np.ndarray) -> str:
    return np.ascontiguousarray(codepoints, dtype=np.uint32).tobytes().decode("utf-32-le")


@njit(cache=True, nogil=True)
def _assign_ids(cps, classes, ids, chars, id_classes, n_chars, fold):
    """Ids for a block of code points; new word characters get the next free id.

    With *fold*, full-width ASCII letters and digits take the id of their ASCII form.
    """
    out = np.zeros(cps.shape[0], dtype=np.int32)
    for i in range(cps.shape[0]):
        c = cps[i]
        if fold and 0xFF10 <= c <= 0xFF5A:
            c -= 0xFEE0
        k = classes[c]
        if k == 1 or k == 2:
            cid = ids[c]
            if cid == 0:
                if n_chars < 0xFFFF:
                    n_chars += 1
                    cid = n_chars
                    ids[c] = cid
                    chars[cid] = c
                    id_classes[cid] = k
                else:
                    cid = -1  # table full: treated as a separator
            out[i] = cid if cid > 0 else 0
    return out, n_chars


@njit(cache=True, nogil=True)
def _lookup_ids(cps, classes, ids, fold):
    out = np.zeros(cps.shape[0], dtype=np.int32)
    for i in range(cps.shape[0]):
        c = cps[i]
        if fold and 0xFF10 <= c <= 0xFF5A:
            c -= 0xFEE0
        k = classes[c]
        if k == 1 or k == 2:
            out[i] = max(ids[c], 0)
    return out


class CharTable:
    """Dense character ids for word characters, stable across blocks of one corpus.

    ``encode(text)`` returns int32 ids with 0 for every separator (whitespace,
    punctuation, or an unseen character when ``grow=False``).
    """

    def __init__(self, scheme: str = "unicode") -> None:
        self.scheme = scheme
        self.classes = char_classes(scheme)
        self.ids = np.zeros(N_CODEPOINTS, dtype=np.int32)
        self.chars = np.zeros(MAX_CHAR_ID + 1, dtype=np.uint32)
        #: class of each id (HAN or ALNUM; SPACE for id 0), so kernels can rebuild classes
        self.id_classes = np.zeros(MAX_CHAR_ID + 1, dtype=np.uint8)
        self.n_chars = 0
        self.fold = scheme == "unicode"

    def folded(self, cps: np.ndarray) -> np.ndarray:
        """Code points as this table sees them (full-width letters and digits folded)."""
        return _fold_fullwidth(cps) if self.fold else cps

    def encode(self, text: str, grow: bool = True) -> np.ndarray:
        return self.encode_codepoints(to_codepoints(text), grow)

    def encode_codepoints(self, cps: np.ndarray, grow: bool = True) -> np.ndarray:
        """Ids of code points (0 = separator); *grow* gives unseen word characters ids,
        otherwise they are 0 too."""
        if not grow:
            return _lookup_ids(cps, self.classes, self.ids, self.fold)
        out, self.n_chars = _assign_ids(cps, self.classes, self.ids, self.chars, self.id_classes,
                                        self.n_chars, self.fold)
        return out

    def decode(self, ids: np.ndarray) -> str:
        return from_codepoints(self.chars[np.asarray(ids)])


def encode_utf8_blocks(blocks: Iterable[tuple[bytes, int]], chars: CharTable, name: str,
                       errors: str = "strict") -> Iterator[tuple[np.ndarray, int]]:
    """(ids, bytes) of each UTF-8 ``(block, offset)`` pair (from ``read_byte_blocks``),
    decoded straight to ids of *chars* by the UTF-8 kernel; invalid UTF-8 names its
    absolute byte offset, or reads as a separator with ``errors="replace"``."""
    from ..errors import InputError
    from ._utf8 import utf8_to_ids

    replace = errors == "replace"
    for block, offset in blocks:
        ids, chars.n_chars, error = utf8_to_ids(
            np.frombuffer(block, np.uint8), chars.classes, chars.ids, chars.chars,
            chars.id_classes, chars.n_chars, chars.fold, replace)
        if error >= 0:
            raise InputError(f"{name}: invalid UTF-8 at byte offset {offset + error}; "
                             "use --errors replace to read it as a separator")
        yield ids, len(block)
