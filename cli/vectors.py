"""Queries on word vectors (word2vec text format): similar, analogy, keywords, evaluate."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Optional

import typer

from ._common import (
    Errors,
    ErrorsOpt,
    InputArg,
    Log,
    OutputOpt,
    QuietOpt,
    TopOpt,
    console,
    failures,
    refuse,
    resolve_input,
)

VectorsArg = Annotated[str, typer.Argument(help="Vectors in word2vec text format.",
                                           show_default=False)]


class AnalogyMethod(str, Enum):
    add = "add"
    mul = "mul"


AnalogyMethodOpt = Annotated[AnalogyMethod, typer.Option(
    "--analogy-method", help="add: 3CosAdd (cosine to B - A + C); mul: 3CosMul "
    "(Levy & Goldberg 2014).")]


def _write_scored(output: str | None, rows: list[tuple[str, float]]) -> None:
    from nlpzero.text.io import open_output

    with open_output(output) as out:
        for word, score in rows:
            out.write(f"{word}\t{score:.6g}\n")


def _batch(queries: str, output: str | None, width: int, answer: Callable[[list[str]],
           list[tuple[str, float]]], log: Log, errors: str) -> None:
    """Answer one query per input line (*width* words each), the vectors loaded once:
    TSV query<TAB>word<TAB>score. A query with a word outside the vocabulary is reported
    on stderr and skipped; the command then exits 1 after answering the others."""
    from nlpzero.errors import InputError
    from nlpzero.text.io import display_name, open_output, read_lines

    name = display_name(queries)
    failed = answered = 0
    with open_output(output) as out:
        for number, line in enumerate(read_lines(queries, errors), 1):
            words = line.split()
            if not words:
                continue
            if len(words) != width:
                raise InputError(f"{name}:{number}: expected {width} word"
                                 f"{'s' if width > 1 else ''} per line, got {len(words)}")
            try:
                rows = answer(words)
            except InputError as e:
                console.print(f"{name}:{number}: {e}", markup=False)
                failed += 1
                continue
            query = " ".join(words)
            out.write("".join(f"{query}\t{w}\t{v:.6g}\n" for w, v in rows))
            answered += 1
    log.info(f"{answered:,} queries answered, {failed:,} with unknown words")
    if failed:
        raise typer.Exit(1)


def similar(
    ctx: typer.Context,
    vectors: VectorsArg,
    word: Annotated[Optional[str], typer.Argument(  # noqa: UP045
        help="The query word; omitted or -: one query word per line of stdin, answered as "
        "TSV query<TAB>word<TAB>score.", show_default=False)] = None,
    top: TopOpt = 20,
    related: Annotated[bool, typer.Option(
        help="Related words: rank by inner product (≈ PMI) instead of similarity.")] = False,
    reference_words: Annotated[int, typer.Option(
        min=0, help="Similarity space: Cholesky whitening over the N most frequent words "
                    "(≈10000 semantic, ≈500 syntactic; 0 = plain cosine).")] = 10000,
    output: OutputOpt = None,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """Nearest words, TSV word<TAB>score (batch: query<TAB>word<TAB>score)."""
    if related:
        refuse(ctx, "reference_words", "similarity (without --related)")
    queries = None if word not in (None, "-") else resolve_input(None if word is None else "-")
    log = Log(quiet)
    with failures():
        from nlpzero.vectors.embedding import Embedding

        emb = Embedding.read(vectors, errors.value)

        def answer(words: list[str]) -> list[tuple[str, float]]:
            if related:
                return emb.related(words[0], top)
            return emb.similar(words[0], top, reference_words or None)

        if queries is None:
            _write_scored(output, answer([word]))
        else:
            _batch(queries, output, 1, answer, log, errors.value)


def analogy(
    vectors: VectorsArg,
    a: Annotated[Optional[str], typer.Argument(  # noqa: UP045
        help="A (A is to B ...); omitted or -: one 'A B C' per line of stdin, answered as "
        "TSV 'A B C'<TAB>word<TAB>score.", show_default=False)] = None,
    b: Annotated[Optional[str], typer.Argument(help="B", show_default=False)] = None,  # noqa: UP045
    c: Annotated[Optional[str], typer.Argument(  # noqa: UP045
        help="C (... as C is to ?)", show_default=False)] = None,
    top: TopOpt = 10,
    output: OutputOpt = None,
    method: AnalogyMethodOpt = AnalogyMethod.add,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """A : B :: C : ? by 3CosAdd (cosine to B - A + C) or 3CosMul, TSV word<TAB>score."""
    batch = a in (None, "-")
    if batch and (b is not None or c is not None):
        raise typer.BadParameter("give A B C, or - (or nothing) to read 'A B C' lines "
                                 "from stdin", param_hint="A B C")
    if not batch and (b is None or c is None):
        raise typer.BadParameter("give all three words A B C", param_hint="A B C")
    queries = resolve_input(None if a is None else "-") if batch else None
    log = Log(quiet)
    with failures():
        from nlpzero.vectors.embedding import Embedding

        emb = Embedding.read(vectors, errors.value)

        def answer(words: list[str]) -> list[tuple[str, float]]:
            return emb.analogy(words[0], words[1], words[2], top, method.value)

        if queries is None:
            _write_scored(output, answer([a, b, c]))
        else:
            _batch(queries, output, 3, answer, log, errors.value)


def keywords(
    vectors: VectorsArg,
    sentences: InputArg = None,
    top: TopOpt = 5,
    scores: Annotated[bool, typer.Option(help="Write word<TAB>score pairs.")] = False,
    output: OutputOpt = None,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """Keywords of each segmented input line (words ranked by <Σ sentence vectors, v_w>).

    One output line per input line: the keywords separated by tabs.
    """
    path = resolve_input(sentences)
    with failures():
        from nlpzero.text.io import open_output, read_lines
        from nlpzero.vectors.embedding import Embedding

        emb = Embedding.read(vectors, errors.value)
        with open_output(output) as out:
            for line in read_lines(path, errors.value):
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
    method: AnalogyMethodOpt = AnalogyMethod.add,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """TSV file, section, metric, value, covered, total (Spearman ρ by cosine; analogy
    accuracy by 3CosAdd or 3CosMul)."""
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

        emb = Embedding.read(vectors, errors.value)
        rows = []
        for name in similarity or []:
            r = evaluate_similarity(emb, read_similarity(name, errors.value))
            rows.append((Path(name).name, "", "spearman", r.spearman, r.covered, r.total))
        for name in analogy_files or []:
            for r in evaluate_analogy(emb, read_analogy(name, errors.value),
                                      method=method.value):
                rows.append((Path(name).name, r.name, "accuracy", r.accuracy, r.covered,
                             r.total))
        with open_output(output) as out:
            for row in rows:
                out.write("{}\t{}\t{}\t{:.4f}\t{}\t{}\n".format(*row))
        log.info(f"evaluated {len(emb):,} vectors in {log.elapsed():.1f} s")
