"""Vocabulary and symmetric window co-occurrence counts of a segmented corpus.

``X_ij`` = number of times words i and j (i != j) fall within ``window`` in-vocabulary tokens
of each other on one line (uniform weights, no 1/distance), counted after the min-count cut;
out-of-vocabulary tokens are dropped before windowing (as GloVe's ``cooccur`` does).
Stored once per unordered pair (``rows < cols``), sorted by (row, col).

Two options copy word2vec's counting. ``dynamic``: a pair at distance d counts
``window - d + 1`` (the expected weight of word2vec's window drawn uniformly from 1..window,
times window; the weight functions divide by it again). ``subsample`` t > 0: before
windowing, a token of a word with frequency f = n / N is kept with probability
min(1, √(t/f) + t/f) (gensim's rule), decided by a hash of the line and the token's place in
it (:func:`subsample`), so the same tokens go whatever the chunking (the Dask path drops the
same ones) and whatever ``--seed``; the marginals stay the unsampled unigram counts.
"""

from __future__ import annotations

import itertools
import math
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..text.io import read_blocks
from ..text.progress import Progress
from ..words.lexicon import Lexicon as Vocabulary  # words in frequency order, unigram counts

#: Characters of text split into tokens at a time while reading.
PIECE_CHARS = 1 << 16

#: Hash-table slots used while counting (12 bytes each); a full table is merged and reused.
TABLE_SLOTS = 1 << 22

#: The widest window the dynamic weights accept (weights up to the window, in int32 counts).
MAX_DYNAMIC_WINDOW = 1000

#: Fixed key of the subsampling hash (the kept tokens do not depend on ``--seed``).
SUBSAMPLE_KEY = 0x5EED_C0DE_2026

#: The subsampling threshold t that :func:`cooccur` and the command line use by default
#: (word2vec's -sample; with the dynamic window, chosen for issue 12 on the jieba token set).
DEFAULT_SUBSAMPLE = 1e-4


@dataclass
class Cooccurrence:
    """Sparse symmetric counts: one entry per unordered pair ``rows[k] < cols[k]``."""

    vocab: Vocabulary
    rows: np.ndarray  # int32
    cols: np.ndarray  # int32
    counts: np.ndarray  # int32, X_ij = X_ji
    window: int
    n_tokens: int  # in-vocabulary tokens
    dynamic: bool = False  # counts weighted window - d + 1 (see the module docstring)
    subsample: float = 0.0  # t of the frequent-word subsampling (0: every token kept)

    @property
    def count_unit(self) -> int:
        """What one co-occurrence at distance 1 adds to a count: ``window`` for dynamic
        counts, else 1 (the pair weight's x_max is scaled by it)."""
        return self.window if self.dynamic else 1

    @property
    def nnz(self) -> int:
        return int(self.counts.shape[0])

    @property
    def total_pairs(self) -> int:
        """Z = Σ_{a != b} X_ab over ordered pairs = 2 Σ_{a < b} X_ab."""
        return 2 * int(self.counts.sum())

    def pmi(self, context_power: float = 1.0, dtype: type = np.float64) -> np.ndarray:
        """PMI_ij = log(P(i, j) / (P(i) P(j))) in nats, P(i, j) = X_ij / Z, P(i) = n_i / N.

        With ``context_power`` α < 1 the second factor is the smoothed context distribution
        P_α(j) = n_j^α / Σ n^α (Levy et al. 2015), applied symmetrically:
        log P(i, j) - ½ log P_α(i) P(i) - ½ log P_α(j) P(j). Computed in float64 and written
        straight into one array of *dtype* (float32 halves the memory of large tables).
        """
        from ._cooccurrence_kernels import pmi_values

        out = np.empty(self.counts.shape[0], dtype)
        pmi_values(self.rows, self.cols, self.counts, self.log_marginals(context_power),
                   math.log(self.total_pairs), out)
        return out

    def log_marginals(self, context_power: float = 1.0) -> np.ndarray:
        """m_i = ½ (log P(i) + log P_α(i)), so that PMI_ij = log X_ij - log Z - m_i - m_j."""
        n = self.vocab.counts.astype(np.float64)
        log_p = np.log(n) - np.log(n.sum())
        log_ctx = log_p
        if context_power != 1.0:
            smoothed = n ** context_power
            log_ctx = np.log(smoothed) - np.log(smoothed.sum())
        return 0.5 * (log_p + log_ctx)

    def dense(self) -> np.ndarray:
        """The full symmetric V x V count matrix (small vocabularies and tests only)."""
        v = len(self.vocab)
        x = np.zeros((v, v), np.int64)
        x[self.rows, self.cols] = self.counts
        x[self.cols, self.rows] = self.counts
        return x


def _texts(source: str | os.PathLike[str] | Iterable[str], errors: str,
           progress: Progress | None) -> Iterable[str]:
    """Blocks of text from a path (``-`` = stdin) or the lines of an iterable of str."""
    if isinstance(source, (str, os.PathLike)):
        yield from read_blocks(source, errors, progress=progress)
        return
    for line in source:
        yield line if line.endswith("\n") else line + "\n"


def read_corpus(
    source: str | os.PathLike[str] | Iterable[str],
    min_count: int = 5,
    errors: str = "strict",
    progress: Progress | None = None,
) -> tuple[Vocabulary, np.ndarray]:
    """The vocabulary (count >= min_count) and the corpus as int32 word ids.

    Words are separated by whitespace; a line end is kept as ``LINE_END`` (-2) so windows
    never cross lines; out-of-vocabulary tokens are dropped.
    """
    from ._cooccurrence_kernels import LINE_END

    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    ids_of: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    ids_of["\x00"]  # id 0: the line-end marker (NUL never reaches here: binary-file check)
    parts = []
    for text in _texts(source, errors, progress):
        # pieces of ~64 K characters: the new words' strings, kept as dictionary keys, are
        # then not scattered over a whole block's worth of freed token strings (which kept
        # ~90 MB of the 150 k-line test corpus resident after reading)
        start = 0
        while start < len(text):
            end = text.find("\n", start + PIECE_CHARS)
            end = len(text) if end < 0 else end + 1
            tokens = text[start:end].replace("\n", " \x00 ").split()
            parts.append(np.fromiter(map(ids_of.__getitem__, tokens), np.int32, len(tokens)))
            start = end
    ids = np.concatenate(parts) if parts else np.zeros(0, np.int32)
    del parts
    counts = np.bincount(ids, minlength=len(ids_of)).astype(np.int64)
    counts[0] = 0
    if counts.sum() == 0:
        raise InputError("empty corpus: no words (expected words separated by spaces)")
    kept = np.flatnonzero(counts >= min_count)
    if kept.size == 0:
        raise InputError(f"empty vocabulary: no word occurs {min_count} times or more "
                         "(lower --min-count)")
    kept = kept[np.argsort(-counts[kept], kind="stable")]
    words = list(ids_of)
    remap = np.full(len(words), -1, np.int32)
    remap[kept] = np.arange(kept.size, dtype=np.int32)
    remap[0] = LINE_END
    mapped = remap[ids]
    del ids
    vocab = Vocabulary([words[i] for i in kept], counts[kept])  # ties: first occurrence
    return vocab, mapped[mapped != -1]


#: The pair table is counted in about this many row ranges (one pass over the tokens each),
#: so the merge that doubles a range's arrays only ever doubles a fraction of the table.
RANGES = 8


def check_counting_options(window: int, dynamic: bool, subsample: float) -> None:
    """ValueError unless window >= 1 (at most MAX_DYNAMIC_WINDOW when dynamic) and
    0 <= subsample <= 1 (finite)."""
    if window < 1:
        raise ValueError("window must be at least 1")
    if dynamic and window > MAX_DYNAMIC_WINDOW:
        raise ValueError(f"the dynamic window takes a window of at most {MAX_DYNAMIC_WINDOW}")
    if not (math.isfinite(subsample) and 0 <= subsample <= 1):
        raise ValueError("subsample must be a number from 0 to 1")


def keep_thresholds(counts: np.ndarray, t: float) -> np.ndarray:
    """Per word, the keep probability min(1, √(t/f) + t/f), f = count / Σ counts, as an
    integer threshold on 32 hash bits (int64; 2^32 = always kept; t = 0 keeps all)."""
    n = np.asarray(counts, dtype=np.float64)
    full = np.int64(1) << np.int64(32)
    if t <= 0 or n.size == 0:
        return np.full(n.shape[0], full, np.int64)
    ratio = t / (n / n.sum())
    keep = np.minimum(1.0, np.sqrt(ratio) + ratio)
    return np.minimum(np.floor(keep * 2.0 ** 32), float(full)).astype(np.int64)


def subsample(ids: np.ndarray, counts: np.ndarray, t: float) -> np.ndarray:
    """*ids* (word ids and LINE_END marks) without the tokens frequent-word subsampling drops
    (:func:`keep_thresholds`); done in place, the result is a view of the kept front of
    *ids*. A token's fate depends on its line's in-vocabulary ids and its place in the line
    only (hashed with the fixed SUBSAMPLE_KEY)."""
    from ._cooccurrence_kernels import subsample_tokens

    if t <= 0:
        return ids
    kept = subsample_tokens(ids, keep_thresholds(counts, t), np.uint64(SUBSAMPLE_KEY))
    return ids[:kept]


def _count_ranges(ids: np.ndarray, n_words: int, window: int, table_slots: int,
                  dynamic: bool = False):
    """Sorted (keys, counts) pieces of the pair table, one per row range, in key order.

    The rows are cut into ranges of about equal bounds on their distinct pairs
    (:func:`row_pair_bounds`); each range is counted in a fixed hash table whose full
    chunks are drained sorted and merged into the range's running arrays (int64 keys,
    int32 counts, allocated at exactly the merged size)."""
    from ._cooccurrence_kernels import (
        LINE_END,
        count_window_pairs,
        drain_sorted,
        merge_pair_counts,
        row_pair_bounds,
    )

    check_counting_options(window, dynamic, 0.0)
    weight_window = window if dynamic else 0  # the weights use the window asked for
    # windows never cross a line end: a window longer than the longest line counts the same
    ends = np.flatnonzero(ids == LINE_END)
    if ids.shape[0]:
        longest = int(np.diff(np.concatenate(([-1], ends, [ids.shape[0]]))).max()) - 1
        window = max(1, min(window, longest))
    del ends
    slots = 1 << max(10, int(max(table_slots, 4 * min(window, n_words)) - 1).bit_length())
    bounds = np.cumsum(row_pair_bounds(ids, window, n_words))
    total = int(bounds[-1]) if n_words else 0
    # cut points: the first row whose cumulative bound passes each multiple of total / RANGES
    cuts = np.searchsorted(bounds, np.arange(1, RANGES) * (total / RANGES), side="right") + 1
    edges = np.unique(np.concatenate(([0], np.minimum(cuts, n_words), [n_words])))
    del bounds, cuts
    table_keys = np.full(slots, -1, np.int64)
    table_counts = np.zeros(slots, np.int32)
    for lo, hi in zip(edges[:-1].tolist(), edges[1:].tolist()):
        keys = np.zeros(0, np.int64)
        counts = np.zeros(0, np.int32)
        start = 0
        used = 0
        while True:
            before = start
            start, used = count_window_pairs(ids, start, window, n_words, table_keys,
                                             table_counts, used, lo, hi, weight_window)
            if start < 0:
                from ..errors import NlpzeroError

                raise NlpzeroError("a word pair's count passes 2^31 - 1: the corpus is too "
                                   "large for in-memory counting")
            if start == before and start < ids.shape[0] and used == 0:  # pragma: no cover
                raise RuntimeError("co-occurrence counting made no progress")
            if start < ids.shape[0] or used:
                chunk_keys, chunk_counts = drain_sorted(table_keys, table_counts, used)
                if keys.shape[0] == 0:
                    keys, counts, ok = chunk_keys, chunk_counts, True
                else:
                    keys, counts, ok = merge_pair_counts(keys, counts, chunk_keys,
                                                         chunk_counts)
                del chunk_keys, chunk_counts
                if not ok:
                    from ..errors import NlpzeroError

                    raise NlpzeroError("a word pair occurs more than 2^31 - 1 times: the "
                                       "corpus is too large for in-memory counting")
                used = 0
            if start >= ids.shape[0]:
                break
        yield keys, counts
        del keys, counts


def count_pairs(ids: np.ndarray, n_words: int, window: int,
                table_slots: int = TABLE_SLOTS,
                dynamic: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys ``i * n_words + j`` (i < j) and their window counts (int32).

    Counted in row ranges (:func:`_count_ranges`); the pieces are copied into the result
    one at a time and freed, so the pairs are held about once (pages of the result become
    resident only as they are written)."""
    pieces = list(_count_ranges(ids, n_words, window, table_slots, dynamic))
    size = sum(k.shape[0] for k, _ in pieces)
    keys = np.empty(size, np.int64)
    counts = np.empty(size, np.int32)
    at = 0
    while pieces:
        k, c = pieces.pop(0)
        keys[at:at + k.shape[0]] = k
        counts[at:at + k.shape[0]] = c
        at += k.shape[0]
        del k, c
    return keys, counts


def count_pair_rows(ids: np.ndarray, n_words: int, window: int,
                    dynamic: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """As :func:`count_pairs`, as int32 rows and columns (never holding int64 keys for the
    whole table)."""
    from ._cooccurrence_kernels import split_keys

    pieces = list(_count_ranges(ids, n_words, window, TABLE_SLOTS, dynamic))
    size = sum(k.shape[0] for k, _ in pieces)
    rows = np.empty(size, np.int32)
    cols = np.empty(size, np.int32)
    counts = np.empty(size, np.int32)
    at = 0
    while pieces:
        k, c = pieces.pop(0)
        r, q = split_keys(k, n_words)
        rows[at:at + k.shape[0]] = r
        cols[at:at + k.shape[0]] = q
        counts[at:at + k.shape[0]] = c
        at += k.shape[0]
        del k, c, r, q
    return rows, cols, counts


def cooccur(
    source: str | os.PathLike[str] | Iterable[str],
    window: int = 10,
    min_count: int = 5,
    errors: str = "strict",
    progress: Progress | None = None,
    dynamic: bool = True,
    subsample_t: float = DEFAULT_SUBSAMPLE,
) -> Cooccurrence:
    """Count the vocabulary and the symmetric window co-occurrences of a segmented corpus
    (``dynamic`` window weights and frequent-word subsampling ``subsample_t``: see the
    module docstring). The defaults are the command line's; ``dynamic=False,
    subsample_t=0`` gives plain counts (every pair in the window adds 1)."""
    check_counting_options(window, dynamic, subsample_t)
    from .._malloc import trim_heap

    vocab, ids = read_corpus(source, min_count, errors, progress)
    trim_heap()  # the reader's freed word strings, before the pair tables
    ids = subsample(ids, vocab.counts, subsample_t)
    rows, cols, counts = count_pair_rows(ids, len(vocab), window, dynamic=dynamic)
    del ids
    return Cooccurrence(vocab, rows, cols, counts, window, int(vocab.total), dynamic,
                        float(subsample_t))
