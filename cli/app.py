"""The ``nlpzero`` Typer app: one module per command, heavy imports inside commands."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import (
    approx,
    cluster,
    discover,
    embed,
    knn,
    map,
    parse,
    score,
    segment,
    templates,
    vectors,
)

app = typer.Typer(
    name="nlpzero",
    help="Unsupervised Chinese NLP from raw text: discover words, segment, score, learn "
    "sentence templates and parse, embed words, cluster, draw a map of the clusters.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text verbatim: [ngram: 2.0], [X], [weight] stay
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from nlpzero import __version__

        typer.echo(f"nlpzero {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option(  # noqa: UP045
        "--version", help="Print the version and exit.", callback=_version, is_eager=True,
    )] = None,
) -> None:
    """Unsupervised Chinese NLP from raw text: discover words, segment, score, learn
    sentence templates and parse, embed words, cluster, draw a map of the clusters."""


app.command("discover")(discover.discover)
app.command("segment")(segment.segment)
app.command("score")(score.score)
app.command("templates")(templates.templates)
app.command("parse")(parse.parse)
app.command("embed")(embed.embed)
app.command("similar")(vectors.similar)
app.command("analogy")(vectors.analogy)
app.command("keywords")(vectors.keywords)
app.command("evaluate")(vectors.evaluate)
app.command("knn")(knn.knn)
app.command("cluster")(cluster.cluster)
app.command("map")(map.map_)
app.add_typer(approx.app, name="approx")


def main() -> None:
    from nlpzero._malloc import release_freed_memory

    release_freed_memory()
    app(prog_name="nlpzero")


if __name__ == "__main__":
    main()
