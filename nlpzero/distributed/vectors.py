"""Co-occurrence counting for ``embed`` over byte ranges on a Dask cluster.

Pass 1 counts each range's words with the position of their first appearance; buckets
(by a stable hash of the word) sum the counts and keep the earliest position, so the
vocabulary, in frequency order with ties by first appearance, is the single-process one.
Pass 2 broadcasts the vocabulary, counts each range's window pairs (windows never cross a
line, and ranges end at line ends) and reduces them in hash buckets; the driver receives
the merged sparse matrix, on which the solver runs as usual. Subsampling decides each
token by a hash of its line and its place in the line, and ranges hold whole lines, so it
drops the single process's tokens; dynamic weights depend on distances within a line only.
"""

from __future__ import annotations

import itertools
import zlib
from collections import defaultdict
from typing import Any

import numpy as np

from ..errors import InputError
from ..vectors.cooccurrence import (
    DEFAULT_SUBSAMPLE,
    Cooccurrence,
    Vocabulary,
    check_counting_options,
    count_pairs,
    subsample,
)
from .engine import Job, item, sorted_concat
from .ranges import ByteRange, range_texts

#: Hash-table slots for one range's pairs (12 bytes each; full tables are merged).
RANGE_TABLE_SLOTS = 1 << 22


def _tokens(text: str) -> list[str]:
    return text.replace("\n", " \x00 ").split()


def _range_words(rng: ByteRange, errors: str, n_buckets: int) -> list[tuple]:
    """Per bucket: (words, counts, first positions) of the range's distinct words."""
    ids_of: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    ids_of["\x00"]  # id 0: the line end
    parts = []
    for text, _ in range_texts(rng, errors):
        tokens = _tokens(text)
        parts.append(np.fromiter(map(ids_of.__getitem__, tokens), np.int32, len(tokens)))
    counts = np.bincount(np.concatenate(parts) if parts else np.zeros(0, np.int32),
                         minlength=len(ids_of)).tolist()
    out: list[tuple[list, list, list]] = [([], [], []) for _ in range(n_buckets)]
    crc32 = zlib.crc32
    for word, i in ids_of.items():  # dict order = first appearance
        if i == 0:
            continue
        words, cs, firsts = out[crc32(word.encode("utf-8")) % n_buckets]
        words.append(word)
        cs.append(counts[i])
        firsts.append((rng.index << 32) | i)  # range, then order within it
    return out


def _reduce_words(min_count: int, *parts: tuple) -> tuple:
    """Summed counts and earliest first appearance of a bucket's words; the words with
    count >= *min_count*, and the bucket's token total."""
    total: dict[str, list[int]] = {}
    for words, counts, firsts in parts:
        for w, c, f in zip(words, counts, firsts):
            seen = total.get(w)
            if seen is None:
                total[w] = [c, f]
            else:
                seen[0] += c
                seen[1] = min(seen[1], f)
    n_tokens = sum(c for c, _ in total.values())
    kept = [(w, c, f) for w, (c, f) in total.items() if c >= min_count]
    return ([w for w, _, _ in kept], np.array([c for _, c, _ in kept], np.int64),
            np.array([f for _, _, f in kept], np.int64), n_tokens)


class _VocabIndex:
    """The broadcast vocabulary; its word -> id dict is built once per worker."""

    def __init__(self, words: list[str], counts: np.ndarray | None = None,
                 subsample_t: float = 0.0) -> None:
        self.words = words
        self.counts = np.zeros(len(words), np.int64) if counts is None else counts
        self.subsample_t = subsample_t
        self._ids: dict[str, int] | None = None

    def __getstate__(self) -> dict:
        return {"words": self.words, "counts": self.counts, "subsample_t": self.subsample_t,
                "_ids": None}

    @property
    def ids(self) -> dict[str, int]:
        """Word -> id, and the line end -> ``LINE_END``."""
        if self._ids is None:
            from ..vectors._cooccurrence_kernels import LINE_END

            self._ids = {w: i for i, w in enumerate(self.words)}
            self._ids["\x00"] = LINE_END
        return self._ids


def _range_pairs(rng: ByteRange, errors: str, vocab: _VocabIndex, window: int,
                 dynamic: bool = False):
    get = vocab.ids.get
    parts = []
    for text, _ in range_texts(rng, errors):
        tokens = _tokens(text)
        ids = np.fromiter(map(get, tokens, itertools.repeat(-1)), np.int32, len(tokens))
        parts.append(ids[ids != -1])  # out-of-vocabulary tokens go before windowing
    ids = np.concatenate(parts) if parts else np.zeros(0, np.int32)
    ids = subsample(ids, vocab.counts, vocab.subsample_t)
    # a range is small: a smaller table than the whole-corpus default bounds worker memory
    keys, counts = count_pairs(ids, len(vocab.words), window, RANGE_TABLE_SLOTS, dynamic)
    return keys.view(np.uint64), counts


def cooccur(job: Job, window: int = 10, min_count: int = 5, errors: str = "strict",
            progress: Any = None, dynamic: bool = True,
            subsample_t: float = DEFAULT_SUBSAMPLE) -> Cooccurrence:
    """:func:`nlpzero.vectors.cooccurrence.cooccur` of the job's ranges: the same vocabulary (order
    included) and the same counts."""
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    check_counting_options(window, dynamic, subsample_t)
    if progress is not None:
        job.progress = progress
    n = job.n_buckets
    mapped = job.map_ranges("counting words", _range_words, errors, n)
    buckets = [job.submit(_reduce_words, min_count,
                          *[job.submit(item, f, b) for f in mapped])
               for b in range(n)]
    parts = job.gather(buckets)
    del mapped, buckets
    if sum(p[3] for p in parts) == 0:
        raise InputError("empty corpus: no words (expected words separated by spaces)")
    words = [w for p in parts for w in p[0]]
    counts = np.concatenate([p[1] for p in parts])
    firsts = np.concatenate([p[2] for p in parts])
    if not words:
        raise InputError(f"empty vocabulary: no word occurs {min_count} times or more "
                         "(lower --min-count)")
    order = np.lexsort((firsts, -counts))  # most frequent first, ties by first appearance
    vocab = Vocabulary([words[i] for i in order.tolist()], counts[order])
    vocab_f = job.scatter(_VocabIndex(vocab.words, vocab.counts, subsample_t))
    keys, pair_counts = sorted_concat(job.gather(job.count(
        "counting co-occurrences", _range_pairs, errors, vocab_f, window, dynamic)))
    keys = keys.view(np.int64)
    n_words = len(vocab)
    rows = (keys // n_words).astype(np.int32)
    cols = (keys - rows.astype(np.int64) * n_words).astype(np.int32)
    return Cooccurrence(vocab, rows, cols, pair_counts, window, int(vocab.total), dynamic,
                        float(subsample_t))
