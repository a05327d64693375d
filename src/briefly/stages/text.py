"""Paragraphs, sentences and chunks: the units briefly feeds to models."""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Scripts written without spaces between words: each character is a token.
_NO_SPACE_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")
# Apostrophes inside words (don't, м'ясо) are dropped so the word stays whole.
_APOSTROPHES = "'\u2019\u02bc"
# pysbd's English rules do not know the danda or CJK full stops.
_EXTRA_SENTENCE_END = re.compile(r"(?<=[\u0964\u0965\u3002\uff01\uff1f])\s*")
# pysbd's cost grows with the square of its input's length (its abbreviation pass rescans
# the text), so longer paragraphs are cut into pieces of at most this many characters
# first: at the last sentence end within the bound, else at the last space.
_MAX_SEGMENT_CHARS = 2000
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019\u00bb)\]]*\s+")


# pysbd's Segmenter keeps the text it is segmenting on itself (``original_text``) and looks
# each sentence up in it: shared between threads, a sentence looked up in another thread's
# text is dropped, and a brief or translation comes out empty. One segmenter per thread.
_local = threading.local()


def _segmenter():
    segmenter = getattr(_local, "segmenter", None)
    if segmenter is None:
        import pysbd

        segmenter = _local.segmenter = pysbd.Segmenter(language="en", clean=False)
    return segmenter


def paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs, with line breaks inside a paragraph folded to spaces."""
    parts = (" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text))
    return [p for p in parts if p]


def sentences(text: str) -> list[str]:
    """Sentences of one paragraph, stripped, in order."""
    return [
        part.strip()
        for piece in _bounded(text)
        for sentence in _segmenter().segment(piece)
        for part in _EXTRA_SENTENCE_END.split(sentence)
        if part.strip()
    ]


def _bounded(text: str) -> list[str]:
    """``text`` cut into pieces of at most ``_MAX_SEGMENT_CHARS``, at sentence ends where any."""
    pieces = []
    while len(text) > _MAX_SEGMENT_CHARS:
        window = text[:_MAX_SEGMENT_CHARS]
        ends = [match.end() for match in _SENTENCE_END.finditer(window)]
        cut = ends[-1] if ends else (window.rfind(" ") + 1 or _MAX_SEGMENT_CHARS)
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return pieces


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


@lru_cache(maxsize=8192)
def unspaced(char: str) -> bool:
    """Whether ``char`` belongs to a script written without spaces between words."""
    return unicodedata.name(char, "").startswith(_NO_SPACE_SCRIPTS)


@lru_cache(maxsize=8192)
def _separator(char: str) -> bool:
    # Vowel signs (category M) are part of words in Devanagari and other Indic scripts.
    return not (char.isalnum() or unicodedata.category(char).startswith("M"))


def words(text: str) -> list[str]:
    """Case-folded word tokens of ``text``; in scripts without spaces, single characters."""
    text = text.casefold()
    table: dict[int, str | None] = {}
    for char in set(text):
        if char in _APOSTROPHES:
            table[ord(char)] = None
        elif unspaced(char):
            table[ord(char)] = f" {char} "
        elif _separator(char):
            table[ord(char)] = " "
    return text.translate(table).split()


def word_count(text: str) -> int:
    """Words in ``text``; characters of scripts without spaces count half a word each."""
    tokens = words(text)
    characters = sum(1 for token in tokens if len(token) == 1 and unspaced(token))
    return len(tokens) - characters + math.ceil(characters / 2)


def split_sentences(text: str) -> list[str]:
    """Sentences of a whole article, paragraph by paragraph, in order."""
    return [sentence for paragraph in paragraphs(text) for sentence in sentences(paragraph)]
