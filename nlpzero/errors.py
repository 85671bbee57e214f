"""Errors that the command line reports as one clear line (exit code 1), never a traceback."""

from __future__ import annotations


class NlpzeroError(Exception):
    """A failure caused by the input or the environment, with a message fit for the user."""


class InputError(NlpzeroError):
    """The input cannot be read as asked: invalid UTF-8, binary data, malformed lines, ..."""
