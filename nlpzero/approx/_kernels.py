"""Numba kernels for Mitchell's logarithmic arithmetic (see :mod:`nlpzero.approx`).

Everything works on IEEE-754 bit patterns held in int64: a float32 pattern is zero-extended,
a float64 pattern is the int64 itself. For a positive normal float x = 2^e (1 + a), the
pattern is (e + bias) 2^P + a 2^P (P = 23 or 52 fraction bits), i.e. 2^P times Mitchell's
logarithm log2 x ~ e + a plus the bias. So

    mul:  bits(x) + bits(y) - C        div:  bits(x) - bits(y) + C        C = bits(1.0)

and reading the pattern back as a float is Mitchell's antilogarithm 2^(e + a) ~ 2^e (1 + a)
(a carry out of the fraction moves into the exponent by itself). Signs are handled apart:
the magnitudes are combined and the sign bit is sign(x) XOR sign(y).

Scalar cores take magnitudes and return magnitudes. :func:`mitchell_binary`,
:func:`mitchell_log2` and :func:`mitchell_exp2` take the variant's kind (CONST, CORRECTED,
TABLE) and the guards as arguments (:func:`mitchell` dispatches on the operation too; the
tests use it as the element-by-element reference). Raw, each applies a core to the full
patterns with no checks; guarded (``safe``), it splits each operand into an exponent and a
mantissa in [1, 2) (subnormals are normalised first), runs the core on the mantissas and
rescales the result with overflow to inf and gradual underflow to subnormals / signed 0.

:func:`apply` runs them over 1-D contiguous arrays through two small loops per op and kind
(:func:`_specialise`), built and compiled on first use: a raw pass that vectorises and a
guarded fix-up pass that runs only when an input needs it. The scalar functions are plain
``@njit`` functions, not inlined in Numba's IR (``inline="always"`` made the first call
compile for about a minute); LLVM inlines them into the loops and folds the constant op,
kind and guard arguments, with which Numba compiles them as literals. The matrix product
and the error sweep are built per kind (and guards, op) the same way; the parallel top-k
kernel is one function that passes the kind to its score loop as a literal.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic, overload

# --- constants -----------------------------------------------------------------------------

ONE32 = 0x3F800000  # bits(1.0f): the bias of Mitchell's product and quotient
ONE64 = 0x3FF0000000000000
MUL, DIV, LOG2, EXP2 = 0, 1, 2, 3  # operation codes
CONST, CORRECTED, TABLE = 0, 1, 2  # variant kinds: a constant C, the correction, the tables
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


@overload(layout)
def _layout(x):
    """(P, ONE, INF, SIGN, FRAC) of x's format: fraction bits, bits(1.0), bits(inf), the
    sign bit and the fraction mask, all int64 (the float64 sign bit is -2^63)."""
    if isinstance(x, types.Float) and x.bitwidth == 32:
        return lambda x: (23, ONE32, 0x7F800000, 0x80000000, 0x7FFFFF)
    if isinstance(x, types.Float) and x.bitwidth == 64:
        return lambda x: (52, ONE64, 0x7FF0000000000000, -0x8000000000000000,
                          0xFFFFFFFFFFFFF)
    return None


@njit(cache=True, error_model="numpy")
def pow2(k):
    """2.0^k as a float64 for -1022 <= k <= 1023, built from bits (no pow(), no division,
    so it folds to a constant and leaves loops vectorisable under any error model)."""
    return from_bits((1023 + k) << 52, 0.0)


# --- scalar cores on magnitudes ------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _row(P):
    return 0 if P == 23 else 1


@njit(cache=True, error_model="numpy")
def table_mul(mx, my, P, ONE, div):
    """Mitchell with both logs and the antilog corrected by the 16-entry tables."""
    r = _row(P)
    sh = P - TABLE_BITS
    lx = mx + TL_BITS[r, (mx >> sh) & 15]
    ly = my + TL_BITS[r, (my >> sh) & 15]
    s = lx - ly + ONE if div else lx + ly - ONE
    return s - TE_BITS[r, (s >> sh) & 15]


@njit(cache=True, error_model="numpy")
def _mitchell_term(u, v, shift, x):
    """2^shift * M(u 2^-P, v 2^-P) for integers 0 < u, v <= 2^P (a Mitchell product), as a
    float like x; u and v convert to floats exactly."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    b = bits(cast_like(u, x)) + bits(cast_like(v, x)) - ONE + ((shift - 2 * P) << P)
    return from_bits(b, x)


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
def split(m, x):
    """(e, n) of a positive finite pattern m: its value is 2^e * from_bits(n), 1 <= n < 2.
    Subnormals are normalised through an exact int to float conversion."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    bias = ONE >> P
    if m < (1 << P):
        b = bits(cast_like(m, x))  # m 2^(1-bias-P), and m as a float is 2^j (1 + frac)
        return (b >> P) - bias + 1 - bias - P, (b & FRAC) | ONE
    return (m >> P) - bias, (m & FRAC) | ONE


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
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


# --- the scalar reference and the loops per op and kind ------------------------------------


@njit(cache=True, error_model="numpy")
def mitchell(x, y, op, kind, c, delta, safe):
    """Mitchell's x·y (MUL), x / y (DIV), log2 x (LOG2) or 2^x (EXP2; *y* is ignored by the
    unary ops) of floats x, y of one type. *kind*: CONST (the integer constant *c* for
    mul/div, *c* units of 2^-P subtracted for exp2, the offset *delta* added for log2),
    CORRECTED or TABLE. Unless *safe*, no guard at all (see the functions above)."""
    if op == LOG2:
        return mitchell_log2(x, kind, delta, safe)
    if op == EXP2:
        return mitchell_exp2(x, kind, c, safe)
    return mitchell_binary(x, y, op == DIV, kind, c, safe)


@njit(cache=True, error_model="numpy")
def _plain_case(x, y, op, kind, c):
    """Does the raw function give exactly the guarded result? log2: x positive, normal and
    finite; exp2: |x| well inside the exponent range; mul/div: both operands normal, finite
    and nonzero and Mitchell's result normal with a margin (so that the corrected
    variant's small term is normal too)."""
    P, ONE, INF, SIGN, FRAC = layout(x)
    if op == LOG2:
        b = bits(x)
        return (b >= (1 << P)) & (b < INF)
    if op == EXP2:
        return abs(np.float64(x)) < (ONE >> P) - 3
    if kind != CONST:
        c = ONE
    mx = bits(x) & ~SIGN
    my = bits(y) & ~SIGN
    t = mx - my + c if op == DIV else mx + my - c
    return ((mx >= (1 << P)) & (mx < INF) & (my >= (1 << P)) & (my < INF)
            & (t >= ((2 * P + 4) << P)) & (t < INF - (4 << P)))


_BLOCK = 2048  # elements per block of the guarded second pass


@functools.cache
def _specialise(op: int, kind: int) -> tuple[Any, Any]:
    """The two loops of *op* and *kind*: ``raw_pass(x, y, o, c, delta)`` writes the raw
    results and returns whether every element is a plain case; ``fix_up(x, y, o, c,
    delta)`` recomputes with the guards the blocks that hold other elements.

    *op* and *kind* are constants of the closures (so the branch on *op* is pruned before
    typing, and the scalar functions are compiled for the literal *kind* and guards):
    each loop holds one variant and compiles on its first call, and the raw loop carries
    no guard code, so that it vectorises.
    """

    @njit(cache=True, error_model="numpy")
    def raw_pass(x, y, o, c, delta):
        plain = True
        for i in range(x.size):
            if op == LOG2:
                o[i] = mitchell_log2(x[i], kind, delta, False)
            elif op == EXP2:
                o[i] = mitchell_exp2(x[i], kind, c, False)
            elif op == DIV:
                o[i] = mitchell_binary(x[i], y[i], True, kind, c, False)
            else:
                o[i] = mitchell_binary(x[i], y[i], False, kind, c, False)
            plain &= _plain_case(x[i], y[i], op, kind, c)
        return plain

    @njit(cache=True, error_model="numpy")
    def fix_up(x, y, o, c, delta):
        for start in range(0, x.size, _BLOCK):
            stop = min(start + _BLOCK, x.size)
            block_plain = True
            for i in range(start, stop):  # a vectorised check first; fix-ups are rare
                block_plain &= _plain_case(x[i], y[i], op, kind, c)
            if not block_plain:
                for i in range(start, stop):
                    if op == LOG2:
                        o[i] = mitchell_log2(x[i], kind, delta, True)
                    elif op == EXP2:
                        o[i] = mitchell_exp2(x[i], kind, c, True)
                    elif op == DIV:
                        o[i] = mitchell_binary(x[i], y[i], True, kind, c, True)
                    else:
                        o[i] = mitchell_binary(x[i], y[i], False, kind, c, True)

    return raw_pass, fix_up


def apply(x: np.ndarray, y: np.ndarray, o: np.ndarray, op: int, kind: int, c: int,
          delta: float, safe: bool) -> None:
    """o = op(x, y) (see :func:`mitchell`) over 1-D contiguous arrays; the unary ops read
    x only (pass it as y too).

    One pass computes the raw function (a loop the compiler vectorises) and checks that
    every element is a plain case; guarded, and only if one is not, a second pass checks
    blocks and recomputes the blocks holding such elements with the guards. Same results
    as :func:`mitchell` element by element. The loops of each (op, kind) are compiled on
    first use, the second pass only when an input needs it.
    """
    loops = _specialise(int(op), int(kind))
    plain = loops[0](x, y, o, c, delta)
    if safe and not plain:
        loops[1](x, y, o, c, delta)


# --- dot products, matrix products, top-k -----------------------------------------------------


@functools.cache
def _matmul_kernel(kind: int, safe: bool) -> Any:
    """The matrix product loop of one variant kind and guard setting (see :func:`matmul_rows`),
    built and compiled on first use."""

    @njit(cache=True, parallel=True, error_model="numpy")
    def matmul_kernel(a, bt, c):
        m = a.shape[0]
        n = bt.shape[0]
        out = np.empty((m, n), dtype=a.dtype)
        for i in prange(m):
            for j in range(n):
                s = 0.0
                for k in range(a.shape[1]):
                    s += mitchell_binary(a[i, k], bt[j, k], False, kind, c, safe)
                out[i, j] = s
        return out

    return matmul_kernel


def matmul_rows(a: np.ndarray, bt: np.ndarray, kind: int, c: int, safe: bool) -> np.ndarray:
    """out[i, j] = sum_k M(a[i, k], bt[j, k]) (M: Mitchell's product), summed in float64 and
    rounded once to the input type; a and bt 2-D and C-contiguous."""
    return _matmul_kernel(int(kind), bool(safe))(a, bt, c)


@njit(cache=True, fastmath={"reassoc", "contract"}, error_model="numpy")
def _approx_score(q, x, kind, c):
    """Mitchell dot product of two rows (raw products; inputs must be sanitized), summed in
    the input type in any order (so the loop vectorises; the last bits of a score can
    differ between CPUs of other vector widths, which can only change which of two tied
    rows is a candidate: the final order is by exact dot products); *kind* a literal."""
    s = cast_like(0.0, q[0])
    for k in range(q.size):
        s += mitchell_binary(q[k], x[k], False, kind, c, False)
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
            if kind == CONST:  # one branch per row; the score's loop sees a literal
                s = _approx_score(q, base[j], CONST, c)
            elif kind == CORRECTED:
                s = _approx_score(q, base[j], CORRECTED, c)
            else:
                s = _approx_score(q, base[j], TABLE, c)
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
def _error(op, i, j, n, kind, c, delta, like):
    """The error of Mitchell's op at one grid point, in the format of *like*: mul/div the
    relative error approx/exact - 1 at mantissas 1 + i/n, 1 + j/n (exact floats when
    n <= 2^P); log2 the absolute error in bits at 1 + i/n; exp2 the relative error at i/n."""
    if op == LOG2:
        x = cast_like(1.0 + i / n, like)
        return np.float64(mitchell_log2(x, kind, delta, False)) - math.log2(np.float64(x))
    if op == EXP2:
        y = cast_like(i / n, like)
        return np.float64(mitchell_exp2(y, kind, c, False)) / 2.0 ** np.float64(y) - 1.0
    x = cast_like(1.0 + i / n, like)
    y = cast_like(1.0 + j / n, like)
    r = np.float64(mitchell_binary(x, y, op == DIV, kind, c, False))
    exact = np.float64(x) / np.float64(y) if op == DIV else np.float64(x) * np.float64(y)
    return r / exact - 1.0


@functools.cache
def _profile_kernel(op: int, kind: int) -> Any:
    """The error sweep of one op and variant kind (see :func:`profile`), built and compiled
    on first use; *op* and *kind* reach :func:`_error` as literals."""

    @njit(cache=True, error_model="numpy")
    def profile_kernel(n, c, delta, like):
        lo = np.inf
        hi = -np.inf
        s = 0.0
        sa = 0.0
        sq = 0.0
        ilo = jlo = ihi = jhi = 0
        cols = n if op < LOG2 else 1  # the binary ops MUL, DIV sweep pairs
        for i in range(n):
            for j in range(cols):
                e = _error(op, i, j, n, kind, c, delta, like)
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

    return profile_kernel


def profile(op: int, n: int, kind: int, c: int, delta: float, like: Any) -> tuple:
    """Errors of Mitchell's op (see :func:`_error`) over all i, j < n (mul, div) or all
    i < n (log2, exp2). Returns (min, max, sum, sum_abs, sum_sq, i_min, j_min, i_max,
    j_max)."""
    return _profile_kernel(int(op), int(kind))(n, c, delta, like)


# --- for other kernels ----------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def fast_log2(x):
    """Mitchell log2 with the 16-entry table, float64; x positive and normal (NO GUARDS)."""
    return log2_core(bits(x), 2, 0.0, x)


@njit(cache=True, error_model="numpy")
def fast_exp2(y):
    """Mitchell 2^y with the 16-entry table; 2^y must be a normal float (NO GUARDS)."""
    return mitchell_exp2(y, 2, 0, False)
