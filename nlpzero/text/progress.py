"""The one progress protocol of the library: stages of a long job, bytes read, log notes.

Library functions take ``progress: Progress | None``; the default does nothing, and the
command line passes an object that draws rich bars and log lines on stderr.
"""

from __future__ import annotations


class Progress:
    """Receives progress events; every method is optional to override."""

    def stage(self, name: str, total_bytes: int | None = None) -> None:
        """A new stage begins; *total_bytes* of input will be read (None if unknown)."""

    def advance(self, n_bytes: int) -> None:
        """*n_bytes* more of the input were read."""

    def note(self, message: str) -> None:
        """A line worth logging (an epoch's loss, a solver's residual, a skipped piece)."""
