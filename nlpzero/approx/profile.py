"""Errors of Mitchell's arithmetic: exhaustive profiles of every variant, a step-by-step
explanation of one product or quotient, and products / quotients of pairs read as text
with their exact values and relative errors (what ``nlpzero approx`` prints)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InputError
from ..text.io import quote
from . import _kernels as K
from .arithmetic import (
    _CODE,
    _KIND,
    _ONE,
    _P,
    BOUNDS,
    OPS,
    VARIANTS,
    _check_variant,
    _float_dtype,
    _params,
    constant,
    div,
    mul,
)


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
    name = variant if isinstance(variant, str) else f"{int(variant):#x}"
    kind, c, delta = _params(op, variant, dt)
    binary = op in ("mul", "div")
    n = grid if binary else min(grid * grid, 1 << 23)  # points per axis
    lo, hi, s, sa, sq, ilo, jlo, ihi, jhi = K.profile(_CODE[op], n, kind, c, delta, dt.type(1))
    if binary:
        lowest, highest = (1 + ilo / n, 1 + jlo / n), (1 + ihi / n, 1 + jhi / n)
    else:
        base = 1.0 if op == "log2" else 0.0
        lowest, highest = (base + ilo / n,), (base + ihi / n,)
    count = n * n if binary else n
    return ErrorProfile(op, name, dt.name, count, float(lo), float(hi), s / count, sa / count,
                        math.sqrt(sq / count), lowest, highest)


def error_table(ops: Sequence[str] = OPS, variants: Sequence[str] = VARIANTS, *,
                grid: int = 4096, dtype: Any = np.float32) -> list[ErrorProfile]:
    """:func:`error_profile` for every op and variant."""
    return [error_profile(v, op, grid=grid, dtype=dtype) for op in ops for v in variants]


#: Columns of :func:`error_tsv`.
ERROR_COLUMNS = ("op", "variant", "max_error", "mean_error", "bias", "min", "max", "worst_x",
                 "worst_y", "unit")


def error_tsv(profiles: Iterable[ErrorProfile]) -> str:
    """*profiles* as TSV under a header of :data:`ERROR_COLUMNS` (errors to 6 digits, the
    worst inputs exactly; unary ops leave worst_y empty)."""
    rows = ["\t".join(ERROR_COLUMNS)]
    for p in profiles:
        worst = [repr(v) for v in p.worst] + [""] * (2 - len(p.worst))
        rows.append("\t".join([p.op, p.variant, f"{p.max_error:.6g}", f"{p.mean_abs:.6g}",
                               f"{p.bias:.6g}", f"{p.min:.6g}", f"{p.max:.6g}", *worst,
                               p.unit]))
    return "\n".join(rows) + "\n"


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


# --- pairs of numbers as text --------------------------------------------------------------------


def _pair(line: str) -> tuple[float, float] | None:
    """The two numbers of a line "x y"; None if it is anything else."""
    fields = line.split()
    if len(fields) != 2:
        return None
    try:
        return float(fields[0]), float(fields[1])
    except ValueError:
        return None


def _pair_chunk(rows: list[tuple[float, float] | None], op: str, variant: str | int,
                dt: np.dtype, safe: bool, tsv: bool) -> str:
    values = [r for r in rows if r is not None]
    with np.errstate(all="ignore"):
        xs = np.array([a for a, _ in values]).astype(dt)
        ys = np.array([b for _, b in values]).astype(dt)
        res = (div if op == "div" else mul)(xs, ys, variant, safe=safe)
        exact = xs.astype(np.float64) / ys if op == "div" else xs.astype(np.float64) * ys
        err = res / exact - 1
    index = iter(range(len(values)))
    lines = []
    for r in rows:
        if r is None:
            lines.append("")
            continue
        i = next(index)
        if tsv:
            lines.append("\t".join((str(xs[i]), str(ys[i]), str(res[i]), repr(float(exact[i])),
                                    f"{err[i]:.6g}")))
        else:
            lines.append(str(res[i]))
    return "\n".join(lines) + "\n"


def pair_lines(lines: Iterable[str], op: str, variant: str | int = "mitchell",
               dtype: Any = np.float32, *, safe: bool = True, tsv: bool = False,
               name: str = "<input>", chunk: int = 1 << 16) -> Iterator[str]:
    """Mitchell's product (op="mul") or quotient (op="div") of the pairs "x y" on *lines*,
    as text: one result per line (the shortest repr in *dtype*; a blank line stays blank),
    or with *tsv* the columns x, y, result, exact (float64) and relative error. Yields the
    text of every *chunk* lines, so that a stream is processed in batches. A line that is
    not two numbers raises :class:`InputError` naming ``name:line``."""
    if op not in ("mul", "div"):
        raise ValueError("pair_lines: op must be mul or div")
    _check_variant(variant, op)
    dt = _float_dtype(dtype)
    rows: list[tuple[float, float] | None] = []
    for lineno, line in enumerate(lines, 1):
        pair = _pair(line) if line.strip() else None
        if line.strip() and pair is None:
            raise InputError(f"{name}:{lineno}: expected two numbers, got {quote(line.strip())}")
        rows.append(pair)
        if len(rows) >= chunk:
            yield _pair_chunk(rows, op, variant, dt, safe, tsv)
            rows = []
    if rows:
        yield _pair_chunk(rows, op, variant, dt, safe, tsv)
