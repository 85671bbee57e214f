"""Unigram maximum-probability segmentation with a lexicon (Viterbi over the word DAG).

Minimising the information of a text under a unigram model means choosing the words
w_1..w_n that maximise Σ ln p(w_k) (Su, 最小熵原理(二), eq. for the tokenizer). Letter and
digit runs are kept whole, punctuation marks are tokens of their own (a run of one repeated
mark such as —— is one token), and every character of the input is kept: removing the
spaces of an output line gives back the input line without its whitespace.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import BinaryIO

import numpy as np

from ..text.chars import ALNUM, char_classes, to_codepoints
from ..text.io import BLOCK_BYTES, is_interactive, iter_blocks, read_blocks
from ..text.progress import Progress
from . import _lexicon_kernels as K
from .lexicon import DEFAULT_UNKNOWN_SCORE, Lexicon

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[!-~]*[A-Za-z0-9/]")


def join_numbers(cps: np.ndarray, cls: np.ndarray, text: str) -> np.ndarray:
    """Pre-rules on the character classes: a decimal point or ``@`` between two
    letters/digits (3.14, x.org, a@b.cn), a per-cent or per-mille sign after a digit
    (15.3%) and a whole URL (``scheme://`` then printable ASCII) read as letters, so
    each of these strings is one letter/digit run, hence one token. *cps* are folded."""
    n = cps.shape[0]
    if n < 2:
        return cls
    alnum = cls == ALNUM
    digit = (cps >= 48) & (cps <= 57)
    joiner = (cps == 0x2E) | (cps == 0xFF0E) | (cps == 0x40) | (cps == 0xFF20)
    sign = (cps == 0x25) | (cps == 0xFF05) | (cps == 0x2030)
    mid = np.zeros(n, np.bool_)
    mid[1:-1] = joiner[1:-1] & alnum[:-2] & alnum[2:]
    mid[1:] |= sign[1:] & digit[:-1]
    if "://" in text:
        for m in _URL.finditer(text):
            mid[m.start():m.end()] = True
    if not mid.any():
        return cls
    out = cls.copy()
    out[mid] = ALNUM
    return out


@lru_cache(maxsize=1)
def block_cut_classes() -> np.ndarray:
    """Character classes for cutting a long line into blocks: :func:`char_classes` with
    the characters the pre-rules may join (printable ASCII, ．＠％‰) as word characters, so
    a block never ends inside a decimal, an address or a URL."""
    classes = char_classes().copy()
    joinable = [*range(0x21, 0x7F), 0xFF0E, 0xFF20, 0xFF05, 0x2030]
    classes[joinable] = ALNUM
    return classes


class Segmenter:
    """Segments text with a :class:`Lexicon`; reusable and cheap to call repeatedly."""

    def __init__(self, lexicon: Lexicon, unknown_score: float = DEFAULT_UNKNOWN_SCORE) -> None:
        self.lexicon = lexicon
        self.unknown_score = float(unknown_score)
        if not math.isfinite(self.unknown_score):
            raise ValueError("unknown_score must be a finite number")
        self.chars, self.keys, self.lens, self.vals, self.logp, self.max_len = lexicon.compiled()

    def _block(self, text: str, at_line_start: bool) -> tuple[str, bool]:
        cps = to_codepoints(text)
        folded = self.chars.folded(cps)
        cls = join_numbers(folded, self.chars.classes[folded], text)
        ids = self.chars.encode_codepoints(cps, grow=False)
        out, at_line_start = K.segment_block(
            cps, ids, cls, self.keys, self.lens, self.vals, self.logp, self.max_len,
            self.unknown_score, at_line_start,
        )
        return out.tobytes().decode("utf-32-le"), at_line_start

    def segment_text(self, text: str) -> str:
        """Segment *text* (any number of lines); tokens separated by single spaces."""
        return self._block(text, True)[0]

    def tokenize(self, text: str) -> list[str]:
        """The tokens of one piece of text, as a list."""
        return self.segment_text(text).split()

    def stream(
        self,
        fh: BinaryIO,
        write: Callable[[str], object],
        name: str = "<input>",
        errors: str = "strict",
        block_bytes: int = BLOCK_BYTES,
        progress: Progress | None = None,
        flush: Callable[[], object] | None = None,
    ) -> int:
        """Segment a byte stream block by block, writing as it goes; returns chars read.

        From a terminal or a pipe (anything but a regular file) lines are segmented as they
        arrive and *flush* is called after each write, so ``tail -f log | nlpzero segment``
        prints each line at once; regular files are read in full blocks."""
        interactive = is_interactive(fh)
        at_line_start = True
        n_chars = 0
        for block in iter_blocks(fh, name, errors, block_bytes, progress=progress,
                                 interactive=interactive, classes=block_cut_classes()):
            out, at_line_start = self._block(block, at_line_start)
            n_chars += len(block)
            write(out)
            if interactive and flush is not None:
                flush()
        return n_chars


def segment(
    source: str | os.PathLike[str] | Iterable[str],
    lexicon: Lexicon,
    unknown_score: float = DEFAULT_UNKNOWN_SCORE,
    errors: str = "strict",
) -> Iterator[str]:
    """Segmented lines of a file (``str`` or ``os.PathLike``; ``-`` is stdin) or of a list
    of lines; for one string of text use :meth:`Segmenter.segment_text`."""
    seg = Segmenter(lexicon, unknown_score)
    if isinstance(source, bytes):
        raise TypeError("pass a path, or the text as a list of lines (str), not bytes")
    if not isinstance(source, (str, os.PathLike)):
        return (seg.segment_text(line.rstrip("\n")) for line in source)
    return _segment_file(seg, source, errors)


def _segment_file(seg: Segmenter, path: str | os.PathLike[str], errors: str) -> Iterator[str]:
    at_line_start = True
    pending = ""
    for block in read_blocks(path, errors, classes=block_cut_classes()):
        out, at_line_start = seg._block(block, at_line_start)
        lines = (pending + out).split("\n")
        pending = lines.pop()
        yield from lines
    if pending:
        yield pending
