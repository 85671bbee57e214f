"""``nlpzero parse``: the template structure of each segmented sentence."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import (
    Errors,
    ErrorsOpt,
    InputArg,
    Log,
    OutputOpt,
    QuietOpt,
    failures,
    number,
    resolve_input,
)


def parse(
    corpus: InputArg = None,
    templates: Annotated[str, typer.Option(
        "--templates", "-t", help="Templates TSV (from nlpzero templates).",
        show_default=False)] = ...,
    output: OutputOpt = None,
    json: Annotated[bool, typer.Option(
        "--json", help="One JSON object per line instead of an indented tree.")] = False,
    null_score: Annotated[float, typer.Option(
        help="Score of each word beyond the first in a span no template matches.",
        callback=number(-1e6, 1e6))] = -20.0,
    max_words: Annotated[int, typer.Option(
        min=1, help="Longest sentence accepted (the DP is O(n^3) time, O(n^2) memory).")
    ] = 1000,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """Parse segmented sentences with templates: an indented tree (or --json) per line."""
    path = resolve_input(corpus)
    log = Log(quiet)
    with failures():
        from nlpzero.errors import InputError
        from nlpzero.sentences.parsing import Parser
        from nlpzero.sentences.templates import Templates
        from nlpzero.text.io import display_name, iter_blocks, open_binary, open_output

        parser = Parser(Templates.read(templates, errors.value), null_score, max_words)
        name = display_name(path)
        n_lines = 0
        with open_binary(path) as fh, open_output(output) as out:
            for block in iter_blocks(fh, name, errors.value):
                lines = block.split("\n")  # only \n ends a line (not \f, \x1c, U+2028 ...)
                for line in lines[:-1] if block.endswith("\n") else lines:
                    n_lines += 1
                    try:
                        tree = parser.parse(line)
                    except InputError as e:
                        raise InputError(f"{name}:{n_lines}: {e}") from None
                    if json:
                        out.write(tree.to_json() + "\n")
                    else:
                        out.write((tree.plot() + "\n\n") if tree.words else "\n")
        log.info(f"parsed {n_lines:,} lines in {log.elapsed():.1f} s")
