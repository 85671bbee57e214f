"""Simpler-GloVe word vectors: <v_i, v_j> fitted to PMI_ij by weighted least squares.

Loss (Su, 更别致的词向量模型(四)): L = Σ_{X_ij > 0, i != j} λ_ij (<v_i, v_j> - t_ij)², with
λ_ij = (X_ij / x_max)^α (optionally capped at 1) and target t_ij = PMI_ij.

Three solvers:

- ``weighted`` (default): ``spectral`` below, then Su's weighted loss itself, minimised over
  separate word and context vectors W, C by alternating least squares: with C fixed each
  row w_i solves its own weighted normal equations by a few conjugate-gradient steps
  (exact line minima, so the loss never increases), then C with W fixed. The target is the
  full context-smoothed PMI minus a shift (default 3 nats, as SGNS's log k) on the observed
  pairs (negative values included; the spectral start is the unshifted PPMI), the weight
  λ_ij = min(1, (X_ij / x_max)^α), plus ridge·(‖W‖² + ‖C‖²) (default 0.3: it shrinks the
  rows with little total weight, i.e. rare words, more than frequent ones). The fitted
  W Cᵀ is re-factored as (Q_w U) S (Q_c V)ᵀ and
  written as (Q_w U + Q_c V) S^p (word + context, eigen-power p) by default.
- ``adagrad`` (Su's reference): random init U(-0.5, 0.5)/d, per-coordinate AdaGrad
  (G starts at 1, η = 0.1), pairs shuffled every epoch.
- ``spectral``: the same family solved in closed form first. The target is the
  positive, context-smoothed PMI (P_0.75 in the denominator) on observed pairs and 0
  elsewhere, fitted with uniform weights: the best rank-d fit of that symmetric matrix is its
  top eigenpairs, v = u λ^p (p = ½ gives <v_i, v_j> ≈ t_ij, Levy et al.'s eigenvalue
  weighting). The eigenpairs come from implicitly restarted Lanczos run to a tolerance, on
  the strict upper triangle of the matrix (float32, stored once); the largest residual
  ‖A u − λ u‖ / |λ_1| is measured and reported, and a converged fit does not depend on the
  seed beyond sign and rotation within repeated eigenvalues. ``epochs`` > 0 then refines by
  AdaGrad on the weighted loss.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..text.progress import Progress
from .cooccurrence import Cooccurrence

METHODS = ("spectral", "weighted", "adagrad")
MODELS = (0, 1, 2)

#: The weighted fit's default ridge: (Σ_j λ_ij c_j c_jᵀ + ridge I) w_i = Σ_j λ_ij t_ij c_j pulls a
#: row with little total weight (a rare word's few, down-weighted pairs) toward the directions
#: its pairs agree on, and barely moves a frequent word's row (issue 12: chosen on the jieba
#: token set, confirmed on the nlpzero-segment set).
DEFAULT_RIDGE = 0.3

#: The weighted fit's default target shift: it fits PMI - 3 nats (SGNS with k negatives fits
#: PMI - log k; gensim's default k = 5 is 1.6 nats), so pairs that co-occur less than e³ ≈ 20
#: times chance get negative targets. With the command line's word2vec-style counts (dynamic
#: window, subsampling 1e-4) every shift from 2.5 to 5 beat 2 on all four scores of the jieba
#: token set (peak 4); on the nlpzero-segment set 3 is the largest that beats 2 on all four,
#: so 3 (issue 12; README "How the defaults were chosen"). The spectral start stays unshifted.
DEFAULT_SHIFT = 3.0


def default_dim(n_words: int) -> int:
    """Su's rule of thumb (最小熵原理(六)): d > 8.33 ln N, rounded up to a multiple of 8."""
    need = 8.33 * math.log(max(n_words, 2))
    return max(8, 8 * math.ceil(need / 8))


def max_dim(n_words: int) -> int:
    """The largest useful size: more dimensions than words add nothing (rank <= V), so a
    bigger request is cut to V (or to the default size, for a tiny vocabulary)."""
    return max(n_words, default_dim(n_words))


@dataclass
class Pairs:
    """Training pairs: both orientations when the model has separate context vectors."""

    rows: np.ndarray
    cols: np.ndarray
    target: np.ndarray  # float32
    weight: np.ndarray  # float32


def pair_weights(counts: np.ndarray, x_max: float, alpha: float,
                 truncate: bool) -> np.ndarray:
    """λ_ij = (X_ij / x_max)^α, capped at 1 when *truncate*."""
    ratio = counts.astype(np.float64) / x_max
    if truncate:
        ratio = np.minimum(ratio, 1.0)
    return (ratio ** alpha).astype(np.float32)


def training_pairs(cooc: Cooccurrence, target: np.ndarray, weight: np.ndarray,
                   both_orientations: bool) -> Pairs:
    """AdaGrad's pairs: each stored pair once (one shared vector set), or in both
    orientations when the model has separate context vectors."""
    if not both_orientations:
        return Pairs(cooc.rows, cooc.cols, target.astype(np.float32), weight)
    return Pairs(np.concatenate([cooc.rows, cooc.cols]), np.concatenate([cooc.cols, cooc.rows]),
                 np.tile(target.astype(np.float32), 2), np.tile(weight, 2))


@dataclass
class Triangle:
    """A symmetric V x V matrix with a zero diagonal, stored once: its strict upper
    triangle in CSR (int64 row pointers, int32 columns, float32 values)."""

    indptr: np.ndarray
    cols: np.ndarray
    values: np.ndarray

    @property
    def size(self) -> int:
        return int(self.indptr.shape[0] - 1)

    def matvec(self, x: np.ndarray, pool: Pieces | None = None) -> np.ndarray:
        """(U + Uᵀ) x on one thread (*pool* is accepted, as :class:`PairMatrix` takes it)."""
        from ._solver_kernels import triangle_matvec

        y = np.empty(self.size, np.float64)
        triangle_matvec(self.indptr, self.cols, self.values,
                        np.ascontiguousarray(x, dtype=np.float64).reshape(-1), y)
        return y

    def matmat(self, x: np.ndarray, pool: Pieces | None = None) -> np.ndarray:
        """(U + Uᵀ) x for the columns of x, one at a time."""
        return np.column_stack([self.matvec(x[:, i]) for i in range(x.shape[1])])

    def dense(self) -> np.ndarray:
        """The full symmetric matrix (small sizes and tests only)."""
        n = self.size
        m = np.zeros((n, n), np.float64)
        rows = np.repeat(np.arange(n), np.diff(self.indptr))
        m[rows, self.cols] = self.values
        m[self.cols, rows] = self.values
        return m


def upper_triangle(rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
                   size: int) -> Triangle:
    """The Triangle holding *values* at (rows[k], cols[k]), rows[k] < cols[k], sorted by
    (row, col) as :class:`Cooccurrence` stores them; zero values are dropped."""
    from ._solver_kernels import triangle_indptr

    keep = values != 0
    if not keep.all():
        rows, cols, values = rows[keep], cols[keep], values[keep]
    return Triangle(triangle_indptr(rows, size), np.ascontiguousarray(cols, dtype=np.int32),
                    np.ascontiguousarray(values, dtype=np.float32))


@dataclass
class Eigenpairs:
    """Top eigenpairs (descending) and how well they are converged."""

    values: np.ndarray  # float64, k
    vectors: np.ndarray  # float32, n x k, orthonormal columns
    residuals: np.ndarray  # ‖A u - λ u‖ / |λ_1| per pair
    products: int  # matrix-vector products used


#: Eigenvectors whose residuals one block product measures (n x 32 float64 at a time).
RESIDUAL_BLOCK = 32

#: Below this size the matrix is decomposed densely (exact, and ARPACK needs k < n).
DENSE_SIZE = 600


def top_eigenpairs(matrix: Triangle | PairMatrix, k: int, seed: int = 0,
                   tol: float = 1e-6, threads: int = 1) -> Eigenpairs:
    """The k largest (algebraic) eigenpairs of a symmetric Triangle or PairMatrix.

    Implicitly restarted Lanczos (ARPACK through ``scipy.sparse.linalg.eigsh``) with
    convergence tolerance *tol* on the Ritz values, started from a Gaussian vector drawn
    from *seed*; small matrices are decomposed densely. ARPACK's dense steps run on one BLAS
    thread: its level-2 reorthogonalisation is memory-bound, so a second BLAS thread only
    burns CPU (30 % of the whole command's on the jieba token set) and competes with the
    product threads, and a thread-count-dependent summation order would make the
    eigenvectors' bits depend on the machine. The residual of every pair is
    measured afterwards (block products of :data:`RESIDUAL_BLOCK` vectors), so convergence is
    checked, not assumed.
    A PairMatrix's products run on *threads* threads (the same bits on any number).
    """
    check_threads(threads)
    with Pieces(threads if isinstance(matrix, PairMatrix) else 1) as pool:
        return _top_eigenpairs(matrix, k, seed, tol, pool)


def _top_eigenpairs(matrix: Triangle | PairMatrix, k: int, seed: int, tol: float,
                    pool: Pieces) -> Eigenpairs:
    from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh
    from threadpoolctl import threadpool_limits

    n = matrix.size
    k = min(k, n)
    products = 0
    if n <= max(DENSE_SIZE, 2 * k + 2):
        values, vectors = np.linalg.eigh(matrix.dense())
        order = np.argsort(values)[::-1][:k]
        values, vectors = values[order], vectors[:, order]
    else:
        counter = [0]

        def times(x: np.ndarray) -> np.ndarray:
            counter[0] += 1
            return matrix.matvec(x, pool)

        operator = LinearOperator((n, n), matvec=times, dtype=np.float64)
        start = np.random.default_rng(seed).standard_normal(n)
        try:
            with threadpool_limits(limits=1, user_api="blas"):
                values, vectors = eigsh(operator, k=k, which="LA", tol=tol, v0=start,
                                        ncv=min(n, max(2 * k + 1, 20)), maxiter=100 * n)
        except ArpackNoConvergence as err:  # pragma: no cover - ARPACK's own cap
            from ..errors import NlpzeroError

            raise NlpzeroError(f"the eigen-solver did not converge ({err}); raise --tol") from None
        order = np.argsort(values)[::-1]
        values, vectors = values[order], vectors[:, order]
        products = counter[0]
    scale = max(abs(float(values[0])), np.finfo(np.float64).tiny) if k else 1.0
    residuals = np.empty(k)
    for lo in range(0, k, RESIDUAL_BLOCK):
        block = np.ascontiguousarray(vectors[:, lo:lo + RESIDUAL_BLOCK])
        product = matrix.matmat(block, pool)
        product -= block * values[lo:lo + RESIDUAL_BLOCK]
        residuals[lo:lo + block.shape[1]] = np.linalg.norm(product, axis=0)
    residuals /= scale
    return Eigenpairs(values, vectors.astype(np.float32), residuals, products)


def _note_lanczos(progress: Progress | None, pairs: Eigenpairs, residual: float,
                  tol: float) -> None:
    """Log what the Lanczos start cost and how well it converged."""
    if progress is not None:
        progress.note(f"Lanczos: {pairs.values.size} eigenpairs, {pairs.products} "
                      f"matrix-vector products, max residual {residual:.1e} "
                      f"(|Au - λu| / |λ1|; tol {tol:g})")


#: The most threads a fit accepts (the work is cut into ROW_BLOCKS + tiles pieces anyway).
MAX_THREADS = 256

#: Row blocks a pass over the pair matrix is cut into (for the threads to share out).
ROW_BLOCKS = 64


def check_threads(threads: int) -> int:
    """*threads* if it is a whole number from 1 to MAX_THREADS, else ValueError."""
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or not (
            1 <= threads <= MAX_THREADS):
        raise ValueError(f"threads must be a whole number from 1 to {MAX_THREADS}")
    return int(threads)


class Pieces:
    """Runs a pass's pieces on up to *threads* threads; the kernels release the GIL. Each
    piece writes its own rows, so the result does not depend on the thread count or on
    which thread runs which piece; values a piece returns come back in piece order."""

    def __init__(self, threads: int = 1) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.threads = check_threads(threads)
        self._pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None

    def run(self, kernel: Callable[..., Any], pieces: list[tuple]) -> list[Any]:
        if self._pool is None or len(pieces) < 2:
            return [kernel(*args) for args in pieces]
        return list(self._pool.map(lambda args: kernel(*args), pieces))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Pieces:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Columns per tile of the weighted fit's pair matrix: the three V x d float32 arrays a pass
#: reads at random then span 3 x 2048 x 4d bytes (3 MB at d = 128), which stay in cache.
TILE = 2048


@dataclass
class PairMatrix:
    """Every observed pair once (i < j) with its target t_ij (float32) and count X_ij (int32,
    which gives the weight λ_ij), in column tiles: ``indptr[k * size + i]`` to
    ``indptr[k * size + i + 1]`` are row i's pairs whose column j has j // tile == k, stored
    as its offset j - k * tile in the tile (uint16, so a tile has at most 65 536 columns)."""

    indptr: np.ndarray  # int64, tiles * size + 1
    offsets: np.ndarray  # uint16
    target: np.ndarray  # float32
    counts: np.ndarray  # int32, or uint16 capped at 65535 (see :meth:`narrow_counts`)
    size: int
    tile: int

    _blocks: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def blocks(self) -> np.ndarray:
        """Row cut points of the gather pieces (:data:`ROW_BLOCKS` blocks of about equal
        numbers of pairs; they depend on the pairs only, never on the thread count)."""
        if self._blocks is None:
            from ._solver_kernels import row_blocks

            self._blocks = row_blocks(self.indptr, self.size, ROW_BLOCKS)
        return self._blocks

    def narrow_counts(self, x_max: float) -> None:
        """Store the counts as uint16, capped at 65 535, when x_max <= 65 535: a count at or
        above x_max has weight 1 either way, so the fit is unchanged (2 bytes a pair
        less)."""
        if self.counts.dtype == np.int32 and x_max <= np.iinfo(np.uint16).max:
            narrow = np.empty(self.counts.shape[0], np.uint16)
            np.minimum(self.counts, np.iinfo(np.uint16).max, out=narrow, casting="unsafe")
            self.counts = narrow

    @property
    def tiles(self) -> int:
        return (self.indptr.shape[0] - 1) // max(self.size, 1)

    def run_pass(self, pool: Pieces, gather: Callable[..., Any], gather_args: tuple,
                 scatter: Callable[..., Any], scatter_args: tuple) -> list[Any]:
        """One pass over the pairs on *pool*: ``gather(*gather_args, lo, hi)`` for every block
        of rows, then ``scatter(*scatter_args, k)`` for every column tile; what the pieces
        return, in piece order."""
        edges = self.blocks.tolist()
        done = pool.run(gather, [(*gather_args, lo, hi) for lo, hi in zip(edges[:-1], edges[1:])])
        return done + pool.run(scatter, [(*scatter_args, k) for k in range(self.tiles)])

    def matvec(self, x: np.ndarray, pool: Pieces | None = None) -> np.ndarray:
        """(P + Pᵀ) x, P the positive part of the target (the spectral start's PPMI); the
        same bits on any number of threads (each row is summed in one fixed order)."""
        from ._solver_kernels import positive_gather, positive_scatter

        x = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
        return self._positive_product(positive_gather, positive_scatter, x, pool)

    def matmat(self, x: np.ndarray, pool: Pieces | None = None) -> np.ndarray:
        """:meth:`matvec` for the columns of x (n x m) in one pass over the pairs."""
        from ._solver_kernels import positive_gather_block, positive_scatter_block

        x = np.ascontiguousarray(x, dtype=np.float64)
        return self._positive_product(positive_gather_block, positive_scatter_block, x, pool)

    def _positive_product(self, gather: Callable[..., None], scatter: Callable[..., None],
                          x: np.ndarray, pool: Pieces | None) -> np.ndarray:
        y = np.empty(x.shape, np.float64)
        args = (self.indptr, self.offsets, self.tile, self.target, x, y)
        self.run_pass(pool or Pieces(1), gather, args, scatter, args)
        return y

    def dense(self) -> np.ndarray:
        """The symmetric positive-part matrix (small sizes and tests only)."""
        n = self.size
        m = np.zeros((n, n), np.float64)
        rows, cols = self.pairs()
        values = np.maximum(self.target, 0.0)
        m[rows, cols] = values
        m[cols, rows] = values
        return m

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every stored pair's row and column (int64, in the stored order)."""
        cells = np.repeat(np.arange(self.indptr.shape[0] - 1), np.diff(self.indptr))
        return cells % self.size, (cells // self.size) * self.tile + self.offsets


def pair_matrix(rows: np.ndarray | None, cols: np.ndarray, counts: np.ndarray, size: int, *,
                target: np.ndarray | None = None, log_marginal: np.ndarray | None = None,
                log_total: float = 0.0, shift: float = 0.0, tile: int = TILE,
                row_ptr: np.ndarray | None = None, in_place: bool = False) -> PairMatrix:
    """The PairMatrix of pairs (rows[k] < cols[k]) sorted by (row, col), as
    :class:`Cooccurrence` stores them (or, instead of *rows*, their CSR row pointers
    *row_ptr*, so that the caller's rows can be freed first). The target is *target* - shift
    when given, else the PMI log X - log_total - m_i - m_j - shift, m = *log_marginal*
    (:meth:`Cooccurrence.log_marginals`), computed while the pairs are reordered.
    With *in_place* (the PMI target; *cols* and *counts* int32) the matrix takes *counts*
    over, permuted into the tiled order, and leaves *cols* unchanged for the caller to free:
    only the target and the uint16 column offsets are new pair-sized arrays.
    A tile holds at most 65 536 columns (its offsets are uint16).
    """
    from ._solver_kernels import tile_pairs, triangle_indptr

    if target is None and log_marginal is None:
        raise ValueError("pair_matrix needs a target or the log marginals")
    if row_ptr is None:
        row_ptr = triangle_indptr(rows, size)
    tile = max(1, min(tile, size, 1 << 16))
    if in_place:
        from ._solver_kernels import tile_pairs_in_place

        if target is not None or log_marginal is None:
            raise ValueError("an in-place pair matrix computes the PMI target")
        if cols.dtype != np.int32 or counts.dtype != np.int32:
            raise ValueError("an in-place pair matrix needs int32 columns and counts")
        indptr, offsets, target32 = tile_pairs_in_place(
            row_ptr, cols, counts, np.ascontiguousarray(log_marginal, dtype=np.float64),
            float(log_total), float(shift), size, tile)
        return PairMatrix(indptr, offsets, target32, counts, size, tile)
    indptr, offsets, target32, counts32 = tile_pairs(
        row_ptr, cols, np.ascontiguousarray(counts, dtype=np.int32),
        np.zeros(0, np.float32) if target is None else np.ascontiguousarray(target,
                                                                            dtype=np.float32),
        np.zeros(size, np.float64) if log_marginal is None else np.ascontiguousarray(
            log_marginal, dtype=np.float64), float(log_total), float(shift), size, tile)
    return PairMatrix(indptr, offsets, target32, counts32, size, tile)


def weight_table(x_max: float, alpha: float) -> np.ndarray:
    """λ(X) = min(1, (X / x_max)^α) for the integer counts X below x_max (at most 2^20 of
    them; larger counts are computed directly), float32."""
    size = int(min(math.ceil(x_max), 1 << 20))
    return np.minimum(1.0, (np.arange(size, dtype=np.float64) / x_max) ** alpha).astype(
        np.float32)


class _WeightedPasses:
    """The weighted fit's two passes over the pair matrix, each as gather pieces (blocks of
    rows) then scatter pieces (column tiles) run on a :class:`Pieces` pool."""

    def __init__(self, matrix: PairMatrix, x_max: float, alpha: float, ridge: float,
                 pool: Pieces) -> None:
        self.m = matrix
        self.weights = (weight_table(x_max, alpha), float(x_max), float(alpha))
        self.ridge = np.float32(ridge)
        self.pool = pool

    def residual(self, x: np.ndarray, y: np.ndarray, r: np.ndarray) -> float:
        """r = b - A x for every row of x (y the fixed side); returns L(x, y)."""
        from ._solver_kernels import residual_gather, residual_scatter

        m = self.m
        head = (m.indptr, m.offsets, m.tile, m.target, m.counts, *self.weights, x, y)
        return math.fsum(m.run_pass(self.pool, residual_gather, (*head, self.ridge, r),
                                    residual_scatter, (*head, r)))

    def apply(self, y: np.ndarray, x: np.ndarray, out: np.ndarray) -> None:
        """out_i = A_i x_i for every row (A_i from the fixed side y)."""
        from ._solver_kernels import apply_gather, apply_scatter

        m = self.m
        head = (m.indptr, m.offsets, m.tile, m.counts, *self.weights, y)
        m.run_pass(self.pool, apply_gather, (*head, self.ridge, x, out), apply_scatter,
                   (*head, x, out))


def weighted_loss(matrix: PairMatrix, w: np.ndarray, c: np.ndarray, x_max: float = 100.0,
                  alpha: float = 0.75, ridge: float = 0.0) -> float:
    """L(W, C) = Σ_{i<j} λ_ij [(<w_i, c_j> - t_ij)² + (<w_j, c_i> - t_ij)²]
    + ridge (‖W‖² + ‖C‖²) over the observed pairs, λ_ij = min(1, (X_ij / x_max)^α)."""
    with Pieces(1) as pool:
        return _WeightedPasses(matrix, x_max, alpha, ridge, pool).residual(
            w, c, np.empty_like(w))


def weighted_fit(matrix: PairMatrix, w: np.ndarray, c: np.ndarray, sweeps: int = 3,
                 cg_steps: int = 3, x_max: float = 100.0, alpha: float = 0.75,
                 ridge: float = 0.0, progress: Progress | None = None,
                 threads: int = 1) -> list[float]:
    """Minimise :func:`weighted_loss` over W and C (float32, V x d, updated in place) by
    alternating least squares: with C fixed every row w_i solves its own normal equations
    (Σ_j λ_ij c_j c_jᵀ + ridge I) w_i = Σ_j λ_ij t_ij c_j by *cg_steps* conjugate-gradient
    steps from its current value, then the same for C with W fixed.

    Every CG step takes the exact line minimum along its direction, so the loss never
    increases; the loss before each half-sweep and at the end is returned (and logged).
    Deterministic: no randomness, and the passes run on *threads* threads in pieces that
    each write their own rows (every row, and the loss, summed in one fixed order), so the
    result is the same bits for any thread count.
    """
    from ._solver_kernels import cg_rows_step, row_norms_squared

    check_threads(threads)
    r = np.empty_like(w)
    p = np.empty_like(w)
    q = np.empty_like(w)
    rr = np.empty(w.shape[0], np.float64)
    losses: list[float] = []
    with Pieces(threads) as pool:
        passes = _WeightedPasses(matrix, x_max, alpha, ridge, pool)
        for sweep in range(sweeps):
            for x, y in ((w, c), (c, w)):
                losses.append(passes.residual(x, y, r))
                p[:] = r
                row_norms_squared(r, rr)
                for _ in range(cg_steps):
                    passes.apply(y, p, q)
                    cg_rows_step(x, r, p, q, rr)
            if progress is not None:
                progress.note(f"weighted fit: sweep {sweep + 1}, loss {losses[-2]:.6g} -> "
                              f"{losses[-1]:.6g}")
        losses.append(passes.residual(w, c, r))
    if progress is not None:
        progress.note(f"weighted fit: {sweeps} sweeps of {cg_steps} CG steps, loss "
                      f"{losses[0]:.6g} -> {losses[-1]:.6g}")
    return losses


def balanced_factors(w: np.ndarray, c: np.ndarray,
                     power: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W Cᵀ = (Q_w U) S (Q_c V)ᵀ by two thin QRs and a d x d SVD: returns Q_w U, Q_c V and
    the singular values S (descending), from which W' = Q_w U S^p, C' = Q_c V S^p give
    W' C'ᵀ = W Cᵀ at p = ½ (the eigen-power weighting of the spectral solution otherwise)."""
    qw, rw = np.linalg.qr(w.astype(np.float64))
    qc, rc = np.linalg.qr(c.astype(np.float64))
    u, s, vt = np.linalg.svd(rw @ rc.T)
    # signs fixed so that the results do not depend on LAPACK's choices
    flip = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(u.shape[1])])
    flip[flip == 0] = 1.0
    return (qw @ (u * flip)), (qc @ (vt.T * flip)), s


def _train_weighted(cooc: Cooccurrence, dim: int, model: int, x_max: float, alpha: float,
                    context_power: float, shift: float, eigen_power: float, tol: float,
                    seed: int, progress: Progress | None, sweeps: int, cg_steps: int,
                    ridge: float, release_counts: bool, threads: int) -> Trained:
    """The weighted method: one tiled copy of the pairs (target, count) serves both the
    Lanczos start (its positive part) and the weighted fit. With *release_counts* it is made
    from the Cooccurrence's own arrays (rows freed first, counts permuted in place, columns
    read into tile offsets), which are left empty."""
    from ._solver_kernels import triangle_indptr

    n_words = len(cooc.vocab)
    row_ptr = triangle_indptr(cooc.rows, n_words)
    log_total = math.log(cooc.total_pairs)
    if release_counts:  # the rows go before the tiled copy is made (4 bytes a pair less)
        cooc.rows = np.zeros(0, np.int32)
    # released: the tiled matrix takes the counts over (permuted in place), so only its
    # target and column offsets are new pair-sized arrays
    matrix = pair_matrix(None, cooc.cols, cooc.counts, n_words,
                         log_marginal=cooc.log_marginals(context_power),
                         log_total=log_total, row_ptr=row_ptr,
                         in_place=release_counts and cooc.cols.dtype == np.int32
                         and cooc.counts.dtype == np.int32)
    del row_ptr
    if release_counts:
        empty = np.zeros(0, np.int32)
        cooc.rows, cooc.cols, cooc.counts = empty, empty.copy(), empty.copy()
        matrix.narrow_counts(x_max)  # the int32 counts are freed here
    pairs = top_eigenpairs(matrix, min(dim, n_words), seed, tol, threads)
    residual = float(pairs.residuals.max()) if pairs.residuals.size else 0.0
    _note_lanczos(progress, pairs, residual, tol)
    # the fit starts from <v_i, v_j> ≈ PPMI_ij (p = ½); eigen_power re-weights at the end
    w = np.zeros((n_words, dim), np.float32)
    w[:, :pairs.values.size] = pairs.vectors * np.sqrt(np.maximum(pairs.values, 0.0)).astype(
        np.float32)
    del pairs
    c = w.copy()
    if shift:  # the fit's target only: the start above is the unshifted PPMI's eigenpairs
        matrix.target -= np.float32(shift)
    losses = weighted_fit(matrix, w, c, sweeps, cg_steps, x_max, alpha, ridge, progress,
                          threads)
    del matrix
    left, right, singular = balanced_factors(w, c, eigen_power)
    del w, c
    scale = (singular ** eigen_power).astype(np.float32)
    if model == 1:
        out = np.hstack([left * scale, right * scale])
    elif model == 2:
        out = (left + right) * scale
    else:
        out = left * scale
    if not np.all(np.isfinite(out)):
        from ..errors import NlpzeroError

        raise NlpzeroError("the weighted fit diverged (non-finite vectors); try a larger "
                           "--ridge or --method spectral")
    return Trained(np.ascontiguousarray(out, dtype=np.float32), losses, dim, residual)


def check_weighted_options(sweeps: int, cg_steps: int, ridge: float) -> None:
    """ValueError unless 0 <= sweeps <= 1000, 1 <= cg_steps <= 1000 and 0 <= ridge < inf."""
    if not 0 <= sweeps <= 1000:
        raise ValueError("sweeps must be between 0 and 1000")
    if not 1 <= cg_steps <= 1000:
        raise ValueError("cg_steps must be between 1 and 1000")
    if not (math.isfinite(ridge) and ridge >= 0):
        raise ValueError("ridge must be a finite number, 0 or more")


def check_spectral_options(eigen_power: float, tol: float) -> None:
    """ValueError unless 0 <= eigen_power <= 1 and 0 < tol < 1 (both finite)."""
    if not (math.isfinite(eigen_power) and 0 <= eigen_power <= 1):
        raise ValueError("eigen_power must be between 0 and 1")
    if not (math.isfinite(tol) and 0 < tol < 1):
        raise ValueError("tol must be a number between 0 and 1 (exclusive)")


@dataclass
class Trained:
    """Output of :func:`train`: vectors (V x d, or V x 2d for model 1) and the loss curve."""

    vectors: np.ndarray
    losses: list[float]
    dim: int
    residual: float = float("nan")  # Lanczos (spectral, weighted): max ‖A u - λ u‖ / |λ_1|


def train(
    cooc: Cooccurrence,
    dim: int | None = None,
    method: str = "weighted",
    model: int | None = None,
    epochs: int | None = None,
    x_max: float = 100.0,
    alpha: float = 0.75,
    truncate_weight: bool = False,
    eta: float = 0.1,
    context_power: float | None = None,
    shift: float | None = None,
    eigen_power: float = 0.25,
    tol: float = 1e-6,
    seed: int = 0,
    progress: Progress | None = None,
    sweeps: int = 2,
    cg_steps: int = 2,
    ridge: float = DEFAULT_RIDGE,
    release_counts: bool = False,
    threads: int = 1,
) -> Trained:
    """Fit the vectors; see the module docstring for the three methods.

    ``context_power`` (default 0.75 for ``spectral``, 1 = plain PMI for ``adagrad``) smooths
    the context distribution; ``shift`` (default 3 for ``weighted``, 0 otherwise) is
    subtracted from the target (log k of SGNS); for ``weighted`` it shifts the fitted target
    only, not the (positive-part) spectral start.
    Each AdaGrad epoch's mean loss goes to ``progress.note``. With ``release_counts`` the
    weighted method empties ``cooc.rows``, ``cols`` and ``counts`` once it holds its own
    (tiled) copy, so the pairs are not in memory twice (the command line uses this).
    With dynamic-window counts (``cooc.dynamic``) x_max is multiplied by the window.
    ``threads`` (weighted): threads for the Lanczos products and the fit's passes; the
    vectors are the same bits for any number.
    """
    from ._solver_kernels import adagrad_epoch

    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if model is None:
        model = 2 if method == "weighted" else 0
    if model not in MODELS:
        raise ValueError("model must be 0 (shared), 1 (concatenated) or 2 (summed)")
    if cooc.nnz == 0:
        from ..errors import InputError

        if cooc.subsample > 0:
            raise InputError("no co-occurring word pairs left after subsampling (a small "
                             "corpus has only frequent words: try --subsample 0)")
        raise InputError("no co-occurring word pairs: every line has fewer than two "
                         "in-vocabulary words")
    if x_max <= 0 or not math.isfinite(x_max):
        raise ValueError("x_max must be a positive number")
    if not math.isfinite(alpha) or not math.isfinite(eta) or eta <= 0:
        raise ValueError("alpha must be finite and eta positive")
    check_spectral_options(eigen_power, tol)
    if shift is None:
        shift = DEFAULT_SHIFT if method == "weighted" else 0.0
    if not math.isfinite(shift):
        raise ValueError("shift must be a finite number")
    n_words = len(cooc.vocab)
    dim = default_dim(n_words) if dim is None else dim
    if dim < 1:
        raise ValueError("dim must be at least 1")
    dim = min(dim, max_dim(n_words))
    if context_power is not None and not math.isfinite(context_power):
        raise ValueError("context_power must be a finite number")
    if epochs is not None and epochs < 0:
        raise ValueError("epochs must not be negative")
    check_weighted_options(sweeps, cg_steps, ridge)
    check_threads(threads)
    if epochs is None:
        epochs = 30 if method == "adagrad" else 0
    if context_power is None:
        context_power = 1.0 if method == "adagrad" else 0.75
    rng = np.random.default_rng(seed)
    # dynamic-window counts add `window` per co-occurrence at distance 1: x_max is in
    # co-occurrences, so the weight min(1, (X / x_max)^α) compares X / window with it
    x_max = x_max * cooc.count_unit
    if method == "weighted":
        return _train_weighted(cooc, dim, model, x_max, alpha, context_power, shift,
                               eigen_power, tol, seed, progress, sweeps, cg_steps, ridge,
                               release_counts, threads)
    target = cooc.pmi(context_power, np.float32)
    if shift:
        target -= np.float32(shift)
    separate = model != 0
    residual = float("nan")

    if method == "spectral":
        ppmi = np.maximum(target, np.float32(0.0), out=target)  # in place
        pairs = top_eigenpairs(upper_triangle(cooc.rows, cooc.cols, ppmi, n_words),
                               min(dim, n_words), seed, tol)
        residual = float(pairs.residuals.max()) if pairs.residuals.size else 0.0
        _note_lanczos(progress, pairs, residual, tol)
        scale = np.maximum(pairs.values, 0.0) ** eigen_power
        w = np.zeros((n_words, dim), np.float32)
        w[:, :scale.size] = pairs.vectors * scale.astype(np.float32)
        del pairs
        target = ppmi
    if method == "adagrad":
        w = ((rng.random((n_words, dim)) - 0.5) / dim).astype(np.float32)
    c = w.copy() if separate else w
    losses: list[float] = []
    if epochs > 0:
        weight = pair_weights(cooc.counts, x_max, alpha, truncate_weight)
        pairs = training_pairs(cooc, target, weight, separate)
        gw = np.ones_like(w)
        gc = np.ones_like(c) if separate else gw
        for epoch in range(epochs):
            order = rng.permutation(pairs.rows.shape[0])
            cost = adagrad_epoch(pairs.rows, pairs.cols, pairs.target, pairs.weight, order,
                                 w, gw, c, gc, np.float32(eta))
            losses.append(cost / pairs.rows.shape[0])
            if progress is not None:
                progress.note(f"epoch {epoch + 1}: loss {losses[-1]:.5f}")
    if model == 1:
        out = np.hstack([w, c])
    elif model == 2:
        out = w + c
    else:
        out = w
    if not np.all(np.isfinite(out)):
        from ..errors import NlpzeroError

        raise NlpzeroError("training diverged (non-finite vectors); try fewer epochs, a "
                           "larger x_max (--x-max) or the spectral method")
    return Trained(np.ascontiguousarray(out, dtype=np.float32), losses, dim, residual)
