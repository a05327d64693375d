"""What the headline model sees of each candidate line: its place, shape and surroundings.

One row per candidate, one column per name in :data:`NAMES`; the model that weighs them is
``headline_model.json``, trained by ``python -m benchmarks train-headline``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from briefly.article.cleaning import metadata
from briefly.article.cleaning.classify import GOOD, Verdict
from briefly.article.cleaning.layout import SENTENCE_END, Unit, comparable, word_count
from briefly.article.cleaning.metadata import BYLINE_REASONS, METADATA_REASONS

NAMES = (
    "offset from story start",
    "near story start",
    "above story start",
    "share of page above",
    "index",
    "h1",
    "lower heading",
    "outdented",
    "twice on page",
    "quoted by longer lines",
    "times on page",
    "date or byline below",
    "byline below",
    "below last byline",
    "all capitals",
    "words",
    "characters",
    "a name alone",
    "page title line",
    "held in page title",
    "share of words in page title",
    "story probability",
    "story probability of next lines",
    "kept as story",
    "capitalised words",
    "ends with ? or !",
    "ends like a sentence",
    "site separator",
    "digits",
    "bulleted",
    "candidates above",
    "units in its block",
    "words found in story",
    "metadata above",
    "first heading",
    "caseless script",
    "lines to metadata below",
    "sentence inside",
)
# How far below a candidate the byline and date are looked for, and the story it opens.
_BELOW = 4
_NEXT_STORY = 3
_LEAD = 5
_MAX_INDEX = 200
_WORD = re.compile(r"\w+")
# "You are what you search. (The Associated Press)": a caption more than a headline; so is
# "…に。…" in a script without spaces.
_SENTENCE_INSIDE = re.compile(r"[a-z]{3,}[.!?] [A-Z(]|[。！？](?=[^\s」』）)])")


@dataclass(frozen=True)
class Page:
    """What every candidate of one page is compared with."""

    counts: Counter[str]
    joined: str
    # The first unit's words, where it reads as "Headline | Site" (BeautifulSoup's <title>).
    page_title: set[str]
    page_title_text: str
    lead: set[str]
    story: np.ndarray
    start: int
    last_byline: int | None


def page_context(
    found: Sequence[Unit],
    verdicts: Sequence[Verdict],
    strong: Sequence[str],
    story: np.ndarray | None,
    start: int,
) -> Page:
    counts = Counter(comparable(metadata.strip_site_name(unit.text)) for unit in found)
    titled = bool(found) and bool(metadata.TITLE_SEPARATORS.search(found[0].text)) and not strong[0]
    lead_units = [u.text for u, v in zip(found, verdicts, strict=True) if v.label == GOOD][:_LEAD]
    last_byline = next((i for i in range(start - 1, -1, -1) if strong[i] in METADATA_REASONS), None)
    return Page(
        counts=counts,
        joined="\n".join(counts),
        page_title=_words(found[0].text) if titled else set(),
        page_title_text=comparable(found[0].text) if titled else "",
        lead=_words(" ".join(lead_units)),
        story=np.full(len(found), 0.5) if story is None else story,
        start=start,
        last_byline=last_byline,
    )


def candidate_features(
    found: Sequence[Unit],
    verdicts: Sequence[Verdict],
    strong: Sequence[str],
    page: Page,
    candidates: Sequence[tuple[int, str]],
) -> np.ndarray:
    """One row of :data:`NAMES` per (index, headline text) candidate."""
    rows = []
    first_heading = next((i for i, _ in candidates if found[i].heading), None)
    blocks = Counter(unit.block for unit in found)
    for rank, (index, text) in enumerate(candidates):
        unit = found[index]
        wanted = comparable(metadata.strip_site_name(text))
        words = _words(text)
        below = strong[index + 1 : index + 1 + _BELOW]
        to_meta = next((k for k, r in enumerate(below, 1) if r in METADATA_REASONS), _BELOW + 1)
        tokens = text.split()
        rows.append(
            [
                index - page.start,
                abs(page.start - index) <= 3,
                index < page.start,
                index / len(found),
                min(index, _MAX_INDEX),
                unit.heading == 1,
                unit.heading > 1,
                unit.outdented,
                page.counts[wanted] == 2,
                page.joined.count(wanted) >= 2 if wanted else False,
                page.counts[wanted],
                to_meta <= _BELOW,
                any(r in BYLINE_REASONS for r in below),
                page.last_byline is not None and index > page.last_byline,
                text.isupper(),
                word_count(text),
                len(text),
                metadata.person_name(text) == text,
                index == 0 and bool(page.page_title),
                index > 0 and bool(wanted) and wanted in page.page_title_text,
                len(words & page.page_title) / len(words) if words else 0.0,
                page.story[index],
                float(page.story[index + 1 : index + 1 + _NEXT_STORY].mean())
                if index + 1 < len(found)
                else 0.0,
                verdicts[index].label == GOOD,
                sum(t[:1].isupper() for t in tokens) / len(tokens) if tokens else 0.0,
                text.endswith(("?", "!")),
                bool(SENTENCE_END.search(text)),
                bool(metadata.TITLE_SEPARATORS.search(text)),
                sum(ch.isdigit() for ch in text) / max(1, len(text)),
                unit.is_list_item,
                rank,
                blocks[unit.block],
                len(words & page.lead) / len(words) if words else 0.0,
                index > 0 and strong[index - 1] in METADATA_REASONS,
                index == first_heading,
                not any(ch.isupper() or ch.islower() for ch in text),
                to_meta,
                bool(_SENTENCE_INSIDE.search(text)),
            ]
        )
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(NAMES))


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))
