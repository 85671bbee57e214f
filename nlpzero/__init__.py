"""nlpzero: unsupervised Chinese NLP from raw text (minimum-entropy principle, Numba cores).

The public API is imported lazily, so ``import nlpzero`` (and the command line's
``--help``) stays fast; numpy and numba load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "discover": "nlpzero.discover",
    "NgramFinder": "nlpzero.discover",
    "PairFinder": "nlpzero.discover",
    "Lexicon": "nlpzero.lexicon",
    "segment": "nlpzero.segment",
    "Segmenter": "nlpzero.segment",
    "score": "nlpzero.score",
    "Scores": "nlpzero.score",
    "infomap": "nlpzero.infomap",
    "communities": "nlpzero.infomap",
    "InfomapResult": "nlpzero.infomap",
    "read_graph": "nlpzero.graph",
    "cosine_knn": "nlpzero.knn",
    "NlpzeroError": "nlpzero.errors",
    "InputError": "nlpzero.errors",
}

__all__ = [
    "InfomapResult", "InputError", "Lexicon", "NgramFinder", "NlpzeroError", "PairFinder",
    "Scores", "Segmenter", "communities", "cosine_knn", "discover", "infomap", "read_graph",
    "score", "segment",
]

if TYPE_CHECKING:  # pragma: no cover
    from .discover import NgramFinder, PairFinder, discover
    from .errors import InputError, NlpzeroError
    from .graph import read_graph
    from .infomap import InfomapResult, communities, infomap
    from .knn import cosine_knn
    from .lexicon import Lexicon
    from .score import Scores, score
    from .segment import Segmenter, segment


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nlpzero' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
