"""word2vec text format: a ``V d`` header line, then ``word v_1 ... v_d`` per line (UTF-8).

The format gensim's ``KeyedVectors.load_word2vec_format`` reads; a headerless GloVe file
reads too.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from typing import TextIO

import numpy as np

from ..errors import InputError

_DIGITS = re.compile(r"[0-9]+\Z")

#: Significant digits written per value (%.6g), here and in the Projector's vectors.tsv.
SIGNIFICANT_DIGITS = 6


def check_word(word: str) -> None:
    """A word in word2vec text format: non-empty, no whitespace (it separates fields)."""
    if not word or any(ch.isspace() for ch in word):
        raise InputError(f"word {word!r} cannot be written in word2vec text format "
                         "(empty or contains whitespace)")


def write_word2vec(out: TextIO | str | os.PathLike[str] | None, words: Sequence[str],
                   matrix: np.ndarray) -> None:
    """word2vec text format: a ``V d`` header, then ``word v_1 ... v_d`` per line (UTF-8).

    *out* is an open text stream, or a path written atomically (``-``/None: stdout).
    Words with whitespace and non-finite values are refused (never written).
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise ValueError("matrix must be 2-D with one row per word")
    if not np.all(np.isfinite(matrix)):
        raise InputError("vectors contain NaN or infinite values; nothing written")
    for word in words:
        check_word(word)
    if out is None or isinstance(out, (str, os.PathLike)):
        from ..text.io import open_output

        with open_output(out) as fh:
            _write_rows(fh, words, matrix)
        return
    _write_rows(out, words, matrix)


def _write_rows(out: TextIO, words: Sequence[str], matrix: np.ndarray) -> None:
    out.write(f"{matrix.shape[0]} {matrix.shape[1]}\n")
    step = 4096
    for start in range(0, len(words), step):
        block = matrix[start:start + step]
        buf = io.StringIO()
        np.savetxt(buf, block, fmt=f"%.{SIGNIFICANT_DIGITS}g", delimiter=" ")
        lines = buf.getvalue().splitlines()
        out.write("".join(f"{w} {line}\n" for w, line in zip(words[start:start + step], lines)))


def read_word2vec(path: str | os.PathLike[str] | None,
                  errors: str = "strict") -> tuple[list[str], np.ndarray]:
    """Words and float32 matrix of a word2vec text file (a headerless GloVe file also works)."""
    from ..text.io import display_name, quote, read_lines

    name = display_name(path)
    words: list[str] = []
    rows: list[str] = []
    dim = None
    expected = None
    seen: dict[str, int] = {}
    for number, line in enumerate(read_lines(path, errors), 1):
        parts = line.split()
        if not parts:
            continue
        if number == 1 and all(_DIGITS.match(p) for p in parts):
            if len(parts) != 2:
                raise InputError(f"{name}: line 1: a header is 'V d' (two numbers), got "
                                 f"{len(parts)} numbers")
            expected, dim = int(parts[0]), int(parts[1])
            continue
        if dim is None:
            dim = len(parts) - 1
        if len(parts) != dim + 1 or dim < 1:
            raise InputError(f"{name}: line {number}: expected a word and {dim} numbers, "
                             f"got {len(parts)} fields")
        first = seen.setdefault(parts[0], number)
        if first != number:
            raise InputError(f"{name}: line {number}: word {quote(parts[0])} already has a "
                             f"vector (line {first})")
        words.append(parts[0])
        rows.append(line[line.index(parts[0]) + len(parts[0]):])
    if not words:
        raise InputError(f"{name}: no vectors (empty file)")
    if expected is not None and expected != len(words):
        raise InputError(f"{name}: header says {expected} words, found {len(words)}")
    try:
        matrix = np.loadtxt(io.StringIO("\n".join(rows)), dtype=np.float32, ndmin=2)
    except ValueError as e:
        raise InputError(f"{name}: not a number in the vectors ({e})") from None
    if not np.all(np.isfinite(matrix)):
        raise InputError(f"{name}: vectors contain NaN or infinite values")
    return words, matrix
