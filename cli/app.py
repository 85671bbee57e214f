"""The ``nlpzero`` Typer app: one module per command, heavy imports inside commands."""

from __future__ import annotations

import typer

from . import approx, cluster, discover, embed, knn, parse, score, segment, templates, vectors

app = typer.Typer(
    name="nlpzero",
    help="Unsupervised Chinese NLP from raw text: discover words, segment, score, learn "
    "sentence templates and parse, embed words, cluster.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
app.add_typer(approx.app, name="approx")


def main() -> None:
    from nlpzero._malloc import release_freed_memory

    release_freed_memory()
    app()


if __name__ == "__main__":
    main()
