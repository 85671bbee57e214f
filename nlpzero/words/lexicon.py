"""A lexicon: words with counts, the unigram model they define, and its file format.

The file format is the one ``nlpzero discover`` writes and jieba-style tools read: one word
per line, ``word<TAB>count[<TAB>score]`` (whitespace also separates; a line with only a
word counts 1; ``#`` starts a comment line). Word probabilities are p(w) = count / total.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .._tables import gather_rows
from ..errors import InputError
from ..text.chars import CharTable
from ..text.io import display_name, read_lines
from . import _lexicon_kernels as K

DEFAULT_UNKNOWN_SCORE = -100.0


@dataclass
class Lexicon:
    """Words and counts; ``score`` is optional per-word metadata written to TSV.

    Build the segmenter's hash table lazily with :meth:`compiled`.
    """

    words: list[str]
    counts: np.ndarray
    scores: np.ndarray | None = None
    _compiled: tuple | None = field(default=None, repr=False, compare=False)
    _index: dict[str, int] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.counts = np.asarray(self.counts, dtype=np.float64)
        if len(self.words) != self.counts.shape[0]:
            raise ValueError("words and counts differ in length")
        if self.counts.size and not (np.isfinite(self.counts).all() and (self.counts > 0).all()):
            raise ValueError("lexicon counts must be positive and finite")

    @classmethod
    def from_counts(cls, counts: dict[str, float] | Iterable[tuple[str, float]]) -> Lexicon:
        items = list(counts.items() if isinstance(counts, dict) else counts)
        return cls([w for w, _ in items], np.array([c for _, c in items], dtype=np.float64))

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    @property
    def index(self) -> dict[str, int]:
        """Word -> row, built once (a Lexicon is not meant to be mutated in place)."""
        if self._index is None:
            self._index = {w: i for i, w in enumerate(self.words)}
        return self._index

    @property
    def total(self) -> float:
        return float(self.counts.sum())

    def log_proba(self) -> np.ndarray:
        """ln p(w) = ln count − ln total, in nats."""
        return np.log(self.counts) - math.log(self.total)

    def sorted(self) -> Lexicon:
        """Most frequent first, ties by word (a stable, reproducible order)."""
        by_word = np.array(sorted(range(len(self.words)), key=self.words.__getitem__),
                           dtype=np.int64)
        order = by_word[np.argsort(-self.counts[by_word], kind="stable")]
        scores = None if self.scores is None else self.scores[order]
        return Lexicon([self.words[i] for i in order], self.counts[order], scores)

    def compiled(self, chars: CharTable | None = None) -> tuple:
        """(chars, keys, lens, vals, logp, max_len): the arrays the segmenter walks.

        Spellings that fold to the same ids (full-width and ASCII digits) share one entry
        with their summed count. Words containing punctuation or spaces can never match a
        run of word characters and are left out.
        """
        if self._compiled is not None and (chars is None or chars is self._compiled[0]):
            return self._compiled
        chars = chars or CharTable()
        counts = self.counts
        all_ids = chars.encode("\n".join(self.words))  # one call; each "\n" encodes as 0
        lengths = np.fromiter(map(len, self.words), dtype=np.int64, count=len(self.words))
        starts = np.zeros(lengths.size, dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        # a word is usable when all its ids are non-zero (letters, digits, ideographs)
        zeros = np.zeros(lengths.size, dtype=np.int64)
        if lengths.size:
            zeros = np.add.reduceat((all_ids == 0).astype(np.int64), starts)
            zeros[:-1] -= 1  # each but the last word's span includes its "\n"
        valid = (lengths > 0) & (zeros == 0)
        lengths, counts = lengths[valid], counts[valid]
        ptr, flat = gather_rows(all_ids, starts[valid], lengths)
        capacity = 1 << max(4, int(2 * max(1, flat.size)).bit_length())
        keys, lens, vals, duplicate = K.build_table(ptr, flat, capacity)
        if duplicate >= 0:
            # spellings that fold to the same ids (full-width and ASCII digits) share the
            # entry of their first spelling, with the summed count
            first: dict[bytes, int] = {}
            for i in range(lengths.size):
                first.setdefault(flat[ptr[i] : ptr[i + 1]].tobytes(), i)
            owner = np.array([first[flat[ptr[i] : ptr[i + 1]].tobytes()]
                              for i in range(lengths.size)], dtype=np.int64)
            counts = np.bincount(owner, weights=counts, minlength=lengths.size)
        logp = np.log(np.maximum(counts, 1e-300)) - math.log(self.total) if counts.size else counts
        max_len = int(lengths.max()) if lengths.size else 1
        self._compiled = (chars, keys, lens, vals, logp, max_len)
        return self._compiled

    # --- file format -----------------------------------------------------------------

    @classmethod
    def read(cls, path: str | os.PathLike[str] | None, errors: str = "strict") -> Lexicon:
        """Read ``word[<TAB>count[<TAB>score]]`` lines; repeated words add their counts."""
        name = display_name(path)
        counts: dict[str, float] = {}
        scores: dict[str, float] = {}
        for lineno, raw in enumerate(read_lines(path, errors), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            word = parts[0]
            try:
                count = float(parts[1]) if len(parts) > 1 else 1.0
            except ValueError:
                raise InputError(f"{name}:{lineno}: count {parts[1]!r} is not a number") from None
            if not (math.isfinite(count) and count > 0):
                raise InputError(f"{name}:{lineno}: count must be positive, got {parts[1]}")
            counts[word] = counts.get(word, 0.0) + count
            if len(parts) > 2:
                # a third column like jieba's part of speech is not a score
                with contextlib.suppress(ValueError):
                    scores[word] = float(parts[2])
        if not counts:
            raise InputError(f"{name}: lexicon has no words")
        lex = cls.from_counts(counts)
        if scores and len(scores) == len(counts):
            lex.scores = np.array([scores[w] for w in lex.words])
        return lex

    def write(self, out, top: int | None = None) -> None:
        """Write ``word<TAB>count<TAB>score`` lines (score omitted when absent)."""
        n = len(self.words) if top is None else min(top, len(self.words))
        counts = self.counts[:n]
        if np.array_equal(counts, np.rint(counts)):
            count_text = map(str, counts.astype(np.int64).tolist())
        else:
            count_text = (str(int(c)) if c.is_integer() else f"{c:.6g}" for c in counts.tolist())
        words = self.words[:n]
        chunk = 1 << 16
        if self.scores is None:
            lines = map("{}\t{}\n".format, words, count_text)
        else:
            lines = map("{}\t{}\t{:.4f}\n".format, words, count_text, self.scores[:n].tolist())
        while True:
            block = "".join(itertools.islice(lines, chunk))
            if not block:
                break
            out.write(block)
