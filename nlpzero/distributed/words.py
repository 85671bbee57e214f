"""Word discovery and segmentation over byte ranges on a Dask cluster.

Discovery's counts are keyed by character ids, which :class:`~nlpzero.text.chars.CharTable`
assigns in order of first appearance, so each worker's own table would give the same id to
different characters. A first pass therefore encodes each range with its own table and
returns the range's new characters in order; the driver merges these lists in range order
into the one table a single pass over the corpus would build (same ids, hence the same
sorted keys and tie orders), and each range's ids are remapped to it on its worker and kept
there for the later passes. Those count with the global ids, shuffle partial counts into
hash buckets reduced on the workers, prune them (``count >= min_count``) after the merge,
and the finder's own steps (cohesion per bucket on the workers; 去冗 and the lexicon's
order on the driver, on the candidates only) finish the job.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

from .._tables import MergeStack, gather_rows, merge_counts, row_offsets, run_lengths
from ..errors import InputError
from ..text.chars import CharTable
from ..text.progress import Progress
from ..words import _discovery_kernels as DK
from ..words import _lexicon_kernels as LK
from ..words.discovery import (
    NgramFinder,
    PairFinder,
    _pair_lookup,
    _WordTable,
    span_table,
    strong_pair_keys,
)
from ..words.lexicon import Lexicon
from ..words.ngrams import NgramCounts, PairCounter, key_order, unpack
from .engine import Job, item, sorted_concat
from .ranges import ByteRange, range_ids, range_texts

# --- pass 1: the global character table, and each range's ids kept on its worker ------


def _encode_local(rng: ByteRange, scheme: str, errors: str) -> tuple[np.ndarray, list]:
    """A range's word characters in order of first appearance (code points), and its
    blocks' ids under that range-local table (uint16: ids < 2^16)."""
    table = CharTable(scheme)
    blocks = [ids.astype(np.uint16) for ids, _ in range_ids(rng, table, errors)]
    return table.chars[1:table.n_chars + 1].copy(), blocks


def _globalize(local: tuple, remap: np.ndarray) -> list[np.ndarray]:
    """A range's blocks with the global ids (remap: local id -> global id)."""
    return [remap[ids] for ids in local[1]]


def encode(job: Job, scheme: str, errors: str) -> CharTable:
    """The character table one pass over the ranges in order builds (the same ids), and
    every range's ids under it kept on the workers as ``job.inputs`` (Dask spills them
    to disk under memory pressure): later passes neither read nor decode the text."""
    futures = job.map_ranges("reading characters", _encode_local, scheme, errors)
    new_chars = [job.submit(item, f, 0) for f in futures]
    table = CharTable(scheme)
    inputs = []
    for future, cps_f in zip(futures, new_chars):  # in range order
        cps = job.gather(cps_f)
        table.encode_codepoints(cps)  # assigns ids to the unseen ones, in order
        remap = np.zeros(cps.size + 1, dtype=np.uint16)
        remap[1:] = np.maximum(table.ids[cps], 0)  # 0: past a full table, a separator
        inputs.append(job.submit(_globalize, future, remap))
    del futures, new_chars, future, cps_f
    job.wait(inputs)
    job.inputs = inputs
    return table


def _blocks(data: list[np.ndarray]):
    for ids in data:
        yield ids.astype(np.int32)


# --- pass 2: characters and pairs --------------------------------------------------------


def _char_pair_counts(data: list[np.ndarray]):
    """The range's characters and adjacent pairs (``NgramCounts`` with max_n = 2)."""
    counter = PairCounter()
    for ids in _blocks(data):
        counter.add(ids)
    counts = counter.result()
    return counts.keys, counts.counts


def _totals(keys: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Total count per order n (index n) of a bucket, as ``NgramCounts.totals``."""
    return np.bincount(key_order(keys), weights=counts, minlength=5)


def _keys_at_least(min_count: int) -> Callable:
    """Bucket pruning: single characters and keys seen >= *min_count* times survive."""

    def prune(keys: np.ndarray, counts: np.ndarray):
        keep = (counts >= min_count) | ((keys & np.uint64((1 << 48) - 1)) == 0)
        return keys[keep], counts[keep], _totals(keys, counts)

    return prune


def _count_table(ids_keys: Callable, data: list[np.ndarray], *args):
    """Sorted (keys, counts) of the keys *ids_keys* emits for each block of a range."""
    stack = MergeStack(merge_counts)
    for ids in _blocks(data):
        keys = ids_keys(ids, *args)
        keys.sort()
        table = run_lengths(keys)
        stack.push(table, table[0].size)
    merged = stack.result()
    return merged if merged is not None else (np.zeros(0, np.uint64), np.zeros(0, np.int64))


def _trigrams(data: list[np.ndarray], lookup: tuple):
    return _count_table(DK.trigram_keys, data, *lookup)


def _fourgrams(data: list[np.ndarray], tri_set: np.ndarray):
    return _count_table(DK.fourgram_keys, data, tri_set)


def _viterbi_counts(data: list[np.ndarray], chars: CharTable, words: _WordTable,
                    unknown_score: float) -> np.ndarray:
    keys, lens, vals = words.table()  # cached on the broadcast object, once per worker
    logp = words.log_proba()
    max_len = LK.scan_length(words.lengths)
    out = np.zeros(words.counts.size, dtype=np.int64)
    for ids in _blocks(data):
        w = LK.path_words(ids, chars.id_classes[ids], keys, lens, vals, logp, max_len,
                          unknown_score)
        out += np.bincount(w[w >= 0], minlength=out.size)
    return out


class _Distributed:
    """What the distributed finders share: the job, the character table, pair counting."""

    def __init__(self, job: Job, errors: str = "strict", **options: Any) -> None:
        super().__init__(**options)  # the finder's own options (the next class in the MRO)
        self.job, self.errors = job, errors

    def _pass_pairs(self: Any, prune: Callable) -> list:
        """Build the character table and the ranges' ids, then count characters and pairs
        into pruned buckets (left on the workers)."""
        self.chars = encode(self.job, self._scheme, self.errors)
        return self.job.count("counting characters and pairs", _char_pair_counts,
                              prune=prune)


def _gather_pruned(job: Job, buckets: list) -> tuple[tuple[np.ndarray, np.ndarray],
                                                     np.ndarray]:
    """The pruned buckets as one sorted table, and the totals per order before pruning."""
    parts = job.gather(buckets)
    return (sorted_concat([(k, c) for k, c, _ in parts]),
            np.sum([t for _, _, t in parts], axis=0))


class DaskNgramFinder(_Distributed, NgramFinder):
    """:class:`~nlpzero.words.discovery.NgramFinder` whose passes over the corpus run on Dask.

    Pairs and 3-/4-grams below ``min_count`` are dropped after their bucket is merged: no
    candidate can contain one (a substring is at least as frequent), and every count the
    cohesion test reads is of a substring of a candidate, so the lexicon is the
    single-process one.
    """

    def run(self, progress: Progress) -> Lexicon:
        job = self.job
        job.progress = progress
        prune = _keys_at_least(self.min_count)
        buckets = self._pass_pairs(prune)
        # the driver keeps the characters only; the lookups of the apriori passes are
        # built on a worker from the buckets and copied to every worker
        (keys, counts), _ = _gather_pruned(job, [job.submit(_singles_only, b) for b in buckets])
        self.counts = NgramCounts(keys, counts, 2)
        self._check_trained()
        if self.max_len >= 3:
            lookup = job.replicated(_pair_lookup_of, self.char_counts(), *buckets)
            tri = job.count("counting 3-grams", _trigrams, lookup, prune=prune)
            del lookup
            buckets = buckets + tri
            if self.max_len >= 4:
                tri_set = job.replicated(_key_set_of, *tri)
                buckets = buckets + job.count("counting 4-grams", _fourgrams, tri_set,
                                              prune=prune)
                del tri_set
        words = self._candidates(buckets)
        del buckets
        gain = np.zeros(words.counts.size)
        chars_f = job.scatter(self.chars)
        for it in range(self.iterations):
            words_f = job.scatter(_WordTable(words.ptr, words.chars, words.counts))
            counts = job.sum(f"re-counting words ({it + 1}/{self.iterations})",
                             _viterbi_counts, chars_f, words_f, self.unknown_score)
            seen = (counts >= self.min_count) | ((words.lengths == 1) & (counts > 0))
            words = words.subset(seen, counts)
            keep, _, gain = words.remove_redundant(self.unknown_score, sequential=False)
            gain = gain[keep]
            words = words.subset(keep)
        return self._lexicon(words, gain)

    def _candidates(self, buckets: list) -> _WordTable:
        """``candidates`` of the pruned table, computed per bucket on the workers against
        one copy of the whole table per worker; only the candidates reach the driver."""
        job = self.job
        table = job.replicated(_whole_table, *buckets)
        options = dict(min_count=self.min_count, min_pmi=self.min_pmi, pmi_step=self.pmi_step,
                       max_len=self.max_len)
        keys, counts = sorted_concat(job.gather(
            [job.submit(_bucket_candidates, b, table, options) for b in buckets]))
        del table
        orders = key_order(keys).astype(np.int64)
        ids = unpack(keys)
        chars = ids[ids > 0].astype(np.int32)  # row-major: each row's ids in order
        return _WordTable(row_offsets(orders), chars, counts.astype(np.int64))


def _pair_lookup_of(char_counts: np.ndarray, *buckets: tuple) -> tuple:
    """``_pair_lookup`` of the frequent pairs in the (pruned) pair buckets."""
    pairs = np.sort(np.concatenate([b[0][key_order(b[0]) == 2] for b in buckets]))
    return _pair_lookup(pairs, char_counts)


def _key_set_of(*buckets: tuple) -> np.ndarray:
    """Hash set of the keys of the (pruned) 3-gram buckets."""
    return DK.build_key_set(np.sort(np.concatenate([b[0] for b in buckets])))


def _whole_table(*buckets: tuple) -> NgramCounts:
    """The pruned 1..4-gram table of every bucket (as ``frequent_ngrams`` gives it)."""
    keys, counts = sorted_concat([(b[0], b[1]) for b in buckets])
    return NgramCounts(keys, counts, 4)


def _bucket_candidates(bucket: tuple, table: NgramCounts, options: dict) -> tuple:
    """The rows of one bucket that ``NgramFinder.candidates`` keeps (same arithmetic)."""
    finder = NgramFinder(**options)
    keys, counts = bucket[0], bucket[1]
    orders = key_order(keys).astype(np.int64)
    thresholds = finder.min_pmi + (np.arange(5) - 2) * finder.pmi_step
    keep = orders == 1
    tested = np.flatnonzero((orders >= 2) & (orders <= finder.max_len)
                            & (counts >= finder.min_count))
    rows = np.searchsorted(table.keys, keys[tested])
    keep[tested] = finder.cohesion(table, rows) >= thresholds[orders[tested]]
    return keys[keep], counts[keep]


# --- nlp-zero's Word_Finder ------------------------------------------------------------------


def _chars_apart(keys: np.ndarray, counts: np.ndarray):
    """Bucket of the pair table kept whole on its worker, with its totals per order."""
    return keys, counts, _totals(keys, counts)


def _singles_only(bucket: tuple) -> tuple:
    keys, counts, totals = bucket
    single = (keys & np.uint64((1 << 48) - 1)) == 0
    return keys[single], counts[single], totals


def _strong(bucket, char_counts: np.ndarray, totals: tuple[float, float], min_proba: float,
            min_pmi: float) -> np.ndarray:
    """PairFinder.strong_pairs on one bucket of the pair table."""
    keys, counts, _ = bucket
    is_pair = key_order(keys) == 2
    return strong_pair_keys(keys[is_pair], counts[is_pair], char_counts, totals[0], totals[1],
                            min_proba, min_pmi)


def _fragments(data: list[np.ndarray], lookup: tuple):
    """Short fragments as a packed-key table (shuffled), long ones as a string table."""
    shorts, longs = MergeStack(merge_counts), MergeStack(DK.merge_tables)
    for ids in _blocks(data):
        starts, ends = DK.fragment_bounds(ids, *lookup)
        short, long_rows = DK.short_span_keys(ids, starts, ends, 4)
        short.sort()
        table = run_lengths(short)
        shorts.push(table, table[0].size)
        long = DK.count_spans(ids, starts[long_rows], ends[long_rows])
        longs.push(long, long[0].size)
    short = shorts.result()
    if short is None:
        short = (np.zeros(0, np.uint64), np.zeros(0, np.int64))
    return short, longs.result()


def _size_and_sum(table: tuple) -> tuple[int, int]:
    """Rows and total count of a fragment table (short: keys, counts; long: + ptr, chars)."""
    return int(table[0].size), int(table[1].sum())


def _probable(table: tuple, total: float, min_proba: float) -> tuple:
    """The short fragments with ln p > ln min_proba (PairFinder.find's test)."""
    keys, counts = table[0], table[1]
    keep = np.log(counts) - math.log(total) > math.log(min_proba)
    return keys[keep], counts[keep]


def _probable_long(table: tuple, total: float, min_proba: float) -> tuple:
    """The same test on the long fragments' string table."""
    keys, counts, ptr, chars = table
    idx = np.flatnonzero(np.log(counts) - math.log(total) > math.log(min_proba))
    new_ptr, new_chars = gather_rows(chars, ptr[idx], np.diff(ptr)[idx])
    return keys[idx], counts[idx], new_ptr, new_chars


def _remove_redundant(unknown_score: float, long: tuple, *short_buckets: tuple) -> tuple:
    """``PairFinder.find``'s last step on the kept fragments (short buckets in key order,
    then the long ones): the words that stay, with their new counts, and their gains."""
    table = span_table(sorted_concat(list(short_buckets)), long)
    keep, new_counts, gain = table.remove_redundant(unknown_score, sequential=True)
    table = table.subset(keep, np.rint(new_counts).astype(np.int64))
    return _WordTable(table.ptr, table.chars, table.counts), gain[keep]


def _merge_long(*tables) -> tuple:
    stack = MergeStack(DK.merge_tables)
    for t in tables:
        if t is not None:
            stack.push(t, t[0].size)
    out = stack.result()
    if out is None:
        return (np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(1, np.int64),
                np.zeros(0, np.int32))
    return out


class DaskPairFinder(_Distributed, PairFinder):
    """:class:`~nlpzero.words.discovery.PairFinder` (``method="nlpzero"``) on Dask.

    The pair table stays in buckets on the workers; only the strong pairs come back. Short
    fragments (≤ 4 characters) are shuffled by key, long ones merged as string tables.
    """

    def run(self, progress: Progress) -> Lexicon:
        job = self.job
        job.progress = progress
        buckets = self._pass_pairs(_chars_apart)
        (keys, counts), totals = _gather_pruned(
            job, [job.submit(_singles_only, b) for b in buckets])
        self.counts = NgramCounts(keys, counts, 2)
        self._check_trained()
        char_counts = self.char_counts()
        n_chars, n_pairs = float(totals[1]), float(totals[2])
        counts_f = job.scatter(char_counts)
        strong = np.sort(np.concatenate(job.gather([
            job.submit(_strong, b, counts_f, (n_chars, n_pairs), self.min_proba, self.min_pmi)
            for b in buckets])))
        del buckets
        lookup = job.scatter(_pair_lookup(strong, char_counts))
        mapped = job.map_ranges("counting fragments", _fragments, lookup)
        # short fragments: shuffle by key; long ones: merged as string tables (few)
        from .engine import _reduce_bucket, _split, item

        n = job.n_buckets
        short_parts = [job.submit(_split, job.submit(item, m, 0), n) for m in mapped]
        buckets = [job.submit(_reduce_bucket, None,
                              *[job.submit(item, s, b) for s in short_parts])
                   for b in range(n)]
        longs = [job.submit(item, m, 1) for m in mapped]
        while len(longs) > 1:
            longs = [job.submit(_merge_long, *longs[i:i + 8]) for i in range(0, len(longs), 8)]
        long_f = longs[0] if longs else job.submit(_merge_long)
        del mapped, short_parts, longs
        # fragments with p <= min_proba go on the workers, with the global total
        sizes = job.gather([job.submit(_size_and_sum, b) for b in [*buckets, long_f]])
        if sum(rows for rows, _ in sizes[:-1]) == 0:
            raise InputError("the corpus has no letters, digits or ideographs to learn from")
        total = float(sum(c for _, c in sizes))
        probable = [job.submit(_probable, b, total, self.min_proba) for b in buckets]
        long = job.submit(_probable_long, long_f, total, self.min_proba)
        del buckets, long_f
        progress.stage("removing redundant words", None)
        # the sequential 去冗 runs on a worker: the driver receives the words kept only
        table, gain = job.gather(job.submit(_remove_redundant, self.unknown_score, long,
                                            *probable))
        return self._lexicon(table, gain)


def make_finder(job: Job, method: str, errors: str = "strict", **options: Any):
    """The distributed finder for *method* (``unigram``, ``ngram`` or ``nlpzero``)."""
    if method == "unigram":
        from .unigram import DaskUnigramFinder

        return DaskUnigramFinder(job, errors, **options)
    if method == "ngram":
        return DaskNgramFinder(job, errors, **options)
    if method == "nlpzero":
        return DaskPairFinder(job, errors, **options)
    raise ValueError(f"--dask does not support method {method!r} (unigram, ngram, nlpzero)")


# --- segmentation --------------------------------------------------------------------------


def _segment_range(rng: ByteRange, lexicon: Lexicon, unknown_score: float,
                   errors: str) -> tuple[str, int]:
    from ..words.segmentation import Segmenter, block_cut_classes

    seg = Segmenter(lexicon, unknown_score)  # the hash table is cached on the lexicon
    out, n_chars, at_line_start = [], 0, True  # a range starts a line
    for text, _ in range_texts(rng, errors, block_cut_classes()):  # cut as one process cuts
        block, at_line_start = seg._block(text, at_line_start)
        out.append(block)
        n_chars += len(text)
    return "".join(out), n_chars


def segment(job: Job, lexicon: Lexicon, out: TextIO, unknown_score: float,
            errors: str, progress: Progress, window: int | None = None) -> int:
    """Segment every range on the workers and write the results in corpus order; at most
    *window* ranges are in flight, so neither side holds the whole output."""
    from distributed import as_completed

    from .engine import _dask_failures

    job.progress = progress
    progress.stage("segmenting", job.total)
    lex_f = job.scatter(lexicon)
    window = window or 2 * max(1, len(job.client.scheduler_info()["workers"])) + 2
    ranges = job.ranges
    pending: dict[int, Any] = {}
    done = as_completed()
    nxt_submit = 0
    n_chars = 0

    def submit_more() -> None:
        nonlocal nxt_submit
        while nxt_submit < len(ranges) and len(pending) < window:
            f = job.submit(_segment_range, ranges[nxt_submit], lex_f, unknown_score, errors)
            pending[nxt_submit] = f
            done.add(f)
            nxt_submit += 1

    with _dask_failures():
        submit_more()
        for i, rng in enumerate(ranges):
            text, n = pending.pop(i).result()
            out.write(text)
            n_chars += n
            progress.advance(rng.size)
            submit_more()
    return n_chars
