"""TensorBoard Embedding Projector files: ``PREFIX.vectors.tsv`` and ``PREFIX.metadata.tsv``.

Load both at https://projector.tensorflow.org ("Load") or in TensorBoard's projector.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import TextIO

import numpy as np

from ..text.io import Outputs
from .word2vec import SIGNIFICANT_DIGITS, check_word

__all__ = ["projector_paths", "write_projector"]


def projector_paths(prefix: str | os.PathLike[str]) -> tuple[str, str]:
    """``PREFIX.vectors.tsv`` and ``PREFIX.metadata.tsv`` (``PREFIX`` may be a folder/)."""
    prefix = os.fspath(prefix)
    if prefix.endswith(("/", os.sep)):
        return prefix + "vectors.tsv", prefix + "metadata.tsv"
    return prefix + ".vectors.tsv", prefix + ".metadata.tsv"


def write_projector(prefix: str | os.PathLike[str], words: Sequence[str], matrix: np.ndarray,
                    modules: Sequence[str] | None = None) -> tuple[str, str]:
    """TensorBoard Embedding Projector files, written atomically; returns their paths.

    ``vectors.tsv``: one row of TAB-separated numbers per word, no header.
    ``metadata.tsv``: the word per row (one column, no header), or with modules a header
    ``word<TAB>module`` and two columns (the Projector reads a header only when there is
    more than one column).

    ``modules[i]`` is word i's module (``""`` when it has none). Words with whitespace and
    non-finite values are refused (checked before either file is opened).
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise ValueError("matrix must be 2-D with one row per word")
    if modules is not None and len(modules) != len(words):
        raise ValueError("one module per word")
    _check_rows(words, matrix)
    vectors_path, metadata_path = projector_paths(prefix)
    with Outputs() as outputs:  # both files or neither
        vectors_out, metadata_out = outputs.add(vectors_path), outputs.add(metadata_path)
        write_projector_streams(vectors_out.open(), metadata_out.open(), words, matrix,
                                modules)
    return vectors_path, metadata_path


def _check_rows(words: Sequence[str], matrix: np.ndarray) -> None:
    """ValueError for a non-finite value, InputError for a word with whitespace."""
    if not np.isfinite(matrix).all():
        raise ValueError("vectors contain NaN or infinite values")
    for word in words:
        check_word(word)


def write_projector_streams(vectors_out: TextIO, metadata_out: TextIO, words: Sequence[str],
                            matrix: np.ndarray, modules: Sequence[str] | None = None) -> None:
    """The two Projector files written to open streams (see :func:`write_projector`)."""
    matrix = np.asarray(matrix)
    _check_rows(words, matrix)
    for start in range(0, len(words), 4096):
        buf = io.StringIO()
        np.savetxt(buf, matrix[start:start + 4096], fmt=f"%.{SIGNIFICANT_DIGITS}g", delimiter="\t")
        vectors_out.write(buf.getvalue())
    if modules is None:
        metadata_out.write("".join(f"{w}\n" for w in words))
    else:
        metadata_out.write("word\tmodule\n")
        metadata_out.write("".join(f"{w}\t{m}\n" for w, m in zip(words, modules)))
