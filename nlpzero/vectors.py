"""Word vectors: word2vec text I/O and the queries of 更别致的词向量模型(五).

- related words: rank by inner product <v_i, v_j> (≈ PMI), or cosine;
- similar words: cos(v_i U, v_j U) with U Uᵀ = Σ_k (v_k - v̄)ᵀ(v_k - v̄) over the N most
  frequent words (the Pearson correlation of the words' PMI profiles against those N words);
- analogy a : b :: c : ? by 3CosAdd (cosine to b - a + c, query words excluded);
- keywords of a sentence: words w ranked by <Σ_{s ∈ sentence} v_s, v_w>; sentence vector = sum.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from typing import TextIO

import numpy as np

from .errors import InputError


def check_word(word: str) -> None:
    """A word in word2vec text format: non-empty, no whitespace (it separates fields)."""
    if not word or any(ch.isspace() for ch in word):
        raise InputError(f"word {word!r} cannot be written in word2vec text format "
                         "(empty or contains whitespace)")


def write_word2vec(out: TextIO | str | os.PathLike[str] | None, words: Sequence[str],
                   matrix: np.ndarray, digits: int = 6) -> None:
    """word2vec text format: a ``V d`` header, then ``word v_1 ... v_d`` per line (UTF-8).

    *out* is an open text stream, or a path written atomically (``-``/None: stdout).
    Words with whitespace and non-finite values are refused (never written).
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise ValueError("matrix must be 2-D with one row per word")
    if not np.all(np.isfinite(matrix)):
        raise InputError("vectors contain NaN or infinite values; nothing written")
    for word in words:
        check_word(word)
    if out is None or isinstance(out, (str, os.PathLike)):
        from .textio import open_output

        with open_output(out) as fh:
            _write_rows(fh, words, matrix, digits)
        return
    _write_rows(out, words, matrix, digits)


def _write_rows(out: TextIO, words: Sequence[str], matrix: np.ndarray, digits: int) -> None:
    out.write(f"{matrix.shape[0]} {matrix.shape[1]}\n")
    step = 4096
    for start in range(0, len(words), step):
        block = matrix[start:start + step]
        buf = io.StringIO()
        np.savetxt(buf, block, fmt=f"%.{digits}g", delimiter=" ")
        lines = buf.getvalue().splitlines()
        out.write("".join(f"{w} {line}\n" for w, line in zip(words[start:start + step], lines)))


def read_word2vec(path: str | os.PathLike[str] | None,
                  errors: str = "strict") -> tuple[list[str], np.ndarray]:
    """Words and float32 matrix of a word2vec text file (a headerless GloVe file also works)."""
    from .score import read_lines
    from .textio import display_name

    name = display_name(path)
    words: list[str] = []
    rows: list[str] = []
    dim = None
    expected = None
    for number, line in enumerate(read_lines(path, errors), 1):
        parts = line.split()
        if not parts:
            continue
        if number == 1 and len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            expected, dim = int(parts[0]), int(parts[1])
            continue
        if dim is None:
            dim = len(parts) - 1
        if len(parts) != dim + 1 or dim < 1:
            raise InputError(f"{name}: line {number}: expected a word and {dim} numbers, "
                             f"got {len(parts)} fields")
        words.append(parts[0])
        rows.append(line[line.index(parts[0]) + len(parts[0]):])
    if not words:
        raise InputError(f"{name}: no vectors (empty file)")
    if expected is not None and expected != len(words):
        raise InputError(f"{name}: header says {expected} words, found {len(words)}")
    try:
        matrix = np.loadtxt(io.StringIO("\n".join(rows)), dtype=np.float32, ndmin=2)
    except ValueError as e:
        raise InputError(f"{name}: not a number in the vectors ({e})") from None
    if not np.all(np.isfinite(matrix)):
        raise InputError(f"{name}: vectors contain NaN or infinite values")
    return words, matrix


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), in the input's float type; the
    norms are summed in float64."""
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix, dtype=np.float64)).astype(matrix.dtype)
    norms[norms == 0] = 1
    return matrix / norms[:, None]


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
            raise InputError(f"word {word!r} is not in the vocabulary") from None

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

    def analogy(self, a: str, b: str, c: str, n: int = 10) -> list[tuple[str, float]]:
        """a : b :: c : ? — words nearest (cosine) to b - a + c, the three excluded (3CosAdd)."""
        ia, ib, ic = self._id(a), self._id(b), self._id(c)
        query = self.unit[ib] - self.unit[ia] + self.unit[ic]
        return self._top(self.unit @ query, n, [ia, ib, ic])

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

    def save_npy(self, prefix: str | os.PathLike[str], counts: np.ndarray | None = None) -> None:
        """``PREFIX.npy`` (float32 V x d) and ``PREFIX.vocab.txt`` (word [count] per line)."""
        from .textio import open_output

        with open(f"{prefix}.npy.tmp", "wb") as fh:
            np.save(fh, self.vectors)
        os.replace(f"{prefix}.npy.tmp", f"{prefix}.npy")
        with open_output(f"{prefix}.vocab.txt") as out:
            for i, word in enumerate(self.words):
                out.write(f"{word}\t{int(counts[i])}\n" if counts is not None else f"{word}\n")
