"""``nlpzero embed``: simpler-GloVe word vectors from a segmented corpus."""

from __future__ import annotations

import math
from enum import Enum
from typing import Annotated, Optional

import typer

from ._common import (
    SEED,
    DaskOpt,
    Errors,
    ErrorsOpt,
    InputsArg,
    Log,
    OutputOpt,
    QuietOpt,
    SeedOpt,
    check_prefix,
    failures,
    log_workers,
    number,
    refuse,
    resolve_inputs,
)


class Method(str, Enum):
    spectral = "spectral"
    weighted = "weighted"
    adagrad = "adagrad"


def embed(
    ctx: typer.Context,
    corpus: InputsArg = None,
    output: OutputOpt = None,
    dim: Annotated[Optional[int], typer.Option(  # noqa: UP045
        min=1, max=10_000, help="Vector size (default: 8.33 ln V rounded up to a multiple of "
        "8; at most the vocabulary size).",
        show_default=False)] = None,
    window: Annotated[int, typer.Option(
        min=1, help="Words on each side (uniform; at most the longest line matters).")] = 10,
    min_count: Annotated[int, typer.Option(min=1, help="Minimum word count.")] = 5,
    dynamic_window: Annotated[bool, typer.Option(
        "--dynamic-window/--uniform-window",
        help="word2vec's dynamic window: a pair d words apart counts window - d + 1 "
        "(x_max is then scaled by the window; --window at most 1000); uniform: every pair "
        "in the window counts 1.")] = True,
    subsample: Annotated[float, typer.Option(
        help="Drop frequent words' tokens before counting, keeping each with probability "
        "min(1, sqrt(t/f) + t/f) for a word of frequency f (word2vec's -sample t; 0 keeps "
        "all); decided by a hash of the line and the place in it, not by --seed.",
        callback=number(0, 1))] = 1e-4,
    method: Annotated[Method, typer.Option(
        help="weighted (default): the spectral fit, then Su's count-weighted fit of the "
             "PMI, weight min(1, (X/x_max)^alpha), by alternating least squares; spectral: "
             "closed-form fit of smoothed positive PMI only; adagrad: Su's reference SGD "
             "from random init.")
    ] = Method.weighted,
    epochs: Annotated[Optional[int], typer.Option(  # noqa: UP045
        min=0, max=10_000, help="AdaGrad epochs (default: 30 for adagrad, 0 after spectral).",
        show_default=False)] = None,
    x_max: Annotated[float, typer.Option(
        help="Pair weight min(1, (X/x_max)^alpha) (adagrad: uncapped unless "
        "--truncate-weight).", callback=number(0, 1e12, low_open=True))] = 100.0,
    alpha: Annotated[float, typer.Option(help="Weight exponent.",
                                         callback=number(0, 10))] = 0.75,
    truncate_weight: Annotated[bool, typer.Option(
        help="Cap the weight at 1 (helps rare words).")] = False,
    model: Annotated[Optional[int], typer.Option(  # noqa: UP045
        min=0, max=2, help="0 word vectors only; 1 word+context concatenated; 2 summed "
        "(default: 2 for weighted, 0 otherwise).", show_default=False)] = None,
    context_power: Annotated[Optional[float], typer.Option(  # noqa: UP045
        help="Context-distribution smoothing P(j)^a (default 0.75 spectral, 1 adagrad).",
        show_default=False, callback=number(0, 10))] = None,
    shift: Annotated[Optional[float], typer.Option(  # noqa: UP045
        help="Subtract this from the PMI target (default 3 weighted: the fit only, not its "
        "spectral start; 0 otherwise).", show_default=False,
        callback=number(-100, 100))] = None,
    eigen_power: Annotated[float, typer.Option(
        help="spectral: vectors u * eigenvalue^p.", callback=number(0, 1))] = 0.25,
    tol: Annotated[float, typer.Option(
        help="spectral: Lanczos convergence tolerance (0 < tol < 1); the largest residual "
             "|Au - λu| / |λ1| is logged.",
        callback=number(0, 1, low_open=True, high_open=True))] = 1e-6,
    sweeps: Annotated[int, typer.Option(
        min=0, max=1000, help="weighted: alternating least-squares sweeps (W then C); the "
        "loss is logged after each.")] = 2,
    cg_steps: Annotated[int, typer.Option(
        min=1, max=1000, help="weighted: conjugate-gradient steps per row and half-sweep.")
    ] = 2,
    ridge: Annotated[float, typer.Option(
        help="weighted: penalty ridge * (|W|² + |C|²); it steadies rare words' vectors.",
        callback=number(0, 1e6))] = 0.3,
    threads: Annotated[Optional[int], typer.Option(  # noqa: UP045
        min=1, max=256, help="Threads for the weighted method's Lanczos products and fit "
        "(default: every core this process may use); the vectors are the same bits for any "
        "number.", show_default=False)] = None,
    seed: SeedOpt = SEED,
    npy: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="Also write PREFIX.npy (float32) and PREFIX.vocab.txt (word, count).",
        show_default=False, callback=check_prefix)] = None,
    projector: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="Also write PREFIX.vectors.tsv and PREFIX.metadata.tsv for the TensorBoard "
        "Embedding Projector (a PREFIX ending in / writes vectors.tsv, metadata.tsv there).",
        show_default=False)] = None,
    clusters: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="With --projector: a clusters TSV (word, module; from nlpzero cluster) adds a "
        "module column to the metadata.", show_default=False)] = None,
    errors: ErrorsOpt = Errors.strict,
    dask: DaskOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Word vectors in word2vec text format (header 'V d'), most frequent word first."""
    if method is Method.adagrad:
        refuse(ctx, "eigen_power", "--method spectral or weighted")
    if method is not Method.weighted:
        for name in ("sweeps", "cg_steps", "ridge"):
            refuse(ctx, name, "--method weighted")
    else:
        refuse(ctx, "epochs", "--method spectral or adagrad")
        refuse(ctx, "truncate_weight", "--method adagrad (weighted always caps the weight at 1)")
    if projector is None:
        refuse(ctx, "clusters", "--projector")
    from nlpzero.vectors.cooccurrence import MAX_DYNAMIC_WINDOW

    if dynamic_window and window > MAX_DYNAMIC_WINDOW:
        raise typer.BadParameter(f"the dynamic window takes at most {MAX_DYNAMIC_WINDOW}",
                                 param_hint="'--window'")
    paths = resolve_inputs(corpus, dask)
    log = Log(quiet)
    with failures():
        import numba

        from nlpzero._threads import usable_cores
        from nlpzero.text.io import Outputs
        from nlpzero.vectors.cooccurrence import cooccur
        from nlpzero.vectors.embedding import Embedding
        from nlpzero.vectors.solvers import (
            MAX_THREADS,
            check_spectral_options,
            default_dim,
            max_dim,
            train,
        )

        check_spectral_options(eigen_power, tol)  # before the (long) counting

        outputs = Outputs()  # every target checked before the work, committed together
        main = outputs.add(output)
        arrays = (outputs.add(f"{npy}.npy"), outputs.add(f"{npy}.vocab.txt")) if npy else None
        projected = None
        if projector:
            from nlpzero.vectors.projector import projector_paths

            projected = tuple(outputs.add(p) for p in projector_paths(projector))
        where = None
        if projector and clusters:  # read before the (long) training: a bad file fails now
            from nlpzero.graphs.formats import read_modules

            names, mods, _ = read_modules(clusters, errors.value)
            where = dict(zip(names, mods))
        if threads is None:
            threads = min(MAX_THREADS, usable_cores())
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        with log.progress() as progress:
            progress.stage("counting co-occurrences", None)
            if dask is not None:
                from nlpzero.distributed import cooccur as cooccur_on_dask

                counted, peaks = cooccur_on_dask(paths, dask, window, min_count, errors.value,
                                                 progress, dynamic=dynamic_window,
                                                 subsample_t=subsample)
            else:
                counted = cooccur(paths[0], window, min_count, errors.value, progress,
                                  dynamic_window, subsample)
        from nlpzero._malloc import trim_heap

        trim_heap()  # reading's small freed objects, before the solver's big arrays
        if dask is not None:
            log_workers(log, peaks)
        n_words = len(counted.vocab)
        log.info(f"{counted.n_tokens:,} tokens, {n_words:,} words (min count {min_count}), "
                 f"{counted.nnz:,} word pairs (window {window}"
                 f"{', dynamic' if dynamic_window else ''}"
                 f"{f', subsample {subsample:g}' if subsample else ''}) in "
                 f"{log.elapsed():.1f} s")
        if dim is not None and dim > max_dim(n_words):
            log.info(f"dim {dim} is more than the {n_words:,} words: using {max_dim(n_words)}")
            dim = max_dim(n_words)
        if dim is None:
            dim = default_dim(n_words)
            log.info(f"dim {dim} (8.33 ln {n_words:,} = {8.33 * math.log(n_words):.1f}, "
                     "rounded up to a multiple of 8)")
        trained = train(counted, dim, method.value, model, epochs, x_max, alpha,
                        truncate_weight, context_power=context_power, shift=shift,
                        eigen_power=eigen_power, tol=tol, seed=seed,
                        progress=log.notes(), sweeps=sweeps, cg_steps=cg_steps, ridge=ridge,
                        release_counts=True, threads=threads)
        vectors = Embedding(counted.vocab.words, trained.vectors)
        modules = None
        if where is not None:
            modules = [where.get(w, "") for w in vectors.words]
            log.info(f"{sum(1 for m in modules if m):,} of {n_words:,} words have a module")
        with outputs:  # every file moves into place together, or none
            vectors.write(main.open())
            if arrays is not None:
                vectors.write_npy(arrays[0].open(binary=True))
                vectors.write_vocab(arrays[1].open(), counted.vocab.counts)
            if projected is not None:
                from nlpzero.vectors.projector import write_projector_streams

                write_projector_streams(projected[0].open(), projected[1].open(),
                                        vectors.words, vectors.vectors, modules)
        if projected is not None:
            log.info("projector files: " + ", ".join(t.name for t in projected))
        log.info(f"{n_words:,} vectors of {vectors.dim} dims in {log.elapsed():.1f} s")
