"""``nlpzero discover``: learn a lexicon from raw text."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (
    Errors,
    ErrorsOpt,
    InputArg,
    Log,
    OutputOpt,
    QuietOpt,
    TopOpt,
    failures,
    number,
    refuse,
    resolve_input,
)


class Method(str, Enum):
    ngram = "ngram"
    nlpzero = "nlpzero"


#: options of one method only (refused with the other)
NGRAM_ONLY = ("min_count", "pmi_step", "max_len", "iterations", "partitions")
NLPZERO_ONLY = ("min_proba",)


def discover(
    ctx: typer.Context,
    corpus: InputArg = None,
    output: OutputOpt = None,
    method: Annotated[Method, typer.Option(help="ngram: cohesive n-grams + Viterbi re-count "
                                           "+ 去冗 (best); nlpzero: nlp-zero 0.1.6's Word_Finder."
                                           )] = Method.ngram,
    min_count: Annotated[int, typer.Option(min=1, help="[ngram] Minimum count of a word.")] = 3,
    min_pmi: Annotated[Optional[float], typer.Option(  # noqa: UP045
        help="Cohesion (nats) a 2-char word needs [ngram: 2.0] / strong-pair PMI [nlpzero: 1.0].",
        callback=number(-1000, 1000))] = None,
    pmi_step: Annotated[float, typer.Option(
        help="[ngram] Extra cohesion per extra character (nats).",
        callback=number(-1000, 1000))] = 4.0,
    max_len: Annotated[int, typer.Option(min=1, max=4, help="[ngram] Longest word.")] = 4,
    iterations: Annotated[int, typer.Option(min=1, max=50,
                                            help="[ngram] Re-count rounds.")] = 2,
    partitions: Annotated[int, typer.Option(
        min=1, max=256, help="[ngram] Count 3/4-grams in this many hash partitions (less "
        "memory, one more pass each).")] = 2,
    min_proba: Annotated[float, typer.Option(
        help="[nlpzero] Minimum pair and fragment probability.",
        callback=number(0, 1, low_open=True, high_open=True))] = 1e-7,
    unknown_score: Annotated[float, typer.Option(
        help="Log-probability of a character outside the lexicon (<= 0).",
        callback=number(-1e6, 0))] = -100.0,
    top: TopOpt = None,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """Learn a lexicon from raw text: TSV word, count, score (nats saved), most frequent first."""
    for option in NGRAM_ONLY if method is Method.nlpzero else NLPZERO_ONLY:
        other = Method.ngram if method is Method.nlpzero else Method.nlpzero
        refuse(ctx, option, f"--method {other.value}")
    path = resolve_input(corpus)
    log = Log(quiet)
    with failures():
        from nlpzero.text.io import open_output, seekable_path
        from nlpzero.words.discovery import Corpus, make_finder

        if method is Method.ngram:
            options = dict(min_count=min_count, min_pmi=2.0 if min_pmi is None else min_pmi,
                           pmi_step=pmi_step, max_len=max_len, iterations=iterations,
                           partitions=partitions)
        else:
            options = dict(min_proba=min_proba, min_pmi=1.0 if min_pmi is None else min_pmi)
        finder = make_finder(method.value, unknown_score=unknown_score, **options)
        with seekable_path(path) as file, log.progress() as progress:
            source = Corpus(Path(file), errors.value)
            finder.train(source, progress)
            lexicon = finder.find(source, progress)
        with open_output(output) as out:
            lexicon.write(out, top)
        log.info(f"{len(lexicon)} words ({method.value}) in {log.elapsed():.1f} s")
