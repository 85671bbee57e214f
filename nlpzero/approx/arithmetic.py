"""Mitchell's approximate arithmetic: multiplication by adding logarithms, on IEEE bits.

J. N. Mitchell (1962): for x = 2^e (1 + a) with 0 <= a < 1, log2 x ~ e + a, and the same
chord takes the logarithm back: 2^(e + a) ~ 2^e (1 + a). On IEEE-754 floats the pattern
read as an integer *is* 2^P (e + a + bias), so a product is one integer addition::

    bits(x * y) ~ bits(x) + bits(y) - C        bits(x / y) ~ bits(x) - bits(y) + C

with C = bits(1.0) = 0x3F800000 (float32) or 0x3FF0000000000000 (float64). Proven bounds
(tested exhaustively): the product's relative error lies in [-1/9, 0], attained at
1.5 x 1.5 -> 2; the quotient's in [0, +1/8], attained at 1 / 1.5 -> 0.75.

Variants (``variant=``), with errors over all mantissa pairs, see :data:`BOUNDS`:

- ``"mitchell"``: C = bits(1.0).
- ``"unbiased"``: C = 0x3F78C092 (mul) / 0x3F78939D (div): zero mean error over uniform
  mantissas; max |error| 7.7 % / 8.2 %.
- ``"minimax"``: C = 0x3F772FAD (mul, the root of (1-d)(3-d)^2 = 8) / 0x3F766C5A (div):
  the smallest max |error|, 6.89 % / 6.96 %.
- ``"corrected"``: one correction step; the term Mitchell drops (2^(e1+e2) a b, or
  2^(e1+e2) (1-a)(1-b) after a carry) is added back as a second Mitchell product.
  Max |error| 1/121 (mul), 1.6 % (div).
- ``"table"``: both logarithms and the antilogarithm corrected by 16-entry tables on the
  four leading fraction bits; about +-2 %.

Float64 constants carry the same offset d = (bits(1.0) - C) / 2^23, scaled to 2^52.

Guards: with ``safe=True`` (the default) zeros, infinities and NaN give what IEEE
arithmetic gives, subnormal operands are normalised first, exponent overflow gives a
signed inf and underflow a subnormal (one IEEE rounding) or a signed 0. With
``safe=False`` the raw bit trick runs unguarded: those inputs give meaningless numbers.
Signs are always right: the sign bit is sign(x) XOR sign(y).

On a CPU this is not a speed-up: an exact float multiply is as fast (both are bound by
memory bandwidth on large arrays), BLAS beats any Mitchell dot-product loop, and the
guarded functions at best match numpy. What is worth having inside Numba loops is
Mitchell's *logarithm* (:func:`fast_log2`), several times faster than ``math.log2``.

Contiguous arrays of one shape run through 1-D kernels; broadcasting, strided views and
mixed shapes through lazy Numba ufuncs (slower, same results).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .._linalg import unit_rows
from . import _kernels as K

VARIANTS = ("mitchell", "unbiased", "minimax", "corrected", "table")
OPS = ("mul", "div", "log2", "exp2")

#: float32 constants C of the one-addition variants (float64: same offset, scaled).
CONSTANTS = {
    "mul": {"mitchell": 0x3F800000, "unbiased": 0x3F78C092, "minimax": 0x3F772FAD},
    "div": {"mitchell": 0x3F800000, "unbiased": 0x3F78939D, "minimax": 0x3F766C5A},
}
#: Offsets added to Mitchell's log2 (in bits): 1.5 - 1/ln 2 zeroes the mean error over
#: uniform mantissas, half the chord's maximum gap 0.0861 equalises the error.
LOG2_OFFSETS = {"mitchell": 0.0, "unbiased": 1.5 - 1 / math.log(2),
                "minimax": (1 - 1 / math.log(2) - math.log2(math.log(2))) / 2}
#: Offsets subtracted from y before Mitchell's 2^y (found numerically: zero mean / equal
#: over- and undershoot of the relative error over uniform fractions).
EXP2_OFFSETS = {"mitchell": 0.0, "unbiased": 0.05753274588982087,
                "minimax": 0.043677467485337185}

#: Documented error ranges (lo, hi): relative errors approx/exact - 1 for mul, div and exp2,
#: absolute errors in bits for log2. The exact fractions are proven by the exhaustive tests;
#: the others are the sweep's extremes rounded outwards (see :func:`error_profile`).
BOUNDS: dict[tuple[str, str], tuple[float, float]] = {
    ("mul", "mitchell"): (-1 / 9, 0.0),
    ("mul", "unbiased"): (-0.0766, 0.0567),
    ("mul", "minimax"): (-0.0689, 0.0689),
    ("mul", "corrected"): (-1 / 121, 2.0**-24),  # above 0 only by the final rounding
    ("mul", "table"): (-0.0192, 0.0206),
    ("div", "mitchell"): (0.0, 1 / 8),
    ("div", "unbiased"): (-0.0549, 0.0820),
    ("div", "minimax"): (-0.0697, 0.0697),
    ("div", "corrected"): (-1 / 64, 0.0070),
    ("div", "table"): (-0.0210, 0.0234),
    ("log2", "mitchell"): (-0.0861, 0.0),
    ("log2", "unbiased"): (-0.0288, 0.0574),
    ("log2", "minimax"): (-0.0431, 0.0431),
    ("log2", "corrected"): (-0.00764, 0.00764),
    ("log2", "table"): (-0.0125, 0.0125),
    ("exp2", "mitchell"): (0.0, 0.0615),
    ("exp2", "unbiased"): (-0.0391, 0.0200),
    ("exp2", "minimax"): (-0.0299, 0.0299),
    ("exp2", "corrected"): (-0.00268, 0.00268),
    ("exp2", "table"): (-0.0077, 0.0090),
}

#: mul/div with ``safe=False`` and a constant variant stream their output with
#: non-temporal stores once it is at least this large (it would not fit in the caches).
STREAM_BYTES = 1 << 25

_ONE = {np.dtype(np.float32): K.ONE32, np.dtype(np.float64): K.ONE64}
_P = {np.dtype(np.float32): 23, np.dtype(np.float64): 52}
_KIND = {"corrected": 1, "table": 2}

# --- variants and constants --------------------------------------------------------------------


def _check_variant(variant: str | int, op: str) -> None:
    if isinstance(variant, (int, np.integer)) and not isinstance(variant, bool):
        if op not in ("mul", "div"):
            raise ValueError(f"{op}: an integer constant is only meaningful for mul and div")
        if not 0x3F000000 <= int(variant) <= 0x40000000:
            raise ValueError(f"constant {int(variant):#x} is far from bits(1.0) = 0x3F800000")
        return
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")


def constant(op: str, variant: str | int = "mitchell", dtype: Any = np.float32) -> int:
    """The integer constant C of a one-addition variant of *op* (mul, div) in *dtype*.

    A float32 constant C becomes bits64(1.0) - (bits32(1.0) - C) * 2^29 in float64 (the
    same offset in the log domain). An int *variant* is a float32 constant of your own.
    """
    if op not in CONSTANTS:
        raise ValueError(f"constant: op must be mul or div, not {op!r}")
    _check_variant(variant, op)
    dt = _float_dtype(dtype)
    c32 = int(variant) if not isinstance(variant, str) else CONSTANTS[op].get(variant)
    if c32 is None:
        raise ValueError(f"variant {variant!r} of {op} has no single constant")
    return c32 if dt == np.float32 else K.ONE64 - ((K.ONE32 - c32) << 29)


def _float_dtype(dtype: Any) -> np.dtype:
    """*dtype* as a numpy dtype, which must be float32 or float64."""
    dt = np.dtype(dtype)
    if dt not in _ONE:
        raise ValueError(f"dtype must be float32 or float64, not {dt}")
    return dt


def _float_args(*args: Any) -> tuple[np.dtype, list[np.ndarray]]:
    """Common float dtype (float32 only if every array is float32; Python scalars adapt)."""
    args = tuple(a if isinstance(a, (np.ndarray, np.generic, float, int)) else np.asarray(a)
                 for a in args)
    dt = np.result_type(*args)
    if dt not in _ONE:
        dt = np.dtype(np.float32) if dt == np.float16 else np.dtype(np.float64)
    return dt, [np.asarray(a, dtype=dt) for a in args]


def _contiguous(x: np.ndarray, y: np.ndarray, out: np.ndarray | None) -> bool:
    """Can the 1-D kernels run (no broadcasting, no strides)?"""
    return (x.shape == y.shape and x.flags.c_contiguous and y.flags.c_contiguous
            and (out is None or (isinstance(out, np.ndarray) and out.shape == x.shape
                                 and out.dtype == x.dtype and out.flags.c_contiguous
                                 and out.flags.writeable)))


def _binary(op: str, x: Any, y: Any, variant: str | int, safe: bool,
            out: np.ndarray | None) -> Any:
    """Contiguous arrays: the 1-D kernels (streaming stores for large raw outputs); anything
    else (broadcasting, strides, scalars): the ufuncs. Both give identical results."""
    _check_variant(variant, op)
    dt, (xa, ya) = _float_args(x, y)
    is_div = op == "div"
    kind = _KIND.get(variant, 0) if isinstance(variant, str) else 0
    c = constant(op, variant, dt) if kind == 0 else 0
    if _contiguous(xa, ya, out):
        o = np.empty_like(xa) if out is None else out
        if not safe and kind == 0 and xa.nbytes >= STREAM_BYTES:
            K.stream(xa.reshape(-1), ya.reshape(-1), o.reshape(-1), c, 1 if is_div else 0)
        else:
            K.apply_binary(xa.reshape(-1), ya.reshape(-1), o.reshape(-1), is_div, kind, c, safe)
        return o[()] if out is None and o.ndim == 0 else o
    suffix = "" if safe else "_raw"
    if kind:
        f = getattr(K, f"{op}_{variant}{suffix}")
        return f(xa, ya, out=out) if out is not None else f(xa, ya)
    f = getattr(K, f"{op}_const{suffix}")
    return f(xa, ya, c, out=out) if out is not None else f(xa, ya, c)


def _unary(op: str, x: Any, variant: str, safe: bool, out: np.ndarray | None) -> Any:
    dt, (xa,) = _float_args(x)
    kind = _KIND.get(variant, 0)
    delta = LOG2_OFFSETS.get(variant, 0.0)
    c = int(round(EXP2_OFFSETS.get(variant, 0.0) * 2.0 ** _P[dt]))
    if _contiguous(xa, xa, out):
        o = np.empty_like(xa) if out is None else out
        K.apply_unary(xa.reshape(-1), o.reshape(-1), op == "log2", kind, c, delta, safe)
        return o[()] if out is None and o.ndim == 0 else o
    suffix = "" if safe else "_raw"
    if kind:
        f = getattr(K, f"{op}_{variant}{suffix}")
        args: tuple = (xa,)
    else:
        f = getattr(K, f"{op}_const{suffix}")
        args = (xa, delta if op == "log2" else c)
    return f(*args, out=out) if out is not None else f(*args)


def mul(x: Any, y: Any, variant: str | int = "mitchell", *, safe: bool = True,
        out: np.ndarray | None = None) -> Any:
    """Mitchell's product: bits(x) + bits(y) - C read back as a float (elementwise).

    float32 in, float32 out; anything else is computed in float64. *variant*: one of
    :data:`VARIANTS` or an int float32 constant C. ``safe=False`` runs the raw trick with NO
    GUARDS: zeros, subnormals, inf, NaN and exponent over/underflow give meaningless
    results (raw ``0 * 3`` is 1.8e-38, raw ``1e-30 * 1e-30`` is -1.1e17).
    """
    return _binary("mul", x, y, variant, safe, out)


def div(x: Any, y: Any, variant: str | int = "mitchell", *, safe: bool = True,
        out: np.ndarray | None = None) -> Any:
    """Mitchell's quotient: bits(x) - bits(y) + C read back as a float (elementwise).

    Error in [0, +1/8] for ``"mitchell"``. ``safe=True``: x/0 is a signed inf, 0/0 NaN, and
    so on as in IEEE division. ``safe=False`` runs the raw trick with NO GUARDS (see
    :func:`mul`).
    """
    return _binary("div", x, y, variant, safe, out)


def log2(x: Any, variant: str = "mitchell", *, safe: bool = True,
         out: np.ndarray | None = None) -> Any:
    """Mitchell's logarithm log2 x ~ e + a for x = 2^e (1 + a): bits(x) / 2^P - bias.

    Error (bits): [-0.0861, 0] for ``"mitchell"`` (exact at powers of two); ``"corrected"``
    adds 0.3466 a (1 - a); ``"table"`` a 16-entry table. ``safe=True``: log2(0) = -inf,
    log2(x < 0) = NaN, log2(inf) = inf, subnormals normalised. ``safe=False``: NO GUARDS,
    x must be positive and normal.
    """
    _check_variant(variant, "log2")
    return _unary("log2", x, variant, safe, out)


def exp2(y: Any, variant: str = "mitchell", *, safe: bool = True,
         out: np.ndarray | None = None) -> Any:
    """Mitchell's antilogarithm 2^y ~ 2^k (1 + f) for y = k + f, 0 <= f < 1.

    Relative error [0, +6.15 %] for ``"mitchell"`` (exact at integers); ``"corrected"``
    subtracts 0.3398 f (1 - f), ``"table"`` a 16-entry table. ``safe=True``: overflow gives
    inf, underflow subnormals then 0, NaN stays NaN. ``safe=False``: NO GUARDS, 2^y must be
    a normal float.
    """
    _check_variant(variant, "exp2")
    return _unary("exp2", y, variant, safe, out)


#: Mitchell log2 with the 16-entry table (|error| <= 0.0125 bits) as a Numba function for
#: other kernels: ``fast_log2(x)`` for a positive normal float32/float64 x (NO GUARDS),
#: returns float64. In an index loop (``for i in range(n)``, which vectorises) it is about
#: 5x faster than ``math.log2``.
fast_log2 = K.fast_log2
#: Mitchell 2^y with the 16-entry table (relative error -0.77 % to +0.9 %) for Numba kernels;
#: *y* float64 with 2^y a normal float64 (NO GUARDS).
fast_exp2 = K.fast_exp2

# --- dot products and top-k ---------------------------------------------------------------------


def _kind_and_constant(variant: str | int, dt: np.dtype) -> tuple[int, int]:
    _check_variant(variant, "mul")
    if isinstance(variant, str) and variant in _KIND:
        return _KIND[variant], 0
    return 0, constant("mul", variant, dt)


def matmul(a: Any, b: Any, variant: str | int = "mitchell", *, safe: bool = True) -> np.ndarray:
    """A @ B with every product Mitchell's, summed in float64 and rounded once.

    Shapes (m, k) @ (k, n) -> (m, n). ``safe=False`` uses raw products (NO GUARDS).
    """
    dt, (aa, ba) = _float_args(a, b)
    if aa.ndim != 2 or ba.ndim != 2 or aa.shape[1] != ba.shape[0]:
        raise ValueError(f"matmul needs (m, k) and (k, n) arrays, got {aa.shape} and {ba.shape}")
    kind, c = _kind_and_constant(variant, dt)
    return K.matmul_rows(np.ascontiguousarray(aa), np.ascontiguousarray(ba.T), kind, c,
                         safe, False)


def dot(x: Any, y: Any, variant: str | int = "mitchell", *, safe: bool = True) -> float:
    """sum_i M(x_i, y_i): Mitchell products summed in float64 (1-D inputs)."""
    dt, (xa, ya) = _float_args(x, y)
    if xa.ndim != 1 or xa.shape != ya.shape:
        raise ValueError(f"dot needs two 1-D arrays of one length, got {xa.shape}, {ya.shape}")
    return float(matmul(xa[None, :], ya[:, None], variant, safe=safe)[0, 0])


def sanitize(x: Any, floor: float = 2.0**-60) -> np.ndarray:
    """A copy of *x* with every |x_i| < floor replaced by +-floor (0 becomes +floor).

    For values of at most 1 in magnitude (normalised vectors) it makes raw Mitchell
    products safe: every product stays in [2^-120, 1], a normal float32 or float64.
    """
    dt, (xa,) = _float_args(x)
    return np.where(np.abs(xa) < floor, np.copysign(dt.type(floor), xa), xa).astype(dt)


def cosine_topk(queries: Any, base: Any, k: int = 10, *, candidates: int | None = None,
                variant: str | int = "mitchell") -> tuple[np.ndarray, np.ndarray]:
    """The *k* rows of *base* most cosine-similar to each query: (indices, cosines).

    Ranking: every base row is scored with Mitchell products (raw, on normalised and
    :func:`sanitize`-d copies, summed in float32); the *candidates* best (default
    max(3 k, k + 20)) are re-ranked by their exact float64 cosine. Best first, ties to the
    lower index. 1-D *queries* give 1-D results. An exact BLAS product is faster on
    CPUs; this is for emulating multiplier-free hardware and for teaching.
    """
    dt, (q, x) = _float_args(queries, base)
    single = q.ndim == 1
    q = np.atleast_2d(q)
    if x.ndim != 2 or q.ndim != 2 or q.shape[1] != x.shape[1]:
        raise ValueError(f"queries (m, d) and base (n, d) must share d, got {q.shape}, {x.shape}")
    if k < 1:
        raise ValueError("k must be at least 1")
    if candidates is None:
        candidates = max(3 * k, k + 20)
    if candidates < k:
        raise ValueError(f"candidates ({candidates}) must be at least k ({k})")
    kind, c = _kind_and_constant(variant, dt)
    qs = np.ascontiguousarray(sanitize(unit_rows(q)))
    xs = np.ascontiguousarray(sanitize(unit_rows(x)))
    if x.shape[0] == 0:
        empty = np.empty((q.shape[0], 0))
        return (empty.astype(np.int64)[0], empty[0]) if single else (empty.astype(np.int64),
                                                                     empty)
    idx, scores = K.topk_rerank(qs, xs, k, candidates, kind, c)
    return (idx[0], scores[0]) if single else (idx, scores)


# --- error profiles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorProfile:
    """Errors of one variant of one op over an exhaustive grid.

    mul/div/exp2: relative errors approx/exact - 1; log2: absolute errors in bits.
    ``worst`` is the input (x, y) or (x,) where |error| is largest (the first in grid
    order); ``lowest`` / ``highest`` where the signed extremes lie.
    """

    op: str
    variant: str
    dtype: str
    n: int
    min: float
    max: float
    bias: float
    mean_abs: float
    rms: float
    lowest: tuple[float, ...]
    highest: tuple[float, ...]

    @property
    def max_error(self) -> float:
        return max(-self.min, self.max)

    @property
    def worst(self) -> tuple[float, ...]:
        return self.lowest if -self.min >= self.max else self.highest

    @property
    def unit(self) -> str:
        return "bits" if self.op == "log2" else "relative"


def error_profile(variant: str | int = "mitchell", op: str = "mul", *, grid: int = 4096,
                  dtype: Any = np.float32) -> ErrorProfile:
    """Sweep *op*'s *variant* over a grid and report min / max / bias / MAE / RMS.

    mul, div: all grid^2 pairs of mantissas 1 + i/grid, 1 + j/grid (exact floats; the
    exponents do not change relative errors). log2: min(grid^2, 2^P) mantissas; exp2: as
    many fractions i/n in [0, 1). The errors are measured against float64 references.
    """
    if op not in OPS:
        raise ValueError(f"unknown op {op!r}; choose from {', '.join(OPS)}")
    _check_variant(variant, op)
    dt = _float_dtype(dtype)
    if not 1 <= grid <= 1 << 23:
        raise ValueError("grid must be between 1 and 2^23")
    like = dt.type(1)
    name = variant if isinstance(variant, str) else f"{int(variant):#x}"
    if op in ("mul", "div"):
        if isinstance(variant, str) and variant in _KIND:
            kind, c = _KIND[variant], 0
        else:
            kind, c = 0, constant(op, variant, dt)
        lo, hi, s, sa, sq, ilo, jlo, ihi, jhi = K.profile_binary(grid, op == "div", kind, c,
                                                                  like)
        n = grid * grid
        lowest = (1 + ilo / grid, 1 + jlo / grid)
        highest = (1 + ihi / grid, 1 + jhi / grid)
    else:
        n = min(grid * grid, 1 << 23)
        kind = _KIND.get(variant, 0)
        delta = LOG2_OFFSETS.get(variant, 0.0)
        c = int(round(EXP2_OFFSETS.get(variant, 0.0) * 2.0 ** _P[dt]))
        lo, hi, s, sa, sq, ilo, ihi = K.profile_unary(n, op == "log2", kind, c, delta, like)
        base = 1.0 if op == "log2" else 0.0
        lowest = (base + ilo / n,)
        highest = (base + ihi / n,)
    return ErrorProfile(op, name, dt.name, n, float(lo), float(hi), s / n, sa / n,
                        math.sqrt(sq / n), lowest, highest)


def error_table(ops: Sequence[str] = OPS, variants: Sequence[str] = VARIANTS, *,
                grid: int = 4096, dtype: Any = np.float32) -> list[ErrorProfile]:
    """:func:`error_profile` for every op and variant."""
    return [error_profile(v, op, grid=grid, dtype=dtype) for op in ops for v in variants]


# --- step-by-step explanation ---------------------------------------------------------------------


def _fmt(v: Any, dt: np.dtype) -> str:
    """Shortest repr that reads back to the same float of *dt*."""
    return str(dt.type(v)) if dt == np.float32 else repr(float(v))


def explain(op: str, x: Any, y: Any, variant: str | int = "mitchell",
            dtype: Any = np.float32, *, safe: bool = True) -> str:
    """Mitchell's product (op="mul") or quotient (op="div") of x and y, step by step:
    the exponent / mantissa split, the logarithms, the integer sum of the bit patterns,
    the result (of the guarded function, or with ``safe=False`` of the raw trick), the
    exact value and the relative error. *x*, *y*: numbers or decimal strings (rounded
    once to *dtype*)."""
    if op not in ("mul", "div"):
        raise ValueError("explain: op must be mul or div")
    _check_variant(variant, op)
    dt = _float_dtype(dtype)
    P = _P[dt]
    ebits = 11 if P == 52 else 8
    bias = (1 << (ebits - 1)) - 1
    width = P + ebits + 1
    hexw = width // 4
    one = _ONE[dt]
    itype = np.uint64 if P == 52 else np.uint32
    is_div = op == "div"
    sym, pm, mp = ("/", "-", "+") if is_div else ("×", "+", "-")
    with np.errstate(all="ignore"):
        xv, yv = dt.type(x), dt.type(y)
    bx, by = (int(np.array(v).view(itype)) for v in (xv, yv))
    fn = div if is_div else mul
    with np.errstate(all="ignore"):
        result = fn(np.array([xv]), np.array([yv]), variant, safe=safe)[0]
        plain = fn(np.array([xv]), np.array([yv]), "mitchell", safe=safe)[0]
    name = variant if isinstance(variant, str) else f"constant {int(variant):#x}"
    lines = [f"Mitchell {'quotient' if is_div else 'product'} x {sym} y in {dt.name}, "
             f"variant {name}"]

    def operand(label: str, v: Any, b: int, given: Any) -> tuple[int, int] | None:
        """Print the split; return (exponent, fraction bits) of a finite nonzero value."""
        s, e, f = b >> (width - 1), (b >> P) & ((1 << ebits) - 1), b & ((1 << P) - 1)
        text = _fmt(v, dt)
        with contextlib.suppress(ValueError, TypeError):
            if np.isfinite(v) and Fraction(float(v)) != Fraction(str(given).strip()):
                text += f" (in {dt.name} exactly {float(v)!r})"
        lines.append(f"  {label} = {text}: bits 0x{b:0{hexw}X} = sign {s} | exponent "
                     f"{e} | fraction 0x{f:0{(P + 3) // 4}X}")
        if not np.isfinite(v) or v == 0:
            return None
        if e == 0:  # subnormal: 0.f 2^(1-bias), normalised at its leading one
            j = f.bit_length() - 1
            e, f = j + 1 - bias - P + bias, (f - (1 << j)) << (P - j)
            lines.append("      subnormal: normalised at its leading 1 bit")
        a = Fraction(f, 1 << P)
        lines.append(f"      = {'-' if s else '+'}2^{e - bias} × (1 + {float(a):.10g}), "
                     f"Mitchell log2 |{label}| ~ {e - bias} + {float(a):.10g} = "
                     f"{float(e - bias + a):.10g} (true {math.log2(abs(float(v))):.10g})")
        return e - bias, f

    px = operand("x", xv, bx, x)
    py = operand("y", yv, by, y)
    sign = (bx ^ by) >> (width - 1)
    if px is None or py is None:
        lines.append("  a zero, infinite or NaN operand: the bit trick does not apply; " + (
            f"the guarded result is IEEE's x {sym} y" if safe else
            "the raw result below is meaningless"))
    else:
        (ex, fx), (ey, fy) = px, py
        mx, my = ((ex + bias) << P) + fx, ((ey + bias) << P) + fy
        c = one if isinstance(variant, str) and variant in _KIND else constant(op, variant, dt)
        offset = Fraction(one - c, 1 << P)  # the log sum gains it; a difference loses it
        if is_div:
            total = Fraction(mx - my, 1 << P) - offset
        else:
            total = Fraction(mx + my - one, 1 << P) - bias + offset
        k = math.floor(total)
        shift = f" {'-' if is_div else '+'} {float(offset):.10g} (the constant's offset)" \
            if offset else ""
        lines.append(f"  {'difference' if is_div else 'sum'} of the logs{shift} = "
                     f"{float(total):.10g} = {k} + {float(total - k):.10g}")
        lines.append(f"  antilog 2^{k} × (1 + {float(total - k):.10g}) (Mitchell's 2^f ~ 1 + f)")
        r = (mx - my + c) if is_div else (mx + my - c)
        def hx(v: int) -> str:
            return f"{'-' if v < 0 else ''}0x{abs(v):0{hexw}X}"

        lines.append(f"  as integers (magnitudes): {hx(mx)} {pm} {hx(my)} {mp} {hx(c)} = {hx(r)};"
                     f" sign bit {bx >> (width - 1)} XOR {by >> (width - 1)} = {sign}")
        if variant in ("corrected", "table"):
            a, b = Fraction(fx, 1 << P), Fraction(fy, 1 << P)
            if variant == "table":
                row = 0 if P == 23 else 1
                tx = int(K.TL_BITS[row, fx >> (P - 4)])
                ty = int(K.TL_BITS[row, fy >> (P - 4)])
                s_ = (mx + tx - my - ty + one) if is_div else (mx + tx + my + ty - one)
                te = int(K.TE_BITS[row, (s_ >> (P - 4)) & 15])
                what = (f"table: the logs gain {tx / 2**P:+.6f} and {ty / 2**P:+.6f} (entries "
                        f"for the 4 leading fraction bits), the antilog's fraction "
                        f"{-te / 2**P:+.6f}")
            elif is_div:
                term = "b (a - b) / (1 + b)" if a >= b else "(b - a)(1 - b) / (2 (1 + b))"
                what = (f"correction: Mitchell overshoots by 2^{ex - ey} × {term}, "
                        "computed with Mitchell's product and quotient and subtracted")
            else:
                term = "(1 - a)(1 - b) after the carry" if a + b >= 1 else "a b"
                what = (f"correction: Mitchell drops 2^{ex + ey} × {term}, added back as a "
                        "second Mitchell product")
            lines.append(f"  {what} (a = {float(a):.8g}, b = {float(b):.8g}): "
                         f"{_fmt(plain, dt)} -> {_fmt(result, dt)}")
    lines.append(f"  result: {_fmt(result, dt)} (bits 0x"
                 f"{int(np.array(result).view(itype)):0{hexw}X})")
    finite = all(map(math.isfinite, (float(xv), float(yv), float(result))))
    if finite and xv != 0 and yv != 0:
        exact = Fraction(float(xv)) / Fraction(float(yv)) if is_div else \
            Fraction(float(xv)) * Fraction(float(yv))
        err = float(Fraction(float(result)) / exact - 1)
        lines.append(f"  exact: {float(exact)!r}")
        bound = BOUNDS.get((op, variant)) if isinstance(variant, str) else None
        note = f" (the variant's range: {bound[0]:+.4%} to {bound[1]:+.4%})" if bound else ""
        lines.append(f"  relative error: {err:+.6%}{note}")
    else:
        with np.errstate(all="ignore"):
            exact_ieee = (np.float64(xv) / np.float64(yv)) if is_div else \
                (np.float64(xv) * np.float64(yv))
        lines.append(f"  exact: {float(exact_ieee)!r}")
    return "\n".join(lines) + "\n"


# --- throughput ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    """One kernel's best time over *n* elements; GB/s counts bytes_per_element."""

    kernel: str
    n: int
    bytes_per_element: int
    seconds: float

    @property
    def gelem_s(self) -> float:
        return self.n / self.seconds / 1e9

    @property
    def gb_s(self) -> float:
        return self.n * self.bytes_per_element / self.seconds / 1e9


def throughput(n: int = 10**7, repeat: int = 5, dtype: Any = np.float32,
               seed: int = 0) -> list[Throughput]:
    """Time elementwise kernels over *n* elements (best of *repeat*, interleaved).

    Copies count 2 itemsizes per element, binary ops 3 (reads and the write; the read for
    ownership of ordinary stores is not counted). Kernels: numpy copy; a streaming copy;
    numpy multiply; an exact multiply with streaming stores; Mitchell raw with streaming
    stores (``mul(..., safe=False)`` on large arrays); the raw and guarded ufuncs; the bit
    trick written with two numpy ufuncs.
    """
    if n < 1 or repeat < 1:
        raise ValueError("n and repeat must be positive")
    dt = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    x = (rng.random(n, dtype=np.float64) * 1.5 + 0.5).astype(dt)
    y = (rng.random(n, dtype=np.float64) * 1.5 + 0.5).astype(dt)
    o = np.zeros_like(x)
    c = constant("mul", "mitchell", dt)
    it = np.int32 if dt == np.float32 else np.int64
    xi, yi, oi = x.view(it), y.view(it), o.view(it)
    size = dt.itemsize

    def numpy_trick() -> None:
        np.add(xi, yi, out=oi)
        np.subtract(oi, it(c), out=oi)

    kernels = [
        ("copy (numpy copyto)", 2, lambda: np.copyto(o, x)),
        ("copy (numba, streaming stores)", 2, lambda: K.stream(x, x, o, c, 3)),
        ("exact multiply (numpy)", 3, lambda: np.multiply(x, y, out=o)),
        ("exact multiply (numba, streaming stores)", 3, lambda: K.stream(x, y, o, c, 2)),
        ("Mitchell mul raw (numba, streaming stores)", 3, lambda: K.stream(x, y, o, c, 0)),
        ("Mitchell mul raw (numba, ordinary stores)", 3,
         lambda: K.apply_binary(x, y, o, False, 0, c, False)),
        ("Mitchell mul guarded: mul(x, y, out=o)", 3, lambda: mul(x, y, out=o)),
        ("Mitchell mul raw (numba ufunc, strided loop)", 3,
         lambda: K.mul_const_raw(x, y, c, out=o)),
        ("Mitchell mul raw (numpy, 2 int ufuncs)", 3, numpy_trick),
    ]
    for _, _, f in kernels:  # compile / load, and touch every page of o
        f()
    best = [math.inf] * len(kernels)
    for _ in range(repeat):
        for i, (_, _, f) in enumerate(kernels):
            t = time.perf_counter()
            f()
            best[i] = min(best[i], time.perf_counter() - t)
    return [Throughput(name, n, b * size, t) for (name, b, _), t in zip(kernels, best)]
