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
   spans come from the first round. Once the later rounds would read at most
   ``TAIL_IDS`` ids of the corpus (the ideograph runs around the positions still active,
   a few per cent of it), each range's excerpt of those runs goes to one worker, which
   runs the remaining rounds without a shuffle per level.
3. **Candidates**: the table is assembled on one worker, which runs
   :meth:`~UnigramFinder.candidates` on it; only the candidates reach the driver.
4. **Chunks**: :meth:`~UnigramFinder.chunk_spans` of the candidates cuts each range's
   blocks (:func:`~nlpzero.words.discovery.block_span_counts`); chunk counts are shuffled
   into buckets that stay on the workers.
5. **Re-estimation**: :meth:`~UnigramFinder.reestimate` runs on the driver on the words
   only; each pass's :meth:`~UnigramFinder.path_counts` is a map over the chunk buckets
   (the words broadcast) whose counts are added on the workers, and so is the count of
   neighbouring one-character words (:meth:`~UnigramFinder.path_pairs`), whose tables
   are merged on the driver.

Counts are integers summed in another order, and every table is sorted or ordered as in
one pass over the corpus, so the lexicon is byte-identical to the single-process one.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from .._hashing import GOLDEN
from .._malloc import trim_heap
from .._tables import MergeStack, gather_rows, merge_counts, run_lengths
from .._threads import map_blocks
from ..text.progress import Progress
from ..words import _discovery_kernels as DK
from ..words import _unigram_kernels as UK
from ..words.discovery import _WordTable, block_span_counts, span_table
from ..words.lexicon import Lexicon
from ..words.ngrams import NgramCounts, unpack
from ..words.unigram import (
    FULL_SCANS,
    SMALL_MIN_COUNT,
    UnigramFinder,
    _digit_ids,
    merge_pairs,
    merged_at_least,
    table_arrays,
)
from .engine import item, merge_tables, sorted_concat, split_buckets
from .words import _blocks, _Distributed, _gather_pruned, _keys_at_least, _singles_only

_EMPTY_KEYS = (np.zeros(0, np.uint64), np.zeros(0, np.int64))
#: The n-gram rounds go on one worker once what they read of the corpus (the runs around
#: the active positions) is at most this many ids in all (about 6 bytes each).
TAIL_IDS = 1 << 25


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
        row_chars = np.zeros((n_prev, L - 1), np.uint16)  # ids < 2^16
    else:
        tk, tv = UK.key_table(np.zeros(0, np.uint64))
        row_chars = np.zeros((0, 2), np.uint16)
    stack = MergeStack(merge_counts)
    new_state = []
    for ids, (lvl, active) in zip(blocks, state, strict=True):
        lvl = lvl.copy()  # the input stays as it was (a task may run again)
        keys, nxt = UK.level_round_sorted(ids, lvl, active, L <= FULL_SCANS + 2,
                                          L >= FULL_SCANS + 2, L, tk, tv, row_chars, emit,
                                          True, 0, 1)
        new_state.append((lvl, nxt))
        counted = run_lengths(keys)
        stack.push(counted, counted[0].size)
    merged = stack.result() or _EMPTY_KEYS
    written = None
    if L - 1 >= 5:
        rows = np.flatnonzero(row_chars[:, 0])  # written rows (ideograph ids are > 0)
        written = (rows, row_chars[rows])
    tail = 0
    if emit and L >= FULL_SCANS + 2:  # later rounds visit the active positions only
        tail = sum(int(_segments(ids, nxt, is_han, max_len)[2].sum())
                   for ids, (_, nxt) in zip(blocks, new_state, strict=True))
    return (split_buckets(merged[0], merged[1], n_buckets), new_state, written, spans,
            tail)


def _segments(ids: np.ndarray, active: np.ndarray, is_han: np.ndarray,
              max_len: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The parts of a block that the rounds after this one read: position i of *active*
    reads ids[i:i + max_len] inside its run of ideographs, and lvl[i], lvl[i + 1]. Those
    spans merged where they touch: (starts, ends, excerpt lengths = span + 1 separator)."""
    if active.size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    stops = np.flatnonzero(~is_han[ids])
    at = np.searchsorted(stops, active)
    run_end = np.where(at < stops.size, stops[np.minimum(at, stops.size - 1)], ids.size)
    end = np.minimum(np.minimum(run_end, active + max_len), ids.size).astype(np.int64)
    end = np.maximum(end, np.minimum(active + 2, ids.size))
    new = np.ones(active.size, np.bool_)
    new[1:] = active[1:] > np.maximum.accumulate(end)[:-1]
    first = np.flatnonzero(new)
    starts = active[first].astype(np.int64)
    ends = np.maximum.reduceat(end, first)
    return starts, ends, ends - starts + 1


def _excerpt(data: list[np.ndarray], state: list, classes: tuple,
             max_len: int) -> list[tuple]:
    """Each block of a range cut down to :func:`_segments` (each followed by a separator,
    whose level is 0), with its levels and active positions: (ids, lvl, active) a block.
    A round over an excerpt counts and updates exactly what it does over the block."""
    out = []
    for ids, (lvl, active) in zip(_blocks(data), state, strict=True):
        starts, ends, lengths = _segments(ids, active, classes[0], max_len)
        if starts.size == 0:
            continue
        offsets = np.zeros(starts.size + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        pos = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        sep = offsets[1:] - 1
        pos[sep] = 0
        x_ids, x_lvl = ids[pos].astype(np.uint16), lvl[pos]  # ids < 2^16: 2 bytes an id
        x_ids[sep] = 0
        x_lvl[sep] = 0
        seg = np.searchsorted(ends, active, side="right")  # active[k] in segment seg[k]
        x_active = (active - starts[seg] + offsets[seg]).astype(np.int32)
        out.append((x_ids, x_lvl, x_active))
    return out


def _tail(table: tuple, L: int, max_len: int, min_count: int, *excerpts: list) -> tuple:
    """Rounds L, L+1, ... (active positions only) over every range's excerpt on this
    worker, each level's counts merged and pruned here (``ngram_table``'s loop): the ids
    of the (L−1)-gram rows (None for packed keys), and [(width, keys, counts, ids)] for
    the frequent L-grams and longer."""
    blocks = [(ids, lvl.copy(), active) for ex in excerpts for ids, lvl, active in ex]
    tk, tv, n_prev = table
    first_rows = None
    levels: list = []
    while True:
        emit = max_len >= L
        row_chars = np.zeros((n_prev, L - 1), np.uint16)  # ids < 2^16
        stack = MergeStack(merge_counts)

        def work(k: int, L: int = L, tk: np.ndarray = tk, tv: np.ndarray = tv,
                 row_chars: np.ndarray = row_chars, emit: bool = emit) -> tuple:
            ids, lvl, active = blocks[k]
            keys, nxt = UK.level_round_sorted(ids, lvl, active, False, True, L, tk, tv,
                                              row_chars, emit, True, 0, 1)
            blocks[k] = (ids, lvl, nxt)
            return run_lengths(keys)

        # two threads, as the single-process rounds (the kernel releases the GIL; the
        # other workers wait for this task)
        for counted in map_blocks(work, range(len(blocks))):
            stack.push(counted, counted[0].size)
        ids_prev = row_chars if L - 1 >= 5 else None
        if levels:
            levels[-1] = (*levels[-1][:3], ids_prev)
        else:
            first_rows = ids_prev
        if not emit:
            break
        keys, counts = merged_at_least(stack, min_count) or _EMPTY_KEYS
        if keys.size == 0:
            break
        levels.append((L, keys, counts, None))
        tk, tv = UK.key_table(keys)
        n_prev = keys.size
        L += 1
    return first_rows, [_entry(*e) for e in levels]


def _at_least(min_count: int):
    def prune(keys: np.ndarray, counts: np.ndarray) -> tuple:
        keep = counts >= min_count
        return keys[keep], counts[keep]

    return prune


def _frequent(*buckets: tuple) -> tuple:
    """The pruned buckets of one level as one sorted table (the level's row order)."""
    return sorted_concat(list(buckets))


def _key_table(frequent: tuple) -> tuple:
    tk, tv = UK.key_table(frequent[0])
    return tk, tv, frequent[0].size


def _row_ids(n_rows: int, width: int, *written: tuple) -> np.ndarray:
    """The ids of every row of a level's table from the rows the ranges wrote."""
    out = np.zeros((n_rows, width), np.uint16)
    for rows, ids in written:
        out[rows] = ids
    return out


def _entry(width: int, keys: np.ndarray, counts: np.ndarray,
           ids: np.ndarray | None) -> tuple:
    """A level of the table kept small until it is assembled: (width, rows, the keys only
    when there are no row ids (packed keys, unpacked by ``_table``), counts as int32 where
    they fit, row ids or None)."""
    if counts.size and int(counts.max()) <= np.iinfo(np.int32).max:
        counts = counts.astype(np.int32)
    return width, keys.size, keys if ids is None else None, counts, ids


def _level(width: int, frequent: tuple, ids: np.ndarray | None) -> list:
    """A level of the table as a list of one :func:`_entry`."""
    return [_entry(width, frequent[0], frequent[1], ids)]


def _table(base: tuple, *levels: list) -> _WordTable:
    """The whole n-gram table (``ngram_table``'s ``_concat_rows``), assembled on this worker
    from the first rows and the levels' :func:`_entry` entries in order, written straight
    into its arrays (no second copy of the pieces)."""
    entries = [entry for entries in levels for entry in entries]
    ptrs, chars, counts = base[0], base[1], base[2]
    n_rows = sum(p.size - 1 for p in ptrs) + sum(e[1] for e in entries)
    n_ids = sum(c.size for c in chars) + sum(e[0] * e[1] for e in entries)
    top = max((int(k.max()) for k in [*counts, *(e[3] for e in entries)] if k.size),
              default=0)
    out = table_arrays(n_rows, n_ids, top)
    out.ptr[0] = 0
    row = at = 0
    for p, c, k in zip(ptrs, chars, counts, strict=True):
        n = p.size - 1
        out.ptr[row + 1:row + n + 1] = at + p[1:]
        out.chars[at:at + c.size] = c
        out.counts[row:row + n] = k
        row, at = row + n, at + c.size
    for width, n, keys, k, ids in entries:
        for start in range(0, n, 1 << 18):  # in slices: small temporaries
            stop = min(n, start + (1 << 18))
            out.ptr[row + start + 1:row + stop + 1] = at + width * np.arange(
                start + 1, stop + 1, dtype=np.int64)
            part = unpack(keys[start:stop])[:, :width] if ids is None else ids[start:stop]
            out.chars[at + width * start:at + width * stop] = part.reshape(-1)
        out.counts[row:row + n] = k
        row, at = row + n, at + width * n
    return out


def _candidates(finder: UnigramFinder, table: _WordTable,
                spans: list) -> tuple[_WordTable, np.ndarray]:
    """``finder.candidates`` of the table (words, boundary-test excess), with the digit +
    unit spans of every range."""
    finder = copy.copy(finder)
    finder._digit_spans = [s for per_range in spans for s in per_range]
    trim_heap()  # as the single process does before the candidates
    return finder.candidates(table)


def _round_info(frequent: tuple, *tails: int) -> tuple[int, int]:
    return int(frequent[0].size), int(sum(tails))


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


def _path_pairs(finder: UnigramFinder, bucket: tuple, words: _WordTable) -> tuple:
    chunks, cls = bucket
    return finder.path_pairs(chunks, words, cls)


class DaskUnigramFinder(_Distributed, UnigramFinder):
    """:class:`~nlpzero.words.unigram.UnigramFinder` whose corpus passes run on Dask."""

    def run(self, progress: Progress) -> Lexicon:
        job = self.job
        job.progress = progress
        # pairs below the smallest min_count the corpus's size can settle on go at once
        lowest = SMALL_MIN_COUNT if self.min_count_option is None else self.min_count
        pairs = self._pass_pairs(_keys_at_least(lowest))
        (keys, counts), _ = _gather_pruned(job, [job.submit(_singles_only, b) for b in pairs])
        self.counts = NgramCounts(keys, counts, 2)
        self._check_trained()
        self.settle_min_count()
        plain = job.scatter(_plain(self))
        base = [job.submit(_base_rows, plain, *pairs)]
        del pairs
        words, excess = job.gather(self._candidates(plain, base))
        chunks = self._chunks(words)

        def path_counts(words: _WordTable) -> np.ndarray:
            words_f = job.scatter(_WordTable(words.ptr, words.chars, words.counts))
            return job.sum_of([job.submit(_path_counts, plain, b, words_f) for b in chunks])

        def path_pairs(words: _WordTable) -> tuple:
            words_f = job.scatter(_WordTable(words.ptr, words.chars, words.counts))
            return merge_pairs(job.gather([job.submit(_path_pairs, plain, b, words_f)
                                           for b in chunks]))

        if np.isfinite(excess).any():
            words = self.boundary_pass(words, excess, path_counts, progress)
            chunks = self._chunks(words)  # path_counts now reads the survivors' chunks
        return self.reestimate(words, path_counts, progress, path_pairs)

    def _candidates(self, plain: Any, first: list) -> Any:
        """Count the n-gram levels (step 2); a future of the candidates (step 3). *first*:
        [the future of ``base_rows``], emptied (the pieces are freed once assembled)."""
        job = self.job
        base = first.pop()
        if self.max_len < 2:
            return job.submit(_candidates, plain, job.submit(_table, base), [])
        is_han = self._is_han()
        classes = job.scatter((is_han, _digit_ids(self.chars)))
        lookup = job.replicated(item, base, 3)
        prune = _at_least(self.min_count)
        state: list = [None] * len(job.inputs)
        spans = None
        levels: list = []  # futures of lists of (width, keys, counts, row ids) entries
        frequent = table = excerpts = tail = None
        n_frequent = 0
        L = 3
        while True:
            emit = self.max_len >= L
            outs = [job.submit(_level_range, data, st, L, lookup, table, classes, self.max_len,
                               job.n_buckets) for data, st in zip(job.inputs, state,
                                                                  strict=True)]
            state = [job.submit(item, o, 1) for o in outs]
            if spans is None:
                spans = [job.submit(item, o, 3) for o in outs]
            if L - 1 >= 3:  # this round wrote the (L-1)-grams' rows
                ids = job.submit(_row_ids, n_frequent, L - 1,
                                 *[job.submit(item, o, 2) for o in outs]) if L - 1 >= 5 else None
                levels.append(job.submit(_level, L - 1, frequent, ids))
            buckets = job._buckets([job.submit(item, o, 0) for o in outs], prune) \
                if emit else []
            tails = [job.submit(item, o, 4) for o in outs]
            job.follow(f"counting {L}-grams" if emit else "collecting n-grams", outs)
            if not emit:
                break
            frequent = job.submit(_frequent, *buckets)
            n_frequent, tail_ids = job.gather(job.submit(_round_info, frequent, *tails))
            del buckets, tails
            if n_frequent == 0:
                break
            table = job.replicated(_key_table, frequent)
            L += 1
            if L >= FULL_SCANS + 3 and tail_ids <= TAIL_IDS:
                # the rest on one worker: what the later rounds read of every range
                excerpts = [job.submit(_excerpt, data, st, classes, self.max_len)
                            for data, st in zip(job.inputs, state, strict=True)]
                tail = job.submit(_tail, table, L, self.max_len, self.min_count, *excerpts)
                job.follow("collecting n-grams", excerpts)
                levels.append(job.submit(_level, L - 1, frequent, job.submit(item, tail, 0)))
                levels.append(job.submit(item, tail, 1))
                break
        # the table first, so its pieces are freed before the candidates run
        table = job.submit(_table, base, *levels)
        job.wait([table])
        del base, levels, outs, state, frequent, excerpts, tail, lookup
        return job.submit_beside(table, _candidates, plain, table, spans)

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
