"""``nlpzero knn``: a word-similarity graph from word vectors (Su Jianlin's recipe)."""

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


def knn(
    vectors: InputArg = None,
    output: OutputOpt = None,
    k: Annotated[int, typer.Option("-k", "--neighbours", min=1,
                                   help="Neighbours per word.")] = 10,
    min_sim: Annotated[float, typer.Option(help="Keep neighbours with cosine ≥ this "
                                           "(-1 to 1).", callback=number(-1, 1))] = 0.6,
    words_limit: Annotated[int, typer.Option(
        "--words", min=0, help="Use the first N words of the file (the most frequent, in "
        "word2vec files; Su's recipe takes 10,000); 0 = all.")] = 10000,
    approx: Annotated[bool, typer.Option(help="Rank with Mitchell's multiplier-free products, "
                                         "then re-rank exactly.")] = False,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """Link list word<TAB>neighbour<TAB>cosine: each word's top-k most similar words.

    VECTORS is word2vec text format (as `nlpzero embed` writes). The output feeds
    `nlpzero cluster --directed` directly.
    """
    path = resolve_input(vectors)
    log = Log(quiet)
    with failures():
        from nlpzero.graphs.knn import cosine_knn
        from nlpzero.text.io import open_output
        from nlpzero.vectors.word2vec import read_word2vec

        words, matrix = read_word2vec(path, errors.value)
        n_read = len(words)
        if words_limit and words_limit < n_read:
            words, matrix = words[:words_limit], matrix[:words_limit]
            log.info(f"using the first {words_limit:,} of {n_read:,} words (--words)")
        source, target, sim = cosine_knn(matrix, k, min_sim, approx=approx)
        with open_output(output) as out:
            for start in range(0, len(source), 65536):
                out.write("".join(
                    f"{words[s]}\t{words[t]}\t{v:.6f}\n" for s, t, v in zip(
                        source[start:start + 65536].tolist(), target[start:start + 65536].tolist(),
                        sim[start:start + 65536].tolist())))
        import numpy as np

        unlinked = len(words) - int(np.count_nonzero(np.bincount(
            np.concatenate([source, target]), minlength=len(words))))
        log.info(f"{len(source):,} links among {len(words):,} words in {log.elapsed():.2f} s; "
                 f"{unlinked:,} words got no link (no neighbour with cosine ≥ {min_sim:g}) "
                 "and will be in no cluster")
