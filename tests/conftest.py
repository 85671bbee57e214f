"""Shared fixtures: the committed sample data, small lexicons and a file factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parent.parent / "data_samples"

#: The hand-computed example of the brief: 中外科学名著 → 中外 科学 名著.
HAND_COUNTS = {"中外": 10, "科学": 20, "名著": 10, "中": 5, "外科": 8, "学": 3}


def _zipf_lines(n_lines: int, seed: int) -> list[str]:
    """Lines of Zipf-distributed filler words plus words of one of 40 topics each."""
    import numpy as np

    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n_lines):
        topic = rng.integers(0, 40)
        words = [f"w{int(x)}" if x < 3000 else "the" for x in rng.zipf(1.15, 20)]
        words += [f"t{topic}_{int(x)}" for x in rng.integers(0, 25, 6)]
        rng.shuffle(words)
        lines.append(" ".join(words))
    return lines


@pytest.fixture(scope="session")
def zipf_lines() -> Callable[[int, int], list[str]]:
    """``zipf_lines(n_lines, seed)``: a small topical corpus for the vector solvers."""
    return _zipf_lines


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture
def hand_lexicon():
    from nlpzero.words.lexicon import Lexicon

    return Lexicon.from_counts(HAND_COUNTS)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """``write_file(name, content)`` writes str (UTF-8) or bytes under tmp_path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write


class Cli:
    """The command line run in-process (Typer's CliRunner) and checks of its error contract."""

    def __init__(self) -> None:
        from typer.testing import CliRunner

        self.runner = CliRunner()  # result.stdout and result.stderr are separate

    def invoke(self, *args: object, input: str | bytes | None = None):
        from nlpzero.cli.app import app

        return self.runner.invoke(app, [str(a) for a in args], input=input)

    @staticmethod
    def flat(text: str) -> str:
        """Undo rich's line wrapping (the width depends on the terminal) for substring checks."""
        return " ".join(text.split())

    def assert_runtime_error(self, result, *needles: str) -> str:
        assert result.exit_code == 1, (result.stdout, result.stderr)
        assert isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        assert result.stdout == ""
        assert [ln for ln in result.stderr.splitlines() if ln.startswith("error:")], result.stderr
        message = self.flat(result.stderr[result.stderr.index("error:"):])
        for needle in needles:
            assert needle in message, message
        return message

    def assert_usage_error(self, result, needle: str) -> None:
        assert result.exit_code == 2, (result.stdout, result.stderr)
        assert "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one line
        assert result.stderr.startswith("error: nlpzero"), result.stderr
        assert needle in self.flat(result.stderr), result.stderr


@pytest.fixture(scope="session")
def cli() -> Cli:
    return Cli()
