"""Word vectors and the queries of 更别致的词向量模型(五).

- related words: rank by inner product <v_i, v_j> (≈ PMI), or cosine;
- similar words: cos(v_i U, v_j U) with U Uᵀ = Σ_k (v_k - v̄)ᵀ(v_k - v̄) over the N most
  frequent words (the Pearson correlation of the words' PMI profiles against those N words);
- analogy a : b :: c : ? by 3CosAdd (cosine to b - a + c) or 3CosMul, query words excluded;
- keywords of a sentence: words w ranked by <Σ_{s ∈ sentence} v_s, v_w>; sentence vector = sum.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import BinaryIO, TextIO

import numpy as np

from .._linalg import unit_rows
from ..errors import InputError
from .word2vec import read_word2vec, write_word2vec


class Embedding:
    """Word vectors (rows in frequency order when written by ``nlpzero embed``)."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise ValueError("vectors must be 2-D with one row per word")
        self.words = list(words)
        self.vectors = vectors
        self.index = {w: i for i, w in enumerate(self.words)}
        self._unit: np.ndarray | None = None
        self._similar: dict[int, np.ndarray] = {}

    @classmethod
    def read(cls, path: str | os.PathLike[str] | None, errors: str = "strict") -> Embedding:
        return cls(*read_word2vec(path, errors))

    def write(self, out: TextIO | str | os.PathLike[str] | None) -> None:
        write_word2vec(out, self.words, self.vectors)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def unit(self) -> np.ndarray:
        """Rows scaled to unit length (zero rows stay zero)."""
        if self._unit is None:
            self._unit = unit_rows(self.vectors)
        return self._unit

    def _id(self, word: str) -> int:
        try:
            return self.index[word]
        except KeyError:
            from ..text.io import quote

            raise InputError(f"word {quote(word)} is not in the vocabulary") from None

    def _top(self, scores: np.ndarray, n: int, exclude: Iterable[int]) -> list[tuple[str, float]]:
        scores = scores.astype(np.float64)
        for i in exclude:
            scores[i] = -np.inf
        n = min(n, int(np.isfinite(scores).sum()))
        if n <= 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.words[i], float(scores[i])) for i in top]

    def related(self, word: str, n: int = 20, cosine: bool = False) -> list[tuple[str, float]]:
        """Related words: by inner product <v_i, v_j> (≈ PMI), or by cosine."""
        i = self._id(word)
        space = self.unit if cosine else self.vectors
        return self._top(space @ space[i], n, [i])

    def similar_space(self, reference_words: int = 10000) -> np.ndarray:
        """Unit rows of v U, U Uᵀ = Σ_{k < N} (v_k - v̄)ᵀ(v_k - v̄) (Cholesky), N reference words."""
        n_ref = max(2, min(reference_words, len(self.words)))
        if n_ref not in self._similar:
            centred = self.vectors[:n_ref].astype(np.float64)
            centred -= centred.mean(axis=0)
            scatter = centred.T @ centred
            ridge = 1e-9 * max(float(np.trace(scatter)), 1e-12) / self.dim
            factor = np.linalg.cholesky(scatter + ridge * np.eye(self.dim))
            self._similar[n_ref] = unit_rows(self.vectors @ factor.astype(np.float32))
        return self._similar[n_ref]

    def similar(self, word: str, n: int = 20,
                reference_words: int | None = 10000) -> list[tuple[str, float]]:
        """Similar words: cosine in the Cholesky space (plain cosine if reference_words is None)."""
        i = self._id(word)
        space = self.unit if reference_words is None else self.similar_space(reference_words)
        return self._top(space @ space[i], n, [i])

    def analogy(self, a: str, b: str, c: str, n: int = 10,
                method: str = "add") -> list[tuple[str, float]]:
        """a : b :: c : ? — the three query words excluded; ``method`` "add" (3CosAdd, cosine
        to b - a + c) or "mul" (3CosMul, Levy & Goldberg 2014)."""
        ia, ib, ic = self._id(a), self._id(b), self._id(c)
        scores = analogy_scores(self.unit, np.array([ia]), np.array([ib]), np.array([ic]),
                                method)[0]
        return self._top(scores, n, [ia, ib, ic])

    def most_similar(self, positive: str | Sequence[str] = (), negative: Sequence[str] = (),
                     topn: int = 10) -> list[tuple[str, float]]:
        """gensim's ``KeyedVectors.most_similar``: cosine to the mean of the unit vectors of
        *positive* minus those of *negative*, the query words excluded.
        ``most_similar("北京")`` is plain cosine similarity (see :meth:`similar` for the
        whitened space); ``most_similar(["b", "c"], ["a"])`` is 3CosAdd."""
        positive = [positive] if isinstance(positive, str) else list(positive)
        negative = [negative] if isinstance(negative, str) else list(negative)
        if not positive and not negative:
            raise ValueError("give at least one positive or negative word")
        ids = [self._id(w) for w in positive] + [self._id(w) for w in negative]
        signs = np.array([1.0] * len(positive) + [-1.0] * len(negative), dtype=np.float32)
        query = (self.unit[ids] * signs[:, None]).mean(axis=0)
        norm = float(np.linalg.norm(query))
        if norm > 0:
            query = query / norm
        return self._top(self.unit @ query, topn, ids)

    def similarity(self, w1: str, w2: str) -> float:
        """gensim's ``similarity``: the cosine of two words' vectors."""
        return float(self.unit[self._id(w1)] @ self.unit[self._id(w2)])

    def sentence_vector(self, tokens: Iterable[str]) -> np.ndarray:
        """Σ v_s over the in-vocabulary tokens (zeros if none)."""
        ids = [self.index[t] for t in tokens if t in self.index]
        return self.vectors[ids].sum(axis=0) if ids else np.zeros(self.dim, np.float32)

    def keywords(self, tokens: Sequence[str], n: int = 10) -> list[tuple[str, float]]:
        """The sentence's own words ranked by <Σ_s v_s, v_w> (∝ log P(sentence | w))."""
        total = self.sentence_vector(tokens)
        ids = sorted({self.index[t] for t in tokens if t in self.index})
        if not ids:
            return []
        scores = self.vectors[ids] @ total
        order = np.argsort(-scores, kind="stable")[:n]
        return [(self.words[ids[k]], float(scores[k])) for k in order]

    def write_npy(self, fh: BinaryIO) -> None:
        """The matrix as a ``.npy`` file (float32 V x d)."""
        np.save(fh, self.vectors)

    def write_vocab(self, out: TextIO, counts: np.ndarray | None = None) -> None:
        """``word[<TAB>count]`` per line, in row order."""
        for i, word in enumerate(self.words):
            out.write(f"{word}\t{int(counts[i])}\n" if counts is not None else f"{word}\n")


ANALOGY_METHODS = ("add", "mul")

#: 3CosMul's ε (Levy & Goldberg 2014), added to the denominator's shifted cosine.
COSMUL_EPSILON = 1e-3


def analogy_scores(unit: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                   method: str = "add") -> np.ndarray:
    """Scores of every word as the answer to a : b :: c : ? for each question (row).

    *unit* holds unit-length rows. "add" (3CosAdd): cos(x, b) - cos(x, a) + cos(x, c).
    "mul" (3CosMul): cos'(x, b) cos'(x, c) / (cos'(x, a) + ε) with cos' = (cos + 1) / 2 in
    [0, 1], which keeps one large similarity from dominating the other two.
    """
    if method not in ANALOGY_METHODS:
        raise ValueError(f"analogy method must be one of {', '.join(ANALOGY_METHODS)}")
    if method == "add":
        return (unit[b] - unit[a] + unit[c]) @ unit.T
    half = np.float32(0.5)
    cos_a = (unit[a] @ unit.T + 1) * half
    cos_b = (unit[b] @ unit.T + 1) * half
    cos_c = (unit[c] @ unit.T + 1) * half
    return cos_b * cos_c / (cos_a + np.float32(COSMUL_EPSILON))
