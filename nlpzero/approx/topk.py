"""Cosine top-k ranking with Mitchell products, re-ranked exactly.

Every base row is scored against each query with raw Mitchell products on normalised,
:func:`sanitize`-d copies (so that no product leaves the normal range and the guards can
be skipped); the best candidates are re-ranked by their exact float64 cosine. Used by the
approximate k-nearest-neighbour graphs (:mod:`nlpzero.graphs.knn`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._linalg import unit_rows
from . import _kernels as K
from .arithmetic import _float_args, _params


def sanitize(x: Any, floor: float = 2.0**-60) -> np.ndarray:
    """A copy of *x* with every |x_i| < floor replaced by +-floor (0 becomes +floor).

    For values of at most 1 in magnitude (normalised vectors) it makes raw Mitchell
    products safe: every product stays in [2^-120, 1], a normal float32 or float64.
    """
    dt, (xa,) = _float_args(x)
    return np.where(np.abs(xa) < floor, np.copysign(dt.type(floor), xa), xa).astype(dt)


def cosine_topk(queries: Any, base: Any, k: int = 10, *, candidates: int | None = None,
                variant: str | int = "mitchell") -> tuple[np.ndarray, np.ndarray]:
    """The *k* rows of *base* most cosine-similar to each query: (indices, cosines).

    Ranking: every base row is scored with Mitchell products (raw, on normalised and
    :func:`sanitize`-d copies, summed in float32); the *candidates* best (default
    max(3 k, k + 20)) are re-ranked by their exact float64 cosine. Best first, ties to the
    lower index. 1-D *queries* give 1-D results. An exact BLAS product is faster on
    CPUs; this is for emulating multiplier-free hardware and for teaching.
    """
    dt, (q, x) = _float_args(queries, base)
    single = q.ndim == 1
    q = np.atleast_2d(q)
    if x.ndim != 2 or q.ndim != 2 or q.shape[1] != x.shape[1]:
        raise ValueError(f"queries (m, d) and base (n, d) must share d, got {q.shape}, {x.shape}")
    if k < 1:
        raise ValueError("k must be at least 1")
    if candidates is None:
        candidates = max(3 * k, k + 20)
    if candidates < k:
        raise ValueError(f"candidates ({candidates}) must be at least k ({k})")
    kind, c, _ = _params("mul", variant, dt)
    qs = np.ascontiguousarray(sanitize(unit_rows(q)))
    xs = np.ascontiguousarray(sanitize(unit_rows(x)))
    if x.shape[0] == 0:
        empty = np.empty((q.shape[0], 0))
        return (empty.astype(np.int64)[0], empty[0]) if single else (empty.astype(np.int64),
                                                                     empty)
    idx, scores = K.topk_rerank(qs, xs, k, candidates, kind, c)
    return (idx[0], scores[0]) if single else (idx, scores)
