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
    "find_templates": "nlpzero.templates",
    "TemplateFinder": "nlpzero.templates",
    "Templates": "nlpzero.templates",
    "Parser": "nlpzero.parse",
    "Tree": "nlpzero.parse",
    "NlpzeroError": "nlpzero.errors",
    "InputError": "nlpzero.errors",
}

__all__ = [
    "InputError", "Lexicon", "NgramFinder", "NlpzeroError", "PairFinder", "Parser", "Scores",
    "Segmenter", "TemplateFinder", "Templates", "Tree", "discover", "find_templates", "score",
    "segment",
]

if TYPE_CHECKING:  # pragma: no cover
    from .discover import NgramFinder, PairFinder, discover
    from .errors import InputError, NlpzeroError
    from .lexicon import Lexicon
    from .parse import Parser, Tree
    from .score import Scores, score
    from .segment import Segmenter, segment
    from .templates import TemplateFinder, Templates, find_templates


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nlpzero' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
