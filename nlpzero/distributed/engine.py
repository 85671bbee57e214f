"""The map / shuffle / reduce steps every distributed command is made of, on Dask futures.

- :func:`cluster` connects to a scheduler (``tcp://host:8786``) or starts a ``LocalCluster``
  of worker processes (``local:N``), and turns Dask failures into one-line errors.
- :meth:`Job.map_ranges` runs a function on every range's input (the byte range, or what a
  first pass kept of it on the workers: ``Job.inputs``); progress follows the tasks as they
  finish (in bytes of input).
- :meth:`Job.count` is the counting shuffle: each range's sorted (keys, counts) table is
  split into hash buckets on its worker, each bucket is merged on the workers (a tree of
  merges that run before further range tasks), pruned (e.g. ``count >= min_count``), and
  left there; the caller fetches only what it needs.
- :meth:`Job.sum` adds per-range arrays on the workers (a tree), returning one array;
  :meth:`Job.replicated` computes a value on a worker and copies it to every worker.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import InputError, NlpzeroError
from .ranges import ByteRange

_LOCAL = re.compile(r"local:(\d+)(?::(\S+))?")


class DaskError(NlpzeroError):
    """The cluster failed in a way Dask could not recover from."""


def parse_address(address: str) -> tuple[str, int | None, str | None]:
    """(scheduler address, None, None), or ('local', N, memory limit or None) for
    ``local:N`` / ``local:N:LIMIT`` (LIMIT per worker, e.g. ``400MB``); a ``ValueError``
    (usage error) for anything else."""
    text = address.strip()
    m = _LOCAL.fullmatch(text)
    if m:
        n = int(m.group(1))
        if not 1 <= n <= 256:
            raise ValueError(f"--dask {address!r}: local:N needs 1 <= N <= 256 workers")
        limit = m.group(2)
        if limit is not None and _size(limit) < (1 << 26):
            raise ValueError(f"--dask {address!r}: memory limit {limit!r} is not a size "
                             "of at least 64MB (e.g. 400MB, 2GB)")
        return "local", n, limit
    if text.startswith("local"):
        raise ValueError(f"--dask {address!r}: expected local:N or local:N:LIMIT")
    if not re.fullmatch(r"(tcp|tls|ucx|inproc|ws|wss)://[^\s/]+(:\d+)?/?|[\w.-]+:\d+", text):
        raise ValueError(f"--dask {address!r}: expected a scheduler address such as "
                         "tcp://host:8786, or local:N")
    return text, None, None


_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def _size(text: str) -> float:
    """Bytes in a size such as ``400MB`` or ``1.5GiB`` (-1 when it is not one)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?", text.strip().lower())
    if not m:
        return -1
    value = float(m.group(1)) * _UNITS[m.group(2) or ""]
    return value if math.isfinite(value) else -1


@contextlib.contextmanager
def cluster(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` for *address* (see :func:`parse_address`)."""
    kind, n_workers, memory_limit = parse_address(address)
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise NlpzeroError("--dask needs Dask: pip install 'nlpzero[dask]'") from None

    # critical only: a task's own failure (bad input) is logged by the worker at ERROR as a
    # block with its traceback ("Compute Failed"); it reaches us as the task's exception
    with _dask_failures(), dask.config.set({"logging.distributed": "critical"}):
        if kind == "local":
            environ = dict(os.environ)
            with warnings.catch_warnings():  # "port 8787 in use": its web server moves on
                warnings.simplefilter("ignore")
                local = LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                     processes=True, dashboard_address=None,
                                     memory_limit=memory_limit or "auto",
                                     silence_logs=logging.CRITICAL)
            _restore_environ(environ)
            with local, Client(local) as client:
                yield client
        else:
            with Client(kind, timeout="10s") as client:
                yield client


def _restore_environ(saved: dict[str, str]) -> None:
    """Undo what starting local workers wrote into this process's environment: Dask sets
    its ``pre-spawn-environ`` (``OPENBLAS_NUM_THREADS=1`` ...) here before spawning them,
    and a BLAS loaded afterwards on the driver (``embed``'s eigen-solver) would then run
    on one thread and round differently from the single-process command."""
    for key in set(os.environ) - set(saved):
        del os.environ[key]
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


@contextlib.contextmanager
def _dask_failures() -> Iterator[None]:
    """Dask and network failures as :class:`DaskError` (one line); our own errors raised
    inside tasks (bad input) pass through unchanged."""
    try:
        yield
    except (NlpzeroError, ValueError, KeyboardInterrupt, MemoryError):
        raise
    except OSError as e:  # cannot connect, timeouts
        raise DaskError(f"Dask scheduler unreachable or lost: {e}") from None
    except Exception as e:  # noqa: BLE001 - KilledWorker, CancelledError, ...
        name = type(e).__name__
        if name == "KilledWorker":
            raise DaskError("a Dask worker died repeatedly on the same task (out of "
                            "memory? raise the workers' memory limit)") from None
        raise DaskError(f"Dask failed: {name}: {e}") from None


def split_buckets(keys: np.ndarray, counts: np.ndarray,
                  n_buckets: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """A sorted table cut into *n_buckets* sorted tables by a hash of the key (the same
    on every worker), so equal keys from every range meet in one bucket."""
    if n_buckets == 1:
        return [(keys, counts)]
    from ._kernels import bucket_split

    k, c, bounds = bucket_split(np.ascontiguousarray(keys, np.uint64),
                                np.ascontiguousarray(counts, np.int64), n_buckets)
    return [(k[bounds[i]:bounds[i + 1]], c[bounds[i]:bounds[i + 1]]) for i in range(n_buckets)]


def merge_tables(tables: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """Sum sorted (keys, counts) tables (binary-counter merges)."""
    from .._tables import MergeStack, merge_counts

    stack = MergeStack(merge_counts)
    for keys, counts in tables:
        stack.push((keys, counts), keys.size)
    merged = stack.result()
    if merged is None:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return merged


def sorted_concat(tables: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray,
                                                                           np.ndarray]:
    """Disjoint sorted tables (buckets) as one sorted table."""
    if not tables:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    keys = np.concatenate([t[0] for t in tables])
    counts = np.concatenate([t[1] for t in tables])
    order = np.argsort(keys, kind="stable")
    return keys[order], counts[order]


def item(result: Any, i: int) -> Any:
    """``result[i]`` as a task, so a part of a result stays on its worker."""
    return result[i]


def _split(table: tuple, n_buckets: int) -> list:
    return split_buckets(table[0], table[1], n_buckets)


def _map_split(fn: Callable, n_buckets: int, data: Any, *args: Any) -> list:
    """``fn(data, *args)``'s sorted table, cut into buckets on the worker that made it."""
    keys, counts = fn(data, *args)
    return split_buckets(keys, counts, n_buckets)


def _merge(*parts: tuple) -> tuple:
    return merge_tables(parts)


def _reduce_bucket(prune: Callable | None, *parts) -> Any:
    keys, counts = merge_tables(parts)
    return (keys, counts) if prune is None else prune(keys, counts)


def _add(*arrays: np.ndarray) -> np.ndarray:
    out = arrays[0].copy()
    for a in arrays[1:]:
        out += a
    return out


#: Partial results merged per task: merges start as soon as this many are ready.
FAN_IN = 4
#: Merges run before further range tasks, so partial tables do not pile up on workers.
_MERGE_FIRST = 1


class Job:
    """One distributed command: the client, the ranges, and a progress receiver."""

    def __init__(self, client: Any, ranges: Sequence[ByteRange], progress: Any,
                 n_buckets: int | None = None) -> None:
        self.client = client
        self.ranges = list(ranges)
        self.progress = progress
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        self.n_buckets = n_buckets or max(2, 2 * n_workers)
        self.total = sum(r.size for r in self.ranges)
        self.peaks: dict[str, int] = {}
        #: per-range inputs of the tasks: the ranges, or futures of what a first pass
        #: kept of each range on the workers (encoded ids)
        self.inputs: list = list(self.ranges)

    def scatter(self, value: Any) -> Any:
        """*value* copied once to every worker (a future to pass to tasks)."""
        with _dask_failures():
            return self.client.scatter(value, broadcast=True, hash=False)

    def submit(self, fn: Callable, *args: Any, priority: int = 0) -> Any:
        return self.client.submit(fn, *args, pure=False, priority=priority)

    def submit_beside(self, future: Any, fn: Callable, *args: Any) -> Any:
        """``fn(*args)`` on the worker that holds *future* (finished), so a large input is
        not copied to another worker and held twice; elsewhere only if that worker is
        lost."""
        with _dask_failures():
            where = [w for ws in self.client.who_has([future]).values() for w in ws]
        return self.client.submit(fn, *args, pure=False, workers=where or None,
                                  allow_other_workers=True)

    def replicated(self, fn: Callable, *args: Any) -> Any:
        """A future of ``fn(*args)`` computed on a worker and copied to every worker (a
        broadcast that never passes through the driver)."""
        future = self.submit(fn, *args)
        self.wait([future])
        with _dask_failures():
            self.client.replicate([future])
        return future

    def follow(self, stage: str, futures: list) -> None:
        """Advance the progress bar (bytes of input) as the per-range tasks *futures*
        finish, and raise the first failure. Empties *futures*, so finished results are
        freed once their dependents have run."""
        from distributed import as_completed

        self.progress.stage(stage, self.total)
        size_of = {f.key: r.size for f, r in zip(futures, self.ranges)}
        pending = as_completed(futures)
        futures.clear()
        with _dask_failures():
            for future in pending:
                if future.status == "error":
                    future.result()  # raises the task's exception
                self.progress.advance(size_of[future.key])

    def map_ranges(self, stage: str, fn: Callable, *args: Any) -> list:
        """Futures of ``fn(range, *args)`` for every range, after all have finished."""
        futures = [self.submit(fn, x, *args) for x in self.inputs]
        self.follow(stage, list(futures))
        return futures

    def gather(self, futures: Any) -> Any:
        with _dask_failures():
            return self.client.gather(futures)

    def wait(self, futures: list) -> None:
        from distributed import wait

        with _dask_failures():
            wait(futures)
            for f in futures:
                if f.status == "error":
                    f.result()

    def _tree(self, parts: list, merge: Callable, final: Callable, *final_args: Any) -> Any:
        """Merge *parts* by a tree of fan-in FAN_IN (merges first), then *final*."""
        while len(parts) > FAN_IN:
            parts = [self.submit(merge, *parts[i:i + FAN_IN], priority=_MERGE_FIRST)
                     for i in range(0, len(parts), FAN_IN)]
        return self.submit(final, *final_args, *parts, priority=_MERGE_FIRST)

    def _buckets(self, cut: list, prune: Callable | None) -> list:
        return [self._tree([self.submit(item, c, b, priority=_MERGE_FIRST) for c in cut],
                           _merge, _reduce_bucket, prune)
                for b in range(self.n_buckets)]

    def count(self, stage: str, fn: Callable, *args: Any,
              prune: Callable | None = None) -> list:
        """Counting shuffle. ``fn(range, *args)`` gives a sorted (keys, counts) table per
        range; it is cut into hash buckets on its worker, each bucket is merged on the
        workers (a tree, as soon as parts are ready) and passed through
        ``prune(keys, counts)``. Returns the bucket futures (left on the workers)."""
        cut = [self.submit(_map_split, fn, self.n_buckets, x, *args) for x in self.inputs]
        buckets = self._buckets(cut, prune)
        self.follow(stage, cut)
        self.wait(buckets)
        return buckets

    def shuffle(self, tables: list, prune: Callable | None = None) -> list:
        """:meth:`count` of tables already computed (futures, one per range)."""
        cut = [self.submit(_split, t, self.n_buckets, priority=_MERGE_FIRST) for t in tables]
        buckets = self._buckets(cut, prune)
        self.wait(buckets)
        return buckets

    def sum(self, stage: str, fn: Callable, *args: Any) -> np.ndarray:
        """The sum of the arrays ``fn(range, *args)``, added on the workers."""
        parts = [self.submit(fn, x, *args) for x in self.inputs]
        total = self._tree(list(parts), _add, _add)
        self.follow(stage, parts)
        return self.gather(total)

    def sum_of(self, futures: list) -> np.ndarray:
        """The sum of array results already computed (futures)."""
        return self.gather(self._tree(list(futures), _add, _add))


def n_workers(client: Any) -> int:
    return len(client.scheduler_info().get("workers", {}))


def worker_peaks(client: Any) -> dict[str, int]:
    """Peak resident memory (bytes) of each worker process so far."""
    def peak() -> int:
        import resource
        import sys

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return kb if sys.platform == "darwin" else kb * 1024

    with _dask_failures():
        return client.run(peak)


def check_visible(job: Job) -> None:
    """Fail early (one line) when a worker cannot open the corpus files."""
    paths = sorted({r.path for r in job.ranges})

    def missing(paths: list[str]) -> list[str]:
        return [p for p in paths if not os.path.isfile(p)]

    with _dask_failures():
        for worker, lost in job.client.run(missing, paths).items():
            if lost:
                raise InputError(f"{lost[0]}: not visible on Dask worker {worker} (workers "
                                 "need the corpus at the same path)")
