"""``nlpzero approx``: Mitchell's approximate multiplication, explained and profiled."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from ._common import Errors, ErrorsOpt, Log, OutputOpt, QuietOpt, failures, resolve_input

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

def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _run(op: str, x: str | None, y: str | None, variant: Variant, dtype: DType, raw: bool,
         tsv: bool, output: str | None, errors: Errors = Errors.strict) -> None:
    if x is not None and y is None and _is_number(x):
        raise typer.BadParameter("give both X and Y, or neither to read pairs from stdin",
                                 param_hint="Y")
    if y is not None:
        for text in (x, y):
            if not _is_number(text):
                from nlpzero.text.io import quote

                raise typer.BadParameter(f"not a number: {quote(text)}", param_hint="X Y")
        with failures():
            from nlpzero.approx.profile import explain
            from nlpzero.text.io import open_output

            text = explain(op, x, y, variant.value, dtype.value, safe=not raw)
            with open_output(output) as out:
                out.write(text)
        return
    path = resolve_input(x)
    with failures():
        from nlpzero.approx.profile import pair_lines
        from nlpzero.text.io import display_name, open_output, read_lines

        chunks = pair_lines(read_lines(path, errors.value), op, variant.value, dtype.value,
                            safe=not raw, tsv=tsv, name=display_name(path))
        with open_output(output) as out:
            for chunk in chunks:
                out.write(chunk)


@app.command("mul", context_settings=NUMBERS)
def mul(
    x: XArg = None,
    y: YArg = None,
    variant: VariantOpt = Variant.mitchell,
    dtype: DTypeOpt = DType.float32,
    raw: RawOpt = False,
    tsv: TsvOpt = False,
    output: OutputOpt = None,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """Explain x·y step by step, or multiply pairs "x y" read one per line (stdin or file)."""
    _run("mul", x, y, variant, dtype, raw, tsv, output, errors)


@app.command("div", context_settings=NUMBERS)
def div(
    x: XArg = None,
    y: YArg = None,
    variant: VariantOpt = Variant.mitchell,
    dtype: DTypeOpt = DType.float32,
    raw: RawOpt = False,
    tsv: TsvOpt = False,
    output: OutputOpt = None,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """Explain x / y step by step, or divide pairs "x y" read one per line (stdin or file)."""
    _run("div", x, y, variant, dtype, raw, tsv, output, errors)


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
        from nlpzero.approx import profile
        from nlpzero.text.io import open_output

        ops = [o.value for o in op] if op else list(profile.OPS)
        variants = [v.value for v in variant] if variant else list(profile.VARIANTS)
        profiles = profile.error_table(ops, variants, grid=grid, dtype=dtype.value)
        with open_output(output) as out:
            out.write(profile.error_tsv(profiles))
        log.info(f"{len(profiles)} profiles in {log.elapsed():.2f} s")
