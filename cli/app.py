"""The ``nlpzero`` Typer app: one module per command, heavy imports inside commands."""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from . import (
    approx,
    cluster,
    discover,
    embed,
    knn,
    map,
    parse,
    score,
    segment,
    templates,
    vectors,
)

# Click's base exception, whether Typer uses click or its own vendored copy of it
ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def usage_error_line(error: ClickException) -> str:
    """A usage error as one line: ``error: nlpzero discover: <what> (see nlpzero discover -h)``
    (Click prints a three-line block with the usage synopsis instead)."""
    message = " ".join(error.format_message().split())
    ctx = getattr(error, "ctx", None)
    if ctx is None:
        return f"error: {message}"
    return f"error: {ctx.command_path}: {message} (see {ctx.command_path} -h)"


class OneLineErrors(TyperGroup):
    """The root command: runs in Click's non-standalone mode so that usage errors are
    printed as one line (exit 2) and exit codes pass through unchanged."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except ClickException as e:
            with contextlib.suppress(OSError, ValueError):  # stderr closed or full
                if type(e).__name__ == "NoArgsIsHelpError":
                    e.show()  # a bare `nlpzero` or `nlpzero approx`: the help, as Click shows it
                else:
                    typer.echo(usage_error_line(e), err=True)
            sys.exit(e.exit_code)
        except typer.Abort:
            with contextlib.suppress(OSError, ValueError):
                typer.echo("error: aborted", err=True)
            sys.exit(1)
        except OSError as e:  # the help or --version could not be written (`> /dev/full`)
            sys.exit(output_failed(e))
        except SystemExit as e:
            # Click's own output (the help, --version) met a closed pipe (`| head -1`):
            # Click wraps the streams and exits 1; a command exits 0 there, and so do we
            if e.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
                sys.exit(0)
            raise
        sys.exit(code if isinstance(code, int) else 0)


def output_failed(error: OSError) -> int:
    """Report a failed write of Click's own output (the help, ``--version``) as one line;
    stdout is pointed at /dev/null so that the unflushed rest cannot fail again at exit."""
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    with contextlib.suppress(OSError, ValueError):
        typer.echo(f"error: {error.strerror or error}", err=True)
    return 1


app = typer.Typer(
    name="nlpzero",
    cls=OneLineErrors,
    help="Unsupervised Chinese NLP from raw text: discover words, segment, score, learn "
    "sentence templates and parse, embed words, cluster, draw a map of the clusters.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text verbatim: [ngram: 2.0], [X], [weight] stay
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from nlpzero import __version__

        typer.echo(f"nlpzero {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option(  # noqa: UP045
        "--version", help="Print the version and exit.", callback=_version, is_eager=True,
    )] = None,
) -> None:
    """Unsupervised Chinese NLP from raw text: discover words, segment, score, learn
    sentence templates and parse, embed words, cluster, draw a map of the clusters."""


app.command("discover")(discover.discover)
app.command("segment")(segment.segment)
app.command("score")(score.score)
app.command("templates")(templates.templates)
app.command("parse")(parse.parse)
app.command("embed")(embed.embed)
app.command("similar")(vectors.similar)
app.command("analogy")(vectors.analogy)
app.command("keywords")(vectors.keywords)
app.command("evaluate")(vectors.evaluate)
app.command("knn")(knn.knn)
app.command("cluster")(cluster.cluster)
app.command("map")(map.map_)
app.add_typer(approx.app, name="approx")


def main() -> None:
    import warnings

    from nlpzero._malloc import release_freed_memory

    from ._common import one_line_warning

    warnings.showwarning = one_line_warning
    release_freed_memory()
    app(prog_name="nlpzero")


if __name__ == "__main__":
    main()
