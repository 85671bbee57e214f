"""Shared fixtures: the committed sample data, small lexicons and a file factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parent.parent / "data_samples"

#: The hand-computed example of the brief: 中外科学名著 → 中外 科学 名著.
HAND_COUNTS = {"中外": 10, "科学": 20, "名著": 10, "中": 5, "外科": 8, "学": 3}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture
def hand_lexicon():
    from nlpzero.lexicon import Lexicon

    return Lexicon.from_counts(HAND_COUNTS)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """``write_file(name, content)`` writes str (UTF-8) or bytes under tmp_path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write
