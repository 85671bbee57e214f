"""``nlpzero approx``: Mitchell's approximate multiplication, explained, profiled and timed."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from ._common import Log, OutputOpt, QuietOpt, failures, resolve_input

app = typer.Typer(
    name="approx",
    help="Mitchell's approximate arithmetic: x·y by adding bit patterns (error within 1/9).",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Variant(str, Enum):
    mitchell = "mitchell"
    unbiased = "unbiased"
    minimax = "minimax"
    corrected = "corrected"
    table = "table"


class DType(str, Enum):
    float32 = "float32"
    float64 = "float64"


VariantOpt = Annotated[Variant, typer.Option(
    "--variant", "-v", help="mitchell (C = bits(1.0)), unbiased or minimax (other constants), "
    "corrected (a second Mitchell product), table (16-entry tables).")]
DTypeOpt = Annotated[DType, typer.Option("--dtype", help="Floating-point format.")]
RawOpt = Annotated[bool, typer.Option(
    "--raw", help="The bare bit trick, no guards (zero, inf, NaN, subnormals, over/underflow "
    "give meaningless results).")]
TsvOpt = Annotated[bool, typer.Option(
    "--tsv", help="Pairs: write x, y, result, exact, relative error (TSV) instead of results.")]
XArg = Annotated[Optional[str], typer.Argument(  # noqa: UP045 - typer introspection
    help="First operand; alone: a file of pairs, or - for stdin.", show_default=False)]
YArg = Annotated[Optional[str], typer.Argument(  # noqa: UP045
    help="Second operand. Without X and Y, pairs are read from stdin (one per line).",
    show_default=False)]
NUMBERS = {"ignore_unknown_options": True}  # so that -3 is a number, not an option

CHUNK = 1 << 16  # pairs per batch in pipes


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _pairs(op: str, path: str, variant: Variant, dtype: DType, raw: bool, tsv: bool,
           output: str | None) -> None:
    """One result per input line ("x y"); a blank line gives a blank line."""
    import numpy as np

    from nlpzero.approx import arithmetic as approx
    from nlpzero.errors import InputError
    from nlpzero.text.io import display_name, open_output, quote, read_lines

    name = display_name(path)
    dt = np.dtype(dtype.value)
    fn = approx.div if op == "div" else approx.mul

    def flush(out, rows: list[tuple[str, str] | None]) -> None:
        values = [r for r in rows if r is not None]
        with np.errstate(all="ignore"):
            xs = np.array([float(a) for a, _ in values]).astype(dt)
            ys = np.array([float(b) for _, b in values]).astype(dt)
            res = fn(xs, ys, variant.value, safe=not raw)
            exact = xs.astype(np.float64) / ys if op == "div" else xs.astype(np.float64) * ys
            err = res / exact - 1
        text = iter(range(len(values)))
        lines = []
        for r in rows:
            if r is None:
                lines.append("")
                continue
            i = next(text)
            if tsv:
                lines.append("\t".join((str(xs[i]), str(ys[i]), str(res[i]),
                                        repr(float(exact[i])), f"{err[i]:.6g}")))
            else:
                lines.append(str(res[i]))
        out.write("\n".join(lines) + "\n")

    with open_output(output) as out:
        rows: list[tuple[str, str] | None] = []
        for lineno, line in enumerate(read_lines(path), 1):
            fields = line.split()
            if not fields:
                rows.append(None)
            elif len(fields) != 2 or not all(map(_is_number, fields)):
                raise InputError(f"{name}:{lineno}: expected two numbers, got "
                                 f"{quote(line.strip())}")
            else:
                rows.append((fields[0], fields[1]))
            if len(rows) >= CHUNK:
                flush(out, rows)
                rows = []
        if rows:
            flush(out, rows)


def _run(op: str, x: str | None, y: str | None, variant: Variant, dtype: DType, raw: bool,
         tsv: bool, output: str | None) -> None:
    if x is not None and y is None and _is_number(x):
        raise typer.BadParameter("give both X and Y, or neither to read pairs from stdin",
                                 param_hint="Y")
    if y is not None:
        for text in (x, y):
            if not _is_number(text):
                from nlpzero.text.io import quote

                raise typer.BadParameter(f"not a number: {quote(text)}", param_hint="X Y")
        with failures():
            from nlpzero.approx import arithmetic as approx
            from nlpzero.text.io import open_output

            text = approx.explain(op, x, y, variant.value, dtype.value, safe=not raw)
            with open_output(output) as out:
                out.write(text)
        return
    path = resolve_input(x)
    with failures():
        _pairs(op, path, variant, dtype, raw, tsv, output)


@app.command("mul", context_settings=NUMBERS)
def mul(
    x: XArg = None,
    y: YArg = None,
    variant: VariantOpt = Variant.mitchell,
    dtype: DTypeOpt = DType.float32,
    raw: RawOpt = False,
    tsv: TsvOpt = False,
    output: OutputOpt = None,
) -> None:
    """Explain x·y step by step, or multiply pairs "x y" read one per line (stdin or file)."""
    _run("mul", x, y, variant, dtype, raw, tsv, output)


@app.command("div", context_settings=NUMBERS)
def div(
    x: XArg = None,
    y: YArg = None,
    variant: VariantOpt = Variant.mitchell,
    dtype: DTypeOpt = DType.float32,
    raw: RawOpt = False,
    tsv: TsvOpt = False,
    output: OutputOpt = None,
) -> None:
    """Explain x / y step by step, or divide pairs "x y" read one per line (stdin or file)."""
    _run("div", x, y, variant, dtype, raw, tsv, output)


class Op(str, Enum):
    mul = "mul"
    div = "div"
    log2 = "log2"
    exp2 = "exp2"


@app.command("errors")
def errors(
    op: Annotated[Optional[list[Op]], typer.Option(  # noqa: UP045
        "--op", help="Operation (repeatable; default: all).", show_default=False)] = None,
    variant: Annotated[Optional[list[Variant]], typer.Option(  # noqa: UP045
        "--variant", "-v", help="Variant (repeatable; default: all).", show_default=False)] = None,
    grid: Annotated[int, typer.Option(
        help="Mantissas per operand: mul/div sweep grid² pairs, log2/exp2 min(grid², 2^23) "
        "values.", min=1, max=1 << 14)] = 4096,
    dtype: DTypeOpt = DType.float32,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Error profiles of the variants over an exhaustive mantissa sweep, as TSV."""
    log = Log(quiet)
    with failures():
        from nlpzero.approx import arithmetic as approx
        from nlpzero.text.io import open_output

        ops = [o.value for o in op] if op else list(approx.OPS)
        variants = [v.value for v in variant] if variant else list(approx.VARIANTS)
        rows = ["op\tvariant\tmax_error\tmean_error\tbias\tmin\tmax\tworst_x\tworst_y\tunit"]
        for p in approx.error_table(ops, variants, grid=grid, dtype=dtype.value):
            worst = [repr(v) for v in p.worst] + [""] * (2 - len(p.worst))
            rows.append("\t".join([p.op, p.variant, f"{p.max_error:.6g}", f"{p.mean_abs:.6g}",
                                   f"{p.bias:.6g}", f"{p.min:.6g}", f"{p.max:.6g}", *worst,
                                   p.unit]))
        with open_output(output) as out:
            out.write("\n".join(rows) + "\n")
        log.info(f"{len(rows) - 1} profiles in {log.elapsed():.2f} s")


@app.command("bench")
def bench(
    n: Annotated[int, typer.Option("--n", "-n", help="Elements per array.", min=1,
                                   max=1 << 27)] = 10_000_000,
    repeat: Annotated[int, typer.Option(help="Timed runs per kernel (best is kept).",
                                        min=1, max=1000)] = 5,
    dtype: DTypeOpt = DType.float32,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Throughput of Mitchell's product against numpy and a plain copy, as TSV."""
    log = Log(quiet)
    with failures():
        from nlpzero.approx import arithmetic as approx
        from nlpzero.text.io import open_output

        rows = approx.throughput(n, repeat, dtype.value)
        copy = max(r.gb_s for r in rows if r.kernel.startswith("copy"))
        lines = ["kernel\tn\tbytes_per_element\tms\tgelem_s\tgb_s\tvs_best_copy"]
        lines += [f"{r.kernel}\t{r.n}\t{r.bytes_per_element}\t{r.seconds * 1e3:.3f}\t"
                  f"{r.gelem_s:.3f}\t{r.gb_s:.2f}\t{r.gb_s / copy:.2f}" for r in rows]
        with open_output(output) as out:
            out.write("\n".join(lines) + "\n")
        log.info(f"best of {repeat} runs; GB/s counts reads and writes, not the read for "
                 "ownership of ordinary stores; vs_best_copy compares GB/s")
