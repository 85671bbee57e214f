"""Intrinsic evaluation of word vectors.

- Word-pair similarity files (``w1 w2 score`` per line, ``#`` comments): Spearman ρ between
  the human scores and the cosine of the two vectors, over the pairs whose words are both in
  the vocabulary (coverage reported beside it).
- Analogy files in word2vec's format (``: section`` lines, then ``a b c d``): accuracy of
  3CosAdd (argmax cosine to b - a + c) or 3CosMul (Levy & Goldberg 2014), a/b/c excluded,
  over the covered questions.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .embedding import Embedding


@dataclass
class SimilarityResult:
    name: str
    spearman: float  # nan when fewer than 2 pairs are covered
    covered: int
    total: int


@dataclass
class AnalogyResult:
    name: str  # section name, or "total"
    correct: int
    covered: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.covered if self.covered else float("nan")


def _lines(path: str | os.PathLike[str], errors: str = "strict"):
    from ..text.io import read_lines

    for number, line in enumerate(read_lines(path, errors), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped


def read_similarity(path: str | os.PathLike[str],
                    errors: str = "strict") -> list[tuple[str, str, float]]:
    """(w1, w2, score) triples; fields split on any whitespace."""
    pairs = []
    for number, line in _lines(path, errors):
        parts = line.split()
        try:
            if len(parts) != 3:
                raise ValueError
            score = float(parts[2])
        except ValueError:
            raise InputError(f"{path}: line {number}: expected 'word word score'") from None
        if not math.isfinite(score):  # a NaN would make ρ NaN; an infinity is no rating
            raise InputError(f"{path}: line {number}: score {parts[2]!r} is not a finite "
                             "number")
        pairs.append((parts[0], parts[1], score))
    if not pairs:
        raise InputError(f"{path}: no word pairs")
    return pairs


def read_analogy(path: str | os.PathLike[str],
                 errors: str = "strict") -> list[tuple[str, list[tuple[str, ...]]]]:
    """Sections (name, questions a b c d) of a word2vec analogy file."""
    sections: list[tuple[str, list[tuple[str, ...]]]] = []
    for number, line in _lines(path, errors):
        if line.startswith(":"):
            sections.append((line[1:].strip(), []))
            continue
        parts = line.split()
        if len(parts) != 4:
            raise InputError(f"{path}: line {number}: expected ': section' or 'a b c d'")
        if not sections:
            sections.append(("", []))
        sections[-1][1].append(tuple(parts))
    if not any(questions for _, questions in sections):
        raise InputError(f"{path}: no analogy questions")
    return sections


def evaluate_similarity(embedding: Embedding, pairs: list[tuple[str, str, float]],
                        name: str = "") -> SimilarityResult:
    """Spearman ρ of human scores vs cosine over covered pairs."""
    from scipy.stats import spearmanr

    unit = embedding.unit
    human, model = [], []
    for w1, w2, score in pairs:
        i, j = embedding.index.get(w1), embedding.index.get(w2)
        if i is not None and j is not None:
            human.append(score)
            model.append(float(unit[i] @ unit[j]))
    rho = float(spearmanr(human, model)[0]) if len(human) >= 2 else float("nan")
    return SimilarityResult(name, rho, len(human), len(pairs))


def evaluate_analogy(embedding: Embedding,
                     sections: list[tuple[str, list[tuple[str, ...]]]],
                     batch: int = 256, method: str = "add") -> list[AnalogyResult]:
    """Per-section accuracy of 3CosAdd (``method="add"``) or 3CosMul (``"mul"``), then the
    total."""
    from .embedding import analogy_scores

    unit = embedding.unit
    index = embedding.index
    results = []
    for name, questions in sections:
        ids = [tuple(index.get(w) for w in q) for q in questions]
        ids = np.array([q for q in ids if None not in q], dtype=np.int64).reshape(-1, 4)
        correct = 0
        for start in range(0, ids.shape[0], batch):
            q = ids[start:start + batch]
            scores = analogy_scores(unit, q[:, 0], q[:, 1], q[:, 2], method)
            rows = np.arange(q.shape[0])
            for col in range(3):
                scores[rows, q[:, col]] = -np.inf
            correct += int((scores.argmax(axis=1) == q[:, 3]).sum())
        results.append(AnalogyResult(name, correct, int(ids.shape[0]), len(questions)))
    results.append(AnalogyResult("total", sum(r.correct for r in results),
                                 sum(r.covered for r in results),
                                 sum(r.total for r in results)))
    return results
