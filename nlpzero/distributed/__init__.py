"""Discover, segment, embed (and count templates) over a corpus on a Dask cluster.

The commands' ``--dask ADDRESS`` runs here: ``tcp://host:8786`` connects to a running
scheduler (``dask scheduler`` / ``dask worker``), ``local:N`` starts N worker processes on
this machine. Inputs are split into byte ranges at line ends (:mod:`.ranges`), workers read
their own ranges, partial counts are shuffled into hash buckets merged and pruned on the
workers (:mod:`.engine`), and the single-process algorithms finish on what survives, so the
output is byte-identical to the single-process run. Dask is imported only here, and only
when ``--dask`` is given.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from ..vectors.cooccurrence import DEFAULT_SUBSAMPLE
from .engine import Job, check_visible, cluster, n_workers, worker_peaks
from .ranges import CHUNK_BYTES, MIN_CHUNK, corpus_files, split

Inputs = Sequence[str | os.PathLike[str]]

#: Range size for ``segment``, whose output passes through the driver in order.
SEGMENT_CHUNK = 1 << 22


@contextlib.contextmanager
def job(inputs: Inputs, address: str, progress: Any,
        chunk_bytes: int | None = None) -> Iterator[Job]:
    """The ranges of *inputs* on the cluster at *address*; inputs are checked first (a
    missing file fails before any worker starts), then that every worker sees them.
    Ranges are about *chunk_bytes* long; by default two per worker (fewer ranges means
    fewer partial tables to shuffle), between MIN_CHUNK and CHUNK_BYTES."""
    files = corpus_files(inputs)
    with cluster(address) as client:
        if chunk_bytes is None:
            total = sum(f.stat().st_size for f in files)
            per_range = -(-total // (2 * max(1, n_workers(client))))
            chunk_bytes = min(CHUNK_BYTES, max(MIN_CHUNK, per_range))
        j = Job(client, split(files, chunk_bytes), progress)
        check_visible(j)
        yield j
        j.peaks = worker_peaks(client)


def discover(inputs: Inputs, address: str, method: str = "unigram", errors: str = "strict",
             progress: Any = None, chunk_bytes: int | None = None, **options: Any):
    """``nlpzero.words.discovery.discover`` over *inputs* on Dask: (lexicon, worker peak RSS)."""
    from ..text.progress import Progress
    from .words import make_finder

    progress = progress or Progress()
    with job(inputs, address, progress, chunk_bytes) as j:
        lexicon = make_finder(j, method, errors, **options).run(progress)
    return lexicon, j.peaks


def segment(inputs: Inputs, address: str, lexicon: Any, out: TextIO,
            unknown_score: float = -100.0, errors: str = "strict", progress: Any = None,
            chunk_bytes: int = SEGMENT_CHUNK):
    """Segment *inputs* on Dask, writing the text to *out* in corpus order:
    (characters read, worker peak RSS). Ranges are small (SEGMENT_CHUNK): the driver
    holds the output of the few in flight."""
    from ..text.progress import Progress
    from . import words

    progress = progress or Progress()
    with job(inputs, address, progress, chunk_bytes) as j:
        n_chars = words.segment(j, lexicon, out, unknown_score, errors, progress)
    return n_chars, j.peaks


def cooccur(inputs: Inputs, address: str, window: int = 10, min_count: int = 5,
            errors: str = "strict", progress: Any = None, chunk_bytes: int | None = None,
            dynamic: bool = True, subsample_t: float = DEFAULT_SUBSAMPLE):
    """``nlpzero.vectors.cooccurrence.cooccur`` over *inputs* on Dask: (counts, worker peak RSS)."""
    from ..text.progress import Progress
    from . import vectors

    progress = progress or Progress()
    with job(inputs, address, progress, chunk_bytes) as j:
        counted = vectors.cooccur(j, window, min_count, errors, progress, dynamic,
                                  subsample_t)
    return counted, j.peaks


__all__ = ["CHUNK_BYTES", "Job", "cluster", "cooccur", "discover", "job", "segment", "split",
           "templates"]


def templates(inputs: Inputs, address: str, window: int = 5, min_proba: float = 1e-5,
              min_pmi: float = 2.0, max_paths: int = 10_000, errors: str = "strict",
              progress: Any = None, chunk_bytes: int | None = None):
    """``nlpzero.sentences.templates.find_templates`` over *inputs* on Dask: (templates, pieces,
    pieces skipped, worker peak RSS)."""
    from ..text.progress import Progress
    from .sentences import find_templates

    progress = progress or Progress()
    with job(inputs, address, progress, chunk_bytes) as j:
        found, pieces, skipped = find_templates(j, window, min_proba, min_pmi, max_paths,
                                                errors, progress)
    return found, pieces, skipped, j.peaks
