"""Exceptions raised by briefly.

Every message is one line that says what went wrong and what to do next; the
CLI prints it as is and exits with ``exit_code``.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the bidirectional overrides and isolates: what can move a
# terminal's cursor, retitle or clear it, forge a log line, or reorder the text around it.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class BrieflyError(Exception):
    """Base class for errors a user can act on."""

    exit_code = 1
    # Short machine-readable category, recorded by batch mode in errors.jsonl.
    kind = "error"


class UsageError(BrieflyError):
    """An option or argument has an invalid value."""

    exit_code = 2
    kind = "usage"


class InputError(BrieflyError):
    """An article cannot be read or has nothing to summarise."""

    kind = "input"

    def __init__(self, message: str, kind: str = "input") -> None:
        super().__init__(message)
        # e.g. "not_found", "is_directory", "binary", "empty", "no_content",
        # "too_large", "fetch".
        self.kind = kind


class ModelError(BrieflyError):
    """A model cannot be found, downloaded, loaded or run."""

    kind = "model"


def printable(text: str) -> str:
    """``text`` with control characters written as escapes (``\\x1b``, ``\\n``, ``\\u202e``).

    For every message and log line that may hold a name or path someone else chose.
    """
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def first_line(error: BaseException) -> str:
    """The first line of an exception's message, for one-line error reports."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class OutputError(BrieflyError):
    """A result cannot be written: a full disk, a folder in the way, no permission."""

    kind = "output"

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        # The OSError's errno: batch mode stops the whole run on a full disk (ENOSPC).
        self.errno = errno
