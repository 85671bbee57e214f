"""Simpler-GloVe word vectors: <v_i, v_j> fitted to PMI_ij by weighted least squares.

Loss (Su, 更别致的词向量模型(四)): L = Σ_{X_ij > 0, i != j} λ_ij (<v_i, v_j> - t_ij)², with
λ_ij = (X_ij / x_max)^α (optionally capped at 1) and target t_ij = PMI_ij.

Two solvers:

- ``adagrad`` (Su's reference): random init U(-0.5, 0.5)/d, per-coordinate AdaGrad
  (G starts at 1, η = 0.1), pairs shuffled every epoch.
- ``spectral`` (default): the same family solved in closed form first. The target is the
  positive, context-smoothed PMI (P_0.75 in the denominator) on observed pairs and 0
  elsewhere, fitted with uniform weights: the best rank-d fit of that symmetric matrix is its
  top eigenpairs, v = u λ^p (p = ½ gives <v_i, v_j> ≈ t_ij, Levy et al.'s eigenvalue
  weighting). ``epochs`` > 0 then refines by AdaGrad on the weighted loss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..text.progress import Progress
from .cooccurrence import Cooccurrence

METHODS = ("spectral", "adagrad")
MODELS = (0, 1, 2)


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
    if not both_orientations:
        return Pairs(cooc.rows, cooc.cols, target.astype(np.float32), weight)
    return Pairs(np.concatenate([cooc.rows, cooc.cols]), np.concatenate([cooc.cols, cooc.rows]),
                 np.tile(target.astype(np.float32), 2), np.tile(weight, 2))


def symmetric_csr(cooc: Cooccurrence, values: np.ndarray):
    """The symmetric V x V sparse matrix with *values* at (i, j) and (j, i)."""
    import scipy.sparse as sp

    v = len(cooc.vocab)
    keep = values != 0
    rows, cols, vals = cooc.rows[keep], cooc.cols[keep], values[keep].astype(np.float32)
    m = sp.csr_matrix((np.concatenate([vals, vals]),
                       (np.concatenate([rows, cols]), np.concatenate([cols, rows]))),
                      shape=(v, v), dtype=np.float32)
    m.sort_indices()
    return m


def top_eigenpairs(matrix, k: int, rng: np.random.Generator, n_iter: int = 4,
                   oversample: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Randomized eigendecomposition of a symmetric sparse matrix (Halko et al. 2011).

    Subspace iteration Q ← orth(A Q) from a Gaussian start, then the Rayleigh-Ritz step
    eig(Qᵀ A Q). Returns the k largest (algebraic) eigenvalues, descending, and vectors.
    """
    from ._solver_kernels import csr_times_dense

    n = matrix.shape[0]
    width = min(n, k + oversample)

    def times(x: np.ndarray) -> np.ndarray:
        return csr_times_dense(matrix.indptr, matrix.indices, matrix.data,
                               np.ascontiguousarray(x, dtype=np.float32))

    q = rng.standard_normal((n, width)).astype(np.float32)
    for _ in range(n_iter + 1):
        q, _ = np.linalg.qr(times(q))
    b = (q.T @ times(q)).astype(np.float64)
    values, vectors = np.linalg.eigh((b + b.T) / 2)
    top = np.argsort(values)[::-1][:k]
    return values[top], (q @ vectors[:, top].astype(np.float32))


@dataclass
class Trained:
    """Output of :func:`train`: vectors (V x d, or V x 2d for model 1) and the loss curve."""

    vectors: np.ndarray
    losses: list[float]
    dim: int


def train(
    cooc: Cooccurrence,
    dim: int | None = None,
    method: str = "spectral",
    model: int = 0,
    epochs: int | None = None,
    x_max: float = 100.0,
    alpha: float = 0.75,
    truncate_weight: bool = False,
    eta: float = 0.1,
    context_power: float | None = None,
    shift: float = 0.0,
    eigen_power: float = 0.25,
    seed: int = 0,
    progress: Progress | None = None,
) -> Trained:
    """Fit the vectors; see the module docstring for the two methods.

    ``context_power`` (default 0.75 for ``spectral``, 1 = plain PMI for ``adagrad``) smooths
    the context distribution; ``shift`` is subtracted from the target (log k of SGNS).
    Each AdaGrad epoch's mean loss goes to ``progress.note``.
    """
    from ._solver_kernels import adagrad_epoch

    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if model not in MODELS:
        raise ValueError("model must be 0 (shared), 1 (concatenated) or 2 (summed)")
    if cooc.nnz == 0:
        from ..errors import InputError

        raise InputError("no co-occurring word pairs: every line has fewer than two "
                         "in-vocabulary words")
    if x_max <= 0 or not math.isfinite(x_max):
        raise ValueError("x_max must be a positive number")
    if not math.isfinite(alpha) or not math.isfinite(eta) or eta <= 0:
        raise ValueError("alpha must be finite and eta positive")
    n_words = len(cooc.vocab)
    dim = default_dim(n_words) if dim is None else dim
    if dim < 1:
        raise ValueError("dim must be at least 1")
    dim = min(dim, max_dim(n_words))
    for name, value in (("shift", shift), ("eigen_power", eigen_power),
                        ("context_power", 0.0 if context_power is None else context_power)):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number")
    if epochs is not None and epochs < 0:
        raise ValueError("epochs must not be negative")
    if epochs is None:
        epochs = 0 if method == "spectral" else 30
    if context_power is None:
        context_power = 0.75 if method == "spectral" else 1.0
    rng = np.random.default_rng(seed)
    target = cooc.pmi(context_power) - shift
    separate = model != 0

    if method == "spectral":
        ppmi = np.maximum(target, 0.0)
        values, vectors = top_eigenpairs(symmetric_csr(cooc, ppmi), min(dim, n_words), rng)
        scale = np.maximum(values, 0.0) ** eigen_power
        w = np.zeros((n_words, dim), np.float32)
        w[:, :scale.size] = vectors * scale.astype(np.float32)
        target = ppmi
    else:
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
    return Trained(np.ascontiguousarray(out, dtype=np.float32), losses, dim)
