"""Streaming text input and atomic output, shared by the library and every command.

Inputs are files or ``-`` (stdin), read by one reader, :func:`read_byte_blocks`, in large
blocks cut at line ends, so any line length works (a 135 MB single line is read as many
blocks cut at separators); a BOM is dropped, a NUL byte means a binary file, and decoding
errors name the absolute byte offset. Outputs go to stdout or to a file
written atomically (temporary file in the same folder, then ``os.replace``), so an
interrupted run never leaves half a file behind; devices, pipes and ``/dev/std*`` are
written through, symbolic links are followed (see :class:`OutputTarget`). Stop signals
(SIGINT, SIGTERM, SIGHUP) unwind like Ctrl-C, removing temp files.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

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
    """How messages name an input: ``<stdin>`` for stdin and for its spool file (see
    :func:`seekable_path`), not ``/proc/self/fd/3`` or a temp file the user never named."""
    return "<stdin>" if is_stdin(path) or str(path) in _spools else str(path)


@contextlib.contextmanager
def open_binary(path: str | os.PathLike[str] | None) -> Iterator[BinaryIO]:
    """Open a file or stdin for binary reading; a missing file is an :class:`InputError`."""
    if is_stdin(path):
        if sys.stdin is None:  # started with stdin closed (`<&-`)
            raise InputError("standard input is closed")
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
    """A real file path for inputs read more than once: stdin is spooled to a temp file.

    On Linux the spool is unlinked as soon as it is created and read back through
    ``/proc/self/fd``, so no file is left behind even when the process is killed; elsewhere
    it is a named file in the temp folder, removed on exit and by a later run if the
    process that made it is gone.
    """
    if not is_stdin(path):
        yield Path(path)  # type: ignore[arg-type]
        return
    if sys.stdin is None:
        raise InputError("standard input is closed")
    folder = tempfile.gettempdir()
    _remove_stale(folder, _SPOOL_PREFIX)
    fd, tmp = tempfile.mkstemp(prefix=f"{_SPOOL_PREFIX}{os.getpid()}-", dir=folder)
    anonymous = os.path.exists(f"/proc/self/fd/{fd}")
    try:
        if anonymous:
            os.unlink(tmp)
        with os.fdopen(fd, "wb", closefd=False) as out:
            shutil.copyfileobj(sys.stdin.buffer, out, BLOCK_BYTES)
        spool = Path(f"/proc/self/fd/{fd}") if anonymous else Path(tmp)
        _spools.add(str(spool))
        yield spool
    finally:
        _spools.discard(f"/proc/self/fd/{fd}")
        _spools.discard(tmp)
        os.close(fd)
        if not anonymous:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


_SPOOL_PREFIX = "nlpzero-stdin-"
_spools: set[str] = set()  # the spool files of stdin in use (display_name names them <stdin>)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


def _remove_stale(folder: str | os.PathLike[str], prefix: str, suffix: str = "") -> None:
    """Remove ``prefix<pid>-*suffix`` files left in *folder* by processes that are gone
    (killed with SIGKILL, or by a power cut): the next run cleans up after them."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(suffix)):
                continue
            pid = name[len(prefix):].partition("-")[0]
            if not (pid.isascii() and pid.isdigit()):  # not a name we made ('²', '३')
                continue
            if int(pid) != os.getpid() and not _pid_alive(int(pid)):
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)


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
    classes: np.ndarray | None = None,
) -> Iterator[str]:
    """Decoded text of an open byte stream in blocks cut as :func:`read_byte_blocks` cuts
    them: after a newline, or before a separator (by *classes*, default
    :func:`chars.char_classes`) on a line longer than a block."""
    check_errors(errors)
    for block, offset in read_byte_blocks(fh, name, block_bytes, classes, whole_lines,
                                          progress, interactive):
        yield decode_block(block, offset, name, errors)


def read_blocks(
    path: str | os.PathLike[str] | None,
    errors: str = "strict",
    block_bytes: int = BLOCK_BYTES,
    whole_lines: bool = False,
    progress: Progress | None = None,
    classes: np.ndarray | None = None,
) -> Iterator[str]:
    """:func:`iter_blocks` of a file (``-`` or None: stdin), opened and closed here."""
    with open_binary(path) as fh:
        yield from iter_blocks(fh, display_name(path), errors, block_bytes, whole_lines,
                               progress, classes=classes)


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


# --- interrupts --------------------------------------------------------------------------

#: The signals that stop a run like Ctrl-C does: temp files are removed, nothing is committed.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))
_received: int | None = None


class Interrupted(KeyboardInterrupt):
    """A stop signal (SIGINT, SIGTERM, SIGHUP) arrived; unwinds like Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _on_signal(signum: int, frame: object) -> None:
    global _received
    _received = signum
    raise Interrupted(signum)


_default_unraisable_hook = sys.unraisablehook


def _unraisable(info: object) -> None:
    """An interrupt raised where Python cannot propagate it (a finaliser, a callback from C)
    is not printed as "Exception ignored": the signal is raised again, to stop the run at
    the next safe point."""
    if isinstance(getattr(info, "exc_value", None), Interrupted) and _received is not None:
        signal.raise_signal(_received)
        return
    _default_unraisable_hook(info)  # type: ignore[arg-type]


def install_signal_handlers() -> dict[int, object]:
    """Make SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread and
    forget any earlier signal; returns the previous handlers (for :func:`restore`).

    A signal that arrives while compiled code runs is handled when it returns; if some C
    code swallows the exception, :func:`signal_received` still tells, and no output is
    committed after it. Signals ignored at start-up (``nohup``) stay ignored.
    """
    global _received
    _received = None
    previous: dict[int, object] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    sys.unraisablehook = _unraisable
    for sig in STOP_SIGNALS:
        handler = signal.getsignal(sig)
        if handler is signal.SIG_IGN or handler is None:
            continue
        previous[sig] = handler
        signal.signal(sig, _on_signal)
    return previous


def restore_signal_handlers(previous: dict[int, object]) -> None:
    """Put back the handlers :func:`install_signal_handlers` replaced, and forget the signal
    received (a later library call in the same process commits its outputs again)."""
    global _received
    _received = None
    if threading.current_thread() is threading.main_thread():
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        if sys.unraisablehook is _unraisable:
            sys.unraisablehook = _default_unraisable_hook


def signal_received() -> int | None:
    """The stop signal received since :func:`install_signal_handlers`, if any."""
    return _received


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold stop signals back while files are renamed or removed (they are delivered after)."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = mask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, old)


# --- output ------------------------------------------------------------------------------


def quote(text: str, limit: int = 80) -> str:
    """``repr(text)`` cut to about *limit* characters: input quoted in error messages."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + f"... ({len(text):,} characters)"


def _is_special(path: str) -> bool:
    """Paths under /dev and /proc (``/dev/stdout``, ``/proc/self/fd/1``) are always written
    through: replacing them would replace a device node or miss the open file behind them."""
    absolute = os.path.abspath(path)
    return absolute.startswith(("/dev/", "/proc/")) or os.path.realpath(path).startswith(
        "/proc/") or _own_fd(path) is not None  # a link to /dev/fd/1 when that is a file


def _own_fd(path: str) -> int | None:
    """N when *path* names this process's open file descriptor N (``/dev/stdout``,
    ``/dev/fd/N``, ``/proc/self/fd/N``, or a symbolic link to one of them), else None."""
    own = re.compile(rf"/(?:dev|proc/self|proc/{os.getpid()})/fd/(\d+)")
    p = os.path.abspath(path)
    for _ in range(40):  # a chain of links
        m = own.fullmatch(p)
        if m:
            return int(m.group(1))
        if p in ("/dev/stdout", "/dev/stderr"):
            return 1 if p == "/dev/stdout" else 2
        if not os.path.islink(p):
            return None
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return None


class OutputTarget:
    """One output: stdout (``-`` or None), or a file.

    - not a regular file (device, FIFO, ``/dev/stdout``): written through, in place;
    - a symbolic link: the file it points to is written (the link stays);
    - a regular file (new or existing): written to a temp file in its folder and renamed
      over it at :meth:`commit`, so an interrupted run leaves the old file as it was. A
      new file gets the mode ``0666 & ~umask``, like a shell redirection; a replaced file
      keeps its mode (and owner, when allowed). A file with several hard links is copied
      into in place at commit, so its links stay one file.

    The path is checked when the target is made (before any work), so a bad ``-o`` fails
    at once; the temp file is named ``.NAME.PID-XXXX.tmp`` and a later run removes it if
    its process is gone (killed by SIGKILL).
    """

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.name = display_name(path)
        self.path = None if is_stdin(path) else os.fspath(path)
        self.kind, self.final, self.stat = self._resolve()
        self.tmp: str | None = None
        self.fh: IO | None = None

    def _resolve(self) -> tuple[str, str | None, os.stat_result | None]:
        if self.path is None:
            return "stdout", None, None
        path = self.path
        if not path:
            raise InputError("empty output file name")
        try:
            st: os.stat_result | None = os.stat(path)  # follows symbolic links
        except FileNotFoundError:
            st = None
        except NotADirectoryError:
            raise InputError(f"{path}: a folder in the path is a file") from None
        except OSError as e:
            raise InputError(f"{path}: {e.strerror}") from None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise InputError(f"{path}: is a directory")
        if (st is not None and not stat.S_ISREG(st.st_mode)) or _is_special(path):
            own = _own_fd(path)
            if own is not None:
                import fcntl

                try:
                    mode = fcntl.fcntl(own, fcntl.F_GETFL) & os.O_ACCMODE
                except OSError:
                    raise InputError(f"{path}: file descriptor {own} is not open") from None
                if mode == os.O_RDONLY:  # -o /dev/stdin: never write into the input
                    raise InputError(f"{path}: file descriptor {own} is open for reading "
                                     "only")
            return "through", path, None
        final = os.path.realpath(path)  # a symlink's target (created if the link dangles)
        folder = os.path.dirname(final)
        if not os.path.isdir(folder):
            shown = os.path.dirname(path) or "."
            raise InputError(f"{path}: folder {shown} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise InputError(f"{path}: cannot create files in {folder} (permission denied)")
        if st is not None and not os.access(final, os.W_OK):
            raise InputError(f"{path}: permission denied")
        if st is not None and st.st_nlink > 1:
            return "inplace", final, st
        return "atomic", final, st

    def open(self, binary: bool = False) -> IO:
        """The stream to write to (text: UTF-8 with ``\\n`` line ends)."""
        if self.kind == "stdout":
            if sys.stdout is None:
                raise InputError("standard output is closed")
            if binary:
                self.fh = sys.stdout.buffer
            else:
                if hasattr(sys.stdout, "reconfigure"):
                    with contextlib.suppress(Exception):
                        sys.stdout.reconfigure(encoding="utf-8", newline="\n")
                self.fh = sys.stdout
            return self.fh
        assert self.final is not None
        if self.kind == "through":
            own = _own_fd(self.final)
            if own is None:
                fd = os.open(self.final, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            else:  # the open file itself, as a shell redirection: `>> log` stays an append
                try:
                    fd = os.dup(own)
                except OSError:
                    raise InputError(f"{self.path}: file descriptor {own} is not open") from None
        else:
            folder, base = os.path.split(self.final)
            prefix = f".{base}."
            _remove_stale(folder, prefix, ".tmp")
            while True:
                tmp = os.path.join(folder, f"{prefix}{os.getpid()}-{os.urandom(4).hex()}.tmp")
                try:
                    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask
                    break
                except FileExistsError:
                    continue
            self.tmp = tmp
            st = self.stat
            if st is not None:  # a replaced file keeps its mode and, if allowed, its owner
                with contextlib.suppress(OSError):
                    if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                        os.fchown(fd, st.st_uid, st.st_gid)
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
        if binary:
            self.fh = os.fdopen(fd, "wb")
        else:
            self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self.fh

    def close(self) -> None:
        """Flush and close the stream (write errors such as a full disk surface here)."""
        if self.fh is None:
            return
        if self.kind == "stdout":
            self.fh.flush()
        else:
            self.fh.close()

    def commit(self) -> None:
        """Move the finished temp file into place (call :meth:`close` first)."""
        if self.tmp is None:
            return
        assert self.final is not None
        if self.kind == "inplace":
            with open(self.tmp, "rb") as src, open(self.final, "r+b") as dst:
                shutil.copyfileobj(src, dst, BLOCK_BYTES)
                dst.truncate()
            os.unlink(self.tmp)
        else:
            os.replace(self.tmp, self.final)
        self.tmp = None

    def discard(self) -> None:
        """Close quietly and remove the temp file (a written-through file stays as it is)."""
        if self.fh is not None and self.kind != "stdout":
            with contextlib.suppress(Exception):
                self.fh.close()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None


class Outputs:
    """Several outputs committed together, as a context manager.

    Each target is checked when it is added (before the work starts); each file is written
    to its own temp file; all are moved into place only when the block ends without an
    exception (and no stop signal arrived), otherwise all temp files are removed.
    """

    def __init__(self, *paths: str | os.PathLike[str] | None) -> None:
        self.targets: list[OutputTarget] = []
        for path in paths:
            self.add(path)

    def add(self, path: str | os.PathLike[str] | None) -> OutputTarget:
        """Check and add a target; a file that is already a target (the same path, or a
        link to it) is a :class:`ValueError`: one output would silently replace the other."""
        target = OutputTarget(path)
        if target.kind in ("atomic", "inplace"):
            for other in self.targets:
                if other.kind in ("atomic", "inplace") and (
                        other.final == target.final or (
                            other.stat is not None and target.stat is not None
                            and (other.stat.st_dev, other.stat.st_ino)
                            == (target.stat.st_dev, target.stat.st_ino))):
                    raise ValueError(f"{target.path} and {other.path} are the same file: "
                                     "give each output its own file")
        self.targets.append(target)
        return target

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind: object, error: object, tb: object) -> None:
        if kind is None:
            try:
                for target in self.targets:
                    target.close()
                with _signals_deferred():
                    if _received is not None:
                        raise Interrupted(_received)
                    for target in self.targets:
                        target.commit()
            except BaseException:
                self.discard()
                raise
        else:
            self.discard()

    def discard(self) -> None:
        with _signals_deferred():
            for target in self.targets:
                target.discard()


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str] | None, binary: bool = False) -> Iterator[IO]:
    """Text output to stdout (``-`` or omitted) or to a file (see :class:`OutputTarget`):
    a regular file is written to a temporary name beside the target and renamed into place
    only when the block finishes without an exception."""
    with Outputs() as outputs:
        yield outputs.add(path).open(binary)
