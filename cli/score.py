"""``nlpzero score``: SIGHAN-style precision, recall and F1 of a segmentation."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ._common import Errors, ErrorsOpt, OutputOpt, QuietOpt, failures


def score(
    gold: Annotated[str, typer.Argument(help="Gold segmentation (words separated by spaces).")],
    pred: Annotated[str, typer.Argument(help="Predicted segmentation, or - for stdin.")] = "-",
    training_words: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="Training word list (first column) for OOV and IV recall.", show_default=False,
    )] = None,
    output: OutputOpt = None,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """TSV of metric and value: precision, recall, f1 (and oov/iv recall), then counts.

    (score writes no log lines; --quiet is accepted like everywhere else.)"""
    with failures():
        from nlpzero.text.io import open_output, read_lines
        from nlpzero.words.scoring import score_lines

        words = None
        if training_words is not None:
            words = {line.split()[0] for line in read_lines(training_words, errors.value)
                     if line.split()}
        result = score_lines(read_lines(gold, errors.value), read_lines(pred, errors.value), words)
        with open_output(output) as out:
            for name, value in result.as_rows():
                out.write(f"{name}\t{value:.4f}\n" if isinstance(value, float)
                          else f"{name}\t{value}\n")
