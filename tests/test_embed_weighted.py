"""The count-weighted least-squares fit (``train(method="weighted")``): alternating least
squares with conjugate-gradient row solves over one triangle of the pair matrix."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from nlpzero.vectors.cooccurrence import Cooccurrence, cooccur
from nlpzero.vectors.solvers import (
    DENSE_SIZE,
    ROW_BLOCKS,
    Pieces,
    balanced_factors,
    pair_matrix,
    top_eigenpairs,
    train,
    upper_triangle,
    weighted_fit,
    weighted_loss,
)
from nlpzero.words.lexicon import Lexicon

#: cooccur() without the command line's dynamic window and subsampling: plain counts
PLAIN = {"dynamic": False, "subsample_t": 0.0}


@dataclass
class Pairs:
    rows: np.ndarray
    cols: np.ndarray
    target: np.ndarray
    counts: np.ndarray


def random_pairs(n: int, density: float, seed: int, target=None, tile: int = 7):
    """A random sparse symmetric pattern (strict upper triangle, sorted) with integer counts
    from 1 to 300 (so both sides of x_max = 100 occur) and a target per pair; the solver's
    PairMatrix (small column tiles, so several are used) and the plain pairs."""
    rng = np.random.default_rng(seed)
    rows, cols = np.triu_indices(n, 1)
    keep = rng.random(rows.size) < density
    rows, cols = rows[keep].astype(np.int32), cols[keep].astype(np.int32)
    counts = rng.integers(1, 301, rows.size).astype(np.int32)
    values = rng.normal(size=rows.size) if target is None else target[rows, cols]
    plain = Pairs(rows, cols, values.astype(np.float32), counts)
    return pair_matrix(rows, cols, counts, n, target=plain.target, tile=tile), plain


def reference_loss(m: Pairs, w, c, x_max, alpha, ridge) -> float:
    rows, cols = m.rows, m.cols
    lam = np.minimum(1.0, (m.counts / x_max) ** alpha)
    w, c = w.astype(np.float64), c.astype(np.float64)
    e1 = np.einsum("ij,ij->i", w[rows], c[cols]) - m.target
    e2 = np.einsum("ij,ij->i", w[cols], c[rows]) - m.target
    return float((lam * (e1 ** 2 + e2 ** 2)).sum() + ridge * ((w ** 2).sum() + (c ** 2).sum()))


def reference_half_sweep(m: Pairs, x, y, steps, x_max, alpha, ridge):
    """Plain numpy, float64: every row of x solves (Σ_j λ y_j y_jᵀ + ridge I) x_i = Σ_j λ t y_j
    by *steps* conjugate-gradient iterations from its current value (A_i formed densely)."""
    n, d = x.shape
    rows, cols = m.rows, m.cols
    lam = np.minimum(1.0, (m.counts / x_max) ** alpha)
    x = x.astype(np.float64).copy()
    y = y.astype(np.float64)
    for i in range(n):
        a = ridge * np.eye(d)
        b = np.zeros(d)
        for k in range(rows.size):
            for me, other in ((rows[k], cols[k]), (cols[k], rows[k])):
                if me == i:
                    a += lam[k] * np.outer(y[other], y[other])
                    b += lam[k] * m.target[k] * y[other]
        r = b - a @ x[i]
        p = r.copy()
        for _ in range(steps):
            pq = p @ a @ p
            if pq <= 0:
                break
            step = (p @ r) / pq
            x[i] += step * p
            new = r - step * (a @ p)
            p = new + (new @ new) / (r @ r) * p
            r = new
    return x


def test_loss_and_one_sweep_agree_with_a_plain_numpy_reference() -> None:
    m, plain = random_pairs(12, 0.6, 0)
    rng = np.random.default_rng(1)
    w = rng.normal(size=(12, 3)).astype(np.float32)
    c = rng.normal(size=(12, 3)).astype(np.float32)
    for x_max, alpha, ridge in ((100.0, 0.75, 0.0), (10.0, 1.0, 0.5)):
        assert weighted_loss(m, w, c, x_max, alpha, ridge) == pytest.approx(
            reference_loss(plain, w, c, x_max, alpha, ridge), rel=1e-5)
        w_ref = reference_half_sweep(plain, w, c, 2, x_max, alpha, ridge)
        c_ref = reference_half_sweep(plain, c, w_ref, 2, x_max, alpha, ridge)
        w2, c2 = w.copy(), c.copy()
        losses = weighted_fit(m, w2, c2, sweeps=1, cg_steps=2, x_max=x_max, alpha=alpha,
                              ridge=ridge)
        np.testing.assert_allclose(w2, w_ref, rtol=1e-3, atol=1e-4)
        np.testing.assert_allclose(c2, c_ref, rtol=1e-3, atol=1e-4)
        assert losses[-1] == pytest.approx(
            reference_loss(plain, w_ref, c_ref, x_max, alpha, ridge), rel=1e-4)


def test_recovers_an_exactly_low_rank_weighted_target() -> None:
    """t_ij = <u_i, u_j> (rank 3) on 60 % of the pairs of 40 words, weights from counts on
    both sides of x_max. From the solver's start (the top eigenpairs of the zero-filled
    target, scaled by √λ, as ``train`` does) the fit reaches the target: loss ~ 0, and
    W Cᵀ = U Uᵀ on the unobserved pairs too."""
    n, rank = 40, 3
    for seed in (4, 5, 6):
        rng = np.random.default_rng(seed)
        u = rng.normal(size=(n, rank))
        m, plain = random_pairs(n, 0.6, 5, target=u @ u.T)
        start = top_eigenpairs(upper_triangle(plain.rows, plain.cols, plain.target, n), rank)
        w = (start.vectors * np.sqrt(np.maximum(start.values, 0))).astype(np.float32)
        c = w.copy()
        losses = weighted_fit(m, w, c, sweeps=40, cg_steps=rank)
        assert losses[-1] < 1e-8 * losses[0]
        fitted = np.einsum("ij,ij->i", w[plain.rows], c[plain.cols])
        np.testing.assert_allclose(fitted, plain.target, atol=1e-3)
        np.testing.assert_allclose(w @ c.T, u @ u.T, atol=1e-2)


@pytest.mark.parametrize(("x_max", "alpha", "ridge", "steps"),
                         [(100.0, 0.75, 0.0, 1), (5.0, 0.5, 0.0, 3), (100.0, 0.75, 0.3, 2)])
def test_the_weighted_loss_never_increases(x_max: float, alpha: float, ridge: float,
                                           steps: int) -> None:
    """A target that no rank-4 matrix fits: the loss logged before every half-sweep and at
    the end never goes up (exact line minima), and it does go down."""
    m, plain = random_pairs(50, 0.4, 7)
    rng = np.random.default_rng(8)
    w = rng.normal(size=(50, 4)).astype(np.float32)
    c = w.copy()
    losses = weighted_fit(m, w, c, sweeps=8, cg_steps=steps, x_max=x_max, alpha=alpha,
                          ridge=ridge)
    assert len(losses) == 2 * 8 + 1
    assert all(b <= a * (1 + 1e-6) for a, b in zip(losses, losses[1:]))
    assert losses[-1] < 0.5 * losses[0]
    assert losses[-1] == pytest.approx(
        reference_loss(plain, w, c, x_max, alpha, ridge), rel=1e-4)


def test_d_cg_steps_solve_each_rows_ridge_regression_exactly() -> None:
    """With C fixed, d CG steps from zero solve a row's d x d normal equations exactly (in
    exact arithmetic): W after the first half-sweep is the ridge-regression solution
    (Σ_j λ_ij c_j c_jᵀ + ridge I)⁺ Σ_j λ_ij t_ij c_j, computed here by a dense pseudo-inverse
    (rows with fewer than d pairs are singular without a ridge; CG from zero gives the
    minimum-norm solution). The ridge only shrinks a row, and it shrinks the rows with the
    least total weight (fewest, rarest pairs) the most."""
    n, d = 60, 4
    m, plain = random_pairs(n, 0.15, 12)
    c = np.random.default_rng(13).normal(size=(n, d)).astype(np.float32)
    c64 = c.astype(np.float64)
    lam = np.minimum(1.0, (plain.counts / 100.0) ** 0.75)
    norms = {}
    for ridge in (0.0, 0.3, 3.0):
        w = np.zeros((n, d), np.float32)
        weighted_fit(m, w, c.copy(), sweeps=1, cg_steps=d, ridge=ridge)  # W's half uses c
        a = np.repeat(ridge * np.eye(d)[None], n, axis=0)
        b = np.zeros((n, d))
        for me, other in ((plain.rows, plain.cols), (plain.cols, plain.rows)):
            np.add.at(a, me, lam[:, None, None] * np.einsum("ki,kj->kij", c64[other],
                                                           c64[other]))
            np.add.at(b, me, (lam * plain.target)[:, None] * c64[other])
        exact = np.einsum("nij,nj->ni", np.linalg.pinv(a, rcond=1e-10, hermitian=True), b)
        np.testing.assert_allclose(w, exact, rtol=1e-3, atol=1e-3)
        norms[ridge] = np.linalg.norm(exact, axis=1)
    assert (norms[0.3] <= norms[0.0] * (1 + 1e-9) + 1e-12).all()
    assert (norms[3.0] <= norms[0.3] * (1 + 1e-9) + 1e-12).all()
    total = np.bincount(np.concatenate([plain.rows, plain.cols]), np.concatenate([lam, lam]),
                        minlength=n)
    seen = norms[0.0] > 0
    shrink = norms[3.0][seen] / norms[0.0][seen]
    light = total[seen] <= np.quantile(total[seen], 0.25)
    heavy = total[seen] >= np.quantile(total[seen], 0.75)
    assert shrink[light].mean() < shrink[heavy].mean() - 0.05


def test_the_default_ridge_and_shift_are_the_command_lines(cli, data_dir) -> None:
    """``train``'s default ridge and (weighted) shift are the ones the command line uses, and
    each changes the vectors (0 gives other ones)."""
    import inspect

    from nlpzero.vectors.solvers import DEFAULT_RIDGE, DEFAULT_SHIFT

    assert inspect.signature(train).parameters["ridge"].default == DEFAULT_RIDGE > 0
    args = ("embed", data_dir / "corpus.gold.txt", "--min-count", "20", "--dim", "8", "-o", "-")
    default = cli.invoke(*args)
    same = cli.invoke(*args, "--ridge", str(DEFAULT_RIDGE), "--shift", str(DEFAULT_SHIFT))
    no_ridge = cli.invoke(*args, "--ridge", "0")
    no_shift = cli.invoke(*args, "--shift", "0")
    assert default.exit_code == same.exit_code == no_ridge.exit_code == no_shift.exit_code == 0
    assert default.stdout == same.stdout
    assert no_ridge.stdout != default.stdout != no_shift.stdout


def test_the_library_counts_as_the_command_line_does(cli, data_dir) -> None:
    """``train(cooccur(path))`` is ``nlpzero embed path``: the same dynamic window and
    subsampling by default (DEFAULT_SUBSAMPLE is the CLI's --subsample), so the same vectors;
    plain counts give other ones."""
    from nlpzero.vectors.cooccurrence import DEFAULT_SUBSAMPLE

    corpus = data_dir / "corpus.gold.txt"
    args = ("embed", corpus, "--min-count", "20", "--dim", "8", "-o", "-")
    default = cli.invoke(*args)
    same = cli.invoke(*args, "--dynamic-window", "--subsample", str(DEFAULT_SUBSAMPLE))
    assert default.exit_code == same.exit_code == 0 and default.stdout == same.stdout
    rows = [line.split(" ") for line in default.stdout.splitlines()[1:]]
    counted = cooccur(corpus, min_count=20)
    assert counted.dynamic and counted.subsample == DEFAULT_SUBSAMPLE
    vectors = train(counted, dim=8).vectors
    assert [row[0] for row in rows] == counted.vocab.words
    np.testing.assert_allclose(np.array([row[1:] for row in rows], np.float64), vectors,
                               rtol=1e-5, atol=1e-6)
    plain = train(cooccur(corpus, min_count=20, **PLAIN), dim=8).vectors
    assert not np.allclose(plain, vectors, atol=1e-3)


def test_rows_without_pairs_stay_put() -> None:
    m, _ = random_pairs(10, 0.0, 0)  # nothing observed
    assert m.offsets.size == 0
    w = np.ones((10, 2), np.float32)
    c = w.copy()
    assert weighted_fit(m, w, c, sweeps=2, cg_steps=2) == [0.0] * 5
    assert (w == 1).all() and (c == 1).all()


def test_balanced_factors_keep_the_product() -> None:
    rng = np.random.default_rng(0)
    w, c = rng.normal(size=(30, 5)), rng.normal(size=(30, 5))
    left, right, s = balanced_factors(w, c, 0.5)
    np.testing.assert_allclose((left * s) @ right.T, w @ c.T, atol=1e-9)
    np.testing.assert_allclose(left.T @ left, np.eye(5), atol=1e-9)
    assert (np.diff(s) <= 0).all()


def test_weighted_cosines_do_not_depend_on_the_seed(zipf_lines) -> None:
    cooc = cooccur(zipf_lines(3000, 0), window=5, min_count=3)
    assert len(cooc.vocab) > DENSE_SIZE  # the Lanczos start
    cosines = []
    for seed in (0, 1, 2):
        trained = train(cooc, dim=16, method="weighted", sweeps=2, cg_steps=2, seed=seed,
                        tol=1e-8)
        assert trained.residual < 1e-6 and len(trained.losses) == 5
        assert all(b <= a * (1 + 1e-6) for a, b in zip(trained.losses, trained.losses[1:]))
        unit = trained.vectors[:300] / np.linalg.norm(trained.vectors[:300], axis=1,
                                                       keepdims=True)
        cosines.append(unit @ unit.T)
    assert np.abs(cosines[0] - cosines[1]).max() < 1e-3
    assert np.abs(cosines[0] - cosines[2]).max() < 1e-3


@pytest.mark.parametrize("shift", [0.0, 0.7])
def test_weighted_train_fits_an_exactly_low_rank_pmi(shift: float) -> None:
    """Counts whose PMI is exactly U Uᵀ + const on every pair (context power 1): the
    spectral start plus the weighted fit reproduce PMI - shift (still rank + 1) at p = ½, and
    the loss ends near 0."""
    n, rank = 24, 3
    rng = np.random.default_rng(0)
    u = rng.normal(0, 0.4, (n, rank))
    rows, cols = np.triu_indices(n, 1)
    counts = np.rint(1000 * np.exp((u @ u.T)[rows, cols])).astype(np.int32)
    vocab = Lexicon([f"w{i}" for i in range(n)], np.full(n, 50.0))
    cooc = Cooccurrence(vocab, rows.astype(np.int32), cols.astype(np.int32), counts, 5,
                        int(vocab.total))
    pmi = cooc.pmi()
    trained = train(cooc, dim=rank + 1, method="weighted", sweeps=30, cg_steps=4,
                    context_power=1.0, eigen_power=0.5, model=1, ridge=0.0, shift=shift)
    left, right = trained.vectors[:, :rank + 1], trained.vectors[:, rank + 1:]
    fitted = np.einsum("ij,ij->i", left[rows], right[cols])
    assert np.abs(fitted - (pmi - shift)).max() < 1e-3
    assert trained.losses[-1] < 1e-5 * trained.losses[0]  # counts are rounded to integers


@pytest.mark.parametrize("kwargs", [{"sweeps": -1}, {"sweeps": 1001}, {"cg_steps": 0},
                                    {"ridge": -1.0}, {"ridge": math.nan}, {"ridge": math.inf}])
def test_bad_weighted_options(kwargs: dict) -> None:
    cooc = cooccur(["a b c a", "b c"], window=2, min_count=1, **PLAIN)
    with pytest.raises(ValueError):
        train(cooc, dim=2, method="weighted", **kwargs)


@pytest.mark.parametrize("model", [0, 1, 2])
def test_weighted_model_shapes(model: int, zipf_lines) -> None:
    cooc = cooccur(zipf_lines(200, 1), window=5, min_count=2)
    out = train(cooc, dim=8, method="weighted", model=model, sweeps=1, cg_steps=1).vectors
    assert out.shape == (len(cooc.vocab), 16 if model == 1 else 8)
    assert out.dtype == np.float32 and np.isfinite(out).all()


# --- command line ----------------------------------------------------------------------------


def test_cli_weighted_logs_the_loss_per_sweep_and_is_deterministic(cli, data_dir) -> None:
    args = ("embed", data_dir / "corpus.gold.txt", "--min-count", "20", "--dim", "8",
            "--method", "weighted", "--sweeps", "3", "--cg-steps", "2", "-o", "-")
    first = cli.invoke(*args)
    assert first.exit_code == 0, first.stderr
    sweeps = [ln for ln in first.stderr.splitlines() if "weighted fit: sweep" in ln]
    assert [ln.split("weighted fit: ")[1].split(",")[0] for ln in sweeps] == \
        ["sweep 1", "sweep 2", "sweep 3"]
    losses = [float(x) for ln in sweeps for x in ln.split("loss ")[1].split(" -> ")]
    assert all(b <= a * (1 + 1e-6) for a, b in zip(losses, losses[1:]))
    assert "max residual" in first.stderr  # the spectral start's convergence is logged too
    second = cli.invoke(*args, "--seed", "5")
    assert second.exit_code == 0 and first.stdout.splitlines()[0].endswith(" 8")
    assert cli.invoke(*args).stdout == first.stdout


def test_cli_weighted_bad_options(cli, write_file) -> None:
    path = write_file("corpus.txt", "a b c\nb c a\n")
    base = ("embed", path, "--min-count", "1")
    for value in ("-1", "1001", "x", "1e3"):
        cli.assert_usage_error(cli.invoke(*base, "--method", "weighted", "--sweeps", value),
                               "--sweeps")
    for value in ("0", "-2", "1001"):
        cli.assert_usage_error(cli.invoke(*base, "--method", "weighted", "--cg-steps", value),
                               "--cg-steps")
    for value in ("-1", "nan", "inf", "1e400", "1e7"):
        cli.assert_usage_error(cli.invoke(*base, "--method", "weighted", "--ridge", value),
                               "--ridge")
    cli.assert_usage_error(cli.invoke(*base, "--method", "spectral", "--sweeps", "3"),
                           "--method weighted")
    cli.assert_usage_error(cli.invoke(*base, "--method", "adagrad", "--ridge", "1"),
                           "--method weighted")
    cli.assert_usage_error(cli.invoke(*base, "--epochs", "3"),  # weighted by default
                           "--epochs")
    cli.assert_usage_error(cli.invoke(*base, "--method", "weighted", "--truncate-weight"),
                           "--truncate-weight")


@pytest.mark.parametrize("tile", [1, 3, 7, 50])
def test_the_tile_size_does_not_change_the_fit(tile: int) -> None:
    """Column tiles only reorder the pairs: the loss and one sweep agree with one tile."""
    m_one, plain = random_pairs(50, 0.3, 11, tile=50)
    m = pair_matrix(plain.rows, plain.cols, plain.counts, 50, target=plain.target, tile=tile)
    assert m.tile == tile and m.indptr.shape[0] == -(-50 // tile) * 50 + 1
    rows, cols = m.pairs()
    assert m.offsets.dtype == np.uint16 and np.all(m.offsets < tile)
    assert sorted(zip(rows.tolist(), cols.tolist(), m.counts.tolist())) == \
        sorted(zip(plain.rows.tolist(), plain.cols.tolist(), plain.counts.tolist()))
    rng = np.random.default_rng(12)
    w = rng.normal(size=(50, 4)).astype(np.float32)
    c = rng.normal(size=(50, 4)).astype(np.float32)
    w1, c1, w2, c2 = w.copy(), c.copy(), w.copy(), c.copy()
    a = weighted_fit(m_one, w1, c1, sweeps=1, cg_steps=2)
    b = weighted_fit(m, w2, c2, sweeps=1, cg_steps=2)
    np.testing.assert_allclose(b, a, rtol=1e-5)
    np.testing.assert_allclose(w2, w1, rtol=1e-4, atol=1e-5)


def test_tiled_positive_product_matches_the_dense_ppmi_matrix() -> None:
    m, plain = random_pairs(40, 0.3, 13, tile=6)
    dense = np.zeros((40, 40))
    dense[plain.rows, plain.cols] = np.maximum(plain.target, 0)
    dense += dense.T
    np.testing.assert_allclose(m.dense(), dense, atol=1e-7)
    x = np.random.default_rng(14).normal(size=40)
    np.testing.assert_allclose(m.matvec(x), dense @ x, rtol=1e-6, atol=1e-6)
    block = np.random.default_rng(15).normal(size=(40, 5))
    np.testing.assert_allclose(m.matmat(block), dense @ block, rtol=1e-6, atol=1e-6)
    # the block product sums every row in the order of the single one: the same bits
    np.testing.assert_array_equal(m.matmat(block)[:, 2], m.matvec(block[:, 2]))


def test_release_counts_empties_the_pairs_and_gives_the_same_vectors(zipf_lines) -> None:
    lines = zipf_lines(300, 2)
    kept = train(cooccur(lines, window=5, min_count=2, **PLAIN), dim=8, sweeps=1, cg_steps=1)
    cooc = cooccur(lines, window=5, min_count=2, **PLAIN)
    released = train(cooc, dim=8, sweeps=1, cg_steps=1, release_counts=True)
    assert cooc.rows.size == cooc.cols.size == cooc.counts.size == 0
    np.testing.assert_array_equal(released.vectors, kept.vectors)


def test_the_tiled_pmi_target_is_the_cooccurrence_pmi(zipf_lines) -> None:
    cooc = cooccur(zipf_lines(200, 3), window=4, min_count=2)
    for power, shift in ((1.0, 0.0), (0.75, 1.5)):
        m = pair_matrix(cooc.rows, cooc.cols, cooc.counts, len(cooc.vocab), tile=5,
                        log_marginal=cooc.log_marginals(power),
                        log_total=math.log(cooc.total_pairs), shift=shift)
        want = dict(zip(zip(cooc.cols.tolist(), cooc.counts.tolist(), cooc.rows.tolist()),
                        (cooc.pmi(power) - shift).tolist()))
        rows, cols = m.pairs()
        got = dict(zip(zip(cols.tolist(), m.counts.tolist(), rows.tolist()),
                       m.target.tolist()))
        assert got.keys() == want.keys()
        np.testing.assert_allclose([got[k] for k in want], list(want.values()), rtol=1e-5,
                                   atol=1e-5)


def test_lanczos_runs_arpack_on_one_blas_thread() -> None:
    """ARPACK's dense steps see one BLAS thread (their summation order, hence the
    eigenvectors' bits, cannot depend on the core count), and the limit is lifted after."""
    from threadpoolctl import threadpool_info

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    if not blas_threads():
        pytest.skip("no BLAS library visible to threadpoolctl")
    m, _ = random_pairs(700, 0.02, 41, tile=64)
    seen: list[list[int]] = []

    class Recorded:  # the matrix, reporting the BLAS threads while ARPACK calls it
        size = m.size

        def matvec(self, x: np.ndarray, pool: Pieces | None = None) -> np.ndarray:
            seen.append(blas_threads())
            return m.matvec(x)

        def matmat(self, x: np.ndarray, pool: Pieces | None = None) -> np.ndarray:
            return m.matmat(x)

    before = blas_threads()
    pairs = top_eigenpairs(Recorded(), 6, seed=2)
    assert len(seen) == pairs.products > 0 and all(t == [1] * len(before) for t in seen)
    assert blas_threads() == before
    np.testing.assert_array_equal(pairs.values, top_eigenpairs(m, 6, seed=2).values)


@pytest.mark.parametrize("threads", [0, -1, 257, 2.0, math.nan, True, "2"])
def test_library_solvers_refuse_a_bad_thread_count(threads) -> None:
    """top_eigenpairs (of a PairMatrix or a Triangle, which runs on one thread anyway) and
    weighted_fit check *threads* themselves, as train does."""
    m, _ = random_pairs(20, 0.3, 1)
    triangle = upper_triangle(np.array([0, 1], np.int32), np.array([1, 2], np.int32),
                              np.array([1.0, 2.0], np.float32), 20)
    w = np.zeros((20, 2), np.float32)
    for matrix in (m, triangle):
        with pytest.raises(ValueError, match="threads must be a whole number from 1 to 256"):
            top_eigenpairs(matrix, 2, threads=threads)
    with pytest.raises(ValueError, match="threads must be a whole number from 1 to 256"):
        weighted_fit(m, w, w.copy(), threads=threads)


@pytest.mark.parametrize("tile", [3, 7, 200])
def test_any_thread_count_gives_the_same_bits(tile: int) -> None:
    """Every pass is cut into pieces that write their own rows, each row (and the loss)
    summed in one fixed order: 1, 2 or 5 threads give identical eigenvectors, vectors and
    losses (not merely close ones)."""
    m, _ = random_pairs(200, 0.08, 21, tile=tile)
    rng = np.random.default_rng(22)
    w0 = rng.normal(size=(200, 6)).astype(np.float32)
    c0 = rng.normal(size=(200, 6)).astype(np.float32)
    x = rng.normal(size=200)
    runs = []
    for threads in (1, 2, 5):
        w, c = w0.copy(), c0.copy()
        losses = weighted_fit(m, w, c, sweeps=2, cg_steps=2, ridge=0.3, threads=threads)
        with Pieces(threads) as pool:
            product = m.matvec(x, pool)
        runs.append((w, c, losses, product))
    for w, c, losses, product in runs[1:]:
        np.testing.assert_array_equal(w, runs[0][0])
        np.testing.assert_array_equal(c, runs[0][1])
        assert losses == runs[0][2]
        np.testing.assert_array_equal(product, runs[0][3])
    dense = m.dense()
    np.testing.assert_allclose(runs[0][3], dense @ x, rtol=1e-6, atol=1e-6)


def test_train_with_two_threads_is_the_one_thread_result(zipf_lines) -> None:
    lines = zipf_lines(700, 5)
    one = train(cooccur(lines, window=5, min_count=2, **PLAIN), dim=12, threads=1)
    two = train(cooccur(lines, window=5, min_count=2, **PLAIN), dim=12, threads=2)
    assert len(one.vectors) > DENSE_SIZE  # Lanczos, not the dense eigen-solver
    np.testing.assert_array_equal(two.vectors, one.vectors)
    assert two.losses == one.losses


@pytest.mark.parametrize("threads", [0, -1, 257, True, 1.5])
def test_bad_thread_counts(threads, zipf_lines) -> None:
    with pytest.raises(ValueError, match="threads"):
        train(cooccur(zipf_lines(50, 6), window=3, min_count=1), dim=4, threads=threads)


def test_row_blocks_cover_the_rows_in_order() -> None:
    m, plain = random_pairs(120, 0.2, 23, tile=9)
    edges = m.blocks
    assert edges[0] == 0 and edges[-1] == 120 and np.all(np.diff(edges) > 0)
    assert len(edges) - 1 <= ROW_BLOCKS


@pytest.mark.parametrize("tile", [1, 2, 7, 40, 500])
def test_the_in_place_pair_matrix_is_the_copied_one(tile: int, zipf_lines) -> None:
    """Permuting the Cooccurrence's counts into the tiled order in place gives exactly the
    matrix the copying path builds (indptr, column offsets, counts, PMI target), and leaves
    the columns as they were."""
    cooc = cooccur(zipf_lines(150, 7), window=4, min_count=2)
    n = len(cooc.vocab)
    args = dict(log_marginal=cooc.log_marginals(0.75), log_total=math.log(cooc.total_pairs),
                shift=0.5, tile=tile)
    copied = pair_matrix(cooc.rows, cooc.cols, cooc.counts, n, **args)
    cols, counts = cooc.cols.copy(), cooc.counts.copy()
    moved = pair_matrix(cooc.rows, cols, counts, n, in_place=True, **args)
    assert moved.counts is counts
    np.testing.assert_array_equal(cols, cooc.cols)
    for name in ("indptr", "offsets", "counts", "target"):
        np.testing.assert_array_equal(getattr(moved, name), getattr(copied, name))
    with pytest.raises(ValueError, match="int32"):
        pair_matrix(cooc.rows, cooc.cols.astype(np.int64), cooc.counts, n, in_place=True,
                    **args)


def test_narrow_counts_do_not_change_the_fit() -> None:
    """uint16 counts capped at 65 535 give the same weights (a count at or above x_max
    weighs 1 either way), hence the same bits; a larger x_max keeps the int32 counts."""
    m, plain = random_pairs(60, 0.3, 31, tile=7)
    m.counts[::5] = 70_000 + np.arange(m.counts[::5].size, dtype=np.int32)  # above the cap
    wide = pair_matrix(plain.rows, plain.cols, plain.counts, 60, target=plain.target, tile=7)
    wide.counts = m.counts.copy()
    m.narrow_counts(100.0)
    assert m.counts.dtype == np.uint16 and m.counts.max() == 65535
    rng = np.random.default_rng(32)
    w0 = rng.normal(size=(60, 4)).astype(np.float32)
    c0 = rng.normal(size=(60, 4)).astype(np.float32)
    runs = []
    for matrix in (wide, m):
        w, c = w0.copy(), c0.copy()
        runs.append((weighted_fit(matrix, w, c, sweeps=1, cg_steps=2, x_max=100.0), w, c))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    wide.narrow_counts(1e5)
    assert wide.counts.dtype == np.int32
