"""Story (1), furniture (0) or unsure (-1) for each unit of a dump, by alignment to the gold.

A unit of four tokens or more is story when most of its token 4-shingles occur in the gold
text and furniture when few do; a shorter unit is story when its tokens occur in the gold in
order (two tokens at least: a lone word like "Share" may occur in any story). Units in
between are left out of training rather than guessed.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.extraction.metric import SHINGLE, tokens
from briefly.article.cleaning.layout import Unit

STORY, FURNITURE, UNSURE = 1, 0, -1
# Shares of a unit's shingles found in the gold: at least STORY_SHARE is story, at most
# FURNITURE_SHARE is furniture (chosen by looking at the share's distribution: most units
# sit at 0 or 1, few between).
STORY_SHARE = 0.7
FURNITURE_SHARE = 0.3
_MIN_SHORT_TOKENS = 2


def shingles(words: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


class Gold:
    """The gold text, ready for alignment."""

    def __init__(self, text: str) -> None:
        words = tokens(text)
        self.shingles = shingles(words)
        self.joined = f" {' '.join(words)} "


def label(unit: Unit, gold: Gold) -> int:
    words = tokens(unit.text)
    if len(words) >= SHINGLE:
        own = shingles(words)
        share = len(own & gold.shingles) / len(own)
        if share >= STORY_SHARE:
            return STORY
        return FURNITURE if share <= FURNITURE_SHARE else UNSURE
    if not words:
        return FURNITURE
    if f" {' '.join(words)} " not in gold.joined:
        return FURNITURE
    return STORY if len(words) >= _MIN_SHORT_TOKENS else UNSURE


def labels(units: Sequence[Unit], gold_text: str) -> list[int]:
    gold = Gold(gold_text)
    return [label(unit, gold) for unit in units]
