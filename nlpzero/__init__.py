"""nlpzero: unsupervised Chinese NLP from raw text (minimum-entropy principle, Numba cores).

The public API is imported lazily, so ``import nlpzero`` (and the command line's
``--help``) stays fast; numpy and numba load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._numba_cache import configure as _configure_numba_cache  # noqa: E402
from ._version import __version__ as __version__

_configure_numba_cache()  # before Numba is imported: a read-only install still runs

_EXPORTS = {
    "discover": "nlpzero.words.discovery",
    "NgramFinder": "nlpzero.words.discovery",
    "PairFinder": "nlpzero.words.discovery",
    "UnigramFinder": "nlpzero.words.unigram",
    "Lexicon": "nlpzero.words.lexicon",
    "segment": "nlpzero.words.segmentation",
    "Segmenter": "nlpzero.words.segmentation",
    "score": "nlpzero.words.scoring",
    "Scores": "nlpzero.words.scoring",
    "infomap": "nlpzero.graphs.infomap",
    "communities": "nlpzero.graphs.infomap",
    "InfomapResult": "nlpzero.graphs.infomap",
    "read_graph": "nlpzero.graphs.formats",
    "cosine_knn": "nlpzero.graphs.knn",
    "cooccur": "nlpzero.vectors.cooccurrence",
    "Cooccurrence": "nlpzero.vectors.cooccurrence",
    "train": "nlpzero.vectors.solvers",
    "Embedding": "nlpzero.vectors.embedding",
    "read_word2vec": "nlpzero.vectors.word2vec",
    "write_word2vec": "nlpzero.vectors.word2vec",
    "find_templates": "nlpzero.sentences.templates",
    "TemplateFinder": "nlpzero.sentences.templates",
    "Templates": "nlpzero.sentences.templates",
    "Parser": "nlpzero.sentences.parsing",
    "Tree": "nlpzero.sentences.parsing",
    "Progress": "nlpzero.text.progress",
    "NlpzeroError": "nlpzero.errors",
    "InputError": "nlpzero.errors",
}

__all__ = [
    "Cooccurrence", "Embedding", "InfomapResult", "InputError", "Lexicon", "NgramFinder",
    "NlpzeroError", "PairFinder", "Parser", "Progress", "Scores", "Segmenter", "TemplateFinder",
    "Templates", "Tree", "UnigramFinder", "communities", "cooccur", "cosine_knn", "discover",
    "find_templates", "infomap", "read_graph", "read_word2vec", "score", "segment", "train",
    "write_word2vec",
]

if TYPE_CHECKING:  # pragma: no cover
    from .errors import InputError, NlpzeroError
    from .graphs.formats import read_graph
    from .graphs.infomap import InfomapResult, communities, infomap
    from .graphs.knn import cosine_knn
    from .sentences.parsing import Parser, Tree
    from .sentences.templates import TemplateFinder, Templates, find_templates
    from .text.progress import Progress
    from .vectors.cooccurrence import Cooccurrence, cooccur
    from .vectors.embedding import Embedding
    from .vectors.solvers import train
    from .vectors.word2vec import read_word2vec, write_word2vec
    from .words.discovery import NgramFinder, PairFinder, discover
    from .words.lexicon import Lexicon
    from .words.scoring import Scores, score
    from .words.segmentation import Segmenter, segment
    from .words.unigram import UnigramFinder


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nlpzero' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
