"""Make glibc give freed memory back to the operating system promptly.

glibc raises its mmap threshold after large blocks are freed, after which big numpy
temporaries come from the heap and stay resident when freed; with worker threads each
arena keeps its own. Pinning the thresholds keeps the resident size close to the live
data (measured on the 135 MB Gutenberg corpus: peak 597 MB -> 455 MB for discover).
Process-wide, so only the command line calls it; a no-op where glibc is absent.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def release_freed_memory() -> bool:
    """Pin glibc's mmap (1 MB) and trim (16 MB) thresholds; True when it took effect."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20)
                    and libc.mallopt(_M_TRIM_THRESHOLD, 1 << 24))
    except (OSError, AttributeError):
        return False
