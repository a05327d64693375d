"""Text that can always be encoded: lone surrogates replaced at the edges where text comes in.

Python strings may hold lone surrogates (U+D800–U+DFFF): JSON's ``"\\ud800"`` decodes to one,
and so does a file name that is not UTF-8 (``os.fsdecode`` keeps its bytes as surrogates).
No encoder, tokenizer or hash accepts them, so each is replaced by U+FFFD where text enters.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT, text)


def replace_surrogates_in(value: Any) -> Any:
    """A JSON value (keys, strings, nested lists and objects) with lone surrogates replaced."""
    if isinstance(value, str):
        return replace_surrogates(value)
    if isinstance(value, dict):
        return {replace_surrogates_in(k): replace_surrogates_in(v) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_surrogates_in(v) for v in value]
    return value


def find_surrogates(value: Any, where: str = "") -> str | None:
    """The name of the first field of a JSON value that holds a lone surrogate, if any."""
    if isinstance(value, str):
        return where if has_surrogates(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and has_surrogates(key):
                return replace_surrogates(name)
            if (found := find_surrogates(item, name)) is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            if (found := find_surrogates(item, f"{where}[{i}]")) is not None:
                return found
    return None
