"""Two ways to keep both cores busy while Numba kernels (which release the GIL) run."""

from __future__ import annotations

import collections
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
S = TypeVar("S")

#: Threads of :func:`map_blocks` (and blocks in flight at once).
WORKERS = 2


def prefetch(items: Iterator[T]) -> Iterator[T]:
    """Run *items* in a background thread, one item ahead: decoding the next block overlaps
    the (GIL-free) kernels working on this one. Exceptions re-raise in the consumer."""
    q: queue.Queue = queue.Queue(maxsize=1)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                q.put(item)
            q.put(done)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            q.put(e)

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                worker.join(0.01)


def map_blocks(fn: Callable[[S], T], blocks: Iterable[S]) -> Iterator[T]:
    """``map(fn, blocks)`` on two threads, results in block order.

    The kernels release the GIL, so two workers use both cores; at most two blocks are in
    flight, which bounds memory.
    """
    with ThreadPoolExecutor(WORKERS) as pool:
        pending: collections.deque = collections.deque()
        for block in blocks:
            pending.append(pool.submit(fn, block))
            if len(pending) >= WORKERS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
