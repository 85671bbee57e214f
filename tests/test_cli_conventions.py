"""Conventions shared by every command: help text printed verbatim, options that do not
apply refused, one meaning per shared flag, --version, python -m nlpzero, completion, and
the notice while kernels compile."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from nlpzero.cli.app import app
from typer.main import get_command
from typer.testing import CliRunner

runner = CliRunner()
ROOT = get_command(app)
COMMANDS = {name: cmd for name, cmd in ROOT.commands.items() if name != "approx"}


def _flat(text: str) -> str:
    """Help output without wrapping and box drawing: single spaces."""
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_help_survives_verbatim(name: str) -> None:
    result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "300", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    shown = _flat(result.output)
    for param in COMMANDS[name].params:
        help_text = getattr(param, "help", None)
        if help_text:
            assert _flat(help_text) in shown, (name, param.name, help_text)


def test_bracketed_help_text_is_kept() -> None:
    shown = _flat(runner.invoke(app, ["discover", "--help"],
                                env={"COLUMNS": "300"}).output)
    assert ("a 2-char word needs [unigram: 1.5, ngram: 2.0] / strong-pair PMI [nlpzero: 1.0]."
            in shown)
    assert "[nlpzero] Minimum pair and fragment probability." in shown


@pytest.mark.parametrize(("args", "option", "owner"), [
    (["discover", "--method", "nlpzero", "--min-count", "50"], "--min-count", "--method ngram"),
    (["discover", "--method", "nlpzero", "--iterations", "3"], "--iterations", "--method ngram"),
    (["discover", "--method", "nlpzero", "--partitions", "3"], "--partitions", "--method ngram"),
    (["discover", "--method", "nlpzero", "--max-len", "3"], "--max-len", "--method ngram"),
    (["discover", "--method", "nlpzero", "--pmi-step", "3"], "--pmi-step", "--method ngram"),
    (["discover", "--min-proba", "1e-5"], "--min-proba", "--method nlpzero"),
    (["embed", "--method", "adagrad", "--eigen-power", "0.5"], "--eigen-power",
     "--method spectral"),
    (["embed", "--clusters", "c.tsv"], "--clusters", "--projector"),
    (["similar", "v.txt", "北京", "--related", "--reference-words", "500"],
     "--reference-words", "similarity"),
])
def test_inapplicable_options_are_refused(args: list[str], option: str, owner: str,
                                          write_file) -> None:
    corpus = write_file("c.txt", "中外科学名著\n")
    result = runner.invoke(app, [*args, str(corpus)] if args[0] != "similar" else args)
    assert result.exit_code == 2, result.output
    assert f"{option} applies to {owner}" in _flat(result.output)


def test_teleportation_is_refused_for_undirected_flow(write_file) -> None:
    graph = write_file("g.tsv", "a b\nb c\nc a\n")
    result = runner.invoke(app, ["cluster", str(graph), "--teleportation", "0.2"])
    assert result.exit_code == 2
    assert "--teleportation applies to directed flow" in _flat(result.output)
    ok = runner.invoke(app, ["cluster", str(graph), "-d", "--teleportation", "0.2", "-q"])
    assert ok.exit_code == 0, ok.output


def test_the_same_default_is_accepted_when_not_given(write_file) -> None:
    """Defaults of the other method are not "given": plain runs still work."""
    corpus = write_file("c.txt", "中外科学名著\n" * 5)
    result = runner.invoke(app, ["discover", "--method", "nlpzero", "-q", str(corpus)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_quiet_is_accepted_everywhere(name: str) -> None:
    opts = {o for p in COMMANDS[name].params for o in getattr(p, "opts", [])}
    assert {"-q", "--quiet"} <= opts, name


def test_top_means_one_thing_everywhere() -> None:
    tops = [(name, p) for name, cmd in COMMANDS.items() for p in cmd.params
            if "--top" in getattr(p, "opts", [])]
    assert {name for name, _ in tops} == {"discover", "templates", "similar", "analogy",
                                          "keywords"}
    for name, p in tops:
        assert set(p.opts) == {"--top", "-n"}, name
        assert p.help == "Write at most N results, best / most frequent first.", name
    # knn's input cap has its own name now
    knn_opts = {o for p in COMMANDS["knn"].params for o in getattr(p, "opts", [])}
    assert "--words" in knn_opts and "--top" not in knn_opts


def test_seed_has_one_default() -> None:
    seeds = {name: p.default for name, cmd in COMMANDS.items() for p in cmd.params
             if "--seed" in getattr(p, "opts", [])}
    assert seeds == {"embed": 123, "cluster": 123}
    for name, cmd in COMMANDS.items():
        for p in cmd.params:
            if "--seed" in getattr(p, "opts", []):
                assert "-s" in p.opts, name


def test_version() -> None:
    import nlpzero

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"nlpzero {nlpzero.__version__}\n"


def test_python_dash_m() -> None:
    proc = subprocess.run([sys.executable, "-m", "nlpzero", "--version"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("nlpzero ")
    proc = subprocess.run([sys.executable, "-m", "nlpzero", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and "Usage: nlpzero " in proc.stdout


def test_shell_completion_script() -> None:
    proc = subprocess.run([sys.executable, "-m", "nlpzero", "--show-completion", "bash"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "_nlpzero_completion" in proc.stdout and "complete " in proc.stdout


def test_compile_notice_is_printed_once(capsys) -> None:
    """A Numba compile (a cache miss) prints one notice on stderr, once per command."""
    from nlpzero.cli import _common
    from numba import njit

    log = _common.Log(quiet=False)

    @njit
    def double(x):
        return 2 * x

    @njit
    def triple(x):
        return 3 * x

    assert double(2) == 4 and triple(2) == 6
    err = capsys.readouterr().err
    assert err.count("compiling kernels for first use") == 1
    assert log.quiet is False
    _common.Log(quiet=True)

    @njit
    def quadruple(x):
        return 4 * x

    assert quadruple(2) == 8
    assert "compiling" not in capsys.readouterr().err
    # a loud command that compiles nothing leaves no notice for a later quiet one
    _common.Log(quiet=False)
    _common.Log(quiet=True)

    @njit
    def quintuple(x):
        return 5 * x

    assert quintuple(2) == 10
    assert "compiling" not in capsys.readouterr().err


def test_help_does_not_load_numba() -> None:
    code = ("import sys\nfrom nlpzero.cli.app import app\n"
            "try:\n    app(['segment', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('numba' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COLUMNS": "120"})
    assert re.search(r"False\s*$", proc.stdout), proc.stdout + proc.stderr
