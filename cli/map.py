"""``nlpzero map``: the word clusters drawn as one self-contained HTML page."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from ._common import Errors, ErrorsOpt, Log, OutputOpt, QuietOpt, failures


class Layout(str, Enum):
    modules = "modules"
    pca = "pca"


def map_(
    clusters: Annotated[str, typer.Argument(
        help="Clusters TSV word<TAB>module<TAB>flow (nlpzero cluster's output).",
        show_default=False)],
    vectors: Annotated[str, typer.Argument(
        help="Vectors in word2vec text format (their order is the frequency order).",
        show_default=False)],
    output: OutputOpt = None,
    layout: Annotated[Layout, typer.Option(
        help="modules: each module a disc placed by the principal components of its mean "
        "vector, words inside by the module's own components (modules never overlap); "
        "pca: the first two principal components of all words.")] = Layout.modules,
    neighbours: Annotated[int, typer.Option(
        min=1, max=100, help="Nearest words (cosine) shown when hovering a word.")] = 8,
    title: Annotated[str, typer.Option(help="Page title.")] = "word clusters",
    projector: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="Also write PREFIX.vectors.tsv and PREFIX.metadata.tsv (word, module) for the "
        "TensorBoard Embedding Projector.", show_default=False)] = None,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """One self-contained HTML file (inline SVG, a little JavaScript, nothing fetched): the
    clustered words in 2-D coloured by module, each module labelled with its most frequent
    words, a list of modules with size and flow, a search box (also page.html#q=WORD), and
    a word's nearest neighbours on hover."""
    log = Log(quiet)
    with failures():
        from nlpzero.graphs.formats import read_modules
        from nlpzero.graphs.htmlmap import cluster_map
        from nlpzero.text.io import Outputs
        from nlpzero.vectors.projector import projector_paths, write_projector_streams
        from nlpzero.vectors.word2vec import read_word2vec

        outputs = Outputs()  # checked before the work, committed together (or none)
        page = outputs.add(output)
        projected = (tuple(outputs.add(p) for p in projector_paths(projector)) if projector
                     else None)
        words, modules, flows = read_modules(clusters, errors.value)
        vector_words, matrix = read_word2vec(vectors, errors.value)
        drawn = cluster_map(words, modules, flows, vector_words, matrix, method=layout.value,
                            neighbours=neighbours, title=title)
        with outputs:
            page.open().write(drawn.html)
            if projected is not None:
                write_projector_streams(projected[0].open(), projected[1].open(), drawn.words,
                                        matrix[drawn.rows], drawn.modules)
        if projected is not None:
            log.info("projector files: " + ", ".join(t.name for t in projected))
        note = (f"; {drawn.missing:,} clustered words have no vector and are left out"
                if drawn.missing else "")
        log.info(f"{len(drawn.words):,} words, {len(set(drawn.modules)):,} modules on the "
                 f"map in {log.elapsed():.1f} s{note}")
