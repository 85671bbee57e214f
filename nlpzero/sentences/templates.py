"""Sentence templates (句模版) from segmented text, after Su Jianlin's 最小熵原理（三）.

Words w1, w2 form a strong pair when w2 is among the next ``window`` words and
ln p(w1, w2) > ln min_proba and PMI = ln p(w1, w2) − ln p(w1) − ln p(w2) > min_pmi, where
p(w) = c(w) / Σ c(words) and p(w1, w2) = c(w1, w2) / Σ c(pairs), each with its own total.
In each sentence piece the strong pairs are the edges i → j of a DAG; every maximal path
from a node with no incoming edge is a template: its words, one [X] per gap, and a leading /
trailing [X] when it misses the first / last word. Templates with p(t) = c(t) / Σ c > min_proba
are kept.

Input is segmented text: one sentence per line, tokens separated by whitespace. Tokens
with no letter, digit or ideograph (punctuation) cut a line into pieces and are not counted,
as nlp-zero's default ``filtering=True`` does. Counting matches nlp-zero 0.1.6's
``Template_Finder`` exactly, with two fixes: the pair counts survive :meth:`find` (the
original emptied them, so a second ``train`` broke), and a piece whose DAG has more than
``max_paths`` maximal paths is skipped and reported (the original enumerated them all,
which is exponential; paths are counted by dynamic programming first).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from .._threads import prefetch
from ..errors import InputError
from ..text.cache import BlockCache
from ..text.chars import is_word_char
from ..text.io import display_name, quote, read_blocks, read_lines
from ..text.progress import Progress

PLACEHOLDER_TEXT = "[X]"
#: Largest template count (and sum of counts) read: exact in float64 and in int64 sums.
MAX_COUNT = 2**53

#: Bytes of word ids :func:`find_templates` keeps from its first pass for the second (512 MB);
#: a larger corpus is read twice.
CACHE_BYTES = 1 << 29

Corpus = str | os.PathLike[str] | Iterable[str] | Iterable[Sequence[str]]


def is_word_token(token: str) -> bool:
    """A token with a letter, digit or ideograph (not punctuation, not the text ``[X]``)."""
    if token.isalnum() and token[0] < "\U00010000":  # fast path: is_word_char(token[0])
        return True
    return token != PLACEHOLDER_TEXT and any(map(is_word_char, token))


def sentence_pieces(line: str) -> list[list[str]]:
    """The pieces a segmented line is counted in: runs of word tokens between the others."""
    pieces: list[list[str]] = [[]]
    for token in line.split():
        if is_word_token(token):
            pieces[-1].append(token)
        elif pieces[-1]:
            pieces.append([])
    return pieces if pieces[-1] else pieces[:-1]


class Vocabulary:
    """Word ↔ id (ids from 1, in order of first appearance; 0 is a line end / [X]).

    Tokens are interned by a numba hash table over their code points; Python only sees each
    new word once, to name it and classify it.
    """

    def __init__(self) -> None:
        self.words: list[str] = [PLACEHOLDER_TEXT]
        self._sep: list[bool] = [True]
        self._table = _RowTable(1 << 14, 4)
        self._sep_array = np.ones(1, dtype=np.bool_)

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, text: str) -> np.ndarray:
        """int32 ids of the whitespace-separated tokens of *text*, 0 at each newline."""
        from . import _templates_kernels as K

        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int32)
        ids = np.empty(cps.size, dtype=np.int32)  # at most one id per character
        n_ids, start = 0, 0
        table = self._table
        new_spans = np.empty((1 << 16, 2), dtype=np.int64)
        while start >= 0:
            start, n_ids, n_new = K.intern_tokens(
                cps, _whitespace(), start, ids, n_ids, table.slots, table.store,
                table.store_ptr, table.state, new_spans)
            new = [text[a:b] for a, b in new_spans[:n_new].tolist()]
            self.words.extend(new)
            self._sep.extend([not is_word_token(word) for word in new])
            if start >= 0:
                table.grow()
        return ids[:n_ids]

    def is_separator(self) -> np.ndarray:
        """Per id: True for the line end and for tokens without a word character."""
        if self._sep_array.size != len(self._sep):
            self._sep_array = np.array(self._sep, dtype=np.bool_)
        return self._sep_array


def _whitespace() -> np.ndarray:
    """is_space[c] for the code points below U+3001: exactly what ``str.split()`` splits at."""
    global _WHITESPACE
    if _WHITESPACE is None:
        _WHITESPACE = np.array([chr(c).isspace() for c in range(0x3001)], dtype=np.bool_)
    return _WHITESPACE


_WHITESPACE: np.ndarray | None = None


def _iter_texts(corpus: Corpus, errors: str, progress: Progress | None) -> Iterator[str]:
    """Blocks of segmented text ending at line ends: a file's (``str`` or ``os.PathLike``),
    or the lines of a list (each a str, or a sequence of tokens)."""
    if isinstance(corpus, (str, os.PathLike)):
        yield from read_blocks(corpus, errors, progress=progress)
        return
    batch: list[str] = []
    for line in corpus:
        batch.append(line if isinstance(line, str) else " ".join(line))
        if len(batch) >= 1 << 14:
            yield "\n".join(batch) + "\n"
            batch = []
    if batch:
        yield "\n".join(batch) + "\n"


def iter_id_blocks(corpus: Corpus, vocab: Vocabulary, errors: str = "strict",
                   progress: Progress | None = None) -> Iterator[np.ndarray]:
    """int32 word ids of each block of *corpus*, 0 after every line."""
    for text in _iter_texts(corpus, errors, progress):
        yield vocab.encode(text)


@dataclass
class Templates:
    """Templates (tuples of words, None for [X]) with their counts, most frequent first."""

    templates: list[tuple[str | None, ...]]
    counts: np.ndarray

    def __len__(self) -> int:
        return len(self.templates)

    def __iter__(self) -> Iterator[tuple[tuple[str | None, ...], int]]:
        return zip(self.templates, self.counts.tolist())

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def as_dict(self) -> dict[tuple[str | None, ...], int]:
        return dict(iter(self))

    def non_trivial(self) -> Templates:
        keep = [i for i, t in enumerate(self.templates) if not is_trivial(t)]
        return Templates([self.templates[i] for i in keep], self.counts[keep])

    def write(self, out: TextIO, top: int | None = None) -> None:
        """TSV ``template<TAB>count``; template tokens joined by single spaces, [X] for a
        placeholder (the corpus tokens never contain whitespace, so this is unambiguous)."""
        rows = self.templates if top is None else self.templates[:top]
        for t, c in zip(rows, self.counts.tolist()):
            out.write(f"{format_template(t)}\t{c}\n")

    @classmethod
    def read(cls, path: str | os.PathLike[str], errors: str = "strict") -> Templates:
        """Read a ``template<TAB>count`` TSV as written by :meth:`write`."""
        name = display_name(path)
        templates, counts = [], []
        total = 0
        for number, line in enumerate(read_lines(path, errors), 1):
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) < 2:
                raise InputError(f"{name}:{number}: expected template<TAB>count, got "
                                 f"{quote(line)}")
            try:
                count = int(fields[1])
            except ValueError:
                raise InputError(f"{name}:{number}: count {quote(fields[1])} is not an "
                                 "integer") from None
            if not 0 < count <= MAX_COUNT:
                raise InputError(f"{name}:{number}: count must be positive and at most "
                                 f"2^53, got {quote(fields[1])}")
            total += count
            if total > MAX_COUNT:
                raise InputError(f"{name}:{number}: the counts add up to more than "
                                 f"{MAX_COUNT}")
            tokens = tuple(None if w == PLACEHOLDER_TEXT else w for w in fields[0].split())
            if all(w is None for w in tokens):
                raise InputError(f"{name}:{number}: a template needs at least one word")
            if any(a is None and b is None for a, b in zip(tokens, tokens[1:])):
                raise InputError(f"{name}:{number}: two [X] in a row in {quote(fields[0])}")
            templates.append(tokens)
            counts.append(count)
        if not templates:
            raise InputError(f"{name}: no templates (empty file)")
        return cls(templates, np.array(counts, dtype=np.int64))


def format_template(template: Sequence[str | None]) -> str:
    return " ".join(PLACEHOLDER_TEXT if w is None else w for w in template)


def is_trivial(template: Sequence[str | None]) -> bool:
    """[X] w [X]: one word between two placeholders says nothing about structure."""
    return len(template) == 3 and template[0] is None and template[2] is None


class TemplateFinder:
    """Counts words and skip-gram pairs (:meth:`train`, repeatable: counts accumulate and
    survive :meth:`find`) and builds templates from the strong pairs (:meth:`find`)."""

    def __init__(self, window: int = 5, min_proba: float = 1e-5, min_pmi: float = 2.0,
                 max_paths: int = 10_000, errors: str = "strict") -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        if not 0.0 < min_proba < 1.0:
            raise ValueError("min_proba must be in (0, 1)")
        if not math.isfinite(min_pmi):
            raise ValueError("min_pmi must be a finite number")
        if max_paths < 1:
            raise ValueError("max_paths must be at least 1")
        from .._tables import MergeStack, merge_counts

        self.window, self.min_proba, self.min_pmi = window, min_proba, min_pmi
        self.max_paths, self.errors = max_paths, errors
        self.vocab = Vocabulary()
        self.word_counts = np.zeros(1024, dtype=np.int64)
        self._pairs = MergeStack(merge_counts)
        self.pieces_skipped = 0
        self.pieces = 0

    def _blocks(self, corpus, progress) -> Iterator[np.ndarray]:
        if isinstance(corpus, list) and corpus and isinstance(corpus[0], np.ndarray):
            yield from corpus  # id blocks cached by find_templates
        else:
            yield from iter_id_blocks(corpus, self.vocab, self.errors, progress)

    def train(self, corpus: Corpus, progress: Progress | None = None) -> TemplateFinder:
        """Count words and pairs (w1, w2 within the next window words) of *corpus*."""
        from .._tables import run_lengths
        from . import _templates_kernels as K

        for ids in self._blocks(corpus, progress):
            if len(self.vocab) > self.word_counts.size:
                grown = np.zeros(2 * len(self.vocab), dtype=np.int64)
                grown[:self.word_counts.size] = self.word_counts
                self.word_counts = grown
            keys = K.count_skipgrams(ids, self.vocab.is_separator(), self.window,
                                     self.word_counts)
            keys.sort()
            table = run_lengths(keys)
            self._pairs.push(table, table[0].size)
        return self

    def pair_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted packed pair keys (w1 << 32 | w2) and their counts."""
        table = self._pairs.result()
        if table is None:
            return np.zeros(0, np.uint64), np.zeros(0, np.int64)
        return table

    def strong_pairs(self) -> np.ndarray:
        """Sorted keys of the pairs with ln p12 > ln min_proba and PMI > min_pmi."""
        keys, counts = self.pair_counts()
        n_words = self.word_counts.sum()
        if keys.size == 0:
            return keys
        log_p12 = np.log(counts.astype(np.float64)) - math.log(counts.sum())
        log_pw = np.log(np.maximum(self.word_counts, 1).astype(np.float64)) - math.log(n_words)
        a = (keys >> np.uint64(32)).astype(np.int64)
        b = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
        keep = (log_p12 > math.log(self.min_proba)) & (
            log_p12 - log_pw[a] - log_pw[b] > self.min_pmi)
        return keys[keep]

    def find(self, corpus: Corpus, progress: Progress | None = None) -> Templates:
        """Templates of *corpus* under the trained statistics, p(t) > min_proba."""
        if self.word_counts.sum() == 0:
            raise InputError("no words to learn templates from (empty input?)")
        strong = self.strong_pairs()
        table = _TemplateTable(1 << 16)
        for ids in self._blocks(corpus, progress):
            first = (strong >> np.uint64(32)).astype(np.int64)
            strong_ptr = np.searchsorted(first, np.arange(len(self.vocab) + 1))
            strong_to = (strong & np.uint64(0xFFFFFFFF)).astype(np.int32)
            table.add(ids, self.vocab.is_separator(), self.window, (strong_ptr, strong_to),
                      self.max_paths)
        self.pieces_skipped += int(table.state[2])
        self.pieces += int(table.state[3])
        return table.templates(self.vocab.words, self.min_proba)


class _RowTable:
    """Growable open-addressing hash table of int32 rows (CSR store) with counts."""

    def __init__(self, capacity: int, row_len: int = 8) -> None:
        self.slots = np.full(2 * capacity, -1, dtype=np.int64)
        self.store = np.empty(row_len * capacity, dtype=np.int32)
        self.store_ptr = np.zeros(capacity + 1, dtype=np.int64)
        self.counts = np.zeros(capacity, dtype=np.int64)
        self.state = np.zeros(4, dtype=np.int64)

    def grow(self) -> None:
        from . import _templates_kernels as K

        n, used = int(self.state[0]), int(self.state[1])
        capacity = 2 * (self.store_ptr.size - 1)
        store = np.empty(2 * self.store.size, dtype=np.int32)
        store[:used] = self.store[:used]
        store_ptr = np.zeros(capacity + 1, dtype=np.int64)
        store_ptr[:n + 1] = self.store_ptr[:n + 1]
        counts = np.zeros(capacity, dtype=np.int64)
        counts[:n] = self.counts[:n]
        self.store, self.store_ptr, self.counts = store, store_ptr, counts
        self.slots = np.full(2 * capacity, -1, dtype=np.int64)
        K.rehash(self.slots, self.store, self.store_ptr, n)


class _TemplateTable(_RowTable):
    """Templates (rows of word ids, 0 = [X]) and their counts; one-word templates are
    counted densely in ``singles[shape, word]`` instead (see count_templates)."""

    singles = np.zeros((4, 0), dtype=np.int64)

    def add(self, ids: np.ndarray, is_sep: np.ndarray, window: int,
            strong: tuple[np.ndarray, np.ndarray], max_paths: int) -> None:
        """Count the templates of one block of ids (growing the table as needed)."""
        from . import _templates_kernels as K

        if self.singles.shape[1] < is_sep.size:
            grown = np.zeros((4, 2 * is_sep.size), dtype=np.int64)
            grown[:, :self.singles.shape[1]] = self.singles
            self.singles = grown
        start = 0
        while start >= 0:
            resume = K.count_templates(ids, is_sep, window, *strong, max_paths, start,
                                       self.slots, self.store, self.store_ptr, self.counts,
                                       self.state, self.singles)
            if resume >= 0:
                self.grow()
            start = resume

    def templates(self, words: list[str], min_proba: float) -> Templates:
        n = int(self.state[0])
        shapes, single_words = np.nonzero(self.singles)
        counts = np.concatenate([self.counts[:n], self.singles[shapes, single_words]])
        if counts.size == 0:
            return Templates([], counts)
        log_p = np.log(counts.astype(np.float64)) - math.log(counts.sum())
        keep = np.flatnonzero(log_p > math.log(min_proba))
        store, ptr = self.store[:self.state[1]].tolist(), self.store_ptr.tolist()
        shapes, single_words = shapes.tolist(), single_words.tolist()
        rows = []
        for t in keep.tolist():
            if t < n:
                rows.append(tuple(None if x == 0 else words[x] for x in store[ptr[t]:ptr[t + 1]]))
            else:
                shape, word = shapes[t - n], words[single_words[t - n]]
                rows.append((None,) * (shape >> 1) + (word,) + (None,) * (shape & 1))
        kept = counts[keep]
        texts = [format_template(row) for row in rows]
        order = sorted(range(len(rows)), key=list(zip((-kept).tolist(), texts)).__getitem__)
        return Templates([rows[k] for k in order], kept[order].copy())


def find_templates(corpus: Corpus, window: int = 5, min_proba: float = 1e-5,
                   min_pmi: float = 2.0, max_paths: int = 10_000, errors: str = "strict",
                   progress: Progress | None = None,
                   finder: TemplateFinder | None = None) -> Templates:
    """Train on *corpus* and find its templates (two passes; the word ids of the first pass
    are kept for the second while they fit in :data:`CACHE_BYTES`)."""
    finder = finder or TemplateFinder(window, min_proba, min_pmi, max_paths, errors)
    cache = BlockCache(CACHE_BYTES)
    size = _size(corpus)
    if progress is not None:
        progress.stage("counting words and pairs", size)
    # the next block is read and interned on a second thread while this one is counted
    for ids in prefetch(iter_id_blocks(corpus, finder.vocab, errors, progress)):
        finder.train([ids])
        cache.add(ids)
    if not cache.complete and not isinstance(corpus, (str, os.PathLike, list)):
        raise ValueError("the corpus is too big to cache and cannot be read twice: "
                         "pass a file path or a list")
    if progress is not None:
        progress.stage("building templates", None if cache.complete else size)
    return finder.find([ids for ids, in cache] if cache.complete and len(cache) else corpus,
                       progress)


def _size(corpus: Corpus) -> int | None:
    if isinstance(corpus, (str, os.PathLike)) and corpus != "-":
        try:
            return os.path.getsize(corpus)
        except OSError:
            return None
    return None
