"""Mitchell's approximate arithmetic: multiplication by adding the bit patterns of floats
(logarithms), its corrected variants, top-k ranking built on it, and its error profiles.

- :mod:`~nlpzero.approx.arithmetic`: :func:`mul`, :func:`div`, :func:`log2`, :func:`exp2`,
  :func:`matmul`, :func:`dot`, the variants and their constants and bounds.
- :mod:`~nlpzero.approx.topk`: :func:`cosine_topk` (Mitchell ranking, exact re-rank).
- :mod:`~nlpzero.approx.profile`: :func:`error_profile`, :func:`explain` and the text of
  ``nlpzero approx``.

The names below are imported lazily: ``import nlpzero.approx`` loads neither numpy nor
numba.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    **dict.fromkeys(("mul", "div", "log2", "exp2", "matmul", "dot", "constant", "fast_log2",
                     "fast_exp2", "VARIANTS", "OPS", "BOUNDS"), "arithmetic"),
    **dict.fromkeys(("cosine_topk", "sanitize"), "topk"),
    **dict.fromkeys(("error_profile", "error_table", "ErrorProfile", "explain"), "profile"),
}

__all__ = [
    "BOUNDS", "OPS", "VARIANTS", "ErrorProfile", "constant", "cosine_topk", "div", "dot",
    "error_profile", "error_table", "exp2", "explain", "fast_exp2", "fast_log2", "log2", "matmul",
    "mul", "sanitize",
]

if TYPE_CHECKING:  # pragma: no cover
    from .arithmetic import (
        BOUNDS,
        OPS,
        VARIANTS,
        constant,
        div,
        dot,
        exp2,
        fast_exp2,
        fast_log2,
        log2,
        matmul,
        mul,
    )
    from .profile import ErrorProfile, error_profile, error_table, explain
    from .topk import cosine_topk, sanitize


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nlpzero.approx' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
