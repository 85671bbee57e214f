"""Modules named like their main function (``nlpzero.discover``, ``nlpzero.infomap``, ...).

Importing a submodule sets it as an attribute of the package, replacing the function of the
same name that ``nlpzero`` exports, so ``nlpzero.discover(...)`` would work only until the
module was imported. Making such modules callable (they call their function) keeps
``nlpzero.name(...)`` working in every order, while ``from nlpzero.name import X`` still
gets the module.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any


def callable_module(module_name: str, function: Callable[..., Any]) -> None:
    """Make ``sys.modules[module_name]`` call ``function`` when called."""

    class CallableModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return function(*args, **kwargs)

    sys.modules[module_name].__class__ = CallableModule
