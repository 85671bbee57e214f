"""The public Python API: lazy exports that stay functions, and one rule for inputs."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import nlpzero
from nlpzero.errors import InputError

FUNCTIONS = ("discover", "segment", "score", "cooccur", "infomap", "train", "find_templates")


def all_submodules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(nlpzero.__path__, "nlpzero.")
            if not m.name.startswith("nlpzero.cli")]


def test_exports_are_functions_after_every_submodule_import() -> None:
    before = {name: getattr(nlpzero, name) for name in FUNCTIONS}
    for module in all_submodules():
        importlib.import_module(module)
    for name in FUNCTIONS:
        function = getattr(nlpzero, name)
        assert inspect.isfunction(function), name
        assert function is before[name] and function is getattr(nlpzero, name)
        assert "args" not in inspect.signature(function).parameters, name


def test_no_module_class_swapping() -> None:
    root = Path(nlpzero.__file__).parent
    offenders = [str(p) for p in root.rglob("*.py") if "__class__ =" in p.read_text("utf-8")]
    assert offenders == []


def test_a_str_is_a_path_and_lines_are_text(tmp_path: Path) -> None:
    text = ["中外科学名著", "中外科学名著"] * 5
    path = tmp_path / "c.txt"
    path.write_text("\n".join(text) + "\n", "utf-8")
    from_lines = nlpzero.discover(text)
    assert nlpzero.discover(str(path)).words == from_lines.words
    assert nlpzero.discover(path).words == from_lines.words
    lexicon = nlpzero.Lexicon.from_counts({"中外": 10, "科学": 20, "名著": 10})
    assert list(nlpzero.segment(["中外科学名著"], lexicon)) == ["中外 科学 名著"]
    assert list(nlpzero.segment(str(path), lexicon)) == ["中外 科学 名著"] * 10
    templates = nlpzero.find_templates(["我 爱 你", "他 爱 你"], min_proba=1e-9, min_pmi=-9)
    assert nlpzero.find_templates(str(_lines(tmp_path, ["我 爱 你", "他 爱 你"])),
                                  min_proba=1e-9, min_pmi=-9).as_dict() == templates.as_dict()


def _lines(folder: Path, lines: list[str]) -> Path:
    path = folder / "t.txt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.mark.parametrize("call", [
    lambda: nlpzero.discover("missing.txt"),
    lambda: list(nlpzero.segment("missing.txt", nlpzero.Lexicon.from_counts({"a": 1}))),
    lambda: nlpzero.find_templates("missing.txt"),
    lambda: nlpzero.cooccur("missing.txt"),
    lambda: nlpzero.score("missing.txt", "missing.txt"),
    lambda: nlpzero.read_graph("missing.txt"),
])
def test_a_missing_path_is_a_clear_error(call) -> None:
    with pytest.raises(InputError, match="missing.txt: no such file"):
        call()


def test_bytes_are_refused() -> None:
    with pytest.raises(TypeError, match="list of lines"):
        nlpzero.discover(b"\xe4\xb8\xad")


def test_import_is_light() -> None:
    code = "import nlpzero, sys; print('numba' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]
