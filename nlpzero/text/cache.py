"""Encoded blocks of a first pass, kept in memory for the later passes while they fit.

Discovery and template learning read a corpus two or more times. The first pass keeps
each block's integer ids; later passes replay them instead of reading and decoding again.
Past the memory budget the cache gives up (and frees what it held), and later passes
read the source again, so memory stays bounded by the budget.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np


class BlockCache:
    """Arrays (with any extra fields) appended in order, dropped once over *budget_bytes*."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self.n_bytes = 0
        self._items: list[tuple[Any, ...]] | None = []

    @property
    def complete(self) -> bool:
        """True while everything added so far is still held."""
        return self._items is not None

    def add(self, block: np.ndarray, *extra: Any) -> None:
        if self._items is None:
            return
        self.n_bytes += block.nbytes
        if self.n_bytes <= self.budget_bytes:
            self._items.append((block, *extra))
        else:
            self._items = None

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        if self._items is None:
            raise RuntimeError("the cache went over its budget; read the source again")
        return iter(self._items)

    def __len__(self) -> int:
        return 0 if self._items is None else len(self._items)
