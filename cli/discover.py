"""``nlpzero discover``: learn a lexicon from raw text."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (
    DaskOpt,
    Errors,
    ErrorsOpt,
    InputsArg,
    Log,
    OutputOpt,
    QuietOpt,
    TopOpt,
    failures,
    log_workers,
    number,
    refuse,
    resolve_inputs,
)


class Method(str, Enum):
    unigram = "unigram"
    ngram = "ngram"
    nlpzero = "nlpzero"


#: options of some methods only (refused with the others)
COUNTING = ("min_count", "pmi_step", "max_len", "iterations", "partitions")  # ngram, unigram
UNIGRAM_ONLY = ("pmi_cap", "max_share", "lexicon_cost", "boundary_margin")
NLPZERO_ONLY = ("min_proba",)


def discover(
    ctx: typer.Context,
    corpus: InputsArg = None,
    output: OutputOpt = None,
    method: Annotated[Method, typer.Option(
        help="unigram: cohesive n-grams of any length + Viterbi re-estimation + 去冗 and MDL "
        "pruning (best); ngram: the same with n <= 4 and no MDL (the 0.1 default); nlpzero: "
        "nlp-zero 0.1.6's Word_Finder.")] = Method.unigram,
    min_count: Annotated[Optional[int], typer.Option(  # noqa: UP045
        min=1, max=2**62, help="[unigram, ngram] Minimum count of a word [unigram: 2 on a "
        "corpus of fewer than 10 M characters, else 3; ngram: 3].")] = None,
    min_pmi: Annotated[Optional[float], typer.Option(  # noqa: UP045
        help="Cohesion (nats) a 2-char word needs [unigram: 1.5, ngram: 2.0] / strong-pair "
        "PMI [nlpzero: 1.0].", callback=number(-100, 100)
    )] = None,
    pmi_step: Annotated[Optional[float], typer.Option(  # noqa: UP045
        help="[unigram, ngram] Extra cohesion per extra character (nats) [unigram: 1.5, "
        "ngram: 4.0].", callback=number(0, 100))] = None,
    pmi_cap: Annotated[float, typer.Option(
        help="[unigram] Most cohesion any word needs (nats), so long words stay possible.",
        callback=number(-100, 1000))] = 8.0,
    max_len: Annotated[Optional[int], typer.Option(  # noqa: UP045
        min=1, max=1024,
        help="Longest word [unigram: 32, at most 1024; ngram: 4, at most 4].")] = None,
    max_share: Annotated[float, typer.Option(
        help="[unigram] Drop an n-gram when adding one character on either side gives a "
        "string holding this share of its occurrences (it is a piece of a longer word).",
        callback=number(0, 1, low_open=True))] = 0.8,
    lexicon_cost: Annotated[float, typer.Option(
        help="[unigram] Weight of the lexicon's description length (0 = no MDL test).",
        callback=number(0, 1e6))] = 0.5,
    boundary_margin: Annotated[float, typer.Option(
        help="[unigram] Drop a candidate of 3+ characters when cutting it into other "
        "candidates raises the branching-entropy score Σ a(part) len(part) by more than "
        "the nats one occurrence saves spelt whole rather than as its best split, beyond "
        "the len − 1 every word must save, plus this margin for candidates of 4+ "
        "characters (3-character ones get none; 1000000 = never drop).",
        callback=number(0, 1e6))] = 3.0,
    iterations: Annotated[Optional[int], typer.Option(  # noqa: UP045
        min=1, max=50, help="Re-count rounds [unigram: at most 5, until the code length stops "
        "falling; ngram: 2].")] = None,
    partitions: Annotated[int, typer.Option(
        min=1, max=256, help="[unigram, ngram] Count the 3/4-grams [unigram: 3/4/5-grams] in "
        "this many hash partitions (less memory, one more pass each).")] = 2,
    min_proba: Annotated[float, typer.Option(
        help="[nlpzero] Minimum pair and fragment probability.",
        callback=number(0, 1, low_open=True, high_open=True))] = 1e-7,
    unknown_score: Annotated[float, typer.Option(
        help="Log-probability of a character outside the lexicon (<= 0).",
        callback=number(-1e6, 0))] = -100.0,
    top: TopOpt = None,
    errors: ErrorsOpt = Errors.strict,
    dask: DaskOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Learn a lexicon from raw text: TSV word, count, score (nats saved), most frequent first."""
    if method is not Method.nlpzero:
        for option in NLPZERO_ONLY:
            refuse(ctx, option, "--method nlpzero")
    else:
        for option in COUNTING:
            refuse(ctx, option, "--method ngram or unigram")
    if method is not Method.unigram:
        for option in UNIGRAM_ONLY:
            refuse(ctx, option, "--method unigram")
    paths = resolve_inputs(corpus, dask)
    log = Log(quiet)
    with failures():
        from nlpzero.text.io import open_output, seekable_path
        from nlpzero.words.discovery import Corpus, make_finder, train_and_find

        # the options whose default depends on the method are None when not given: the
        # finder's own default applies (the help above quotes them)
        if method is Method.unigram:
            options = dict(min_count=min_count, min_pmi=min_pmi, pmi_step=pmi_step,
                           pmi_cap=pmi_cap, max_len=max_len, max_share=max_share,
                           lexicon_cost=lexicon_cost, boundary_margin=boundary_margin,
                           partitions=partitions, iterations=iterations)
        elif method is Method.ngram:
            options = dict(min_count=min_count, min_pmi=min_pmi, pmi_step=pmi_step,
                           max_len=max_len, iterations=iterations, partitions=partitions)
        else:
            options = dict(min_proba=min_proba, min_pmi=min_pmi)
        options = {name: value for name, value in options.items() if value is not None}
        finder = make_finder(method.value, unknown_score=unknown_score, **options)
        if dask is not None:
            from nlpzero.distributed import discover as discover_on_dask

            with log.progress() as progress:
                lexicon, peaks = discover_on_dask(paths, dask, method.value, errors.value,
                                                  progress, unknown_score=unknown_score,
                                                  **options)
            log_workers(log, peaks)
        else:
            with seekable_path(paths[0]) as file, log.progress() as progress:
                lexicon = train_and_find(finder, Corpus(Path(file), errors.value), progress)
        with open_output(output) as out:
            lexicon.write(out, top)
        log.info(f"{len(lexicon)} words ({method.value}) in {log.elapsed():.1f} s")
