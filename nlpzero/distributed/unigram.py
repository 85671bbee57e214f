"""The default discovery method (``method="unigram"``) over byte ranges on a Dask cluster.

:class:`~nlpzero.words.unigram.UnigramFinder`'s own stages do the work; what runs where:

1. **Characters and pairs** (the ``train`` pass): the shared first passes of
   :mod:`.words` — the global character table, each range's ids kept on its worker, pair
   counts shuffled into hash buckets and pruned (``count >= min_count``) there. The driver
   keeps the character counts only; :meth:`~UnigramFinder.base_rows` runs on a worker.
2. **N-gram levels** (``ngram_table``): each range keeps its level state (``lvl[i]`` and
   the active positions, as the single-process blocks do) on its worker; a round counts
   the range's L-grams with the kernels of the single-process round, the partial counts
   are shuffled into buckets merged and pruned on the workers, and the frequent L-grams'
   key table is built on a worker and replicated for the next round. The digit + unit
   spans come from the first round.
3. **Candidates**: the table is assembled on one worker, which runs
   :meth:`~UnigramFinder.candidates` on it; only the candidates reach the driver.
4. **Chunks**: :meth:`~UnigramFinder.chunk_spans` of the candidates cuts each range's
   blocks (:func:`~nlpzero.words.discovery.block_span_counts`); chunk counts are shuffled
   into buckets that stay on the workers.
5. **Re-estimation**: :meth:`~UnigramFinder.reestimate` runs on the driver on the words
   only; each pass's :meth:`~UnigramFinder.path_counts` is a map over the chunk buckets
   (the words broadcast) whose counts are added on the workers.

Counts are integers summed in another order, and every table is sorted or ordered as in
one pass over the corpus, so the lexicon is byte-identical to the single-process one.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from .._hashing import GOLDEN
from .._tables import MergeStack, gather_rows, merge_counts, run_lengths
from ..text.progress import Progress
from ..words import _discovery_kernels as DK
from ..words import _unigram_kernels as UK
from ..words.discovery import _WordTable, block_span_counts, span_table
from ..words.lexicon import Lexicon
from ..words.ngrams import NgramCounts, unpack
from ..words.unigram import FULL_SCANS, UnigramFinder, _concat_rows, _digit_ids
from .engine import Job, item, merge_tables, sorted_concat, split_buckets
from .words import _blocks, _Distributed, _gather_pruned, _keys_at_least, _singles_only

_EMPTY_KEYS = (np.zeros(0, np.uint64), np.zeros(0, np.int64))


def _plain(finder: UnigramFinder) -> UnigramFinder:
    """A :class:`UnigramFinder` with *finder*'s options and statistics (no job)."""
    out = UnigramFinder.__new__(UnigramFinder)
    out.__dict__.update({k: v for k, v in finder.__dict__.items() if k not in ("job",
                                                                              "errors")})
    return out


# --- 1. the first rows of the table, on a worker --------------------------------------------


def _base_rows(finder: UnigramFinder, *buckets: tuple) -> tuple:
    """``finder.base_rows()`` with the pair table of the (pruned) buckets."""
    finder = copy.copy(finder)
    keys, counts = sorted_concat([(b[0], b[1]) for b in buckets])
    finder.counts = NgramCounts(keys, counts, 2)
    return finder.base_rows()


# --- 2. the n-gram levels ---------------------------------------------------------------------


def _level_range(data: list[np.ndarray], state: list | None, L: int, lookup: tuple | None,
                 table: tuple | None, classes: tuple, max_len: int, n_buckets: int) -> tuple:
    """One counting round (level L) over a range, as ``UnigramFinder.ngram_table`` runs it
    over blocks (one hash partition): (the L-gram counts cut into buckets, the new level
    state, the rows of the (L−1)-gram table this range wrote as (rows, ids) when those
    keys are hashes (L−1 >= 5), and the digit + unit spans on the first round)."""
    is_han, is_digit = classes
    emit = max_len >= L
    blocks = list(_blocks(data))
    spans = None
    if state is None:  # the first round: levels from the pair lookup
        state = [(UK.init_levels(ids, is_han, *lookup), np.zeros(0, np.int32))
                 for ids in blocks]
        spans = [UK.digit_unit_spans(ids, is_digit, is_han) for ids in blocks]
    if L - 1 >= 3:
        tk, tv, n_prev = table
        row_chars = np.zeros((n_prev, L - 1), np.int32)
    else:
        tk, tv = UK.key_table(np.zeros(0, np.uint64))
        row_chars = np.zeros((0, 2), np.int32)
    stack = MergeStack(merge_counts)
    new_state = []
    for ids, (lvl, active) in zip(blocks, state, strict=True):
        lvl = lvl.copy()  # the input stays as it was (a task may run again)
        keys, nxt = UK.level_round(ids, lvl, active, L <= FULL_SCANS + 2,
                                   L >= FULL_SCANS + 2, L, tk, tv, row_chars, emit, True, 0, 1)
        new_state.append((lvl, nxt))
        keys.sort()
        counted = run_lengths(keys)
        stack.push(counted, counted[0].size)
    merged = stack.result() or _EMPTY_KEYS
    written = None
    if L - 1 >= 5:
        rows = np.flatnonzero(row_chars[:, 0])  # written rows (ideograph ids are > 0)
        written = (rows, row_chars[rows])
    return split_buckets(merged[0], merged[1], n_buckets), new_state, written, spans


def _at_least(min_count: int):
    def prune(keys: np.ndarray, counts: np.ndarray) -> tuple:
        keep = counts >= min_count
        return keys[keep], counts[keep]

    return prune


def _frequent(*buckets: tuple) -> tuple:
    """The pruned buckets of one level as one sorted table (the level's row order)."""
    return sorted_concat(list(buckets))


def _size(table: tuple) -> int:
    return int(table[0].size)


def _key_table(frequent: tuple) -> tuple:
    tk, tv = UK.key_table(frequent[0])
    return tk, tv, frequent[0].size


def _row_ids(n_rows: int, width: int, *written: tuple) -> np.ndarray:
    """The ids of every row of a level's table from the rows the ranges wrote."""
    out = np.zeros((n_rows, width), np.int32)
    for rows, ids in written:
        out[rows] = ids
    return out


def _candidates(finder: UnigramFinder, base: tuple, spans: list, levels: list,
                *parts: Any) -> _WordTable:
    """``finder.candidates`` of the whole n-gram table, assembled on this worker from the
    first rows, and per level its frequent table and (hashed keys) its rows' ids."""
    finder = copy.copy(finder)
    finder._digit_spans = [s for per_range in spans for s in per_range]
    rows_ptr, rows_chars, rows_counts = list(base[0]), list(base[1]), list(base[2])
    at = 0
    for width, has_rows in levels:
        keys, counts = parts[at]
        at += 1
        if has_rows:
            ids = parts[at]
            at += 1
        else:
            ids = unpack(keys)[:, :width]  # up to four ids are packed exactly
        rows_ptr.append(np.arange(0, width * keys.size + 1, width, dtype=np.int64))
        rows_chars.append(np.ascontiguousarray(ids, np.int32).reshape(-1))
        rows_counts.append(counts)
    return finder.candidates(_concat_rows(rows_ptr, rows_chars, rows_counts))


# --- 4. chunks ----------------------------------------------------------------------------------


def _long_buckets(long: tuple, n_buckets: int) -> list[tuple]:
    """A long-span string table cut into *n_buckets* by a hash of its keys (sorted)."""
    keys, counts, ptr, chars = long
    bucket = ((keys * GOLDEN) >> np.uint64(40)) % np.uint64(n_buckets)
    lengths = np.diff(ptr)
    out = []
    for b in range(n_buckets):
        idx = np.flatnonzero(bucket == b)
        p, c = gather_rows(chars, ptr[idx], lengths[idx])
        out.append((keys[idx], counts[idx], p, c))
    return out


def _chunk_range(data: list[np.ndarray], spans: Any, n_buckets: int) -> list[tuple]:
    """A range's chunk counts (``count_span_table``'s per-block counts, merged), cut into
    buckets: [(short table, long table)] per bucket."""
    shorts, longs = MergeStack(merge_counts), MergeStack(DK.merge_tables)
    for ids in _blocks(data):
        short, long = block_span_counts(spans, ids)
        shorts.push(short, short[0].size)
        longs.push(long, long[0].size)
    short = shorts.result() or _EMPTY_KEYS
    long = longs.result() or (np.zeros(0, np.uint64), np.zeros(0, np.int64),
                              np.zeros(1, np.int64), np.zeros(0, np.int32))
    return list(zip(split_buckets(short[0], short[1], n_buckets),
                    _long_buckets(long, n_buckets), strict=True))


def _chunk_bucket(id_classes: np.ndarray, *parts: tuple) -> tuple[_WordTable, np.ndarray]:
    """One bucket's distinct chunks with counts (``span_table``), and their ids' classes."""
    short = merge_tables([p[0] for p in parts])
    stack = MergeStack(DK.merge_tables)
    for p in parts:
        stack.push(p[1], p[1][0].size)
    table = span_table(short, stack.result())
    return table, id_classes[table.chars]


# --- 5. re-estimation ---------------------------------------------------------------------------


def _path_counts(finder: UnigramFinder, bucket: tuple, words: _WordTable) -> np.ndarray:
    chunks, cls = bucket
    return finder.path_counts(chunks, words, cls)


class DaskUnigramFinder(_Distributed, UnigramFinder):
    """:class:`~nlpzero.words.unigram.UnigramFinder` whose corpus passes run on Dask."""

    def __init__(self, job: Job, errors: str = "strict", **options: Any) -> None:
        super().__init__(**options)
        self.job, self.errors = job, errors

    def run(self, progress: Progress) -> Lexicon:
        job = self.job
        job.progress = progress
        pairs = self._pass_pairs(_keys_at_least(self.min_count))
        (keys, counts), _ = _gather_pruned(job, [job.submit(_singles_only, b) for b in pairs])
        self.counts = NgramCounts(keys, counts, 2)
        self._check_trained()
        plain = job.scatter(_plain(self))
        base = job.submit(_base_rows, plain, *pairs)
        del pairs
        words = job.gather(self._candidates(plain, base))
        chunks = self._chunks(words)

        def path_counts(words: _WordTable) -> np.ndarray:
            words_f = job.scatter(_WordTable(words.ptr, words.chars, words.counts))
            return job.sum_of([job.submit(_path_counts, plain, b, words_f) for b in chunks])

        return self.reestimate(words, path_counts, progress)

    def _candidates(self, plain: Any, base: Any) -> Any:
        """Count the n-gram levels (step 2); a future of the candidates (step 3)."""
        job = self.job
        if self.max_len < 2:
            return job.submit(_candidates, plain, base, [], [])
        classes = job.scatter((self._is_han(), _digit_ids(self.chars)))
        lookup = job.replicated(item, base, 3)
        prune = _at_least(self.min_count)
        state: list = [None] * len(job.inputs)
        spans = None
        levels: list[tuple[int, bool]] = []
        parts: list = []
        table = table_rows = None
        L = 3
        while True:
            emit = self.max_len >= L
            outs = [job.submit(_level_range, data, st, L, lookup, table, classes, self.max_len,
                               job.n_buckets) for data, st in zip(job.inputs, state,
                                                                  strict=True)]
            state = [job.submit(item, o, 1) for o in outs]
            if spans is None:
                spans = [job.submit(item, o, 3) for o in outs]
            buckets = job._buckets([job.submit(item, o, 0) for o in outs], prune) \
                if emit else []
            if L - 1 >= 3:  # the (L-1)-grams' rows: this round wrote them
                levels.append((L - 1, L - 1 >= 5))
                if L - 1 >= 5:
                    parts.append(job.submit(_row_ids, table_rows, L - 1,
                                            *[job.submit(item, o, 2) for o in outs]))
            job.follow(f"counting {L}-grams" if emit else "collecting n-grams", outs)
            if not emit:
                break
            job.wait(buckets)
            frequent = job.submit(_frequent, *buckets)
            table_rows = job.gather(job.submit(_size, frequent))
            if table_rows == 0:
                break
            parts.append(frequent)
            table = job.replicated(_key_table, frequent)
            L += 1
        # parts: per level, its frequent table, then (hashed keys) its rows' ids
        return job.submit(_candidates, plain, base, spans, levels, *parts)

    def _chunks(self, words: _WordTable) -> list:
        """Step 4: the distinct chunks in buckets on the workers (futures)."""
        job = self.job
        spans = job.scatter(self.chunk_spans(words))
        cut = job.map_ranges("cutting the corpus into chunks", _chunk_range, spans,
                             job.n_buckets)
        classes = job.scatter(self.chars.id_classes)
        buckets = [job.submit(_chunk_bucket, classes, *[job.submit(item, c, b) for c in cut])
                   for b in range(job.n_buckets)]
        job.wait(buckets)
        return buckets
