"""A lexicon: words with counts, the unigram model they define, and its file format.

The file format is the one ``nlpzero discover`` writes and jieba-style tools read: one word
per line, ``word<TAB>count[<TAB>score]`` (whitespace also separates; a line with only a
word counts 1; ``#`` starts a comment line). Word probabilities are p(w) = count / total.

Lexicons combine with :meth:`Lexicon.merge` (union, counts summed) and take user words with
:meth:`Lexicon.add`, as jieba's ``load_userdict`` / pkuseg's ``user_dict`` do;
:func:`read_user_dict` reads jieba's user-dictionary format ``word [freq] [tag]``.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np

from .._tables import gather_rows
from ..errors import InputError
from ..text.chars import CharTable, to_codepoints
from ..text.io import display_name, quote, read_lines
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
        with np.errstate(over="ignore"):
            if not np.isfinite(self.counts.sum()):
                raise ValueError("lexicon counts add up to more than the largest float")

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
        max_len = K.scan_length(lengths)
        self._compiled = (chars, keys, lens, vals, logp, max_len)
        return self._compiled

    # --- combining lexicons and user words ---------------------------------------------

    def merge(self, *others: Lexicon) -> Lexicon:
        """The union with *others*; a word in several has the sum of its counts. Scores
        are dropped (they belong to one discovery run)."""
        index: dict[str, int] = {}
        words: list[str] = []
        counts = np.zeros(0)
        for lex in (self, *others):
            rows = np.empty(len(lex), dtype=np.int64)
            for i, w in enumerate(lex.words):
                row = index.setdefault(w, len(index))
                if row == len(words):
                    words.append(w)
                rows[i] = row
            grown = np.zeros(len(words))
            grown[:counts.size] = counts
            counts = grown + np.bincount(rows, lex.counts, minlength=len(words))
        return Lexicon(words, counts)

    def add(self, words: Iterable[str], counts: Iterable[float] | None = None,
            unknown_score: float = DEFAULT_UNKNOWN_SCORE) -> Lexicon:
        """A new lexicon with *words* forced in, as jieba's user dictionary.

        A word with a count (not NaN) gets that count, replacing any it had (jieba's
        ``add_word(word, freq)``). A word without one gets the smallest count that makes
        the segmenter keep it whole against every split of itself into other words: one
        more than T·exp(best split score) with T the final total (jieba's
        ``suggest_freq(word, tune=True)``), and never less than the count it had. A later
        entry of a repeated word wins.
        """
        words = list(words)
        given_counts = (np.full(len(words), np.nan) if counts is None
                        else np.asarray(list(counts), dtype=np.float64))
        if given_counts.shape != (len(words),):
            raise ValueError("one count (or NaN) per word")
        if ((given_counts <= 0) | np.isinf(given_counts)).any():
            raise ValueError("user word counts must be positive and finite")
        given = dict(zip(words, given_counts.tolist()))
        words = list(given)
        wanted = np.array(list(given.values()), dtype=np.float64)
        keep = np.array([w not in given for w in self.words], dtype=bool)
        base = Lexicon([w for w, k in zip(self.words, keep) if k], self.counts[keep])
        explicit = ~np.isnan(wanted)
        if explicit.any():  # words with a count are part of the model the others must beat
            base = base.merge(Lexicon([w for w, e in zip(words, explicit) if e],
                                      wanted[explicit]))
        auto = [w for w, e in zip(words, explicit) if not e]
        if not auto:
            return base
        old = self.index
        old_counts = np.array([self.counts[old[w]] if w in old else 0.0 for w in auto])
        if not len(base):
            return Lexicon(auto, np.maximum(old_counts, 1.0))
        chars, keys, lens, vals, logp, max_len = base.compiled()
        cps = to_codepoints("".join(auto))
        ids = chars.encode_codepoints(cps, grow=False)
        cls = chars.classes[chars.folded(cps)]
        ptr = np.zeros(len(auto) + 1, dtype=np.int64)
        np.cumsum([len(w) for w in auto], out=ptr[1:])
        split = K.best_split_scores(ids, cls, ptr, keys, lens, vals, logp, max_len,
                                    float(unknown_score))
        # split scores use the base total; with the final total T ≥ base a split of k known
        # words loses k ln(T / base) and the word only one, so c > T exp(split) is enough
        total = base.total
        for _ in range(16):  # T includes the suggested counts themselves
            need = np.where(np.isfinite(split), np.exp(split) * total, 0.0)
            suggested = np.maximum(np.floor(need) + 1, old_counts)
            new_total = base.total + float(suggested.sum())
            if new_total <= total:
                break
            total = new_total
        return base.merge(Lexicon(auto, suggested))

    # --- file format -----------------------------------------------------------------

    @classmethod
    def read(cls, path: str | os.PathLike[str] | None, errors: str = "strict") -> Lexicon:
        """Read ``word[<TAB>count[<TAB>score]]`` lines; repeated words add their counts.

        Only a newline ends a row (a CR before it is dropped): U+2028, FS (0x1c) or NEL
        (0x85) inside a row are whitespace between fields, never a new row."""
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
                raise InputError(f"{name}:{lineno}: count {quote(parts[1])} is not a number"
                                 ) from None
            if not (math.isfinite(count) and count > 0):
                raise InputError(f"{name}:{lineno}: count must be a positive finite number, "
                                 f"got {quote(parts[1])}")
            counts[word] = counts.get(word, 0.0) + count
            if len(parts) > 2:
                # a third column like jieba's part of speech is not a score
                with contextlib.suppress(ValueError):
                    scores[word] = float(parts[2])
        if not counts:
            raise InputError(f"{name}: lexicon has no words")
        if not math.isfinite(sum(counts.values())):
            raise InputError(f"{name}: the counts add up to more than the largest float "
                             "(about 1.8e308); scale them down")
        lex = cls.from_counts(counts)
        if scores and len(scores) == len(counts):
            lex.scores = np.array([scores[w] for w in lex.words])
        return lex

    def write(self, out: TextIO, top: int | None = None) -> None:
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


def read_user_dict(path: str | os.PathLike[str] | None, errors: str = "strict"
                   ) -> tuple[list[str], np.ndarray]:
    """Words and counts of a jieba user dictionary, ``word [freq] [tag]`` per line (``#``
    starts a comment); the count is NaN where no frequency is given."""
    name = display_name(path)
    words: list[str] = []
    counts: list[float] = []
    for lineno, raw in enumerate(read_lines(path, errors), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) > 3:
            raise InputError(f"{name}:{lineno}: expected 'word [freq] [tag]', got "
                             f"{len(parts)} fields")
        count = math.nan
        if len(parts) > 1:
            try:
                count = float(parts[1])
            except ValueError:
                if len(parts) == 3:  # 'word tag' alone is allowed, 'word x tag' is not
                    raise InputError(f"{name}:{lineno}: frequency {parts[1]!r} is not a "
                                     "number") from None
            else:
                if not (math.isfinite(count) and count > 0):
                    raise InputError(f"{name}:{lineno}: frequency must be positive and "
                                     f"finite, got {parts[1]}")
        words.append(parts[0])
        counts.append(count)
    if not words:
        raise InputError(f"{name}: user dictionary has no words")
    return words, np.array(counts, dtype=np.float64)
