"""Inputs split into byte ranges that every worker reads on its own.

A corpus is one or more files, or folders of files (read recursively, in sorted path
order). Each file is cut into ranges of about *chunk_bytes* that end just after a line
break (``\\n``), so no line, and therefore no word, n-gram or co-occurrence window, spans
two ranges. Ranges are numbered in corpus order: results merged in that order are those of
one pass over the concatenated files (each file ending a line).

Workers open the paths themselves, so the paths must be visible to every worker (a shared
filesystem, or the same folder on a single machine).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..errors import InputError
from ..text.chars import encode_utf8_blocks
from ..text.io import BLOCK_BYTES, decode_block, read_byte_blocks

#: Largest default range: it bounds a task's memory (its ids and partial tables).
CHUNK_BYTES = 1 << 26
#: Smallest default range: per-task costs (scheduling, a partial table) stay negligible.
MIN_CHUNK = 1 << 22

@dataclass(frozen=True)
class ByteRange:
    """Bytes [start, end) of *path*; *index* is its place in corpus order."""

    index: int
    path: str
    start: int
    end: int

    @property
    def size(self) -> int:
        return self.end - self.start


def corpus_files(inputs: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The files of *inputs*: files as given, folders expanded recursively (sorted paths,
    hidden entries skipped). Missing inputs and empty folders are an :class:`InputError`."""
    files: list[Path] = []
    for item in inputs:
        p = Path(item)
        if str(item) == "-":
            raise InputError("--dask reads files that every worker can open; "
                             "stdin is not accepted (write it to a file first)")
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file()
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                raise InputError(f"{p}: folder has no files")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        elif p.exists():
            raise InputError(f"{p}: not a regular file")
        else:
            raise InputError(f"{p}: no such file")
    if not files:
        raise InputError("no input files")
    return files


def _next_line_start(fh, pos: int, size: int) -> int:
    """The offset just after the first ``\\n`` at or after *pos* (*size* if none)."""
    fh.seek(pos)
    step = 1 << 16
    while pos < size:
        data = fh.read(step)
        if not data:
            return size
        k = data.find(b"\n")
        if k >= 0:
            return pos + k + 1
        pos += len(data)
        step = min(step * 2, 1 << 24)
    return size


def split(inputs: Sequence[str | os.PathLike[str]],
          chunk_bytes: int = CHUNK_BYTES) -> list[ByteRange]:
    """Byte ranges of about *chunk_bytes* covering every file of *inputs*, cut after line
    breaks (a line longer than a range extends it to the line's end)."""
    if chunk_bytes < 1:
        raise ValueError("chunk_bytes must be at least 1")
    ranges: list[ByteRange] = []
    for path in corpus_files(inputs):
        try:
            size = path.stat().st_size
            fh = open(path, "rb")  # noqa: SIM115 - closed below
        except PermissionError:
            raise InputError(f"{path}: permission denied") from None
        with fh:
            start = 0
            while start < size:
                end = size if size - start <= chunk_bytes else \
                    _next_line_start(fh, start + chunk_bytes - 1, size)
                ranges.append(ByteRange(len(ranges), str(path), start, end))
                start = end
    return ranges


def total_bytes(ranges: Sequence[ByteRange]) -> int:
    return sum(r.size for r in ranges)


# --- reading one range on a worker ----------------------------------------------------


class _Slice:
    """The bytes [start, end) of an open file, read like a file (``read(n)``)."""

    def __init__(self, fh: BinaryIO, start: int, end: int) -> None:
        fh.seek(start)
        self.fh, self.left = fh, end - start

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.fh.read(n) if n > 0 else b""
        self.left -= len(data)
        return data


def iter_range_bytes(rng: ByteRange, classes: np.ndarray | None = None,
                     block_bytes: int = BLOCK_BYTES) -> Iterator[tuple[bytes, int]]:
    """:func:`~nlpzero.text.io.read_byte_blocks` of one range: the blocks, cuts, BOM rule
    and absolute error offsets of a whole-file read. Yields (bytes, absolute offset)."""
    try:
        fh = open(rng.path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise InputError(f"{rng.path}: no such file (on this worker)") from None
    except PermissionError:
        raise InputError(f"{rng.path}: permission denied (on this worker)") from None
    with fh:
        yield from read_byte_blocks(_Slice(fh, rng.start, rng.end), rng.path,  # type: ignore[arg-type]
                                    block_bytes, classes, start=rng.start)


def range_ids(rng: ByteRange, chars, errors: str) -> Iterator[tuple[np.ndarray, int]]:
    """Character ids of each block of a range under the table *chars* (new characters get
    new ids), as ``Corpus`` makes them for a whole file; yields (ids, bytes)."""
    yield from encode_utf8_blocks(iter_range_bytes(rng, chars.classes), chars, str(rng.path),
                                  errors)


def range_texts(rng: ByteRange, errors: str,
                classes: np.ndarray | None = None) -> Iterator[tuple[str, int]]:
    """Decoded text blocks of a range, as :func:`~nlpzero.text.io.iter_blocks` gives them
    (invalid UTF-8 names its absolute offset, or is U+FFFD with ``errors="replace"``);
    yields (text, bytes)."""
    for buf, offset in iter_range_bytes(rng, classes):
        yield decode_block(buf, offset, rng.path, errors), len(buf)
