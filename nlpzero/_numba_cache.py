"""Where Numba keeps its compiled kernels, and recovery from a damaged cache.

Numba caches each ``cache=True`` kernel beside its source (``__pycache__``) or, when that
folder is not writable, in ``~/.cache/numba``. On a read-only install with an unwritable
home (a container, a system package) neither works and Numba refuses to compile at all.
:func:`configure` runs when :mod:`nlpzero` is imported, before Numba is: if the package
folder is not writable and ``NUMBA_CACHE_DIR`` is unset, it points Numba at a writable
folder of this user (``$XDG_CACHE_HOME/nlpzero/numba``, ``~/.cache/nlpzero/numba`` or
``$TMPDIR/nlpzero-numba-UID``).

:func:`recover_corrupt_entries` makes a cache entry that cannot be loaded (a truncated
``.nbc`` or ``.nbi`` file after a crash or a full disk) count as missing: the kernel is
compiled again and the entry rewritten, instead of every later run failing.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _writable_folder(folder: Path, private: bool = False) -> bool:
    """True when files can be created in *folder* (made if missing). A *private* folder
    must belong to this user and be closed to others (it is in a shared temp folder)."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if private:
            st = folder.lstat()
            if (not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid()
                    or st.st_mode & 0o022):
                return False
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        return False
    return True


def _package_cache_writable() -> bool:
    """Can Numba write beside the sources (``nlpzero/__pycache__`` and the subpackages')?"""
    folders = [_PACKAGE] + [p for p in _PACKAGE.iterdir()
                            if p.is_dir() and (p / "__init__.py").exists()]
    return all(_writable_folder(folder / "__pycache__") for folder in folders)


def cache_folder() -> str | None:
    """A writable folder for Numba's cache when the package folder is not; None if the
    package folder is writable (Numba's default) or nothing is writable."""
    candidates: list[tuple[Path, bool]] = []
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        candidates.append((Path(xdg) / "nlpzero" / "numba", False))
    with contextlib.suppress(RuntimeError, KeyError):
        candidates.append((Path.home() / ".cache" / "nlpzero" / "numba", False))
    uid = os.getuid() if hasattr(os, "getuid") else 0
    candidates.append((Path(tempfile.gettempdir()) / f"nlpzero-numba-{uid}", True))
    for folder, private in candidates:
        if _writable_folder(folder, private):
            return str(folder)
    return None


def configure() -> None:
    """Point ``NUMBA_CACHE_DIR`` at a writable folder when the package folder is read-only
    (must run before Numba is imported; a user's own ``NUMBA_CACHE_DIR`` wins)."""
    if os.environ.get("NUMBA_CACHE_DIR") or _package_cache_writable():
        return
    folder = cache_folder()
    if folder is not None:
        os.environ["NUMBA_CACHE_DIR"] = folder


_patched = False


def recover_corrupt_entries() -> None:
    """Treat a cache entry that fails to load as missing (compiled again, then rewritten)."""
    global _patched
    if _patched:
        return
    _patched = True
    try:
        from numba.core import caching
    except ImportError:  # pragma: no cover - a Numba without this module
        return
    cache_file = getattr(caching, "IndexDataCacheFile", None)
    cache = getattr(caching, "Cache", None)
    if cache_file is not None and hasattr(cache_file, "_load_index"):
        load_index = cache_file._load_index

        def _load_index(self):  # type: ignore[no-untyped-def]
            try:
                return load_index(self)
            except Exception:  # noqa: BLE001 - a damaged index is an empty one
                return {}

        cache_file._load_index = _load_index
    if cache is not None and hasattr(cache, "load_overload"):
        load_overload = cache.load_overload

        def load_overload_or_none(self, sig, target_context):  # type: ignore[no-untyped-def]
            try:
                return load_overload(self, sig, target_context)
            except Exception:  # noqa: BLE001 - a damaged entry is a missing one
                return None

        cache.load_overload = load_overload_or_none
