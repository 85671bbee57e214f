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
guarded functions at best match numpy (``benchmarks/bench_approx.py`` measures it). What
is worth having inside Numba loops is Mitchell's *logarithm* (:func:`fast_log2`), several
times faster than ``math.log2``.

Every elementwise function runs through :func:`nlpzero.approx._kernels.apply`: 1-D loops
specialised per operation and variant kind, each compiled on its first use (1 to 2
CPU seconds), the guarded pass only for inputs that need it; broadcast operands and strided
views are copied to contiguous arrays first.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

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

_ONE = {np.dtype(np.float32): K.ONE32, np.dtype(np.float64): K.ONE64}
_P = {np.dtype(np.float32): 23, np.dtype(np.float64): 52}
_KIND = {"corrected": K.CORRECTED, "table": K.TABLE}
_CODE = {"mul": K.MUL, "div": K.DIV, "log2": K.LOG2, "exp2": K.EXP2}

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


def _params(op: str, variant: str | int, dt: np.dtype) -> tuple[int, int, float]:
    """The kernels' (kind, c, delta) of *op*'s *variant* in *dt*: mul/div use the constant
    C of a one-addition variant, exp2 subtracts c units of 2^-P, log2 adds delta."""
    _check_variant(variant, op)
    kind = _KIND.get(variant, K.CONST) if isinstance(variant, str) else K.CONST
    if op in CONSTANTS:
        return kind, constant(op, variant, dt) if kind == K.CONST else 0, 0.0
    c = int(round(EXP2_OFFSETS.get(variant, 0.0) * 2.0 ** _P[dt]))
    return kind, c, LOG2_OFFSETS.get(variant, 0.0)


def _apply(op: str, operands: tuple, variant: str | int, safe: bool,
           out: np.ndarray | None) -> Any:
    """*op* elementwise through the 1-D loops of :func:`._kernels.apply`. Contiguous
    arrays of one shape (and a contiguous *out* of that shape and type) are used in place;
    broadcast operands and strided views are copied to contiguous arrays first (more
    memory, same results)."""
    _check_variant(variant, op)
    dt, arrays = _float_args(*operands)
    kind, c, delta = _params(op, variant, dt)
    shape = arrays[0].shape
    if all(a.shape == shape and a.flags.c_contiguous for a in arrays):
        flat = [a.reshape(-1) for a in arrays]  # (broadcast_to costs ~20 us a call)
    else:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        flat = [np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1) for a in arrays]
    x, y = flat if len(flat) == 2 else flat * 2  # the unary ops ignore y
    direct = (isinstance(out, np.ndarray) and out.shape == shape and out.dtype == dt
              and out.flags.c_contiguous and out.flags.writeable)
    o = out if direct else np.empty(shape, dtype=dt)
    K.apply(x, y, o.reshape(-1), _CODE[op], kind, c, delta, safe)
    if out is None:
        return o[()] if o.ndim == 0 else o
    if not direct:
        np.copyto(out, o, casting="same_kind")
    return out


def mul(x: Any, y: Any, variant: str | int = "mitchell", *, safe: bool = True,
        out: np.ndarray | None = None) -> Any:
    """Mitchell's product: bits(x) + bits(y) - C read back as a float (elementwise).

    float32 in, float32 out; anything else is computed in float64. *variant*: one of
    :data:`VARIANTS` or an int float32 constant C. ``safe=False`` runs the raw trick with NO
    GUARDS: zeros, subnormals, inf, NaN and exponent over/underflow give meaningless
    results (raw ``0 * 3`` is 1.8e-38, raw ``1e-30 * 1e-30`` is -1.1e17).
    """
    return _apply("mul", (x, y), variant, safe, out)


def div(x: Any, y: Any, variant: str | int = "mitchell", *, safe: bool = True,
        out: np.ndarray | None = None) -> Any:
    """Mitchell's quotient: bits(x) - bits(y) + C read back as a float (elementwise).

    Error in [0, +1/8] for ``"mitchell"``. ``safe=True``: x/0 is a signed inf, 0/0 NaN, and
    so on as in IEEE division. ``safe=False`` runs the raw trick with NO GUARDS (see
    :func:`mul`).
    """
    return _apply("div", (x, y), variant, safe, out)


def log2(x: Any, variant: str = "mitchell", *, safe: bool = True,
         out: np.ndarray | None = None) -> Any:
    """Mitchell's logarithm log2 x ~ e + a for x = 2^e (1 + a): bits(x) / 2^P - bias.

    Error (bits): [-0.0861, 0] for ``"mitchell"`` (exact at powers of two); ``"corrected"``
    adds 0.3466 a (1 - a); ``"table"`` a 16-entry table. ``safe=True``: log2(0) = -inf,
    log2(x < 0) = NaN, log2(inf) = inf, subnormals normalised. ``safe=False``: NO GUARDS,
    x must be positive and normal.
    """
    return _apply("log2", (x,), variant, safe, out)


def exp2(y: Any, variant: str = "mitchell", *, safe: bool = True,
         out: np.ndarray | None = None) -> Any:
    """Mitchell's antilogarithm 2^y ~ 2^k (1 + f) for y = k + f, 0 <= f < 1.

    Relative error [0, +6.15 %] for ``"mitchell"`` (exact at integers); ``"corrected"``
    subtracts 0.3398 f (1 - f), ``"table"`` a 16-entry table. ``safe=True``: overflow gives
    inf, underflow subnormals then 0, NaN stays NaN. ``safe=False``: NO GUARDS, 2^y must be
    a normal float.
    """
    return _apply("exp2", (y,), variant, safe, out)


#: Mitchell log2 with the 16-entry table (|error| <= 0.0125 bits) as a Numba function for
#: other kernels: ``fast_log2(x)`` for a positive normal float32/float64 x (NO GUARDS),
#: returns float64. In an index loop (``for i in range(n)``, which vectorises) it is about
#: 5x faster than ``math.log2``.
fast_log2 = K.fast_log2
#: Mitchell 2^y with the 16-entry table (relative error -0.77 % to +0.9 %) for Numba kernels;
#: *y* float64 with 2^y a normal float64 (NO GUARDS).
fast_exp2 = K.fast_exp2

# --- dot and matrix products --------------------------------------------------------------------


def matmul(a: Any, b: Any, variant: str | int = "mitchell", *, safe: bool = True) -> np.ndarray:
    """A @ B with every product Mitchell's, summed in float64 and rounded once.

    Shapes (m, k) @ (k, n) -> (m, n). ``safe=False`` uses raw products (NO GUARDS).
    """
    dt, (aa, ba) = _float_args(a, b)
    if aa.ndim != 2 or ba.ndim != 2 or aa.shape[1] != ba.shape[0]:
        raise ValueError(f"matmul needs (m, k) and (k, n) arrays, got {aa.shape} and {ba.shape}")
    kind, c, _ = _params("mul", variant, dt)
    return K.matmul_rows(np.ascontiguousarray(aa), np.ascontiguousarray(ba.T), kind, c, safe)


def dot(x: Any, y: Any, variant: str | int = "mitchell", *, safe: bool = True) -> float:
    """sum_i M(x_i, y_i): Mitchell products summed in float64 (1-D inputs)."""
    dt, (xa, ya) = _float_args(x, y)
    if xa.ndim != 1 or xa.shape != ya.shape:
        raise ValueError(f"dot needs two 1-D arrays of one length, got {xa.shape}, {ya.shape}")
    return float(matmul(xa[None, :], ya[:, None], variant, safe=safe)[0, 0])
