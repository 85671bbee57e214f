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
    "cooccur": "nlpzero.cooccur",
    "Cooccurrence": "nlpzero.cooccur",
    "train": "nlpzero.embed",
    "Embedding": "nlpzero.vectors",
    "read_word2vec": "nlpzero.vectors",
    "write_word2vec": "nlpzero.vectors",
    "find_templates": "nlpzero.templates",
    "TemplateFinder": "nlpzero.templates",
    "Templates": "nlpzero.templates",
    "Parser": "nlpzero.parse",
    "Tree": "nlpzero.parse",
    "NlpzeroError": "nlpzero.errors",
    "InputError": "nlpzero.errors",
}

__all__ = [
    "Cooccurrence", "Embedding", "InfomapResult", "InputError", "Lexicon", "NgramFinder",
    "NlpzeroError", "PairFinder", "Parser", "Scores", "Segmenter", "TemplateFinder",
    "Templates", "Tree", "communities", "cooccur", "cosine_knn", "discover", "find_templates",
    "infomap", "read_graph", "read_word2vec", "score", "segment", "train", "write_word2vec",
]

if TYPE_CHECKING:  # pragma: no cover
    from .cooccur import Cooccurrence, cooccur
    from .discover import NgramFinder, PairFinder, discover
    from .embed import train
    from .errors import InputError, NlpzeroError
    from .graph import read_graph
    from .infomap import InfomapResult, communities, infomap
    from .knn import cosine_knn
    from .lexicon import Lexicon
    from .parse import Parser, Tree
    from .score import Scores, score
    from .segment import Segmenter, segment
    from .templates import TemplateFinder, Templates, find_templates
    from .vectors import Embedding, read_word2vec, write_word2vec


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nlpzero' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
