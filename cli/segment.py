"""``nlpzero segment``: split text into words with a lexicon (unigram Viterbi)."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import (
    DaskOpt,
    Errors,
    ErrorsOpt,
    InputsArg,
    Log,
    OutputOpt,
    QuietOpt,
    failures,
    log_workers,
    resolve_inputs,
)


def segment(
    corpus: InputsArg = None,
    lexicon: Annotated[str, typer.Option("--lexicon", "-l", help="Lexicon TSV (word, count).",
                                         show_default=False)] = ...,
    output: OutputOpt = None,
    unknown_score: Annotated[float, typer.Option(
        help="Log-probability of a character outside the lexicon.")] = -100.0,
    errors: ErrorsOpt = Errors.strict,
    dask: DaskOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """One output line per input line, words separated by single spaces."""
    paths = resolve_inputs(corpus, dask)
    log = Log(quiet)
    with failures():
        from nlpzero.text.io import display_name, open_binary, open_output
        from nlpzero.words.lexicon import Lexicon
        from nlpzero.words.segmentation import Segmenter

        lex = Lexicon.read(lexicon, errors.value)
        if dask is not None:  # the workers build the segmenter
            from nlpzero.distributed import segment as segment_on_dask

            with log.progress() as progress, open_output(output) as out:
                n_chars, peaks = segment_on_dask(paths, dask, lex, out, unknown_score,
                                                 errors.value, progress)
            log_workers(log, peaks)
        else:
            segmenter = Segmenter(lex, unknown_score)
            path = paths[0]
            with open_binary(path) as fh, open_output(output) as out:
                n_chars = segmenter.stream(fh, out.write, display_name(path), errors.value)
        seconds = log.elapsed()
        log.info(f"segmented {n_chars:,} characters in {seconds:.2f} s")
