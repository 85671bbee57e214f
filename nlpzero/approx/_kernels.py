"""Numba kernels for Mitchell's logarithmic arithmetic (see :mod:`nlpzero.approx`).

Everything works on IEEE-754 bit patterns held in int64: a float32 pattern is zero-extended,
a float64 pattern is the int64 itself. For a positive normal float x = 2^e (1 + a), the
pattern is (e + bias) 2^P + a 2^P (P = 23 or 52 fraction bits), i.e. 2^P times Mitchell's
logarithm log2 x ~ e + a plus the bias. So

    mul:  bits(x) + bits(y) - C        div:  bits(x) - bits(y) + C        C = bits(1.0)

and reading the pattern back as a float is Mitchell's antilogarithm 2^(e + a) ~ 2^e (1 + a)
(a carry out of the fraction moves into the exponent by itself). Signs are handled apart:
the magnitudes are combined and the sign bit is sign(x) XOR sign(y).

Scalar cores take magnitudes and return magnitudes; ``*_raw`` ufuncs apply a core to the
full patterns with no checks; the guarded ufuncs split each operand into an exponent and a
mantissa in [1, 2) (subnormals are normalised first), run the core on the mantissas and
rescale the result with overflow to inf and gradual underflow to subnormals / signed 0.
The ufuncs are lazy (``DUFunc``): each compiles for float32 or float64 on first use and is
cached on disk.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, prange, types, vectorize
from numba.extending import intrinsic, overload
from numba.np.arrayobj import make_array

# --- constants -----------------------------------------------------------------------------

ONE32 = 0x3F800000  # bits(1.0f): the bias of Mitchell's product and quotient
ONE64 = 0x3FF0000000000000
TABLE_BITS = 4  # the "table" variant looks up the 4 leading fraction bits (16 entries)

#: log2(1 + a) ~ a + LOG2_K a (1 - a): the minimax K, |error| <= 0.00764 bits.
LOG2_K = 0.3465553859883221
#: 2^f ~ 1 + f - EXP2_K f (1 - f): the minimax K, |relative error| <= 0.268 %.
EXP2_K = 0.33976602613681295


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Piecewise-constant corrections on 16 bins of the fraction, in units of the fraction.

    ``tl[i]`` is the minimax constant for log2(1 + a) - a over a in bin i (an absolute
    error in bits); ``te[j]`` the one with 2^f ~ 1 + f - te[j] over f in bin j (a relative
    error), found by bisection since (1 + f - t) 2^-f is monotone in t.
    """
    n = 1 << TABLE_BITS
    grid = (np.arange(n)[:, None] + np.linspace(0.0, 1.0, 4097)[None, :]) / n
    g = np.log2(1.0 + grid) - grid
    tl = (g.max(axis=1) + g.min(axis=1)) / 2
    lo = np.zeros(n)
    hi = np.full(n, 0.2)
    for _ in range(80):
        t = (lo + hi) / 2
        h = (1.0 + grid - t[:, None]) * np.exp2(-grid)
        high = h.max(axis=1) + h.min(axis=1) > 2.0  # overshoot dominates: subtract more
        lo = np.where(high, t, lo)
        hi = np.where(high, hi, t)
    return tl, (lo + hi) / 2


_TL, _TE = _tables()
# integer tables, row 0 in float32 units (2^-23), row 1 in float64 units (2^-52)
TL_BITS = np.stack([np.rint(_TL * 2.0**23), np.rint(_TL * 2.0**52)]).astype(np.int64)
TE_BITS = np.stack([np.rint(_TE * 2.0**23), np.rint(_TE * 2.0**52)]).astype(np.int64)

# --- bit casts -----------------------------------------------------------------------------


@intrinsic
def bits(typingctx, x):
    """The IEEE pattern of a float as int64 (float32 zero-extended)."""
    if not isinstance(x, types.Float):
        return None
    width = x.bitwidth

    def codegen(context, builder, sig, args):
        i = builder.bitcast(args[0], ir.IntType(width))
        return builder.zext(i, ir.IntType(64)) if width == 32 else i

    return types.int64(x), codegen


@intrinsic
def from_bits(typingctx, i, like):
    """The float of *like*'s type whose pattern is the low bits of the integer *i*."""
    if not isinstance(like, types.Float) or not isinstance(i, types.Integer):
        return None
    width = like.bitwidth

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[0], sig.args[0], types.int64)
        if width == 32:
            v = builder.trunc(v, ir.IntType(32))
        return builder.bitcast(v, context.get_value_type(like))

    return like(i, like), codegen


@intrinsic
def cast_like(typingctx, v, like):
    """*v* converted to *like*'s float type (int to float conversion or float rounding)."""
    if not isinstance(like, types.Float) or not isinstance(v, (types.Integer, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        return context.cast(builder, args[0], sig.args[0], like)

    return like(v, like), codegen


def layout(x):  # pragma: no cover - replaced by the overload inside numba
    raise NotImplementedError


@overload(layout, inline="always")
def _layout(x):
    """(P, ONE, INF, SIGN, FRAC) of x's format: fraction bits, bits(1.0), bits(inf), the
    sign bit and the fraction mask, all int64 (the float64 sign bit is -2^63)."""
    if isinstance(x, types.Float) and x.bitwidth == 32:
        return lambda x: (23, ONE32, 0x7F800000, 0x80000000, 0x7FFFFF)
    if isinstance(x, types.Float) and x.bitwidth == 64:
        return lambda x: (52, ONE64, 0x7FF0000000000000, -0x8000000000000000,
                          0xFFFFFFFFFFFFF)
    return None


@njit(cache=True, inline="always", error_model="numpy")
def pow2(k):
    """2.0^k as a float64 for -1022 <= k <= 1023, built from bits (no pow(), no division,
    so it folds to a constant and leaves loops vectorisable under any error model)."""
    return from_bits((1023 + k) << 52, 0.0)


# --- scalar cores on magnitudes ------------------------------------------------------------


@njit(cache=True, inline="always", error_model="numpy")
def _row(P):
    return 0 if P == 23 else 1


@njit(cache=True, inline="always", error_model="numpy")
def table_mul(mx, my, P, ONE, div):
    """Mitchell with both logs and the antilog corrected by the 16-entry tables."""
    r = _row(P)
    sh = P - TABLE_BITS
    lx = mx + TL_BITS[r, (mx >> sh) & 15]
    ly = my + TL_BITS[r, (my >> sh) & 15]
    s = lx - ly + ONE if div else lx + ly - ONE
    return s - TE_BITS[r, (s >> sh) & 15]


@njit(cache=True, inline="always", error_model="numpy")
def _mitchell_term(u, v, shift, x):
    """2^shift * M(u 2^-P, v 2^-P) for integers 0 < u, v <= 2^P (a Mitchell product), as a
    float like x; u and v convert to floats exactly."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    b = bits(cast_like(u, x)) + bits(cast_like(v, x)) - ONE + ((shift - 2 * P) << P)
    return from_bits(b, x)


@njit(cache=True, inline="always", error_model="numpy")
def corrected_mul(mx, my, x):
    """Mitchell's product plus a Mitchell estimate of the dropped term, as a float.

    With x = 2^e1 (1+a), y = 2^e2 (1+b): exact - Mitchell = 2^(e1+e2) a b when a + b < 1,
    and 2^(e1+e2) (1-a)(1-b) after a carry; that term is itself Mitchell-multiplied.
    """
    P, ONE, INF, SIGN, FRAC = layout(x)
    p = from_bits(mx + my - ONE, x)
    fa = mx & FRAC
    fb = my & FRAC
    if fa + fb >= (1 << P):
        fa = (1 << P) - fa
        fb = (1 << P) - fb
    if fa == 0 or fb == 0:
        return p
    bias = ONE >> P
    k = (mx >> P) + (my >> P) - 2 * bias
    return p + _mitchell_term(fa, fb, k, x)


@njit(cache=True, inline="always", error_model="numpy")
def corrected_div(mx, my, x):
    """Mitchell's quotient minus a Mitchell estimate of its excess, as a float.

    With x = 2^e1 (1+a), y = 2^e2 (1+b), k = e1 - e2: Mitchell - exact is
    2^k b (a-b) / (1+b) when a >= b and 2^(k-1) (b-a)(1-b) / (1+b) when a < b; the product
    is Mitchell-multiplied and the division by 1 + b is Mitchell's (subtract b 2^P).
    """
    P, ONE, INF, SIGN, FRAC = layout(x)
    q = from_bits(mx - my + ONE, x)
    fa = mx & FRAC
    fb = my & FRAC
    k = (mx >> P) - (my >> P)
    if fa >= fb:
        u = fb
        v = fa - fb
    else:
        u = fb - fa
        v = (1 << P) - fb
        k -= 1
    if u == 0 or v == 0:
        return q
    t = bits(_mitchell_term(u, v, 0, x)) - fb  # M(b, a-b) / (1+b), Mitchell's division
    return q - from_bits(t + (k << P), x)


@njit(cache=True, inline="always", error_model="numpy")
def log2_core(m, kind, delta, x):
    """Mitchell log2 of a positive normal pattern m: e + a, corrected by *kind*
    (0: plus the offset *delta*, 1: plus LOG2_K a (1-a), 2: plus the 16-entry table)."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    if kind == 2:
        m = m + TL_BITS[_row(P), (m >> (P - TABLE_BITS)) & 15]
    v = (m - ONE) * pow2(-P)
    if kind == 0:
        v += delta
    elif kind == 1:
        a = (m & FRAC) * pow2(-P)
        v += LOG2_K * a * (1.0 - a)
    return v


@njit(cache=True, inline="always", error_model="numpy")
def exp2_core(f, kind, c, x):
    """Pattern of Mitchell's 2^f for 0 <= f < 1 at exponent 0: 1 + f, corrected by *kind*
    (0: minus *c* units of 2^-P, 1: minus EXP2_K f (1-f), 2: minus the 16-entry table)."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    if kind == 1:
        f = f - EXP2_K * f * (1.0 - f)
    b = ONE + np.int64(math.floor(f * pow2(P) + 0.5))
    if kind == 0:
        b -= c
    elif kind == 2:
        b -= TE_BITS[_row(P), (b >> (P - TABLE_BITS)) & 15]
    return b


# --- guards --------------------------------------------------------------------------------


@njit(cache=True, inline="always", error_model="numpy")
def split(m, x):
    """(e, n) of a positive finite pattern m: its value is 2^e * from_bits(n), 1 <= n < 2.
    Subnormals are normalised through an exact int to float conversion."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    bias = ONE >> P
    if m < (1 << P):
        b = bits(cast_like(m, x))  # m 2^(1-bias-P), and m as a float is 2^j (1 + frac)
        return (b >> P) - bias + 1 - bias - P, (b & FRAC) | ONE
    return (m >> P) - bias, (m & FRAC) | ONE


@njit(cache=True, inline="always", error_model="numpy")
def finish(r, k, sign, x):
    """The float 2^k * from_bits(r) with *sign*: signed inf on overflow, gradual underflow
    (one IEEE rounding) below the normal range, signed 0 below the subnormals."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    bias = ONE >> P
    if k > bias + 4:
        return from_bits(INF | sign, x)
    if k < -(bias + P + 8):
        return from_bits(sign, x)
    t = r + (k << P)
    if t >= INF:
        return from_bits(INF | sign, x)
    if t >= (1 << P):
        return from_bits(t | sign, x)
    t += (P + 2) << P
    if t < (1 << P):
        return from_bits(sign, x)
    v = from_bits(t, x) * from_bits(ONE - ((P + 2) << P), x)  # rounds to a subnormal
    return from_bits(bits(v) | sign, x)


@njit(cache=True, inline="always", error_model="numpy")
def mitchell_binary(x, y, div, kind, c, safe):
    """One Mitchell product (div=False) or quotient (div=True) of floats x, y.

    kind 0: constant *c* (bits(1.0) is Mitchell's own), 1: corrected, 2: table. Unless
    *safe*, no guard at all: zeros, subnormals, inf, NaN and exponent over/underflow give
    meaningless results.
    """
    P, ONE, INF, SIGN, FRAC = layout(x)
    bx = bits(x)
    by = bits(y)
    sign = (bx ^ by) & SIGN
    mx = bx & ~SIGN
    my = by & ~SIGN
    ex = ey = 0
    if safe:
        if mx == 0 or my == 0 or mx >= INF or my >= INF:
            return x / y if div else x * y  # IEEE: signed 0, inf, NaN
        ex, mx = split(mx, x)
        ey, my = split(my, x)
    if kind == 0:
        r = mx - my + c if div else mx + my - c
    elif kind == 1:
        r = bits(corrected_div(mx, my, x) if div else corrected_mul(mx, my, x))
    else:
        r = table_mul(mx, my, P, ONE, div)
    if safe:
        return finish(r, ex - ey if div else ex + ey, sign, x)
    return from_bits(r | sign, x)


@njit(cache=True, inline="always", error_model="numpy")
def mitchell_log2(x, kind, delta, safe):
    """Mitchell's log2 of a float (see log2_core); unless *safe*, x must be positive and
    normal (0 gives -bias, negatives and subnormals meaningless values)."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    b = bits(x)
    if not safe:
        return cast_like(log2_core(b, kind, delta, x), x)
    if b == 0 or b == SIGN:
        return cast_like(-np.inf, x)
    if b & SIGN or b > INF:
        return cast_like(np.nan, x)
    if b == INF:
        return x
    e, n = split(b, x)
    return cast_like(e + log2_core(n, kind, delta, x), x)


@njit(cache=True, inline="always", error_model="numpy")
def mitchell_exp2(y, kind, c, safe):
    """Mitchell's 2^y of a float; unless *safe*, 2^y must be a normal float (out of range
    or NaN inputs give meaningless values)."""
    P, ONE, INF, SIGN, FRAC = layout(y)
    bias = ONE >> P
    yy = np.float64(y)
    if safe:
        if yy != yy:
            return y
        if yy >= bias + 2:
            return from_bits(INF, y)
        if yy < -(bias + P + 4):
            return from_bits(0, y)
    k = math.floor(yy)
    r = exp2_core(yy - k, kind, c, y)
    if safe:
        return finish(r, np.int64(k), 0, y)
    return from_bits(r + (np.int64(k) << P), y)


# --- ufuncs (lazy; the Python wrappers in nlpzero.approx choose among them) ------------------

_UNGUARDED = ("RAW, NO GUARDS: zeros, subnormals, inf, NaN and exponent over/underflow give "
              "meaningless results.")


@vectorize(cache=True)
def mul_const_raw(x, y, c):
    return mitchell_binary(x, y, False, 0, c, False)


@vectorize(cache=True)
def mul_const(x, y, c):
    return mitchell_binary(x, y, False, 0, c, True)


@vectorize(cache=True)
def mul_corrected_raw(x, y):
    return mitchell_binary(x, y, False, 1, 0, False)


@vectorize(cache=True)
def mul_corrected(x, y):
    return mitchell_binary(x, y, False, 1, 0, True)


@vectorize(cache=True)
def mul_table_raw(x, y):
    return mitchell_binary(x, y, False, 2, 0, False)


@vectorize(cache=True)
def mul_table(x, y):
    return mitchell_binary(x, y, False, 2, 0, True)


@vectorize(cache=True)
def div_const_raw(x, y, c):
    return mitchell_binary(x, y, True, 0, c, False)


@vectorize(cache=True)
def div_const(x, y, c):
    return mitchell_binary(x, y, True, 0, c, True)


@vectorize(cache=True)
def div_corrected_raw(x, y):
    return mitchell_binary(x, y, True, 1, 0, False)


@vectorize(cache=True)
def div_corrected(x, y):
    return mitchell_binary(x, y, True, 1, 0, True)


@vectorize(cache=True)
def div_table_raw(x, y):
    return mitchell_binary(x, y, True, 2, 0, False)


@vectorize(cache=True)
def div_table(x, y):
    return mitchell_binary(x, y, True, 2, 0, True)


@vectorize(cache=True)
def log2_const_raw(x, delta):
    return mitchell_log2(x, 0, delta, False)


@vectorize(cache=True)
def log2_const(x, delta):
    return mitchell_log2(x, 0, delta, True)


@vectorize(cache=True)
def log2_corrected_raw(x):
    return mitchell_log2(x, 1, 0.0, False)


@vectorize(cache=True)
def log2_corrected(x):
    return mitchell_log2(x, 1, 0.0, True)


@vectorize(cache=True)
def log2_table_raw(x):
    return mitchell_log2(x, 2, 0.0, False)


@vectorize(cache=True)
def log2_table(x):
    return mitchell_log2(x, 2, 0.0, True)


@vectorize(cache=True)
def exp2_const_raw(y, c):
    return mitchell_exp2(y, 0, c, False)


@vectorize(cache=True)
def exp2_const(y, c):
    return mitchell_exp2(y, 0, c, True)


@vectorize(cache=True)
def exp2_corrected_raw(y):
    return mitchell_exp2(y, 1, 0, False)


@vectorize(cache=True)
def exp2_corrected(y):
    return mitchell_exp2(y, 1, 0, True)


@vectorize(cache=True)
def exp2_table_raw(y):
    return mitchell_exp2(y, 2, 0, False)


@vectorize(cache=True)
def exp2_table(y):
    return mitchell_exp2(y, 2, 0, True)


for _name, _u in list(globals().items()):
    if _name.startswith(("mul_", "div_", "log2_", "exp2_")) and hasattr(_u, "ufunc"):
        _op, _kind = _name.split("_")[:2]
        _u.__doc__ = (f"Mitchell {_op}, {_kind} variant, as a lazy Numba ufunc (float32/float64)."
                      + (" " + _UNGUARDED if _name.endswith("_raw") else
                         " Guarded: 0, inf, NaN, subnormals and over/underflow as IEEE."))

# --- contiguous kernels ----------------------------------------------------------------------

_BLOCK = 2048  # elements per block of the guarded second pass


@njit(cache=True, inline="always", error_model="numpy")
def _plain_case(x, y, div, kind, c):
    """Does the raw trick give exactly the guarded result? True when both operands are
    normal, finite and nonzero and Mitchell's result is normal with a margin (so that the
    corrected variant's small term is normal too)."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    if kind != 0:
        c = ONE
    mx = bits(x) & ~SIGN
    my = bits(y) & ~SIGN
    t = mx - my + c if div else mx + my - c
    return ((mx >= (1 << P)) & (mx < INF) & (my >= (1 << P)) & (my < INF)
            & (t >= ((2 * P + 4) << P)) & (t < INF - (4 << P)))


@njit(cache=True, inline="always", error_model="numpy")
def _raw_all(x, y, o, div, kind, c):
    """Raw results o = M(x, y); are they all plain cases? Inlined with constant *div* and
    *kind*, so that each loop compiles to straight vector code."""
    plain = True
    for i in range(x.size):
        o[i] = mitchell_binary(x[i], y[i], div, kind, c, False)
        plain &= _plain_case(x[i], y[i], div, kind, c)
    return plain


@njit(cache=True, error_model="numpy")
def apply_binary(x, y, o, div, kind, c, safe):
    """o = Mitchell mul or div of 1-D contiguous x, y (see :func:`mitchell_binary`).

    Guarded: one pass computes the raw trick (a loop the compiler vectorises) and checks
    that every element is a plain case; only if one is not, a second pass checks blocks and
    recomputes the blocks holding such elements with the guards. Same results as the
    guarded ufuncs.
    """
    if kind == 0:
        plain = _raw_all(x, y, o, True, 0, c) if div else _raw_all(x, y, o, False, 0, c)
    elif kind == 1:
        plain = _raw_all(x, y, o, True, 1, c) if div else _raw_all(x, y, o, False, 1, c)
    elif div:
        plain = _raw_all(x, y, o, True, 2, c)
    else:
        plain = _raw_all(x, y, o, False, 2, c)
    if safe and not plain:
        for start in range(0, x.size, _BLOCK):
            xb = x[start:start + _BLOCK]
            yb = y[start:start + _BLOCK]
            ob = o[start:start + _BLOCK]
            block_plain = True
            for i in range(xb.size):  # a vectorised check first; fix-ups are rare
                block_plain &= _plain_case(xb[i], yb[i], div, kind, c)
            if not block_plain:
                for i in range(xb.size):
                    ob[i] = mitchell_binary(xb[i], yb[i], div, kind, c, True)


@njit(cache=True, inline="always", error_model="numpy")
def _plain_unary(x, is_log):
    """log2: x positive, normal and finite; exp2: |y| well inside the exponent range. There
    the raw function gives exactly the guarded result."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    if is_log:
        b = bits(x)
        return (b >= (1 << P)) & (b < INF)
    return abs(np.float64(x)) < (ONE >> P) - 3


@njit(cache=True, inline="always", error_model="numpy")
def _raw_unary_all(x, o, is_log, kind, c, delta):
    plain = True
    for i in range(x.size):
        if is_log:
            o[i] = mitchell_log2(x[i], kind, delta, False)
        else:
            o[i] = mitchell_exp2(x[i], kind, c, False)
        plain &= _plain_unary(x[i], is_log)
    return plain


@njit(cache=True, error_model="numpy")
def apply_unary(x, o, is_log, kind, c, delta, safe):
    """o = Mitchell log2 (is_log) or exp2 of 1-D contiguous x, in the two passes of
    :func:`apply_binary`."""
    if kind == 0:
        if is_log:
            plain = _raw_unary_all(x, o, True, 0, c, delta)
        else:
            plain = _raw_unary_all(x, o, False, 0, c, delta)
    elif kind == 1:
        if is_log:
            plain = _raw_unary_all(x, o, True, 1, c, delta)
        else:
            plain = _raw_unary_all(x, o, False, 1, c, delta)
    elif is_log:
        plain = _raw_unary_all(x, o, True, 2, c, delta)
    else:
        plain = _raw_unary_all(x, o, False, 2, c, delta)
    if safe and not plain:
        for start in range(0, x.size, _BLOCK):
            xb = x[start:start + _BLOCK]
            ob = o[start:start + _BLOCK]
            block_plain = True
            for i in range(xb.size):
                block_plain &= _plain_unary(xb[i], is_log)
            if not block_plain:
                for i in range(xb.size):
                    if is_log:
                        ob[i] = mitchell_log2(xb[i], kind, delta, True)
                    else:
                        ob[i] = mitchell_exp2(xb[i], kind, c, True)


# --- streaming kernels (non-temporal stores) --------------------------------------------------


def _nt_block(op: str):
    """An intrinsic computing one 64-byte block o[i:i+L] = op(x[i:i+L], y[i:i+L]) with
    vector loads and one non-temporal (streaming) store; o + i must be 64-byte aligned."""

    @intrinsic
    def block(typingctx, x, y, o, i, c):
        def codegen(context, builder, sig, args):
            width = sig.args[2].dtype.bitwidth
            ity = ir.IntType(width)
            vty = ir.VectorType(ity, 512 // width)

            def ptr(arg, arrty):
                data = make_array(arrty)(context, builder, arg).data
                return builder.bitcast(builder.gep(data, [args[3]]), vty.as_pointer())

            vx = builder.load(ptr(args[0], sig.args[0]), align=width // 8)
            if op == "copy":
                r = vx
            else:
                vy = builder.load(ptr(args[1], sig.args[1]), align=width // 8)
                if op == "exact":
                    fty = ir.VectorType(context.get_value_type(sig.args[2].dtype), vty.count)
                    r = builder.bitcast(builder.fmul(builder.bitcast(vx, fty),
                                                     builder.bitcast(vy, fty)), vty)
                else:
                    sign = ir.Constant(vty, [1 << (width - 1)] * vty.count)
                    cv = builder.trunc(args[4], ity) if width == 32 else args[4]
                    cv = builder.insert_element(ir.Constant(vty, ir.Undefined), cv,
                                                ir.Constant(ir.IntType(32), 0))
                    cv = builder.shuffle_vector(cv, cv, ir.Constant(
                        ir.VectorType(ir.IntType(32), vty.count), [0] * vty.count))
                    s = builder.and_(builder.xor(vx, vy), sign)
                    mag = builder.not_(sign)
                    mx = builder.and_(vx, mag)
                    my = builder.and_(vy, mag)
                    if op == "mul":
                        m = builder.sub(builder.add(mx, my), cv)
                    else:
                        m = builder.add(builder.sub(mx, my), cv)
                    r = builder.or_(m, s)
            store = builder.store(r, ptr(args[2], sig.args[2]), align=64)
            store.set_metadata("nontemporal", builder.module.add_metadata(
                [ir.Constant(ir.IntType(32), 1)]))
            return context.get_dummy_value()

        return types.none(x, y, o, i, c), codegen

    return block


_nt_mul = _nt_block("mul")
_nt_div = _nt_block("div")
_nt_exact = _nt_block("exact")
_nt_copy = _nt_block("copy")


@intrinsic
def _fence(typingctx):
    def codegen(context, builder, sig, args):
        builder.fence("seq_cst")  # orders the streaming stores before anything that follows
        return context.get_dummy_value()

    return types.none(), codegen


@njit(cache=True, inline="always", error_model="numpy")
def _scalar_op(x, y, c, op):
    if op == 0:
        return mitchell_binary(x, y, False, 0, c, False)
    if op == 1:
        return mitchell_binary(x, y, True, 0, c, False)
    if op == 2:
        return x * y
    return x


@njit(cache=True, error_model="numpy")
def stream(x, y, o, c, op):
    """o = op(x, y) over 1-D contiguous arrays with streaming stores: op 0 raw Mitchell
    product with constant c, 1 raw Mitchell quotient, 2 exact product, 3 copy of x.
    For outputs larger than the caches: no read-for-ownership of o, so a binary op moves
    12 bytes per float32 element instead of 16."""
    n = x.size
    size = o.itemsize
    lanes = 64 // size
    addr = o.ctypes.data
    i = 0
    while i < n and (addr + i * size) % 64 != 0:
        o[i] = _scalar_op(x[i], y[i], c, op)
        i += 1
    if op == 0:
        while i + lanes <= n:
            _nt_mul(x, y, o, i, c)
            i += lanes
    elif op == 1:
        while i + lanes <= n:
            _nt_div(x, y, o, i, c)
            i += lanes
    elif op == 2:
        while i + lanes <= n:
            _nt_exact(x, y, o, i, c)
            i += lanes
    else:
        while i + lanes <= n:
            _nt_copy(x, y, o, i, c)
            i += lanes
    while i < n:
        o[i] = _scalar_op(x[i], y[i], c, op)
        i += 1
    _fence()


@njit(cache=True, error_model="numpy")
def plain(x, y, o, c, op):
    """The same as :func:`stream` with ordinary stores (a baseline for benchmarks)."""
    for i in range(x.size):
        o[i] = _scalar_op(x[i], y[i], c, op)


# --- dot products, matrix products, top-k -----------------------------------------------------


@njit(cache=True, parallel=True, error_model="numpy")
def matmul_rows(a, bt, kind, c, safe, div):
    """out[i, j] = sum_k M(a[i, k], bt[j, k]) (M: Mitchell product, or quotient with *div*),
    summed in float64 and rounded once to the input type."""
    m = a.shape[0]
    n = bt.shape[0]
    out = np.empty((m, n), dtype=a.dtype)
    for i in prange(m):
        for j in range(n):
            s = 0.0
            for k in range(a.shape[1]):
                s += mitchell_binary(a[i, k], bt[j, k], div, kind, c, safe)
            out[i, j] = s
    return out


@njit(cache=True, inline="always", error_model="numpy")
def _approx_score(q, x, kind, c):
    """Mitchell dot product of two rows (raw products; inputs must be sanitized), summed in
    the input type in any order."""
    s = cast_like(0.0, q[0])
    if kind == 0:
        for k in range(q.size):
            s += mitchell_binary(q[k], x[k], False, 0, c, False)
    elif kind == 1:
        for k in range(q.size):
            s += mitchell_binary(q[k], x[k], False, 1, c, False)
    else:
        for k in range(q.size):
            s += mitchell_binary(q[k], x[k], False, 2, c, False)
    return s


@njit(cache=True, parallel=True, fastmath={"reassoc", "contract"}, error_model="numpy")
def topk_rerank(queries, base, k, candidates, kind, c):
    """For each query: the *candidates* best rows of *base* by Mitchell dot product, then
    the best *k* of those by exact float64 dot product, best first (ties: lower index).
    Rows must be normalised and sanitized (no zero or tiny components). Returns
    (indices int64, exact scores float64)."""
    nq = queries.shape[0]
    n = base.shape[0]
    cand_n = min(candidates, n)
    k = min(k, cand_n)
    idx = np.empty((nq, k), dtype=np.int64)
    scores = np.empty((nq, k), dtype=np.float64)
    for qi in prange(nq):
        q = queries[qi]
        cs = np.full(cand_n, -np.inf, dtype=queries.dtype)
        ci = np.full(cand_n, -1, dtype=np.int64)
        worst = 0  # slot of the smallest candidate score
        for j in range(n):
            s = _approx_score(q, base[j], kind, c)
            if s > cs[worst]:
                cs[worst] = s
                ci[worst] = j
                for t in range(cand_n):
                    if cs[t] < cs[worst]:
                        worst = t
        exact = np.empty(cand_n, dtype=np.float64)
        for t in range(cand_n):
            e = 0.0
            if ci[t] >= 0:
                row = base[ci[t]]
                for d in range(q.size):
                    e += np.float64(q[d]) * np.float64(row[d])
            else:
                e = -np.inf
            exact[t] = e
        order = np.arange(cand_n)
        for t in range(k):  # selection of the k best, ties to the lower index
            best = t
            for u in range(t + 1, cand_n):
                a = order[u]
                b = order[best]
                if exact[a] > exact[b] or (exact[a] == exact[b] and ci[a] < ci[b]):
                    best = u
            order[t], order[best] = order[best], order[t]
            idx[qi, t] = ci[order[t]]
            scores[qi, t] = exact[order[t]]
    return idx, scores


# --- error profiles -------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def profile_binary(grid, div, kind, c, like):
    """Relative errors approx/exact - 1 of Mitchell mul (div=False) or div over all pairs of
    mantissas 1 + i/grid, 1 + j/grid (exact in the format of *like*; grid <= 2^P).
    Returns (min, max, sum, sum_abs, sum_sq, i_min, j_min, i_max, j_max)."""
    lo = np.inf
    hi = -np.inf
    s = 0.0
    sa = 0.0
    sq = 0.0
    ilo = jlo = ihi = jhi = 0
    for i in range(grid):
        x = cast_like(1.0 + i / grid, like)
        for j in range(grid):
            y = cast_like(1.0 + j / grid, like)
            r = np.float64(mitchell_binary(x, y, div, kind, c, False))
            exact = np.float64(x) / np.float64(y) if div else np.float64(x) * np.float64(y)
            e = r / exact - 1.0
            s += e
            sa += abs(e)
            sq += e * e
            if e < lo:
                lo = e
                ilo = i
                jlo = j
            if e > hi:
                hi = e
                ihi = i
                jhi = j
    return lo, hi, s, sa, sq, ilo, jlo, ihi, jhi


@njit(cache=True, error_model="numpy")
def profile_unary(grid, is_log, kind, c, delta, like):
    """Errors of Mitchell log2 (absolute, in bits) over mantissas 1 + i/grid, or of exp2
    (relative) over fractions i/grid. Returns (min, max, sum, sum_abs, sum_sq, i_min, i_max)."""
    lo = np.inf
    hi = -np.inf
    s = 0.0
    sa = 0.0
    sq = 0.0
    ilo = ihi = 0
    for i in range(grid):
        if is_log:
            x = cast_like(1.0 + i / grid, like)
            e = np.float64(mitchell_log2(x, kind, delta, False)) - math.log2(np.float64(x))
        else:
            y = cast_like(i / grid, like)
            e = np.float64(mitchell_exp2(y, kind, c, False)) / 2.0 ** np.float64(y) - 1.0
        s += e
        sa += abs(e)
        sq += e * e
        if e < lo:
            lo = e
            ilo = i
        if e > hi:
            hi = e
            ihi = i
    return lo, hi, s, sa, sq, ilo, ihi


# --- for other kernels ----------------------------------------------------------------------


@njit(cache=True, inline="always", error_model="numpy")
def fast_log2(x):
    """Mitchell log2 with the 16-entry table, float64; x positive and normal (NO GUARDS)."""
    return log2_core(bits(x), 2, 0.0, x)


@njit(cache=True, inline="always", error_model="numpy")
def fast_exp2(y):
    """Mitchell 2^y with the 16-entry table; 2^y must be a normal float (NO GUARDS)."""
    return mitchell_exp2(y, 2, 0, False)
