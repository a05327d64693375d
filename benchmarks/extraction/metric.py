"""The article-extraction benchmarks' metric: precision, recall and F1 of token 4-shingles.

As the public benchmarks describe it (ScrapingHub's article-extraction-benchmark README,
trafilatura's evaluation docs): texts are lower-cased and cut into word tokens; a shingle is
four consecutive tokens; an extraction is scored against the gold text by the shingles they
share, and a corpus figure is the mean of the per-page figures.

Choices made here, where the descriptions leave room:

- Shingles are compared as multisets (a shingle counts as often as it occurs; the overlap is
  the sum of the smaller counts), so an extraction that repeats a paragraph loses precision.
- Tokens are runs of letters, marks and digits (``regex``'s ``\\w``, which keeps Devanagari
  vowel signs inside their word), and every character of a script written without spaces
  (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar, Tibetan) is a token of its own, so a
  Japanese or Chinese page scores on its text, not on one giant "word".
- A text of fewer than four tokens is one shingle of all of them.
- Empty texts: both empty scores 1/1/1; an empty extraction of a non-empty gold (a page the
  cleaner emptied), or any extraction of an empty gold, scores 0/0/0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import fmean

import regex

SHINGLE = 4
_UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}"
_TOKEN = regex.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 of one page, or their means over pages."""

    precision: float
    recall: float
    f1: float


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; one token a character in scripts written without spaces."""
    return _TOKEN.findall(text.lower())


def shingles(text: str, size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def score(extracted: str, gold: str) -> PRF:
    """Shingle precision, recall and F1 of ``extracted`` against ``gold``."""
    got, want = shingles(extracted), shingles(gold)
    if not got and not want:
        return PRF(1.0, 1.0, 1.0)
    if not got or not want:
        return PRF(0.0, 0.0, 0.0)
    shared = sum((got & want).values())
    precision = shared / sum(got.values())
    recall = shared / sum(want.values())
    f1 = 2 * precision * recall / (precision + recall) if shared else 0.0
    return PRF(precision, recall, f1)


def mean(scores: list[PRF]) -> PRF:
    """The per-page mean, as the benchmarks report a corpus."""
    if not scores:
        return PRF(float("nan"), float("nan"), float("nan"))
    return PRF(
        fmean(s.precision for s in scores),
        fmean(s.recall for s in scores),
        fmean(s.f1 for s in scores),
    )
