"""Conventions shared by every command.

- Input: a path, ``-`` for stdin, or nothing when stdin is a pipe.
- Output: stdout, or ``-o FILE`` written atomically.
- Progress, logs and errors: stderr only (rich); ``--quiet`` silences progress and logs.
- Exit codes: 0 ok, 1 runtime failure (one clear line, never a traceback), 2 usage error.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

if TYPE_CHECKING:
    from nlpzero.text.progress import Progress

console = Console(stderr=True, highlight=False, soft_wrap=True)  # one error = one line

InputArg = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on 3.9-style introspection
    typer.Argument(help="Input file, or - for stdin (default: stdin when it is a pipe).",
                   show_default=False),
]
OutputOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.",
                 show_default=False),
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
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or log lines.")]
#: one meaning everywhere: at most N output rows, best / most frequent first
TopOpt = Annotated[Optional[int], typer.Option(  # noqa: UP045
    "--top", "-n", min=1, help="Write at most N results, best / most frequent first.",
    show_default=False)]
#: one default everywhere (Infomap's)
SEED = 123
SeedOpt = Annotated[int, typer.Option("--seed", "-s", help="Random seed.")]


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
        self.quiet = quiet
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


@contextlib.contextmanager
def failures() -> Iterator[None]:
    """Turn library failures into one line on stderr and the exit codes of the contract."""
    from nlpzero.errors import NlpzeroError

    try:
        yield
    except (typer.Exit, typer.Abort):
        raise  # the command's own exits
    except NlpzeroError as e:
        console.print(f"error: {e}", markup=False)
        raise typer.Exit(1) from None
    except ValueError as e:  # invalid option values reported by the library
        console.print(f"error: {e}", markup=False)
        raise typer.Exit(2) from None
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, like other Unix tools
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    except MemoryError:
        console.print("error: out of memory", markup=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print("interrupted", markup=False)
        raise typer.Exit(130) from None
    except OSError as e:
        console.print(f"error: {e.strerror or e}: {e.filename or ''}".rstrip(": "), markup=False)
        raise typer.Exit(1) from None
    except Exception as e:  # noqa: BLE001 - the contract is: never a traceback
        if any(c.__name__ == "ClickException" for c in type(e).__mro__):
            raise  # a usage error of the command itself (click's or typer's own click)
        if os.environ.get("NLPZERO_DEBUG"):
            raise
        console.print(f"error: internal error ({type(e).__name__}: {e}); "
                      "set NLPZERO_DEBUG=1 for the traceback", markup=False)
        raise typer.Exit(1) from None
