"""``nlpzero segment``: split text into words with a lexicon (unigram Viterbi)."""

from __future__ import annotations

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
    failures,
    log_workers,
    number,
    resolve_inputs,
)


def segment(
    corpus: InputsArg = None,
    lexicon: Annotated[list[str], typer.Option(
        "--lexicon", "-l", help="Lexicon TSV (word, count); repeat to merge several (the "
        "counts of a word in several are summed).", show_default=False)] = ...,
    user_dict: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        "--user-dict", help="jieba user dictionary, 'word [freq] [tag]' per line "
        "(repeatable): its words are forced in; a word without freq gets the smallest "
        "count that keeps it whole.", show_default=False)] = None,
    output: OutputOpt = None,
    unknown_score: Annotated[float, typer.Option(
        help="Log-probability of a character outside the lexicon (<= 0).",
        callback=number(-1e6, 0))] = -100.0,
    errors: ErrorsOpt = Errors.strict,
    dask: DaskOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """One output line per input line, words separated by single spaces.

    From a terminal or a pipe each line is written as soon as it is read (tail -f log |
    nlpzero segment -l words.tsv); files are read in 4 MB blocks.
    """
    paths = resolve_inputs(corpus, dask)
    log = Log(quiet)
    with failures():
        import numpy as np

        from nlpzero.text.io import display_name, open_binary, open_output
        from nlpzero.words.lexicon import Lexicon, read_user_dict
        from nlpzero.words.segmentation import Segmenter

        lex = Lexicon.read(lexicon[0], errors.value)
        if len(lexicon) > 1:
            lex = lex.merge(*(Lexicon.read(name, errors.value) for name in lexicon[1:]))
        if user_dict:
            read = [read_user_dict(name, errors.value) for name in user_dict]
            words = [w for ws, _ in read for w in ws]
            lex = lex.add(words, np.concatenate([c for _, c in read]), unknown_score)
            log.info(f"{len(words):,} user words")
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
                n_chars = segmenter.stream(fh, out.write, display_name(path), errors.value,
                                           flush=out.flush)
        seconds = log.elapsed()
        log.info(f"segmented {n_chars:,} characters in {seconds:.2f} s")
