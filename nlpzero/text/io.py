"""Streaming text input and atomic output, shared by the library and every command.

Inputs are files or ``-`` (stdin), read by one reader, :func:`read_byte_blocks`, in large
blocks cut at line ends, so any line length works (a 135 MB single line is read as many
blocks cut at separators); a BOM is dropped, a NUL byte means a binary file, and decoding
errors name the absolute byte offset. Outputs go to stdout or to a file
written atomically (temporary file in the same folder, then ``os.replace``), so an
interrupted run never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from ..errors import InputError
from .progress import Progress

if TYPE_CHECKING:  # numpy and numba load only when a huge line needs a safe cut
    import numpy as np

#: Bytes read per block. Big enough to amortise per-block costs, small enough to bound memory.
BLOCK_BYTES = 1 << 22


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


def is_interactive(fh: BinaryIO) -> bool:
    """True when *fh* is not a regular file (a terminal, a pipe, a socket): input may
    arrive slowly, so it is read as it comes instead of in full blocks."""
    try:
        return not stat.S_ISREG(os.fstat(fh.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):
        return False  # an in-memory stream: everything is there already


def _read_available(fh: BinaryIO, limit: int) -> bytes:
    """Up to *limit* bytes: at least one (waiting until some arrive; b"" at the end), then
    whatever more is available right now. A slow pipe gives each line as it comes; a fast
    one still fills large blocks."""
    data = fh.read1(limit)  # type: ignore[attr-defined]
    if not data:
        return data
    parts = [data]
    size = len(data)
    try:
        fd = fh.fileno()
        while size < limit and select.select([fd], [], [], 0)[0]:
            more = fh.read1(limit - size)  # type: ignore[attr-defined]
            if not more:
                break  # the end: the next call returns b""
            parts.append(more)
            size += len(more)
    except (OSError, ValueError):
        pass
    return b"".join(parts)


def read_byte_blocks(
    fh: BinaryIO,
    name: str = "<input>",
    block_bytes: int = BLOCK_BYTES,
    classes: np.ndarray | None = None,
    whole_lines: bool = False,
    progress: Progress | None = None,
    interactive: bool = False,
    start: int = 0,
) -> Iterator[tuple[bytes, int]]:
    """The one reader of input bytes: ``(block, offset)`` pairs, *offset* being the
    absolute byte offset of ``block[0]`` in the stream (*start* is the offset *fh* is at:
    a byte range of a file read on its own gives the offsets a whole-file read gives).

    A leading UTF-8 BOM is dropped and a NUL byte (a binary file) is an
    :class:`InputError`. Blocks end after their last newline. A block with no newline (one
    huge line) ends before its last separator run (a character whose class in *classes*
    is not a word character; a run of one repeated mark stays together), so no word is cut
    in two, unless *whole_lines* asks for lines kept whole whatever their length; only a
    run of more than *block_bytes* word characters is cut hard, at a character boundary.
    *progress* advances by the bytes read. With *interactive* (see :func:`is_interactive`)
    a read returns what has arrived so far instead of waiting for a full block.
    """
    carry = b""
    offset = start  # absolute offset of carry[0]
    while True:
        data = _read_available(fh, block_bytes) if interactive else fh.read(block_bytes)
        final = not data
        nul = data.find(b"\x00")
        if nul >= 0:
            raise InputError(f"{name}: binary data (NUL byte at byte offset "
                             f"{offset + len(carry) + nul}); expected UTF-8 text")
        if progress is not None and data:
            progress.advance(len(data))
        buf = carry + data if carry else data
        if offset == 0 and buf.startswith(b"\xef\xbb\xbf"):
            buf, offset = buf[3:], 3
        if final:
            cut = len(buf)
        else:
            cut = buf.rfind(b"\n") + 1
            if cut == 0 and buf and not whole_lines:
                cut = _safe_cut(buf, classes, block_bytes)
        if cut:
            yield (buf if cut == len(buf) else buf[:cut]), offset
        offset += cut
        carry = buf[cut:]
        if final:
            return


def _safe_cut(buf: bytes, classes: np.ndarray | None, limit: int) -> int:
    import numpy as np

    from ._utf8 import safe_cut
    from .chars import char_classes

    return int(safe_cut(np.frombuffer(buf, np.uint8),
                        char_classes() if classes is None else classes, limit))


def decode_block(block: bytes, offset: int, name: str, errors: str = "strict") -> str:
    """UTF-8 text of a block from :func:`read_byte_blocks`; invalid UTF-8 names its
    absolute byte offset (or becomes U+FFFD with ``errors="replace"``)."""
    try:
        return block.decode("utf-8", errors)
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: invalid UTF-8 at byte offset {offset + e.start} "
                         f"({e.reason}); use --errors replace to substitute U+FFFD") from None


def iter_blocks(
    fh: BinaryIO,
    name: str = "<input>",
    errors: str = "strict",
    block_bytes: int = BLOCK_BYTES,
    whole_lines: bool = False,
    progress: Progress | None = None,
    interactive: bool = False,
) -> Iterator[str]:
    """Decoded text of an open byte stream in blocks cut as :func:`read_byte_blocks` cuts
    them: after a newline, or before a separator on a line longer than a block."""
    check_errors(errors)
    for block, offset in read_byte_blocks(fh, name, block_bytes, None, whole_lines, progress,
                                          interactive):
        yield decode_block(block, offset, name, errors)


def read_blocks(
    path: str | os.PathLike[str] | None,
    errors: str = "strict",
    block_bytes: int = BLOCK_BYTES,
    whole_lines: bool = False,
    progress: Progress | None = None,
) -> Iterator[str]:
    """:func:`iter_blocks` of a file (``-`` or None: stdin), opened and closed here."""
    with open_binary(path) as fh:
        yield from iter_blocks(fh, display_name(path), errors, block_bytes, whole_lines,
                               progress)


def read_lines(path: str | os.PathLike[str] | None, errors: str = "strict") -> Iterator[str]:
    """Lines of a UTF-8 file or stdin without their line end; only ``\n`` (or ``\r\n``)
    ends a line, as in :func:`read_blocks` (``str.splitlines`` would also cut at U+2028,
    ``\x1c``, ``\x85``...)."""
    for block in read_blocks(path, errors, whole_lines=True):
        lines = block.split("\n")
        if block.endswith("\n"):
            lines.pop()
        for line in lines:
            yield line[:-1] if line.endswith("\r") else line


def read_text(path: str | os.PathLike[str] | None, errors: str = "strict") -> str:
    """The whole decoded text of a (small) file: lexicons, templates, test sets."""
    return "".join(read_blocks(path, errors, whole_lines=True))


def check_errors(errors: str) -> None:
    if errors not in ("strict", "replace"):
        raise ValueError("errors must be 'strict' or 'replace'")


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
