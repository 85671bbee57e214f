"""Sentence templates (``templates``) over byte ranges on a Dask cluster.

Word ids come from one vocabulary every worker shares: a first pass lists each range's new
words in order, the driver merges the lists in range order (the ids one pass over the
corpus would give) and broadcasts the table. Word and skip-gram pair counts are then
shuffled into hash buckets; the strong-pair test runs per bucket with the global totals;
templates, keyed by their word-id rows, are shuffled the same way and pruned at
p(t) > min_proba with the global total, so the driver receives only the kept templates.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np

from ..errors import InputError
from ..sentences.templates import TemplateFinder, Templates, Vocabulary, _TemplateTable
from .engine import Job, item
from .ranges import ByteRange, range_texts


def _range_words(rng: ByteRange, errors: str) -> list[str]:
    vocab = Vocabulary()
    for text, _ in range_texts(rng, errors):
        vocab.encode(text)
    return vocab.words[1:]


def vocabulary(job: Job, errors: str) -> Vocabulary:
    """The vocabulary one pass over the ranges in order builds (same ids)."""
    vocab = Vocabulary()
    for future in job.map_ranges("reading words", _range_words, errors):
        words = job.gather(future)
        if words:
            vocab.encode(" ".join(words))  # interns the unseen ones, in order
        future.release()
    return vocab


def _range_ids(rng: ByteRange, vocab: Vocabulary, errors: str):
    for text, _ in range_texts(rng, errors):
        yield vocab.encode(text)  # every word is in the table: ids are global


def _pairs(rng: ByteRange, vocab: Vocabulary, errors: str, window: int):
    finder = TemplateFinder(window)
    finder.vocab = vocab
    for ids in _range_ids(rng, vocab, errors):
        finder.train([ids])
    return finder.pair_counts(), finder.word_counts[:len(vocab)].copy()


def _with_total(keys: np.ndarray, counts: np.ndarray) -> tuple:
    return keys, counts, int(counts.sum())


def _strong(bucket: tuple, word_counts: np.ndarray, pair_total: int, min_proba: float,
            min_pmi: float) -> np.ndarray:
    """``TemplateFinder.strong_pairs`` on one bucket, with the global totals."""
    keys, counts, _ = bucket
    if keys.size == 0:
        return keys
    log_p12 = np.log(counts.astype(np.float64)) - math.log(pair_total)
    log_pw = (np.log(np.maximum(word_counts, 1).astype(np.float64))
              - math.log(word_counts.sum()))
    a = (keys >> np.uint64(32)).astype(np.int64)
    b = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
    keep = (log_p12 > math.log(min_proba)) & (log_p12 - log_pw[a] - log_pw[b] > min_pmi)
    return keys[keep]


def _templates(rng: ByteRange, vocab: Vocabulary, errors: str, window: int, strong: tuple,
               max_paths: int, n_buckets: int) -> tuple[list[dict], int, int, int]:
    """Per bucket {template row bytes: count}; the range's template total, pieces, skips."""
    table = _TemplateTable(1 << 16)
    is_sep = vocab.is_separator()
    for ids in _range_ids(rng, vocab, errors):
        table.add(ids, is_sep, window, strong, max_paths)
    out: list[dict[bytes, int]] = [{} for _ in range(n_buckets)]
    n = int(table.state[0])
    store, ptr = table.store, table.store_ptr
    total = 0
    for t in range(n):
        row = store[ptr[t]:ptr[t + 1]].tobytes()
        c = int(table.counts[t])
        out[zlib.crc32(row) % n_buckets][row] = c
        total += c
    shapes, words = np.nonzero(table.singles)
    for shape, word in zip(shapes.tolist(), words.tolist()):
        row = np.array([0] * (shape >> 1) + [word] + [0] * (shape & 1), np.int32).tobytes()
        c = int(table.singles[shape, word])
        bucket = out[zlib.crc32(row) % n_buckets]
        bucket[row] = bucket.get(row, 0) + c
        total += c
    return out, total, int(table.state[3]), int(table.state[2])


def _reduce_templates(total: int, min_proba: float, *parts: dict) -> tuple[list, np.ndarray]:
    """A bucket's templates summed over the ranges, those with p(t) > min_proba kept."""
    merged: dict[bytes, int] = {}
    for part in parts:
        for row, c in part.items():
            merged[row] = merged.get(row, 0) + c
    rows = list(merged)
    counts = np.array([merged[r] for r in rows], dtype=np.int64)
    if counts.size == 0:
        return [], counts
    keep = np.flatnonzero(np.log(counts.astype(np.float64)) - math.log(total)
                          > math.log(min_proba))
    return [np.frombuffer(rows[k], np.int32) for k in keep.tolist()], counts[keep]


def find_templates(job: Job, window: int = 5, min_proba: float = 1e-5, min_pmi: float = 2.0,
                   max_paths: int = 10_000, errors: str = "strict",
                   progress: Any = None) -> tuple[Templates, int, int]:
    """:func:`nlpzero.sentences.templates.find_templates` of the job's ranges: (templates, pieces,
    pieces skipped)."""
    TemplateFinder(window, min_proba, min_pmi, max_paths, errors)  # checks the options
    if progress is not None:
        job.progress = progress
    vocab = vocabulary(job, errors)
    vocab_f = job.scatter(vocab)
    mapped = job.map_ranges("counting words and pairs", _pairs, vocab_f, errors, window)
    word_counts = job.sum_of([job.submit(item, m, 1) for m in mapped])
    if word_counts.sum() == 0:
        raise InputError("no words to learn templates from (empty input?)")
    buckets = job.shuffle([job.submit(item, m, 0) for m in mapped], prune=_with_total)
    del mapped
    pair_total = sum(job.gather([job.submit(item, b, 2) for b in buckets]))
    counts_f = job.scatter(word_counts)
    strong = np.sort(np.concatenate(job.gather([
        job.submit(_strong, b, counts_f, pair_total, min_proba, min_pmi) for b in buckets])))
    del buckets
    first = (strong >> np.uint64(32)).astype(np.int64)
    strong_csr = (np.searchsorted(first, np.arange(len(vocab) + 1)),
                  (strong & np.uint64(0xFFFFFFFF)).astype(np.int32))
    n = job.n_buckets
    mapped = job.map_ranges("building templates", _templates, vocab_f, errors, window,
                            job.scatter(strong_csr), max_paths, n)
    stats = job.gather([job.submit(item, m, slice(1, None)) for m in mapped])
    total = sum(s[0] for s in stats)
    pieces, skipped = sum(s[1] for s in stats), sum(s[2] for s in stats)
    rows: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    if total:
        lists = [job.submit(item, m, 0) for m in mapped]
        parts = [job.submit(item, p, b) for b in range(n) for p in lists]
        reduced = [job.submit(_reduce_templates, total, min_proba,
                              *parts[b * len(mapped):(b + 1) * len(mapped)]) for b in range(n)]
        for bucket_rows, bucket_counts in job.gather(reduced):
            rows.extend(bucket_rows)
            counts.append(bucket_counts)
    words = vocab.words
    templates = [tuple(None if x == 0 else words[x] for x in row.tolist()) for row in rows]
    kept = np.concatenate(counts) if counts else np.zeros(0, np.int64)
    from ..sentences.templates import format_template

    texts = [format_template(t) for t in templates]
    order = sorted(range(len(templates)), key=list(zip((-kept).tolist(), texts)).__getitem__)
    return Templates([templates[k] for k in order], kept[order].copy()), pieces, skipped
