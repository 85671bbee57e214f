"""Fuzzing the option space of every command (hypothesis, in-process via Typer's CliRunner).

Any value of any numeric option either runs to completion on a tiny input (exit 0, or a
one-line runtime error, exit 1, that is not an internal error) or is refused as a usage
error (exit 2) naming the option. A run that does not finish within a generous limit is
reported as a hang (the limit only detects hangs; it is not a speed test).
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nlpzero.cli.app import app
from typer.testing import CliRunner

runner = CliRunner()
#: Examples per command (raise it for a deeper search: NLPZERO_FUZZ_EXAMPLES=500).
EXAMPLES = int(os.environ.get("NLPZERO_FUZZ_EXAMPLES", "12"))

#: Integers around every boundary an option may have, and far beyond 64 bits.
INTS = st.one_of(
    st.integers(-3, 40),
    st.sampled_from([2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1, 2**53 + 1, 2**63 - 1,
                     2**63, 2**64, 10**30, -(2**63), -(2**64)]),
).map(str)
#: Floats, including NaN, infinities, subnormals and the largest finite values.
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-3, 3).map(repr),
    st.sampled_from(["nan", "-nan", "inf", "-inf", "1e308", "-1e308", "1e-320", "0", "-0",
                     "1", "0.5", "1e-300", "2", "-2", "100"]),
)
#: Text that is no number at all, for either kind.
JUNK = st.sampled_from(["", "abc", "1x", "0x10", "--", "１", "1e400"])

CORPUS = "我们 的 妈妈 不 修 椅子 。\n他们 讨论 的 书 特别 有用 。\n我们 讨论 书 。\n" * 3
RAW = "我们的妈妈不修椅子。他们讨论的书特别有用。我们讨论书。\n" * 5
LEXICON = "我们\t5\n妈妈\t3\n椅子\t2\n讨论\t4\n的\t9\n"
TEMPLATES = "[X] 的 [X]\t5\n我们 [X]\t3\n"
VECTORS = "5 3\n我们 1 0 0\n的 0.9 0.1 0\n书 0 1 0\n讨论 0 0.8 0.6\n妈妈 0.5 0.5 0.5\n"
GRAPH = "a b\nb c\nc a\nc d\nd e\ne f\nf d\n"
CLUSTERS = "我们\t1\t0.3\n的\t1\t0.3\n书\t2\t0.2\n讨论\t2\t0.2\n"

#: command -> (fixed arguments, {option: strategy of values}); "{x}" names an input file.
COMMANDS: dict[str, tuple[list[str], dict[str, st.SearchStrategy[str]]]] = {
    "discover": (["discover", "{raw}", "-q"], {
        "--min-count": INTS, "--min-pmi": FLOATS, "--pmi-step": FLOATS, "--max-len": INTS,
        "--iterations": INTS, "--partitions": INTS, "--unknown-score": FLOATS, "--top": INTS,
        "--pmi-cap": FLOATS, "--max-share": FLOATS, "--lexicon-cost": FLOATS,
        "--boundary-margin": FLOATS}),
    "discover-nlpzero": (["discover", "{raw}", "-q", "--method", "nlpzero"], {
        "--min-proba": FLOATS, "--min-pmi": FLOATS, "--unknown-score": FLOATS}),
    "segment": (["segment", "{raw}", "-l", "{lexicon}", "-q"], {"--unknown-score": FLOATS}),
    "templates": (["templates", "{corpus}", "-q"], {
        "--window": INTS, "--min-proba": FLOATS, "--min-pmi": FLOATS, "--max-paths": INTS,
        "--top": INTS}),
    "parse": (["parse", "{corpus}", "-t", "{templates}", "-q"], {
        "--null-score": FLOATS, "--max-words": INTS}),
    "embed": (["embed", "{corpus}", "-q", "--min-count", "1"], {
        "--dim": INTS, "--window": INTS, "--min-count": INTS, "--epochs": INTS,
        "--x-max": FLOATS, "--alpha": FLOATS, "--model": INTS, "--context-power": FLOATS,
        "--shift": FLOATS, "--eigen-power": FLOATS, "--threads": INTS, "--seed": INTS,
        "--tol": FLOATS, "--sweeps": INTS, "--cg-steps": INTS, "--ridge": FLOATS,
        "--subsample": FLOATS}),
    "embed-dynamic": (["embed", "{corpus}", "-q", "--min-count", "1", "--dynamic-window"], {
        "--window": INTS, "--subsample": FLOATS, "--x-max": FLOATS, "--threads": INTS}),
    "embed-spectral": (["embed", "{corpus}", "-q", "--min-count", "1", "--method", "spectral"], {
        "--dim": INTS, "--epochs": INTS, "--eigen-power": FLOATS, "--tol": FLOATS,
        "--seed": INTS}),
    "embed-adagrad": (["embed", "{corpus}", "-q", "--min-count", "1", "--method", "adagrad",
                       "--epochs", "2"], {
        "--dim": INTS, "--x-max": FLOATS, "--alpha": FLOATS, "--context-power": FLOATS,
        "--shift": FLOATS, "--seed": INTS}),
    "map": (["map", "{clusters}", "{vectors}", "-q"], {"--neighbours": INTS}),
    "knn": (["knn", "{vectors}", "-q"], {"-k": INTS, "--min-sim": FLOATS, "--top": INTS}),
    "cluster": (["cluster", "{graph}", "-q"], {
        "--trials": INTS, "--seed": INTS, "--markov-time": FLOATS, "--teleportation": FLOATS}),
    "similar": (["similar", "{vectors}", "我们"], {"--top": INTS, "--reference-words": INTS}),
    "analogy": (["analogy", "{vectors}", "我们", "的", "书"], {"--top": INTS}),
    "keywords": (["keywords", "{vectors}", "{corpus}"], {"--top": INTS}),
    "approx-errors": (["approx", "errors", "--op", "mul", "-v", "mitchell", "-q"], {
        "--grid": st.one_of(st.integers(-2, 64).map(str), JUNK,
                            st.sampled_from(["16385", "2**40", str(2**64), "nan"]))}),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("fuzz")
    out = {}
    for name, text in (("raw", RAW), ("corpus", CORPUS), ("lexicon", LEXICON),
                       ("templates", TEMPLATES), ("vectors", VECTORS), ("graph", GRAPH),
                       ("clusters", CLUSTERS)):
        path = folder / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        out[name] = str(path)
    return out


@contextlib.contextmanager
def hang_guard(seconds: int, what: str) -> Iterator[None]:
    """Fail (instead of hanging the suite) when a run takes far longer than it can need."""

    def expire(signum: int, frame: object) -> None:
        raise AssertionError(f"{what} did not finish within {seconds} s (a hang?)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_run(args: list[str], options: list[str]) -> None:
    with hang_guard(120, " ".join(args)):
        result = runner.invoke(app, args)
    err = " ".join(result.stderr.split())
    assert "Traceback" not in result.output, (args, result.output)
    assert "internal error" not in err, (args, err)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, err)
    if result.exit_code == 2:
        assert any(option in err for option in options), (args, err)
    if result.exit_code == 1:
        lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
        assert len(lines) == 1, (args, result.stderr)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_any_option_value_runs_or_is_refused(command: str, files: dict[str, str]) -> None:
    fixed, options = COMMANDS[command]
    base = [a.format(**files) if a.startswith("{") else a for a in fixed]
    names = sorted(options)

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True).flatmap(
        lambda chosen: st.tuples(*[st.tuples(st.just(o), st.one_of(options[o], JUNK))
                                   for o in chosen])))
    def run(drawn: tuple[tuple[str, str], ...]) -> None:
        args = list(base)
        for option, value in drawn:  # "--opt=VALUE" / "-kVALUE", so "-1" is not an option
            if option.startswith("--"):
                args.append(f"{option}={value}")
            else:
                args += [option + value] if value else [option, value]
        check_run(args, [option for option, _ in drawn])

    run()


def test_fuzz_inputs_exist(files: dict[str, str]) -> None:
    assert all(Path(p).stat().st_size > 0 for p in files.values())
