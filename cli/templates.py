"""``nlpzero templates``: learn sentence templates (句模版) from segmented text."""

from __future__ import annotations

from pathlib import Path
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
    TopOpt,
    failures,
    log_workers,
    number,
    resolve_inputs,
)


def templates(
    corpus: InputsArg = None,
    output: OutputOpt = None,
    window: Annotated[int, typer.Option(min=1, max=10_000,
                                        help="Pairs: w2 among the next N words.")] = 5,
    min_proba: Annotated[float, typer.Option(
        help="Minimum pair and template probability (0 < p < 1).",
        callback=number(0, 1, low_open=True, high_open=True))] = 1e-5,
    min_pmi: Annotated[float, typer.Option(help="Minimum PMI of a strong pair (nats).",
                                           callback=number(-1000, 1000))] = 2.0,
    max_paths: Annotated[int, typer.Option(
        min=1, max=2**62,
        help="Skip a sentence piece with more maximal paths than this (reported).")
    ] = 10_000,
    no_trivial: Annotated[bool, typer.Option(
        "--no-trivial", help="Leave out the trivial templates [X] w [X].")] = False,
    top: TopOpt = None,
    errors: ErrorsOpt = Errors.strict,
    dask: DaskOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Learn sentence templates from segmented text: TSV template (spaced, [X]), count."""
    paths = resolve_inputs(corpus, dask)
    log = Log(quiet)
    with failures():
        from nlpzero.sentences.templates import TemplateFinder, find_templates
        from nlpzero.text.io import open_output, seekable_path

        finder = TemplateFinder(window, min_proba, min_pmi, max_paths, errors.value)
        if dask is not None:
            from nlpzero.distributed import templates as templates_on_dask

            with log.progress() as progress:
                found, finder.pieces, finder.pieces_skipped, peaks = templates_on_dask(
                    paths, dask, window, min_proba, min_pmi, max_paths, errors.value,
                    progress)
            log_workers(log, peaks)
        else:
            with seekable_path(paths[0]) as file, log.progress() as progress:
                found = find_templates(Path(file), errors=errors.value, progress=progress,
                                       finder=finder)
        if no_trivial:
            found = found.non_trivial()
        with open_output(output) as out:
            found.write(out, top)
        skipped = (f"; {finder.pieces_skipped:,} pieces skipped (more than {max_paths:,} "
                   "paths)") if finder.pieces_skipped else ""
        log.info(f"{len(found):,} templates from {finder.pieces:,} sentence pieces in "
                 f"{log.elapsed():.1f} s{skipped}")
