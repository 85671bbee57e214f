"""Mitchell's approximate arithmetic: exhaustive proofs of the bounds, guards, variants, the
dot products and top-k, the benchmark's streaming kernels, and the ``nlpzero approx``
commands."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numba import njit

from nlpzero import approx
from nlpzero.approx import _kernels as K
from nlpzero.approx.arithmetic import _CODE, _params
from nlpzero.approx.profile import error_tsv, pair_lines
from nlpzero.errors import InputError

F32 = np.float32
GRID = 4096  # 4096^2 = 2^24 mantissa pairs
HYP = settings(max_examples=200, deadline=None,
               suppress_health_check=[HealthCheck.too_slow])


def bits32(v) -> int:
    return int(np.array(v, dtype=np.float32).view(np.uint32))


# --- exhaustive sweep: the bounds hold, exactly, and are attained exactly where stated -------


@njit(cache=True)
def sweep_operands(grid, dtype_like):
    """x = ±(1 + i/grid) 2^ex, y = ±(1 + j/grid) 2^ey over all i, j < grid, with exponents
    in [-60, 60] and signs varying with (i, j): every product and quotient is normal."""
    n = grid * grid
    powers = 2.0 ** (np.arange(121) - 60.0)  # exponents -60 .. 60
    x = np.empty(n, dtype=dtype_like.dtype)
    y = np.empty(n, dtype=dtype_like.dtype)
    for i in range(grid):
        for j in range(grid):
            sx = -powers[(i * 7 + j * 3) % 121] if (i + j) & 1 else powers[(i * 7 + j * 3) % 121]
            sy = powers[(i * 5 + j * 11) % 121]
            if ((i >> 1) ^ j) & 1:
                sy = -sy
            x[i * grid + j] = sx * (1.0 + i / grid)
            y[i * grid + j] = sy * (1.0 + j / grid)
    return x, y


@njit(cache=True)
def check_exactly(x, y, r, div):
    """Exact (integer-valued) checks in float64 of every result: the sign is the XOR of
    the signs; mul: 8|xy| <= 9|r| and |r| <= |xy|; div: |x| <= |r||y| and 8|r||y| <= 9|x|.
    All products here are exact in float64 (at most 13 + 24 significant bits).
    Returns (violations, sign errors, number at the bound, index of the first one)."""
    bad = 0
    sign_bad = 0
    at_bound = 0
    where = -1
    for k in range(x.size):
        ax = abs(np.float64(x[k]))
        ay = abs(np.float64(y[k]))
        ar = abs(np.float64(r[k]))
        if (r[k] < 0) != ((x[k] < 0) != (y[k] < 0)):
            sign_bad += 1
        if div:
            ok = ax <= ar * ay and 8.0 * ar * ay <= 9.0 * ax
            edge = 8.0 * ar * ay == 9.0 * ax
        else:
            ok = 8.0 * ax * ay <= 9.0 * ar and ar <= ax * ay
            edge = 8.0 * ax * ay == 9.0 * ar
        if not ok:
            bad += 1
        if edge:
            at_bound += 1
            if where < 0:
                where = k
    return bad, sign_bad, at_bound, where


@pytest.fixture(scope="module")
def sweep32() -> tuple[np.ndarray, np.ndarray]:
    return sweep_operands(GRID, np.zeros(1, dtype=np.float32))


@pytest.mark.parametrize("op", ["mul", "div"])
@pytest.mark.parametrize("safe", [True, False])
def test_bounds_proven_on_2_24_pairs(sweep32, op: str, safe: bool) -> None:
    x, y = sweep32
    assert x.size == 1 << 24
    r = getattr(approx, op)(x, y, safe=safe)
    bad, sign_bad, at_bound, where = check_exactly(x, y, r, op == "div")
    assert (bad, sign_bad) == (0, 0)
    # attained exactly once on the grid: mantissas 1.5 x 1.5 (mul), 1.0 / 1.5 (div)
    assert at_bound == 1
    i, j = divmod(where, GRID)
    assert (i, j) == ((GRID // 2, GRID // 2) if op == "mul" else (0, GRID // 2))


def test_bounds_float64_and_strided_views(sweep32) -> None:
    x, y = (a[::16].astype(np.float64) for a in sweep32)  # 2^20 pairs, strided view: copied
    for op in ("mul", "div"):
        r = getattr(approx, op)(x, y)
        assert check_exactly(x, y, r, op == "div")[:2] == (0, 0)
    xs, ys = sweep32[0][::7], sweep32[1][::7]  # non-contiguous: copied, then the kernel
    assert check_exactly(xs, ys, approx.mul(xs, ys), False)[:2] == (0, 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bounds_attained_at_stated_inputs(dtype) -> None:
    x = np.array([1.5, 3, 0.75, -3, 1.5], dtype=dtype)
    y = np.array([1.5, 6, 12, 6, -1.5], dtype=dtype)
    for safe in (True, False):
        r = approx.mul(x, y, safe=safe)
        assert r.tolist() == [2.0, 16.0, 8.0, -16.0, -2.0]
        err = r.astype(np.float64) / (x.astype(np.float64) * y) - 1
        assert np.all(err == pytest.approx(-1 / 9, abs=1e-15))
        q = approx.div(np.array([1, 2, -2], dtype=dtype), np.array([1.5, 3, 3], dtype=dtype),
                       safe=safe)
        assert q.tolist() == [0.75, 0.75, -0.75]
    assert float(approx.mul(1.5, 1.5)) == 2.0  # Python scalars: a 0-d result


def test_su_example_and_powers_of_two() -> None:
    # Su's example with both operands cut to 7 fraction bits: 53.625 against 56.088
    assert float(approx.mul(F32(12.296875), F32(4.5546875))) == 53.625
    assert float(approx.mul(F32(12.3), F32(4.56))) == pytest.approx(53.68, abs=1e-5)
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(1000) * 100).astype(np.float32)
    for k in (-5, 0, 1, 17):
        p = np.float32(2.0**k)
        assert np.array_equal(approx.mul(x, np.full_like(x, p)), x * p)  # exact
        assert np.array_equal(approx.div(x, np.full_like(x, p)), x / p)


def test_profile_reproduces_the_known_figures() -> None:
    p = approx.error_profile("mitchell", "mul")
    assert p.n == 1 << 24
    assert p.min == pytest.approx(-1 / 9, abs=1e-12) and p.max == 0.0
    assert p.worst == (1.5, 1.5)
    assert p.bias == pytest.approx(-0.0385, abs=5e-4)
    assert p.mean_abs == -p.bias
    q = approx.error_profile("mitchell", "div")
    assert (q.min, q.max, q.worst) == (0.0, pytest.approx(0.125, abs=1e-12), (1.0, 1.5))
    assert q.bias == pytest.approx(0.0410, abs=5e-4)
    m = approx.error_profile("minimax", "mul", grid=2048)
    assert m.max_error == pytest.approx(0.06886, abs=1e-4)
    assert approx.error_profile("unbiased", "mul", grid=2048).bias == pytest.approx(0, abs=1e-6)
    assert approx.error_profile("corrected", "mul", grid=2048).min == pytest.approx(-1 / 121)
    log = approx.error_profile("mitchell", "log2")
    assert log.n == 1 << 23  # every float32 mantissa
    assert log.min == pytest.approx(-0.0860713, abs=1e-6) and log.max == 0.0


@pytest.mark.parametrize("op", approx.OPS)
def test_every_variant_within_its_documented_bounds(op: str) -> None:
    for p in approx.error_table([op], grid=1024):
        lo, hi = approx.BOUNDS[(op, p.variant)]
        assert lo - 1e-12 <= p.min and p.max <= hi + 1e-12, p  # float64 rounding of r/x - 1
        if p.variant == "unbiased":
            assert abs(p.bias) < 1e-5
        if p.variant == "minimax":
            assert -p.min == pytest.approx(p.max, rel=0.02)
        if p.variant != "mitchell":
            assert p.max_error < approx.error_profile("mitchell", op, grid=1024).max_error


def test_float64_constants_and_profiles() -> None:
    c = approx.constant("mul", "unbiased", np.float64)
    assert c == 0x3FF0000000000000 - ((0x3F800000 - 0x3F78C092) << 29)
    assert approx.constant("div", "mitchell", "float64") == 0x3FF0000000000000
    for op in ("mul", "div"):
        for v in approx.VARIANTS:
            a = approx.error_profile(v, op, grid=256)
            b = approx.error_profile(v, op, grid=256, dtype=np.float64)
            assert (a.min, a.max) == pytest.approx((b.min, b.max), abs=2e-7)


# --- guards, signs and variants on arbitrary floats ------------------------------------------

floats32 = st.floats(width=32, allow_nan=True, allow_infinity=True, allow_subnormal=True)
normal32 = st.floats(min_value=2.0**-50, max_value=2.0**50, width=32).flatmap(
    lambda v: st.sampled_from([v, -v]))
variants = st.sampled_from(approx.VARIANTS)
ops = st.sampled_from(["mul", "div"])


def ieee(op: str, x: float, y: float) -> np.float32:
    with np.errstate(all="ignore"):
        return F32(x) * F32(y) if op == "mul" else F32(x) / F32(y)


def check_guarded(op: str, variant: str, x: float, y: float, r: float) -> None:
    """r = the guarded Mitchell op of float32 x, y: IEEE on specials, otherwise within the
    variant's bounds after overflow to inf and (gradual) underflow."""
    if not (math.isfinite(x) and math.isfinite(y)) or x == 0 or y == 0:
        expect = ieee(op, x, y)
        if math.isnan(expect):
            assert math.isnan(r)
        else:
            assert bits32(r) == bits32(expect)  # the signs of zeros and infinities too
        return
    negative = (x < 0) != (y < 0)
    assert math.copysign(1, r) == (-1 if negative else 1)
    exact = abs(Fraction(x) * Fraction(y) if op == "mul" else Fraction(x) / Fraction(y))
    lo, hi = (Fraction(b) for b in approx.BOUNDS[(op, variant)])
    # the bounds are floats (-1/9 rounds up by ~6e-18): widen them by their own rounding,
    # so a bound attained exactly (1.5 x 1.5 -> 2) still counts as inside
    lo, hi = lo - Fraction(1, 1 << 52), hi + Fraction(1, 1 << 52)
    big = Fraction(2) ** 128
    if exact * (1 + lo) >= big:
        assert math.isinf(r)
    elif exact * (1 + hi) < big * (1 - Fraction(1, 1 << 24)):
        assert math.isfinite(r)
    if math.isfinite(r):
        half_ulp = Fraction(1, 1 << 150)  # rounding to the subnormal grid
        assert exact * (1 + lo) - half_ulp <= abs(Fraction(r)) <= exact * (1 + hi) + half_ulp


@HYP
@given(ops, variants, floats32, floats32)
def test_guarded_ops_on_any_float32(op: str, variant: str, x: float, y: float) -> None:
    with np.errstate(all="ignore"):
        r = float(getattr(approx, op)(F32(x), F32(y), variant))
        arr = getattr(approx, op)(np.array([x], F32), np.array([y], F32), variant)[0]
    check_guarded(op, variant, x, y, r)
    assert bits32(arr) == bits32(r) or (math.isnan(arr) and math.isnan(r))


@HYP
@given(ops, variants, normal32, normal32)
def test_raw_signs_and_bounds_on_normal_floats(op: str, variant: str, x: float, y: float) -> None:
    raw = float(getattr(approx, op)(F32(x), F32(y), variant, safe=False))
    assert raw == float(getattr(approx, op)(F32(x), F32(y), variant))  # raw = guarded here
    check_guarded(op, variant, x, y, raw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_guards_at_the_edges(dtype) -> None:
    info = np.finfo(dtype)
    tiny, sub, big = info.tiny, info.smallest_subnormal, info.max
    x = np.array([0, -0.0, 3, np.inf, -np.inf, np.nan, 0, big, -big, tiny, tiny, sub, sub * 3,
                  big], dtype=dtype)
    y = np.array([3, 3, -0.0, 2, 0, 1, np.inf, 2, big, tiny, -0.5, 2.0**40, 0.75, 0.25],
                 dtype=dtype)
    with np.errstate(all="ignore"):
        r = approx.mul(x, y)
        expect = x * y
    assert np.array_equal(np.signbit(r), np.signbit(expect))
    assert np.array_equal(r[:7], expect[:7], equal_nan=True)  # IEEE for 0, inf, NaN
    assert r[7] == np.inf and r[8] == -np.inf  # overflow
    assert r[9] == 0 and r[10] == -tiny / 2  # underflow: to 0, or gradually to a subnormal
    assert r[11] == pytest.approx(sub * 2.0**40)  # a subnormal operand is normalised
    assert r[12] == sub * 2  # a subnormal result: 3·0.75 -> 2 (Mitchell), on the subnormal grid
    assert r[13] == big * 0.25  # the guard does not fire on plain large values
    with np.errstate(all="ignore"):
        q = approx.div(np.array([1, 0, 0, -1, np.inf, 1], dtype=dtype),
                       np.array([0, 0, 5, np.inf, np.inf, big], dtype=dtype))
    assert q[0] == np.inf and math.isnan(q[1]) and q[2] == 0 and q[3] == 0
    assert np.signbit(q[3]) and math.isnan(q[4]) and 0 < q[5] < 2 * tiny
    raw = approx.mul(np.array([0, 1e-30], dtype=F32), np.array([3, 1e-30], dtype=F32), safe=False)
    assert raw[0] == pytest.approx(1.7632415e-38) and raw[1] < -1e16  # meaningless, as documented


@HYP
@given(variants, floats32)
def test_log2_guards_and_bounds(variant: str, x: float) -> None:
    with np.errstate(all="ignore"):
        r = float(approx.log2(F32(x), variant))
    if math.isnan(x) or x < 0:
        assert math.isnan(r)
    elif x == 0:
        assert r == -math.inf
    elif math.isinf(x):
        assert r == math.inf
    else:
        lo, hi = approx.BOUNDS[("log2", variant)]
        tol = 2.0**-24 * abs(r) + 1e-7  # the float32 rounding of the result
        assert lo - tol <= r - math.log2(x) <= hi + tol


@HYP
@given(variants, floats32)
def test_exp2_guards_and_bounds(variant: str, y: float) -> None:
    with np.errstate(all="ignore"):
        r = float(approx.exp2(F32(y), variant))
    if math.isnan(y):
        assert math.isnan(r)
        return
    lo, hi = approx.BOUNDS[("exp2", variant)]
    if y >= 129:
        assert r == math.inf
    elif y < -160:
        assert r == 0
    else:
        exact = Fraction(2) ** math.floor(y) * Fraction(2 ** (y - math.floor(y)))
        if exact * (1 + Fraction(lo)) >= 2**128:
            assert r == math.inf
        elif math.isfinite(r):
            slack = exact * Fraction(1, 1 << 22) + Fraction(1, 1 << 150)  # rounding of f 2^P
            assert exact * (1 + Fraction(lo)) - slack <= Fraction(r)
            assert Fraction(r) <= exact * (1 + Fraction(hi)) + slack


def test_log2_exp2_exact_points() -> None:
    x = np.array([1, 2, 0.5, 1024, 2.0**-140], dtype=F32)
    assert approx.log2(x).tolist() == [0, 1, -1, 10, -140]
    assert approx.exp2(np.array([0, 1, -1, 10, -140], dtype=F32)).tolist() == x.tolist()
    assert float(approx.log2(F32(3))) == 1.5  # 2^1 (1 + 0.5)
    assert float(approx.exp2(F32(0.5))) == 1.5


# --- the two-pass kernel agrees with the scalar function on any layout; streaming stores -----


def awkward(n: int, dtype, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        v = (rng.standard_normal(n) * 10.0 ** rng.integers(-45, 45, n)).astype(dtype)
    v[::97] = 0
    v[::89] = np.inf
    v[::101] = np.nan
    v[::103] = np.finfo(dtype).smallest_subnormal * 5
    v[::107] = -np.inf
    return v


@njit(cache=True, error_model="numpy")  # x / 0 is IEEE's inf, as in the library
def one_by_one(x, y, op, kind, c, delta, safe):
    """The scalar function element by element, without the kernel's two passes."""
    o = np.empty_like(x)
    for i in range(x.size):
        o[i] = K.mitchell(x[i], y[i], op, kind, c, delta, safe)
    return o


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_matches_scalar_function_on_any_layout(dtype) -> None:
    x, y = awkward(5003, dtype, 1), awkward(5003, dtype, 2)
    with np.errstate(all="ignore"):
        for v in approx.VARIANTS:
            for op, a, b in (("mul", x, y), ("div", x, y), ("log2", x, x),
                             ("exp2", y / dtype(1e30), y / dtype(1e30))):
                f = getattr(approx, op)
                args = (a, b, v) if op in ("mul", "div") else (a, v)
                cols = tuple(u[:, None] for u in args[:-1]) + (v,)  # copied, then the kernel
                params = _params(op, v, np.dtype(dtype))
                for safe in (True, False):
                    got = f(*args, safe=safe)
                    expect = one_by_one(a, b, _CODE[op], *params, safe)
                    assert got.tobytes() == expect.tobytes(), (v, op, safe)
                    assert f(*cols, safe=safe)[:, 0].tobytes() == got.tobytes(), (v, op, safe)


@pytest.mark.parametrize("op", ["mul", "div"])
@pytest.mark.parametrize("variant", approx.VARIANTS)
def test_strided_out_matches(op: str, variant: str) -> None:
    x, y = awkward(5003, np.float32, 3), awkward(5003, np.float32, 4)
    with np.errstate(all="ignore"):
        expect = getattr(approx, op)(x, y, variant)
        out = np.zeros((5003, 2), dtype=np.float32)[:, 1]  # a strided out: copied into
        got = getattr(approx, op)(x, y, variant, out=out)
    assert got is out and np.array_equal(out, expect, equal_nan=True)


@pytest.fixture(scope="module")
def bench():
    """benchmarks/bench_approx.py as a module (its streaming kernels and throughput)."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_approx.py"
    spec = importlib.util.spec_from_file_location("bench_approx", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_benchmark_streaming_kernels_match(bench, dtype) -> None:
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(4101) * 100).astype(dtype)
    y = (rng.standard_normal(4101) * 100).astype(dtype)
    for code, (op, v) in enumerate([("mul", "mitchell"), ("div", "minimax")]):
        expect = getattr(approx, op)(x[3:], y[3:], v, safe=False)
        out = np.empty(4098 + 1, dtype=dtype)[1:]  # unaligned output
        bench.stream(x[3:], y[3:], out, approx.constant(op, v, dtype), code)
        assert np.array_equal(out, expect)
    bench.stream(x[3:], y[3:], out, 0, 2)
    assert np.array_equal(out, x[3:] * y[3:])
    bench.stream(x[3:], y[3:], out, 0, 3)
    assert np.array_equal(out, x[3:])
    rows = bench.throughput(20000, 1, dtype)
    assert len(rows) == 10 and all(r.n == 20000 and r.gb_s > 0 for r in rows)


def test_variant_and_argument_errors() -> None:
    with pytest.raises(ValueError, match="unknown variant"):
        approx.mul(1.0, 2.0, "fast")
    with pytest.raises(ValueError, match="far from"):
        approx.mul(1.0, 2.0, 5)
    assert float(approx.mul(F32(1.5), F32(1.5), 0x3F78C092)) == float(
        approx.mul(F32(1.5), F32(1.5), "unbiased"))
    with pytest.raises(ValueError):
        approx.error_profile(op="sqrt")
    with pytest.raises(ValueError):
        approx.constant("mul", "table")


# --- dot, matmul, cosine top-k, fast log2 in kernels --------------------------------------------


def test_dot_and_matmul() -> None:
    rng = np.random.default_rng(4)
    a = rng.standard_normal((7, 5)).astype(F32)
    b = rng.standard_normal((5, 3)).astype(F32)
    a[0, 0] = 0
    for v in approx.VARIANTS:
        got = approx.matmul(a, b, v)
        expect = np.array([[np.sum(approx.mul(a[i], b[:, j], v).astype(np.float64))
                            for j in range(3)] for i in range(7)])
        assert np.allclose(got, expect, rtol=1e-6, atol=1e-6)
        assert got.dtype == F32
    assert approx.dot(a[1], b[:, 0]) == pytest.approx(float(approx.matmul(a, b)[1, 0]), rel=1e-6)
    assert approx.dot([1.5, 3.0], [1.5, 6.0]) == 18.0
    with pytest.raises(ValueError):
        approx.matmul(a, a)
    with pytest.raises(ValueError):
        approx.dot(a[0], b[0])


def clustered(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(2, n // 50), d))
    return (centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal((n, d))
            ).astype(F32)


def exact_topk(q: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    s = qn.astype(np.float64) @ xn.astype(np.float64).T
    return np.argsort(-s, axis=1, kind="stable")[:, :k]


def test_cosine_topk_recall_and_scores() -> None:
    x = clustered(3000, 32, 5)
    q = clustered(40, 32, 6)
    truth = exact_topk(q, x, 10)
    idx, scores = approx.cosine_topk(q, x, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(idx, truth)])
    assert recall >= 0.99
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    exact = np.einsum("qd,qkd->qk", qn.astype(np.float64), xn[idx].astype(np.float64))
    assert np.allclose(scores, exact, atol=1e-6)
    assert np.all(np.diff(scores, axis=1) <= 0)
    no_rerank, _ = approx.cosine_topk(q, x, 10, candidates=10)
    assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(no_rerank, truth)]) < 1
    for v in ("corrected", "table"):
        assert approx.cosine_topk(q[:3], x, 5, variant=v)[0].shape == (3, 5)


def test_cosine_topk_edges() -> None:
    x = np.array([[1, 0], [0, 1], [1, 0], [0, 0], [-1, 0]], dtype=F32)
    idx, s = approx.cosine_topk(np.array([2, 0], dtype=F32), x, 3)
    assert idx.tolist() == [0, 2, 1] or idx.tolist() == [0, 2, 3]  # ties: lower index first
    assert idx[:2].tolist() == [0, 2] and s[:2].tolist() == [1.0, 1.0]
    idx, _ = approx.cosine_topk(x[:1], x, 10)
    assert idx.shape == (1, 5)  # k is cut to n
    with pytest.raises(ValueError):
        approx.cosine_topk(x, x, 3, candidates=2)
    with pytest.raises(ValueError):
        approx.cosine_topk(x, np.ones((3, 4)), 1)


@njit(cache=True)
def entropy_bits(p, fast):
    h = 0.0
    for v in p:
        h -= v * (approx.fast_log2(v) if fast else math.log2(v))
    return h


@njit(cache=True)
def exps(y):
    out = np.empty_like(y)
    for i in range(y.size):
        out[i] = approx.fast_exp2(y[i])
    return out


def test_fast_log2_and_exp2_inside_numba() -> None:
    counts = 1.0 / np.arange(1, 100001)
    p = counts / counts.sum()
    exact = entropy_bits(p, False)
    assert abs(entropy_bits(p, True) - exact) < approx.BOUNDS[("log2", "table")][1]

    y = np.linspace(-20, 20, 1001)
    rel = exps(y) / np.exp2(y) - 1
    lo, hi = approx.BOUNDS[("exp2", "table")]
    assert lo - 1e-9 <= rel.min() and rel.max() <= hi + 1e-9


def test_fast_log2_compiles_in_a_user_kernel_of_a_fresh_process() -> None:
    """A user's own @njit function that calls fast_log2 / fast_exp2 first, in a new process
    (it once failed there with NameError: name 'bits' is not defined)."""
    code = ("import numba, nlpzero.approx as a\n"
            "f = numba.njit(lambda x: a.fast_log2(x) + a.fast_exp2(x))\n"
            "print(f(8.0))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    value = float(out.stdout)
    assert abs(value - (3.0 + 256.0)) <= 256.0 * approx.BOUNDS[("exp2", "table")][1] + 0.02


# --- explanation and the command line ------------------------------------------------------


def test_explain_shows_every_step() -> None:
    text = approx.explain("mul", "1.5", "1.5")
    for needle in ("0x3FC00000", "0x3F800000", "0x40000000", "2^0 × (1 + 0.5)",
                   "result: 2.0", "exact: 2.25", "-11.111111%"):
        assert needle in text, needle
    text = approx.explain("div", 1, 1.5)
    assert "0x3F400000" in text and "+12.500000%" in text and "difference of the logs" in text
    text = approx.explain("mul", "-3", "6", "corrected")
    assert "sign bit 1 XOR 0 = 1" in text and "result: -18.0" in text and "-16.0 -> -18.0" in text
    assert "subnormal" in approx.explain("mul", "1e-40", "1e10", "table")
    assert "IEEE" in approx.explain("mul", 0, 5) and "result: 0.0" in approx.explain("mul", 0, 5)
    assert "0x3FF8000000000000" in approx.explain("mul", 1.5, 1.5, dtype=np.float64)
    assert "meaningless" in approx.explain("mul", 0, 3, safe=False)


def test_cli_mul_and_div_explain(cli) -> None:
    result = cli.invoke("approx", "mul", "12.3", "4.56")
    assert result.exit_code == 0, result.stderr
    assert "0x4144CCCD + 0x4091EB85 - 0x3F800000 = 0x4256B852" in result.stdout
    assert "relative error: -4.29" in result.stdout
    result = cli.invoke("approx", "div", "1", "-1.5", "--variant", "corrected")
    assert result.exit_code == 0, result.stderr
    assert "variant corrected" in result.stdout and "result: -0.6" in result.stdout
    result = cli.invoke("approx", "mul", "-3", "6", "-v", "minimax", "--dtype", "float64")
    assert result.exit_code == 0 and "float64" in result.stdout


def test_cli_pairs_from_stdin(cli, tmp_path) -> None:
    result = cli.invoke("approx", "mul", input="1.5 1.5\n\n-3\t6\n1e-30 1e-30\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "2.0\n\n-16.0\n0.0\n"
    result = cli.invoke("approx", "div", "--tsv", input="1 1.5\r\n")
    assert result.stdout.split("\t")[:3] == ["1.0", "1.5", "0.75"]
    assert float(result.stdout.split("\t")[4]) == pytest.approx(0.125)
    result = cli.invoke("approx", "mul", "--raw", input="0 3\n")
    assert float(result.stdout) == pytest.approx(1.7632415e-38)
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("2 3\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    assert cli.invoke("approx", "mul", pairs, "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == "6.0\n"


def test_cli_errors(cli) -> None:
    cli.assert_runtime_error(cli.invoke("approx", "mul", input="1 2\n3 x\n"),
                             "<stdin>:2: expected two numbers")
    cli.assert_runtime_error(cli.invoke("approx", "mul", input="1 2 3\n"), "<stdin>:1:")
    cli.assert_usage_error(cli.invoke("approx", "mul", "3"), "give both X and Y")
    cli.assert_usage_error(cli.invoke("approx", "mul", "3", "abc"), "not a number: 'abc'")
    cli.assert_usage_error(cli.invoke("approx", "mul", "1", "2", "--variant", "fast"), "fast")
    cli.assert_usage_error(cli.invoke("approx", "errors", "--grid", "0"), "--grid")
    cli.assert_usage_error(cli.invoke("approx", "errors", "--grid", "nan"), "--grid")
    cli.assert_usage_error(cli.invoke("approx", "errors", "--grid", str(1 << 40)), "--grid")
    cli.assert_usage_error(cli.invoke("approx", "bench"), "bench")  # now benchmarks/


def test_cli_error_table(cli) -> None:
    result = cli.invoke("approx", "errors", "--op", "mul", "--op", "div", "--grid", "256", "-q")
    assert result.exit_code == 0, result.stderr
    lines = [ln.split("\t") for ln in result.stdout.splitlines()]
    assert lines[0][:5] == ["op", "variant", "max_error", "mean_error", "bias"]
    assert len(lines) == 11
    rows = {(r[0], r[1]): r for r in lines[1:]}
    assert float(rows[("mul", "mitchell")][2]) == pytest.approx(1 / 9, abs=1e-6)
    assert rows[("mul", "mitchell")][7:9] == ["1.5", "1.5"]
    assert float(rows[("div", "mitchell")][2]) == pytest.approx(1 / 8, abs=1e-6)


def test_pair_lines_chunks_and_errors() -> None:
    lines = ["1.5 1.5", "", "-3\t6", "1e-30 1e-30", "7 3"]
    whole = "".join(pair_lines(lines, "mul"))
    assert whole == "2.0\n\n-16.0\n0.0\n20.0\n"
    chunks = list(pair_lines(lines, "mul", chunk=2))
    assert len(chunks) == 3 and "".join(chunks) == whole
    tsv = "".join(pair_lines(["1 1.5"], "div", "corrected", np.float64, tsv=True))
    x, y, r, exact, err = tsv.rstrip("\n").split("\t")
    assert (x, y, exact) == ("1.0", "1.5", repr(1 / 1.5))
    assert float(err) == pytest.approx(float(r) * 1.5 - 1, abs=1e-6)
    with pytest.raises(InputError, match="pairs.txt:2: expected two numbers, got '3 x'"):
        list(pair_lines(["1 2", " 3 x "], "mul", name="pairs.txt"))
    with pytest.raises(ValueError):
        next(pair_lines(["1 2"], "log2"))


def test_error_tsv_columns() -> None:
    profiles = approx.error_table(["mul", "log2"], ["mitchell"], grid=64)
    rows = [ln.split("\t") for ln in error_tsv(profiles).splitlines()]
    assert rows[0] == ["op", "variant", "max_error", "mean_error", "bias", "min", "max",
                       "worst_x", "worst_y", "unit"]
    assert rows[1][:2] == ["mul", "mitchell"] and rows[1][7:] == ["1.5", "1.5", "relative"]
    assert rows[2][:2] == ["log2", "mitchell"] and rows[2][8:] == ["", "bits"]


def test_import_stays_light() -> None:
    code = ("import sys, nlpzero, nlpzero.approx as a; assert callable(a.__getattr__); "
            "print(sorted({'numba', 'numpy'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
    assert sorted(approx.__all__) == sorted(approx._EXPORTS)
    assert approx.cosine_topk.__module__ == "nlpzero.approx.topk"
    with pytest.raises(AttributeError):
        approx.STREAM_BYTES  # noqa: B018 - streaming stores live in benchmarks/ now
