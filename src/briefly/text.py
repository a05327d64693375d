"""Paragraphs, sentences and chunks: the units briefly feeds to models."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs, with line breaks inside a paragraph folded to spaces."""
    parts = (" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text))
    return [p for p in parts if p]


def sentences(text: str) -> list[str]:
    """Sentences of one paragraph, stripped, in order."""
    return [s.strip() for s in _segmenter().segment(text) if s.strip()]


def split_to_fit(
    sentence: str, count: Callable[[Sequence[str]], list[int]], budget: int
) -> list[str]:
    """Split an over-long sentence at word boundaries into pieces of at most ``budget`` tokens.

    Menus, tables and run-on text arrive as one "sentence" of thousands of
    tokens; cutting them at word boundaries keeps every word.
    """
    if count([sentence])[0] <= budget:
        return [sentence]
    words = sentence.split()
    if len(words) == 1:
        # One token-heavy "word" (a URL, a hash): split it by characters.
        half = len(sentence) // 2
        return split_to_fit(sentence[:half], count, budget) + split_to_fit(
            sentence[half:], count, budget
        )
    half = len(words) // 2
    return split_to_fit(" ".join(words[:half]), count, budget) + split_to_fit(
        " ".join(words[half:]), count, budget
    )


def pack(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Group indices of consecutive pieces into chunks of at most ``budget`` tokens in all."""
    chunks: list[list[int]] = []
    current: list[int] = []
    used = 0
    for index, length in enumerate(lengths):
        if current and used + length > budget:
            chunks.append(current)
            current, used = [], 0
        current.append(index)
        used += length
    if current:
        chunks.append(current)
    return chunks
