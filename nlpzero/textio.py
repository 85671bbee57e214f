"""Streaming text input and atomic output, shared by the library and every command.

Inputs are files or ``-`` (stdin). Text is decoded incrementally in large blocks, so any
line length works (a 135 MB single line is read as several blocks cut at separators),
and decoding errors name the absolute byte offset. Outputs go to stdout or to a file
written atomically (temporary file in the same folder, then ``os.replace``), so an
interrupted run never leaves half a file behind.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from .errors import InputError

#: Bytes read per block. Big enough to amortise per-block costs, small enough to bound memory.
BLOCK_BYTES = 1 << 24

_STDIN_NAMES = (None, "-")
_LAST_SEPARATOR = re.compile(r"[^\w](?=[\w]*\Z)")


def is_stdin(path: str | os.PathLike[str] | None) -> bool:
    """True when *path* means standard input (``-`` or omitted)."""
    return path is None or str(path) == "-"


def display_name(path: str | os.PathLike[str] | None) -> str:
    return "<stdin>" if is_stdin(path) else str(path)


@contextlib.contextmanager
def open_binary(path: str | os.PathLike[str] | None) -> Iterator[BinaryIO]:
    """Open a file or stdin for binary reading; a missing file is an :class:`InputError`."""
    if is_stdin(path):
        yield sys.stdin.buffer
        return
    p = Path(path)  # type: ignore[arg-type]
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a text file")
    try:
        fh = open(p, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except PermissionError:
        raise InputError(f"{p}: permission denied") from None
    with fh:
        yield fh


@contextlib.contextmanager
def seekable_path(path: str | os.PathLike[str] | None) -> Iterator[Path]:
    """A real file path for inputs read more than once: stdin is spooled to a temp file."""
    if not is_stdin(path):
        yield Path(path)  # type: ignore[arg-type]
        return
    fd, tmp = tempfile.mkstemp(prefix="nlpzero-stdin-")
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, BLOCK_BYTES)
        yield Path(tmp)
    finally:
        os.unlink(tmp)


def iter_decoded(
    fh: BinaryIO,
    name: str = "<input>",
    errors: str = "strict",
    block_bytes: int = BLOCK_BYTES,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """Decode a UTF-8 byte stream block by block.

    A leading BOM is dropped. Invalid UTF-8 raises :class:`InputError` naming the absolute
    byte offset (or is replaced by U+FFFD with ``errors="replace"``); a NUL byte marks a
    binary file and is always an error. *on_bytes* is called with each block's byte count.
    """
    if errors not in ("strict", "replace"):
        raise ValueError("errors must be 'strict' or 'replace'")
    decoder = codecs.getincrementaldecoder("utf-8")(errors)
    consumed = 0
    first = True
    while True:
        data = fh.read(block_bytes)
        final = not data
        nul = data.find(b"\x00")
        if nul >= 0:
            raise InputError(
                f"{name}: binary data (NUL byte at byte offset {consumed + nul}); "
                "expected UTF-8 text"
            )
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(data, final=final)
        except UnicodeDecodeError as e:
            offset = consumed - pending + e.start
            raise InputError(
                f"{name}: invalid UTF-8 at byte offset {offset} "
                f"({e.reason}); use --errors replace to substitute U+FFFD"
            ) from None
        consumed += len(data)
        if on_bytes is not None and data:
            on_bytes(len(data))
        if first and text:
            if text[0] == "\ufeff":
                text = text[1:]
            first = False
        if text:
            yield text
        if final:
            return


def iter_blocks(
    fh: BinaryIO,
    name: str = "<input>",
    errors: str = "strict",
    block_bytes: int = BLOCK_BYTES,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """Decoded text in blocks that end after a newline where possible.

    A block with no newline (one huge line) ends after its last separator character
    (anything that is not a letter, digit or ideograph), so no word is cut in two; only a
    run of more than *block_bytes* word characters with no separator at all is cut hard.
    """
    carry = ""
    for text in iter_decoded(fh, name, errors, block_bytes, on_bytes):
        text = carry + text if carry else text
        cut = text.rfind("\n") + 1
        if cut == 0:
            tail_start = max(0, len(text) - (1 << 20))
            m = _LAST_SEPARATOR.search(text, tail_start)
            cut = m.end() if m else len(text)
        carry = text[cut:]
        if cut:
            yield text[:cut]
    if carry:
        yield carry


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str] | None) -> Iterator[TextIO]:
    """Text output to stdout (``-`` or omitted) or atomically to a file.

    The file is written to a temporary name beside the target and renamed into place only
    when the block finishes without an exception.
    """
    if is_stdin(path):
        stdout = sys.stdout
        if hasattr(stdout, "reconfigure"):
            with contextlib.suppress(Exception):
                stdout.reconfigure(encoding="utf-8", newline="\n")
        yield stdout
        stdout.flush()
        return
    target = Path(path)  # type: ignore[arg-type]
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{target}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            yield out
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
