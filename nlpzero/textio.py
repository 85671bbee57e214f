"""Streaming text input and atomic output, shared by the library and every command.

Inputs are files or ``-`` (stdin). Text is decoded incrementally in large blocks, so any
line length works (a 135 MB single line is read as many blocks cut at separators),
and decoding errors name the absolute byte offset. Outputs go to stdout or to a file
written atomically (temporary file in the same folder, then ``os.replace``), so an
interrupted run never leaves half a file behind.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from .errors import InputError

#: Bytes read per block. Big enough to amortise per-block costs, small enough to bound memory.
BLOCK_BYTES = 1 << 22

#: Code points outside the BMP that count as ideographs (CJK extensions B..H), and the two
#: circles written for zero; must agree with :func:`nlpzero.chars.char_classes`.
_SUPPLEMENTARY_HAN = (0x20000, 0x323AF)
_ZERO_CIRCLES = "\u3007\u25cb"


def is_word_char(ch: str) -> bool:
    """Letters, digits and ideographs: the characters words are made of."""
    o = ord(ch)
    if o < 0x10000:
        return ch.isalnum() or ch in _ZERO_CIRCLES
    return _SUPPLEMENTARY_HAN[0] <= o <= _SUPPLEMENTARY_HAN[1]


def _safe_cut(text: str, limit: int) -> int:
    """Where to end a block of *text* that has no newline, so that no word and no run of
    one repeated mark is split: before the last separator run, or after it when it starts
    the text. 0 means carry everything forward; a text longer than *limit* with nothing
    to cut at is cut hard at its end."""
    n = len(text)
    i = n - 1
    stop = max(0, n - (1 << 20))
    while i >= stop and is_word_char(text[i]):
        i -= 1
    if i >= stop:
        j = i
        while j > 0 and text[j - 1] == text[i]:
            j -= 1
        if j > 0:
            return j
        if i + 1 < n:
            return i + 1
    return n if n > limit else 0


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

    A block with no newline (one huge line) ends before its last separator (anything that
    is not a letter, digit or ideograph; a run of one repeated mark is kept together), so
    no word is cut in two; only a run of more than *block_bytes* word characters with no
    separator at all is cut hard.
    """
    carry = ""
    for text in iter_decoded(fh, name, errors, block_bytes, on_bytes):
        text = carry + text if carry else text
        cut = text.rfind("\n") + 1
        if cut == 0:
            cut = _safe_cut(text, block_bytes)
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
