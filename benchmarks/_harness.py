"""What every benchmark script shares: paths, progress messages, timing, fresh processes with
their peak RSS, optional peers, markdown tables and the machine's facts.

A benchmark imports this module first (``from _harness import ...``; the script's own folder
is on ``sys.path`` when it is run as ``python benchmarks/bench_X.py``). Importing it puts the
repository root on ``sys.path``, so the scripts run without ``pip install -e .``.

Conventions: progress goes to stderr (:func:`say`), results (the tables) to stdout.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib import import_module, metadata
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # runnable without `pip install -e .`
    sys.path.insert(0, str(REPO_ROOT))

DATA = REPO_ROOT.parent / "shared" / "data"  # ../shared/data beside the checkout
SAMPLES = REPO_ROOT / "data_samples"
MB = 1 << 20


# --- messages and skips --------------------------------------------------------------------


def say(message: str) -> None:
    """A progress line on stderr (stdout is kept for the result tables)."""
    print(message, file=sys.stderr, flush=True)


def missing(*paths: Path) -> list[Path]:
    """The paths among *paths* that are not files or folders."""
    return [p for p in paths if not p.exists()]


def require_data(*paths: Path) -> None:
    """Exit cleanly (status 0, one line on stderr) when a data file the benchmark needs is
    absent."""
    absent = missing(*paths)
    if absent:
        say(f"skipped: {', '.join(map(str, absent))} not found (the benchmarks read "
            f"../shared/data beside the checkout, here {DATA})")
        raise SystemExit(0)


# --- optional peers -------------------------------------------------------------------------


class MissingPeer(ImportError):
    """An optional peer package is not installed; the message says how to install it."""


def import_peer(module: str, install: str | None = None) -> ModuleType:
    """Import the peer *module*, or raise :class:`MissingPeer` naming ``pip install INSTALL``."""
    try:
        return import_module(module)
    except ImportError as e:
        raise MissingPeer(f"the peer {module!r} is missing ({e}): "
                          f"pip install {install or module}") from None


def have_peer(module: str, install: str | None = None, what: str = "its rows") -> bool:
    """Whether the peer *module* imports; if not, says that *what* is skipped and why."""
    try:
        if module == "nlp_zero":
            import_nlp_zero()
        else:
            import_peer(module, install)
    except MissingPeer as e:
        say(f"SKIP {what}: {e}")
        return False
    return True


def require_peers(*peers: tuple[str, str]) -> None:
    """Exit cleanly (status 0, one line on stderr per missing peer) unless every
    (module, pip name) pair imports."""
    if not all([have_peer(module, install, "this benchmark") for module, install in peers]):
        raise SystemExit(0)


def import_nlp_zero() -> ModuleType:
    """nlp-zero 0.1.6 (Su Jianlin's original); it imports ``collections.Iterable``, which is
    gone since Python 3.10, so the alias is put back first."""
    import collections
    import collections.abc

    collections.Iterable = collections.abc.Iterable  # type: ignore[attr-defined]
    return import_peer("nlp_zero", "nlp-zero==0.1.6")


def peer_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


# --- timing ---------------------------------------------------------------------------------


def timed(fn: Callable, *args, repeat: int = 1, **kwargs):
    """``fn(*args, **kwargs)``'s result (of the last run) and the best wall time of *repeat*
    runs, in seconds."""
    best, result = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return result, best


# --- fresh processes ------------------------------------------------------------------------


@dataclass
class Run:
    """A finished child process: wall seconds seen from the parent, its peak RSS in MiB (None
    when it could not be measured), its exit status and output."""

    cmd: list[str]
    returncode: int
    wall_s: float
    peak_rss_mb: float | None
    stdout: str = ""
    stderr: str = ""
    data: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failure(self) -> str:
        return f"{' '.join(self.cmd)}: exit {self.returncode}\n{self.stderr.strip()[-4000:]}"


TIME = "/usr/bin/time"


def run_process(cmd: Sequence[str], *, check: bool = False, cwd: Path = REPO_ROOT,
                env: dict | None = None, stdout: int | None = subprocess.PIPE) -> Run:
    """Run *cmd* in a fresh process; returns its wall time and peak RSS.

    The peak RSS is the child's own maximum resident set, read by ``/usr/bin/time`` (a small
    parent, so the figure is the child's). Without ``/usr/bin/time`` it falls back to
    ``getrusage(RUSAGE_CHILDREN)``, an upper bound: on Linux a child forked from this
    process starts with this process's peak. With ``check``, a failure exits with its stderr.
    """
    cmd = [str(c) for c in cmd]
    wrapped, rss_file = cmd, None
    if os.access(TIME, os.X_OK):
        fd, rss_file = tempfile.mkstemp(prefix="nlpzero-bench-rss-")
        os.close(fd)
        wrapped = [TIME, "-q", "-f", "%M", "-o", rss_file, *cmd]
    t0 = time.perf_counter()
    proc = subprocess.run(wrapped, cwd=cwd, env=env, text=True, stdout=stdout,
                          stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    if rss_file is None:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    else:
        with open(rss_file, encoding="ascii") as fh:
            kib = [ln for ln in fh.read().split() if ln.isdigit()]
        os.unlink(rss_file)
        peak = int(kib[-1]) / 1024 if kib else None
    run = Run(cmd, proc.returncode, wall, peak, proc.stdout or "", proc.stderr)
    if check and not run.ok:
        raise SystemExit(f"failed: {run.failure()}")
    return run


def nlpzero_cmd(*args: object) -> list[str]:
    """The ``nlpzero`` command line, run from this checkout by this interpreter."""
    return [sys.executable, "-m", "nlpzero.cli.app", *map(str, args)]


def run_child(script: str, task: dict, **kwargs) -> Run:
    """Run ``python SCRIPT --child JSON`` (see :func:`child_main`) in a fresh process; the
    child's result dict is in ``Run.data``. A failure is reported on stderr, not raised."""
    run = run_process([sys.executable, str(Path(script).resolve()), "--child", json.dumps(task)],
                      **kwargs)
    lines = run.stdout.strip().splitlines()
    if run.ok and lines:
        run.data = json.loads(lines[-1])
    else:
        run.returncode = run.returncode or 1
        say(f"   !! child {task} failed: {run.failure()}")
    return run


def child_main(tasks: dict[str, Callable[..., dict]], spec: str) -> None:
    """The child side of :func:`run_child`: call ``tasks[task]`` with the other keys of the
    JSON *spec* and print its result dict as the last line of stdout."""
    task = json.loads(spec)
    result = tasks[task.pop("task")](**task)
    print(json.dumps(result), flush=True)


# --- files ----------------------------------------------------------------------------------


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside *path* that replaces it when the block ends without error."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def head_of(path: Path, n_bytes: int) -> Path:
    """The first *n_bytes* of *path* cut back to a UTF-8 character boundary (and ending with a
    newline), cached beside it; *path* itself when it is not longer."""
    if path.stat().st_size <= n_bytes:
        return path
    out = path.with_name(f"{path.stem}-first{n_bytes}.txt")
    if out.is_file():
        return out
    with open(path, "rb") as fh:
        data = fh.read(n_bytes + 1)
    cut = n_bytes
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    data = data[:cut]
    with atomic_path(out) as tmp:
        tmp.write_bytes(data if data.endswith(b"\n") else data + b"\n")
    return out


def count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b""))


# --- tables and facts -----------------------------------------------------------------------


def md_row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]],
                   right: Iterable[int] = ()) -> str:
    """A markdown table; the columns whose indices are in *right* are right-aligned."""
    right = set(right)
    rule = "|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|"
    return "\n".join([md_row(*headers), rule, *(md_row(*row) for row in rows)])


def git_revision() -> str:
    """The repository's commit, marked when nlpzero's files differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "nlpzero", "cli"],
                               cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit (no git)"
    return f"commit {head}" + (" with uncommitted changes" if dirty else "")


def machine_facts(peers: Sequence[str] = ()) -> str:
    """One line: CPU, usable cores, memory, load, Python / numpy / numba (and the *peers*'
    versions, by distribution name), the OS and nlpzero's commit."""
    import numba
    import numpy

    cpu = platform.processor() or platform.machine() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")),
                       cpu)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    facts = [f"CPU: {cpu}, {os.cpu_count()} logical CPUs ({usable} usable by this process)"]
    with suppress(ValueError, OSError):
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
        facts.append(f"memory {memory:.1f} GiB")
    if hasattr(os, "getloadavg"):
        facts.append(f"load average {os.getloadavg()[0]:.2f} at the end")
    facts.append(f"Python {platform.python_version()}, numpy {numpy.__version__}, "
                 f"numba {numba.__version__} (NUMBA_NUM_THREADS="
                 f"{numba.config.NUMBA_NUM_THREADS})")
    facts += [f"{dist} {peer_version(dist)}" for dist in peers]
    facts += [f"OS: {platform.platform()}", f"nlpzero at {git_revision()}"]
    return "Machine: " + "; ".join(facts)
