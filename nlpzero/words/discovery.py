"""Minimum-entropy word discovery: learn a lexicon from raw text with no labels.

Su Jianlin's minimum-entropy principle (最小熵原理(二)) scores a merge of units a, b by
F*_ab = p_ab (ln(p_ab / (p_a p_b)) − 1): joining pays only when the pointwise mutual
information exceeds 1 nat. Three finders turn that into a lexicon:

``method="unigram"`` (default)
    Cohesive n-grams of any length, Viterbi re-estimation, 去冗 plus an MDL lexicon cost;
    see :mod:`nlpzero.words.unigram`.
``method="ngram"`` (the 0.1 default)
    Candidates are character n-grams (n ≤ 4) whose cohesion, the minimum over binary
    splits of ln(N c(w) / (c(left) c(right))), reaches ``min_pmi + (n − 2) pmi_step``
    (2 / 6 / 10 nats by default), plus every single character. The corpus is then
    segmented with these candidates (unigram Viterbi) and the words on the best paths are
    re-counted; words seen fewer than ``min_count`` times go, and the redundancy test (去冗)
    drops every word w whose best split w_1..w_k into other words has
    ln p_w − Σ ln p_{w_i} < len(w) − 1. Re-count and test run ``iterations`` times.
``method="nlpzero"``
    nlp-zero 0.1.6's ``Word_Finder``: cut between adjacent characters whose pair is not
    strong (ln p_ab > ln min_proba and PMI > min_pmi), count fragments, keep p > min_proba,
    then sequential 去冗 (a dropped word's count moves to its parts). Its pair table
    survives ``find``, so incremental ``train`` calls work (the original emptied it).

The finders count in blocks whose partial counts are sorted arrays that merge, so memory
stays bounded by the number of distinct n-grams, not by the corpus.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .._hashing import GOLDEN
from .._tables import MergeStack, gather_rows, merge_counts, row_offsets, run_lengths
from .._threads import map_blocks, prefetch
from ..errors import InputError
from ..text.cache import BlockCache
from ..text.chars import CharTable, encode_utf8_blocks
from ..text.io import display_name, open_binary, read_byte_blocks
from ..text.progress import Progress
from . import _discovery_kernels as DK
from . import _lexicon_kernels as LK
from .lexicon import DEFAULT_UNKNOWN_SCORE, Lexicon
from .ngrams import NgramCounts, PairCounter, pair_ids, sort_keys, sub_key, unpack

METHODS = ("unigram", "ngram", "nlpzero")

Source = str | os.PathLike[str] | Iterable[str]


@dataclass
class Corpus:
    """A re-readable text source: a file path (``str`` or ``os.PathLike``; ``-`` is stdin,
    read once), or an in-memory list of lines.

    :meth:`blocks` yields the character ids of each block (0 = separator). Finders make
    two or more passes; the first keeps the ids (2 bytes per character) while they fit
    in *cache_bytes*, so later passes skip decoding. Past that budget every pass re-reads
    the source, and memory stays bounded by one block.
    """

    source: str | os.PathLike[str] | list[str]
    errors: str = "strict"
    block_bytes: int = 1 << 22
    in_memory: bool = False
    cache_bytes: int = 1 << 30
    _cache: BlockCache | None = field(default=None, repr=False)
    _cached_for: object = field(default=None, repr=False)
    #: Set by the owner when only the coming ``find`` reads the source
    #: (:func:`train_and_find`): the finder may then :meth:`drop_cache` after its last pass.
    read_once_more: bool = field(default=False, repr=False)

    @classmethod
    def of(cls, source: Source | Corpus, errors: str = "strict") -> Corpus:
        if isinstance(source, Corpus):
            return source
        if isinstance(source, (str, os.PathLike)):
            return cls(source, errors)
        if isinstance(source, bytes):
            raise TypeError("pass a path, or the text as a list of lines (str), not bytes")
        return cls(list(source), errors, in_memory=True)

    @property
    def n_bytes(self) -> int | None:
        if self.in_memory:
            return None
        try:
            return os.path.getsize(self.source)  # type: ignore[arg-type]
        except OSError:
            return None

    def _text_ids(self, chars: CharTable) -> Iterator[tuple[np.ndarray, int]]:
        lines: list[str] = self.source  # type: ignore[assignment]
        step = 1 << 16
        for i in range(0, len(lines), step):
            yield chars.encode("\n".join(lines[i : i + step]) + "\n"), 0

    def _file_ids(self, chars: CharTable) -> Iterator[tuple[np.ndarray, int]]:
        """Ids of a file's blocks, decoded from UTF-8 by :func:`_utf8.utf8_to_ids`.

        Blocks end after their last newline, or before their last separator on a line
        longer than a block, so no word is cut. Invalid UTF-8 names its byte offset.
        Yields (ids, bytes read for them).
        """
        name = display_name(self.source)
        with open_binary(self.source) as fh:
            blocks = read_byte_blocks(fh, name, self.block_bytes, chars.classes)
            yield from encode_utf8_blocks(blocks, chars, name, self.errors)

    def drop_cache(self) -> None:
        """Free the cached ids (the next pass reads the source again)."""
        self._cache = self._cached_for = None

    def blocks(self, chars: CharTable, progress: Progress,
               narrow: bool = False) -> Iterator[np.ndarray]:
        """The ids of each block, int32; with *narrow*, the cached blocks come as the
        cache's own uint16 arrays (no copy: the caller must not write to them)."""
        if self._cache is not None and self._cache.complete and self._cached_for is chars:
            for ids, n_bytes in self._cache:
                progress.advance(n_bytes)
                yield ids if narrow else ids.astype(np.int32)
            return
        cache = BlockCache(self.cache_bytes)
        source = (self._text_ids(chars) if self.in_memory
                  else prefetch(self._file_ids(chars)))
        for ids, n_bytes in source:
            progress.advance(n_bytes)
            if cache.complete:
                cache.add(ids.astype(np.uint16), n_bytes)  # ids < 2^16: 2 bytes a character
            yield ids
        self._cache, self._cached_for = cache, chars


@dataclass
class _WordTable:
    """Candidate words as a string table: CSR ids, counts, and the lexicon hash table."""

    ptr: np.ndarray
    chars: np.ndarray
    counts: np.ndarray
    _table: tuple | None = field(default=None, repr=False)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.ptr)

    def subset(self, keep: np.ndarray, counts: np.ndarray | None = None) -> _WordTable:
        idx = np.flatnonzero(keep)
        ptr, chars = gather_rows(self.chars, self.ptr[idx], self.lengths[idx])
        return _WordTable(ptr, chars, (self.counts if counts is None else counts)[idx])

    def followed_by(self, other: _WordTable) -> _WordTable:
        """The rows of this table, then those of *other* (cast to this table's dtypes)."""
        return _WordTable(np.concatenate([self.ptr, self.ptr[-1] + other.ptr[1:]]),
                          np.concatenate([self.chars, other.chars.astype(self.chars.dtype)]),
                          np.concatenate([self.counts, other.counts.astype(self.counts.dtype)]))

    def table(self) -> tuple:
        if self._table is None:
            capacity = 1 << max(4, int(2 * max(1, self.chars.size)).bit_length())
            keys, lens, vals, _ = LK.build_table(self.ptr, self.chars, capacity)
            self._table = (keys, lens, vals)
        return self._table

    def log_proba(self) -> np.ndarray:
        """ln p(w) = ln count − ln total, a count of 0 taken as 1: the word scores of the
        Viterbi re-counts."""
        return np.log(np.maximum(self.counts, 1)) - math.log(max(1.0, float(self.counts.sum())))

    def viterbi_counts(self, corpus: Corpus, chars: CharTable, progress: Progress,
                       unknown_score: float) -> np.ndarray:
        """How often each word lies on the corpus's unigram max-probability path."""
        keys, lens, vals = self.table()
        logp = self.log_proba()
        max_len = LK.scan_length(self.lengths)
        out = np.zeros(self.counts.size, dtype=np.int64)

        def count(ids: np.ndarray) -> np.ndarray:
            w = LK.path_words(ids, chars.id_classes[ids], keys, lens, vals, logp, max_len,
                              unknown_score)
            return np.bincount(w[w >= 0], minlength=out.size)

        for block_counts in map_blocks(count, corpus.blocks(chars, progress)):
            out += block_counts
        return out

    def remove_redundant(self, unknown_score: float,
                         sequential: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """去冗 of the table (:func:`_discovery_kernels.remove_redundant`), longest words
        first: (keep, new counts, gain in nats)."""
        keys, lens, vals = self.table()
        # longest first; ties by table order, which is reproducible
        order = np.lexsort((np.arange(self.counts.size), -self.lengths))
        return DK.remove_redundant(self.ptr, self.chars, self.counts, order, keys, lens, vals,
                                   unknown_score, sequential)

    def words(self, chars: CharTable) -> list[str]:
        text = chars.decode(self.chars)
        p = self.ptr.tolist()
        return [text[p[i] : p[i + 1]] for i in range(len(p) - 1)]


class _Finder:
    """Shared driver: ``train`` accumulates statistics, ``find`` turns them into words."""

    _scheme = "unicode"

    def __init__(self, unknown_score: float = DEFAULT_UNKNOWN_SCORE) -> None:
        if not math.isfinite(unknown_score):
            raise ValueError("unknown_score must be a finite number")
        self.chars = CharTable(self._scheme)
        self.counts = NgramCounts.empty(2)  # characters and pairs; see train
        self.unknown_score = unknown_score
        #: Set by :func:`train_and_find` on a finder that finds once and is then dropped:
        #: ``find`` may free statistics it has no more use for (the unigram finder's pair
        #: counts once its n-gram counting has started from them).
        self.found_once = False

    def train(self, corpus: Source | Corpus, progress: Progress | None = None) -> _Finder:
        """Add the n-gram counts of *corpus* to the statistics (repeatable)."""
        progress = progress or Progress()
        corpus = Corpus.of(corpus)
        progress.stage("counting characters and pairs", corpus.n_bytes)
        counter = PairCounter()
        for ids in corpus.blocks(self.chars, progress):
            counter.add(ids)
        counts = counter.result()
        # the first corpus's counts as they are: a merge with the empty table gave the same
        # table through a buffer for both and a copy (two more tables of every pair seen)
        self.counts = counts if self.counts.keys.size == 0 else self.counts.merge(counts)
        return self

    def char_counts(self) -> np.ndarray:
        """Count of each character id (index = id)."""
        return self.counts.char_counts().astype(np.float64)

    def _check_trained(self) -> None:
        if self.counts.keys.size == 0:
            raise InputError("the corpus has no letters, digits or ideographs to learn from")

    def _lexicon(self, table: _WordTable, scores: np.ndarray | None) -> Lexicon:
        """Most frequent first; ties keep the table's order (sorted keys), which is fixed
        for a corpus, so output is reproducible without sorting words as strings."""
        order = np.argsort(-table.counts, kind="stable")
        words = table.words(self.chars)
        return Lexicon([words[i] for i in order.tolist()],
                       table.counts[order].astype(np.float64),
                       None if scores is None else scores[order])


class NgramFinder(_Finder):
    """Cohesive n-gram candidates (n <= 4), Viterbi re-counting and minimum-entropy 去冗.

    ``train`` keeps exact character and pair counts (they merge, so training is
    incremental). ``find`` adds the 3- and 4-grams a candidate can be (count >= min_count)
    with an exact apriori pass: a 3-gram is counted only where both its pairs are that
    frequent, a 4-gram only where both its 3-grams are, so rare n-grams never take memory;
    the key space is split into ``partitions`` hash partitions counted one after another,
    which bounds the unfiltered tables further (one more pass over the cached ids each).
    """

    def __init__(self, min_count: int = 3, min_pmi: float = 2.0, pmi_step: float = 4.0,
                 max_len: int = 4, iterations: int = 2, partitions: int = 2,
                 unknown_score: float = DEFAULT_UNKNOWN_SCORE) -> None:
        if not 1 <= max_len <= 4:
            raise ValueError("max_len must be between 1 and 4 for method 'ngram'")
        if iterations < 1:
            raise ValueError("iterations must be at least 1")
        if partitions < 1:
            raise ValueError("partitions must be at least 1")
        if not (math.isfinite(min_pmi) and math.isfinite(pmi_step)):
            raise ValueError("min_pmi and pmi_step must be finite numbers")
        super().__init__(unknown_score)
        self.min_count, self.min_pmi, self.pmi_step = min_count, min_pmi, pmi_step
        self.max_len, self.iterations, self.partitions = max_len, iterations, partitions

    def frequent_ngrams(self, corpus: Corpus, progress: Progress) -> NgramCounts:
        """The 1..max_len-gram table: all characters and pairs, plus the 3- and 4-grams
        seen at least ``min_count`` times (apriori passes over *corpus*)."""
        table = self.counts
        if self.max_len < 3:
            return table
        orders = table.orders()
        frequent = table.keys[(orders == 2) & (table.counts >= self.min_count)]
        pairs = _pair_lookup(frequent, self.char_counts())

        def count_trigrams(ids: np.ndarray) -> np.ndarray:
            return DK.trigram_keys(ids, *pairs)

        tri = _count_blocks(count_trigrams, corpus, self.chars, progress, "counting 3-grams",
                            self.min_count, self.partitions)
        table = NgramCounts(*merge_counts(table.keys, table.counts, *tri), 4)
        if self.max_len < 4:
            return table
        tri_set = DK.build_key_set(tri[0])

        def count_fourgrams(ids: np.ndarray) -> np.ndarray:
            return DK.fourgram_keys(ids, tri_set)

        four = _count_blocks(count_fourgrams, corpus, self.chars, progress, "counting 4-grams",
                             self.min_count, self.partitions)
        return NgramCounts(*merge_counts(table.keys, table.counts, *four), 4)

    def cohesion(self, table: NgramCounts, rows: np.ndarray | None = None) -> np.ndarray:
        """min over binary splits of ln(N c(w) / (c(l) c(r))) per n-gram of *table*;
        +inf for n = 1. N is the number of characters; *rows* restricts the work."""
        rows = np.arange(table.keys.size) if rows is None else rows
        keys = table.keys[rows]
        counts = table.counts[rows].astype(np.float64)
        orders = table.orders()[rows]
        n_chars = float(table.totals()[1])
        out = np.full(rows.size, np.inf)
        for n in range(2, 5):
            sel = np.flatnonzero(orders == n)
            k = keys[sel]
            best = np.full(sel.size, np.inf)
            for s in range(1, n):
                left = table.get(sub_key(k, 0, s)).astype(np.float64)
                right = table.get(sub_key(k, s, n - s)).astype(np.float64)
                best = np.minimum(best, np.log(n_chars * counts[sel] / (left * right)))
            out[sel] = best
        return out

    def candidates(self, table: NgramCounts) -> _WordTable:
        """Single characters, and n-grams frequent and cohesive enough to be words."""
        orders = table.orders().astype(np.int64)
        thresholds = self.min_pmi + (np.arange(5) - 2) * self.pmi_step
        keep = orders == 1
        tested = np.flatnonzero((orders >= 2) & (orders <= self.max_len)
                                & (table.counts >= self.min_count))
        for start in range(0, tested.size, 1 << 20):  # chunks bound the temporaries
            rows = tested[start : start + (1 << 20)]
            keep[rows] = self.cohesion(table, rows) >= thresholds[orders[rows]]
        ids = unpack(table.keys[keep])
        chars = ids[ids > 0].astype(np.int32)  # row-major: each row's ids in order
        return _WordTable(row_offsets(orders[keep]), chars, table.counts[keep].astype(np.int64))

    def find(self, corpus: Source | Corpus, progress: Progress | None = None) -> Lexicon:
        """Segment *corpus* with the candidates, re-count, and keep the words that pay."""
        progress = progress or Progress()
        corpus = Corpus.of(corpus)
        self._check_trained()
        table = self.candidates(self.frequent_ngrams(corpus, progress))
        gain = np.zeros(table.counts.size)
        for it in range(self.iterations):
            progress.stage(f"re-counting words ({it + 1}/{self.iterations})", corpus.n_bytes)
            counts = table.viterbi_counts(corpus, self.chars, progress, self.unknown_score)
            seen = (counts >= self.min_count) | ((table.lengths == 1) & (counts > 0))
            table = table.subset(seen, counts)
            keep, _, gain = table.remove_redundant(self.unknown_score, sequential=False)
            gain = gain[keep]
            table = table.subset(keep)
        return self._lexicon(table, gain)


class PairFinder(_Finder):
    """nlp-zero's ``Word_Finder``: strong adjacent pairs, fragments, sequential 去冗."""

    _scheme = "nlpzero"

    def __init__(self, min_proba: float = 1e-7, min_pmi: float = 1.0,
                 unknown_score: float = DEFAULT_UNKNOWN_SCORE) -> None:
        super().__init__(unknown_score)
        if not 0 < min_proba < 1:
            raise ValueError("min_proba must be in (0, 1)")
        if not math.isfinite(min_pmi):
            raise ValueError("min_pmi must be a finite number")
        self.min_proba, self.min_pmi = min_proba, min_pmi

    def strong_pairs(self) -> np.ndarray:
        """Packed keys of pairs with ln p_ab > ln min_proba and PMI > min_pmi (strict)."""
        is_pair = self.counts.orders() == 2
        totals = self.counts.totals()
        return strong_pair_keys(self.counts.keys[is_pair], self.counts.counts[is_pair],
                                self.char_counts(), totals[1], totals[2], self.min_proba,
                                self.min_pmi)

    def _count_fragments(self, corpus: Corpus, progress: Progress) -> _WordTable:
        """Pass 2: cut at weak pairs and count the fragments, short ones by packed key and
        sort, long ones (> 4 characters) by hash."""
        lookup = _pair_lookup(self.strong_pairs(), self.char_counts())
        progress.stage("counting fragments", corpus.n_bytes)

        table = count_span_table(lambda ids: DK.fragment_bounds(ids, *lookup), corpus,
                                 self.chars, progress)
        if table is None:
            raise InputError("the corpus has no letters, digits or ideographs to learn from")
        return table

    def find(self, corpus: Source | Corpus, progress: Progress | None = None) -> Lexicon:
        progress = progress or Progress()
        corpus = Corpus.of(corpus)
        self._check_trained()
        table = self._count_fragments(corpus, progress)
        total = float(table.counts.sum())
        keep = np.log(table.counts) - math.log(total) > math.log(self.min_proba)
        table = table.subset(keep)
        progress.stage("removing redundant words", None)
        keep, new_counts, gain = table.remove_redundant(self.unknown_score, sequential=True)
        table = table.subset(keep, np.rint(new_counts).astype(np.int64))
        return self._lexicon(table, gain[keep])


def strong_pair_keys(pairs: np.ndarray, pair_counts: np.ndarray, char_counts: np.ndarray,
                     n_chars: float, n_pairs: float, min_proba: float,
                     min_pmi: float) -> np.ndarray:
    """nlp-zero's strong pairs among *pairs* (packed keys, seen *pair_counts* times in
    *n_pairs* pair positions): ln p_ab > ln min_proba and ln(p_ab / (p_a p_b)) > min_pmi
    (strict), with p_a = c_a / *n_chars* from *char_counts*."""
    c_ab = pair_counts.astype(np.float64)
    a, b = pair_ids(pairs)
    lp_ab = np.log(c_ab) - math.log(n_pairs) if n_pairs else np.zeros(0)
    lp_a = np.log(char_counts[a]) - math.log(n_chars)
    lp_b = np.log(char_counts[b]) - math.log(n_chars)
    return pairs[(lp_ab > math.log(min_proba)) & (lp_ab - lp_a - lp_b > min_pmi)]


_TOP_CHARS = 2048  # pairs of the most frequent characters live in a 512 KB bit matrix


def _count_blocks(count: Callable[[np.ndarray], np.ndarray], corpus: Corpus, chars: CharTable,
                  progress: Progress, name: str, min_count: int,
                  partitions: int) -> tuple[np.ndarray, np.ndarray]:
    """Count the keys that *count* emits per block; keep those seen >= *min_count* times.

    With *partitions* > 1 the key space is split by a hash and counted in that many passes,
    each filtered at once, so the unfiltered tables never coexist: memory / partitions.
    """
    kept_keys, kept_counts = [], []
    for part in range(partitions):
        label = name if partitions == 1 else f"{name} ({part + 1}/{partitions})"
        progress.stage(label, corpus.n_bytes)

        def count_part(ids: np.ndarray, part: int = part) -> tuple[np.ndarray, np.ndarray]:
            keys = count(ids)
            if partitions > 1:
                mixed = (keys * GOLDEN) >> np.uint64(40)
                keys = keys[mixed % np.uint64(partitions) == part]
            sort_keys(keys)
            return run_lengths(keys)

        stack = MergeStack(merge_counts)
        for table in map_blocks(count_part, corpus.blocks(chars, progress)):
            stack.push(table, table[0].size)
        merged = stack.result()
        if merged is not None:
            keep = merged[1] >= min_count
            kept_keys.append(merged[0][keep])
            kept_counts.append(merged[1][keep])
    if not kept_keys:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    keys, counts = np.concatenate(kept_keys), np.concatenate(kept_counts)
    order = np.argsort(keys, kind="stable")
    return keys[order], counts[order]


def _pair_lookup(pairs: np.ndarray, char_counts: np.ndarray) -> tuple:
    """(rank, bits, top, pair_set): a set of character pairs as a bit matrix over the most
    frequent characters plus a hash set of the other pairs' keys (see ``pair_in``)."""
    rank = np.full(char_counts.size, np.iinfo(np.int32).max, dtype=np.int32)
    by_count = np.argsort(-char_counts, kind="stable")
    top = int(min(_TOP_CHARS, np.count_nonzero(char_counts)))
    rank[by_count[:top]] = np.arange(top, dtype=np.int32)
    a, b = pair_ids(pairs)
    bits = np.zeros(max(1, (top * top + 7) // 8), dtype=np.uint8)
    dense = (rank[a] < top) & (rank[b] < top)
    cell = rank[a[dense]].astype(np.int64) * top + rank[b[dense]]
    np.bitwise_or.at(bits, cell >> 3, (1 << (cell & 7)).astype(np.uint8))
    return rank, bits, top, DK.build_key_set(pairs[~dense])


def count_span_table(spans: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
                     corpus: Corpus, chars: CharTable, progress: Progress,
                     narrow: bool = False) -> _WordTable | None:
    """Counts of the spans ids[starts[k]:ends[k]] that *spans(ids)* marks in every block, as
    a string table: short spans (<= 4 ids) by packed key and sort, longer ones by hash;
    None when the corpus has no block. With *narrow*, cached blocks come as their uint16 ids
    (:meth:`Corpus.blocks`; *spans* must only read them)."""
    shorts, longs = MergeStack(merge_counts), MergeStack(DK.merge_tables)
    for short, long in map_blocks(lambda ids: block_span_counts(spans, ids),
                                  corpus.blocks(chars, progress, narrow)):
        shorts.push(short, short[0].size)
        longs.push(long, long[0].size)
    short, long = shorts.result(), longs.result()
    if short is None:
        return None
    return span_table(short, long)


def block_span_counts(spans: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
                      ids: np.ndarray) -> tuple[tuple, tuple]:
    """One block's spans counted: the short ones (<= 4 ids) as a sorted (keys, counts)
    table of packed keys, the longer ones as a string table (keys, counts, ptr, chars)."""
    starts, ends = spans(ids)
    short, long_rows = DK.short_span_keys(ids, starts, ends, 4)
    sort_keys(short)
    return run_lengths(short), DK.count_spans(ids, starts[long_rows], ends[long_rows])


def span_table(short: tuple, long: tuple) -> _WordTable:
    """The merged short and long span counts of :func:`block_span_counts` as one string
    table: the short spans in key order, then the long ones."""
    _, l_counts, l_ptr, l_chars = long
    # straight into the table's arrays: unpacking the keys and concatenating the two
    # tables took ~100 bytes a short span of temporaries (the chunk cut's peak)
    ptr, chars = DK.span_rows(short[0], l_ptr, l_chars)
    counts = np.empty(ptr.size - 1, short[1].dtype)
    counts[:short[1].size] = short[1]
    counts[short[1].size:] = l_counts
    return _WordTable(ptr, chars, counts)


def make_finder(method: str = "unigram", **options) -> _Finder:
    """A finder for *method* with its options (unknown options are a ``TypeError``)."""
    if method == "unigram":
        from .unigram import UnigramFinder

        return UnigramFinder(**options)
    if method == "ngram":
        return NgramFinder(**options)
    if method == "nlpzero":
        return PairFinder(**options)
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def discover(
    corpus: Source | Corpus,
    method: str = "unigram",
    errors: str = "strict",
    progress: Progress | None = None,
    **options,
) -> Lexicon:
    """Learn a lexicon from raw text: ``train`` then ``find`` (two or more passes).

    *corpus* is a file path (``str`` or ``os.PathLike``) or the text as a list of lines.
    Options are those of :class:`~nlpzero.words.unigram.UnigramFinder` (default),
    :class:`NgramFinder` or :class:`PairFinder`.
    Returns a :class:`~nlpzero.lexicon.Lexicon`, most frequent first, whose scores are the
    redundancy-test gain ln p_w − Σ ln p_{w_i} in nats (0 for single characters).
    """
    owned = not isinstance(corpus, Corpus)
    return train_and_find(make_finder(method, **options), Corpus.of(corpus, errors), progress,
                          corpus_read_after=not owned)


def train_and_find(finder: _Finder, corpus: Corpus, progress: Progress | None = None,
                   corpus_read_after: bool = False) -> Lexicon:
    """``finder.train(corpus)`` then ``finder.find(corpus)`` for a finder used once: what
    ``find`` no longer needs (the pair counts, and the corpus's cache unless the caller
    reads *corpus* again) is freed as soon as its last pass is over."""
    finder.train(corpus, progress)
    corpus.read_once_more = not corpus_read_after
    finder.found_once = True
    return finder.find(corpus, progress)

