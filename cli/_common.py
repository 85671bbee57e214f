"""Conventions shared by every command.

- Input: a path, ``-`` for stdin, or nothing when stdin is a pipe.
- Output: stdout, or ``-o FILE``: checked before any work; a regular file is written
  atomically (temp file + rename, umask respected, a replaced file keeps its mode), devices,
  pipes and ``/dev/std*`` are written through, a symbolic link's target is replaced. A
  command with several outputs commits them all together at the end, or none.
- Progress, logs and errors: stderr only (rich); ``--quiet`` silences progress and logs.
- Exit codes: 0 ok, 1 runtime failure (one clear line, never a traceback), 2 usage error
  (every option is range-checked: NaN, infinities and out-of-range values are refused,
  naming the option), 130 interrupted (Ctrl-C), 128 + N after SIGTERM (143) or SIGHUP
  (129); an interrupted run removes its temp files and commits no output.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

if TYPE_CHECKING:
    from nlpzero.text.progress import Progress

class _Diagnostics:
    """The console's file: ``sys.stderr`` as it is at each write (tests swap it), where a
    failed write (a closed pipe: ``2>&1 | head -3``; a full disk) silences the later ones
    instead of stopping the command. Rich would point stdout at /dev/null and exit 1,
    losing the work and, with ``-o``, its output; the exit code still tells the outcome."""

    broken = False

    @staticmethod
    def _stream():  # noqa: ANN205 - a text stream or None
        stream = sys.stderr  # under a live progress display, the file behind rich's proxy
        return getattr(stream, "rich_proxied_file", stream)

    def write(self, text: str) -> int:
        stream = self._stream()
        if not self.broken and stream is not None:
            try:
                stream.write(text)
            except (OSError, ValueError):
                self.broken = True
        return len(text)

    def flush(self) -> None:
        stream = self._stream()
        if not self.broken and stream is not None:
            try:
                stream.flush()
            except (OSError, ValueError):
                self.broken = True

    def isatty(self) -> bool:
        stream = self._stream()
        try:
            return stream is not None and stream.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        stream = self._stream()
        if stream is None:
            raise OSError("standard error is closed")
        return stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream(), "encoding", None) or "utf-8"


console = Console(file=_Diagnostics(), highlight=False,  # type: ignore[arg-type]
                  soft_wrap=True)  # one error = one line

InputArg = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on 3.9-style introspection
    typer.Argument(help="Input file, or - for stdin (default: stdin when it is a pipe).",
                   show_default=False),
]
def check_output(value: str | None) -> str | None:
    """Option callback: a bad output path (missing folder, a directory, no permission)
    fails before any work is done (exit 1, one line)."""
    if value is None or value == "-":
        if sys.stdout is None:  # started with stdout closed (`>&-`)
            console.print("error: standard output is closed; give -o FILE", markup=False)
            raise typer.Exit(1)
    else:
        from nlpzero.errors import NlpzeroError
        from nlpzero.text.io import OutputTarget

        try:
            OutputTarget(value)
        except NlpzeroError as e:
            console.print(f"error: {e}", markup=False)
            raise typer.Exit(1) from None
    return value


def check_prefix(value: str | None) -> str | None:
    """Option callback for an output prefix (``PREFIX.npy``): its folder must be writable."""
    if value is not None:
        check_output(f"{value}.npy")
    return value


OutputOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.",
                 show_default=False, callback=check_output),
]
InputsArg = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Argument(help="Input file, or - for stdin (default: stdin when it is a pipe). "
                   "With --dask: one or more files or folders.", show_default=False),
]
DaskOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--dask", metavar="ADDRESS",
                 help="Run on a Dask cluster: a scheduler address (tcp://host:8786), or "
                 "local:N[:MEMORY] for N worker processes here (needs nlpzero[dask]); every "
                 "worker must see the input files.", show_default=False),
]


def number(low: float | None = None, high: float | None = None, *, low_open: bool = False,
           high_open: bool = False) -> Callable[[float | None], float | None]:
    """Option callback: a finite number in [low, high] (an open end excludes the bound);
    anything else is a usage error naming the option (exit 2)."""

    def check(value: float | None) -> float | None:
        if value is None:
            return value
        if not math.isfinite(value):
            raise typer.BadParameter(f"must be a finite number, got {value}")
        if low is not None and (value < low or (low_open and value == low)):
            raise typer.BadParameter(f"must be {'>' if low_open else '>='} {low:g}, got {value:g}")
        if high is not None and (value > high or (high_open and value == high)):
            raise typer.BadParameter(f"must be {'<' if high_open else '<='} {high:g}, "
                                     f"got {value:g}")
        return value

    return check


#: Seeds: what Numba's and NumPy's generators take without truncation.
SEED_MAX = 2**32 - 1
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or log lines.")]
#: one meaning everywhere: at most N output rows, best / most frequent first
TopOpt = Annotated[Optional[int], typer.Option(  # noqa: UP045
    "--top", "-n", min=1, help="Write at most N results, best / most frequent first.",
    show_default=False)]
#: one default everywhere (Infomap's)
SEED = 123
SeedOpt = Annotated[int, typer.Option("--seed", "-s", min=0, max=2**32 - 1,
                                      help="Random seed (0 to 2^32 - 1).")]


class Errors(str, Enum):
    strict = "strict"
    replace = "replace"


ErrorsOpt = Annotated[
    Errors,
    typer.Option("--errors", help="Invalid UTF-8: stop with an error, or replace by U+FFFD."),
]


def resolve_input(path: str | None) -> str:
    """The input path; an omitted input means stdin only when stdin is not a terminal."""
    if path is not None:
        return path
    if sys.stdin is None or sys.stdin.isatty():
        raise typer.BadParameter("no input: give a file, or - for stdin, or pipe text in",
                                 param_hint="input")
    return "-"


def resolve_inputs(paths: list[str] | None, dask: str | None) -> list[str]:
    """The inputs: one file or stdin without --dask; files or folders with it."""
    if dask is None:
        if paths and len(paths) > 1:
            raise typer.BadParameter("several inputs need --dask (or concatenate them)",
                                     param_hint="input")
        return [resolve_input(paths[0] if paths else None)]
    if not paths or "-" in paths:
        raise typer.BadParameter("--dask reads files that every worker can open; stdin is "
                                 "not accepted (write it to a file first)", param_hint="input")
    from nlpzero.distributed.engine import parse_address

    try:
        parse_address(dask)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--dask") from None
    return paths


def log_workers(log: Log, peaks: dict[str, int]) -> None:
    """One line: the driver's peak memory (this process alone), and how many Dask workers
    ran with the peak memory of each."""
    import resource

    driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin"
                                                                   else 1024)
    sizes = ", ".join(f"{p / 1e6:,.0f} MB" for p in sorted(peaks.values(), reverse=True))
    log.info(f"driver peak memory {driver / 1e6:,.0f} MB; {len(peaks)} Dask workers, "
             f"peak memory per worker: {sizes}")


def refuse(ctx: typer.Context, option: str, applies_to: str) -> None:
    """A usage error (exit 2) when *option* (a parameter name) was given on the command
    line although it does not apply: ``--min-proba applies to --method nlpzero only``."""
    source = ctx.get_parameter_source(option)  # click's (or typer's vendored) enum
    if source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT"):
        ctx.fail(f"--{option.replace('_', '-')} applies to {applies_to} only")


_compile_notice: list[Log] = []  # the Log that prints the notice (the command's)


def _on_compile_start() -> None:
    if _compile_notice:
        log = _compile_notice.pop()
        log.info("compiling kernels for first use (cached for later runs; this takes a "
                 "few seconds once) ...")


class Log:
    """Log lines and progress bars on stderr, silenced by --quiet.

    It also prints one notice when Numba compiles a kernel (only on a cache miss: the first
    run after installing, or after the cache was cleared), so a first run does not look
    hung."""

    def __init__(self, quiet: bool) -> None:
        global warnings_quiet
        self.quiet = quiet
        warnings_quiet = quiet
        self.t0 = time.perf_counter()
        # the current command's Log only: a quiet command never prints an earlier one's notice
        _compile_notice[:] = [] if quiet else [self]
        if not quiet:
            _listen_for_compiles()

    def info(self, message: str) -> None:
        if not self.quiet:
            console.print(message, markup=False)

    def notes(self) -> Progress:
        """A :class:`~nlpzero.text.progress.Progress` that logs stages and notes as lines."""
        from nlpzero.text.progress import Progress

        log = self

        class Lines(Progress):
            def stage(self, name: str, total_bytes: int | None = None) -> None:
                log.info(f"{name} ...")

            def note(self, message: str) -> None:
                log.info(message)

        return Lines()

    @contextlib.contextmanager
    def progress(self) -> Iterator[Progress]:
        """A :class:`~nlpzero.text.progress.Progress` drawing rich bars on a terminal (log
        lines elsewhere)."""
        if self.quiet or not console.is_terminal:
            yield self.notes()
            return
        from nlpzero.text.progress import Progress

        log = self
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeElapsedColumn,
            TransferSpeedColumn,
        )
        from rich.progress import Progress as RichProgress

        with RichProgress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                          TransferSpeedColumn(), TimeElapsedColumn(), console=console,
                          transient=True) as bar:

            class Bars(Progress):
                task = None

                def note(self, message: str) -> None:
                    log.info(message)

                def stage(self, name: str, total_bytes: int | None = None) -> None:
                    if self.task is not None:
                        bar.update(self.task, visible=False)
                    self.task = bar.add_task(name, total=total_bytes)

                def advance(self, n_bytes: int) -> None:
                    if self.task is not None:
                        bar.advance(self.task, n_bytes)

            yield Bars()

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0


warnings_quiet = False  # the current command's --quiet


def one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                     lineno: int, file: object = None, line: str | None = None) -> None:
    """``warnings.showwarning`` for the command line: a library warning (numpy's 'overflow
    encountered in cast' ...) is one line ``warning: ...`` on stderr, silenced by --quiet,
    never Python's two lines with a file name and a line of source code."""
    if not warnings_quiet:
        with contextlib.suppress(Exception):
            console.print(f"warning: {' '.join(str(message).split())}", markup=False)


def _listen_for_compiles() -> None:
    """Register (once per process) a listener for numba's compile event."""
    if getattr(_listen_for_compiles, "done", False):
        return
    _listen_for_compiles.done = True  # type: ignore[attr-defined]
    import numba.core.event as ev

    class Listener(ev.Listener):
        def on_start(self, event: ev.Event) -> None:
            _on_compile_start()

        def on_end(self, event: ev.Event) -> None:
            pass

    ev.register("numba:compile", Listener())


def _caused_by_interrupt(error: BaseException | None) -> bool:
    """True when *error* wraps a KeyboardInterrupt (compiled code that was interrupted
    returns a SystemError or RuntimeError whose cause is the interrupt)."""
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, KeyboardInterrupt):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


interrupt_reported = False


def _interrupted(signum: int | None) -> typer.Exit:
    import signal

    global interrupt_reported
    interrupt_reported = True
    if signum is None or signum == signal.SIGINT:
        message, code = "interrupted", 130
    else:
        message, code = f"interrupted ({signal.Signals(signum).name})", 128 + signum
    with contextlib.suppress(Exception):
        console.print(message, markup=False)
    return typer.Exit(code)


@contextlib.contextmanager
def failures() -> Iterator[None]:
    """Turn library failures into one line on stderr and the exit codes of the contract.

    Also the one interrupt mechanism of every command: SIGINT, SIGTERM and SIGHUP unwind
    the work like Ctrl-C (temp files removed, nothing committed), print ``interrupted``
    and exit 128 + the signal number (130 for Ctrl-C), even when the signal arrived inside
    compiled code that turned it into another exception.
    """
    from nlpzero._numba_cache import recover_corrupt_entries
    from nlpzero.text.io import (
        Interrupted,
        install_signal_handlers,
        restore_signal_handlers,
        signal_received,
    )

    previous = install_signal_handlers()
    try:
        recover_corrupt_entries()
        yield
    except (typer.Exit, typer.Abort, typer.BadParameter):
        raise  # the command's own exits
    except Interrupted as e:
        raise _interrupted(e.signum) from None
    except KeyboardInterrupt:
        raise _interrupted(signal_received()) from None
    except Exception as e:
        if signal_received() is not None or _caused_by_interrupt(e):
            raise _interrupted(signal_received()) from None
        if any(c.__name__ == "ClickException" for c in type(e).__mro__):
            raise  # a usage error of the command itself (click's or typer's own click)
        raise _failure(e) from None
    finally:
        restore_signal_handlers(previous)


def _failure(error: Exception) -> typer.Exit:
    """Print the one line for a failure; the Exit carrying its code."""
    from nlpzero.errors import NlpzeroError

    if isinstance(error, NlpzeroError):
        console.print(f"error: {error}", markup=False)
        return typer.Exit(1)
    if isinstance(error, ValueError):  # invalid option values reported by the library
        console.print(f"error: {error}", markup=False)
        return typer.Exit(2)
    if isinstance(error, BrokenPipeError):
        # the reader went away (e.g. `| head`): stop quietly, like other Unix tools
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return typer.Exit(0)
    if isinstance(error, MemoryError):
        console.print("error: out of memory", markup=False)
        return typer.Exit(1)
    if isinstance(error, OSError):
        console.print(f"error: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
                      markup=False)
        return typer.Exit(1)
    if os.environ.get("NLPZERO_DEBUG"):
        raise error
    lines = str(error).strip().splitlines() or [""]
    text = lines[0][:160] + (" ..." if len(lines) > 1 or len(lines[0]) > 160 else "")
    console.print(f"error: internal error ({type(error).__name__}: {text}); "
                  "set NLPZERO_DEBUG=1 for the traceback", markup=False)
    return typer.Exit(1)
