"""Queries on word vectors (word2vec text format): similar, analogy, keywords, evaluate."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ._common import InputArg, Log, OutputOpt, QuietOpt, failures, resolve_input

VectorsArg = Annotated[str, typer.Argument(help="Vectors in word2vec text format.",
                                           show_default=False)]
TopOpt = Annotated[int, typer.Option("-n", "--top", min=1, help="How many words.")]


def _write_scored(output: str | None, rows: list[tuple[str, float]]) -> None:
    from nlpzero.text.io import open_output

    with open_output(output) as out:
        for word, score in rows:
            out.write(f"{word}\t{score:.6g}\n")


def similar(
    vectors: VectorsArg,
    word: Annotated[str, typer.Argument(help="The query word.", show_default=False)],
    top: TopOpt = 20,
    related: Annotated[bool, typer.Option(
        help="Related words: rank by inner product (≈ PMI) instead of similarity.")] = False,
    reference_words: Annotated[int, typer.Option(
        min=0, help="Similarity space: Cholesky whitening over the N most frequent words "
                    "(≈10000 semantic, ≈500 syntactic; 0 = plain cosine).")] = 10000,
    output: OutputOpt = None,
) -> None:
    """Nearest words, TSV word<TAB>score."""
    with failures():
        from nlpzero.vectors.embedding import Embedding

        emb = Embedding.read(vectors)
        if related:
            rows = emb.related(word, top)
        else:
            rows = emb.similar(word, top, reference_words or None)
        _write_scored(output, rows)


def analogy(
    vectors: VectorsArg,
    a: Annotated[str, typer.Argument(help="A (A is to B ...)", show_default=False)],
    b: Annotated[str, typer.Argument(help="B", show_default=False)],
    c: Annotated[str, typer.Argument(help="C (... as C is to ?)", show_default=False)],
    top: TopOpt = 10,
    output: OutputOpt = None,
) -> None:
    """A : B :: C : ? by 3CosAdd (cosine to B - A + C), TSV word<TAB>score."""
    with failures():
        from nlpzero.vectors.embedding import Embedding

        _write_scored(output, Embedding.read(vectors).analogy(a, b, c, top))


def keywords(
    vectors: VectorsArg,
    sentences: InputArg = None,
    top: TopOpt = 5,
    scores: Annotated[bool, typer.Option(help="Write word<TAB>score pairs.")] = False,
    output: OutputOpt = None,
) -> None:
    """Keywords of each segmented input line (words ranked by <Σ sentence vectors, v_w>).

    One output line per input line: the keywords separated by tabs.
    """
    path = resolve_input(sentences)
    with failures():
        from nlpzero.text.io import open_output, read_lines
        from nlpzero.vectors.embedding import Embedding

        emb = Embedding.read(vectors)
        with open_output(output) as out:
            for line in read_lines(path):
                ranked = emb.keywords(line.split(), top)
                if scores:
                    out.write("\t".join(f"{w}\t{s:.6g}" for w, s in ranked) + "\n")
                else:
                    out.write("\t".join(w for w, _ in ranked) + "\n")


def evaluate(
    vectors: VectorsArg,
    similarity: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        "--similarity", "-s", help="Word-pair file 'w1 w2 score' (repeatable).",
        show_default=False)] = None,
    analogy_files: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        "--analogy", "-a", help="word2vec analogy file ': section' / 'a b c d' (repeatable).",
        show_default=False)] = None,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """TSV file, section, metric, value, covered, total (Spearman ρ by cosine; 3CosAdd)."""
    if not similarity and not analogy_files:
        raise typer.BadParameter("give --similarity FILE and/or --analogy FILE",
                                 param_hint="--similarity")
    log = Log(quiet)
    with failures():
        from pathlib import Path

        from nlpzero.text.io import open_output
        from nlpzero.vectors.embedding import Embedding
        from nlpzero.vectors.evaluation import (
            evaluate_analogy,
            evaluate_similarity,
            read_analogy,
            read_similarity,
        )

        emb = Embedding.read(vectors)
        rows = []
        for name in similarity or []:
            r = evaluate_similarity(emb, read_similarity(name))
            rows.append((Path(name).name, "", "spearman", r.spearman, r.covered, r.total))
        for name in analogy_files or []:
            for r in evaluate_analogy(emb, read_analogy(name)):
                rows.append((Path(name).name, r.name, "accuracy", r.accuracy, r.covered,
                             r.total))
        with open_output(output) as out:
            for row in rows:
                out.write("{}\t{}\t{}\t{:.4f}\t{}\t{}\n".format(*row))
        log.info(f"evaluated {len(emb):,} vectors in {log.elapsed():.1f} s")
