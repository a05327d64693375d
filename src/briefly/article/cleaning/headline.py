"""The headline of a text dump: which line, if any, is the article's title."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

from briefly.article.cleaning import metadata
from briefly.article.cleaning.classify import GOOD, Verdict
from briefly.article.cleaning.headline_features import NAMES, candidate_features, page_context
from briefly.article.cleaning.layout import LIST_ITEM, Unit, columns, comparable, word_count
from briefly.article.cleaning.metadata import BYLINE_REASONS, METADATA_REASONS
from briefly.article.cleaning.model import Trees

MODEL_FILE = "headline_model.json"
# A headline is near the story's start and of headline length.
TITLE_WINDOW = 25
# html2text's table markup around a cell's text: pipes, and the rule under a header row.
_TABLE_EDGES = re.compile(r"^[|\s]+|[\s|]*(-{3,}[-|\s]*)?$")
# The model weighs a candidate's distance from the story; these bound where it looks.
_ABOVE = 50
_TITLE_AFTER = 8
BYLINE_REACH = 4
_MIN_TITLE_WORDS, MAX_TITLE_WORDS = 2, 30
# A line ending so stops inside a sentence (or ends one), in any script.
_UNFINISHED = (".", ",", ";", ":", "—", "-", "–", "।", "。", "，", "、", "：", "；")
_CLOSING_QUOTES = "\"'\u201d\u2019\u00bb"
_WORD = re.compile(r"\w+")
# A paragraph hard-wrapped at one width: this many lines, each within this many columns of
# the widest (the last may be short).
_MIN_WRAPPED_LINES = 2
_WRAP_SLACK = 15


def pick_title(
    found: Sequence[Unit],
    verdicts: Sequence[Verdict],
    strong: Sequence[str],
    story: np.ndarray | None,
) -> int | None:
    """The headline: the candidate line near the story's start the headline model rates best."""
    start = story_start(verdicts)
    if start is None:
        return None
    candidates = title_candidates(found, verdicts, strong, start)
    if not candidates:
        return None
    page = page_context(found, verdicts, strong, story, start)
    scores = load().logits(candidate_features(found, verdicts, strong, page, candidates))
    return candidates[int(np.argmax(scores))][0]


def story_start(verdicts: Sequence[Verdict]) -> int | None:
    return next((i for i, v in enumerate(verdicts) if v.label == GOOD), None)


def title_candidates(
    found: Sequence[Unit], verdicts: Sequence[Verdict], strong: Sequence[str], start: int
) -> list[tuple[int, str]]:
    """The lines that may be the headline, with their text as one: heading-shaped lines
    above the story's start (and just inside it), above its bylines, and a page's <title>."""
    # The first story unit may be a caption or a kept list above the headline: look past it.
    indices = set(range(max(0, start - _ABOVE), min(len(found), start + _TITLE_AFTER + 1)))
    # Videos, galleries and sidebars can stand between the byline and the story: look above
    # the first byline or date, and above the byline nearest the story.
    first = next((i for i in range(start) if strong[i] in METADATA_REASONS), None)
    own_byline = next((i for i in range(start - 1, -1, -1) if strong[i] in BYLINE_REASONS), None)
    for byline in (first, own_byline):
        if byline is not None:
            indices.update(range(max(0, byline - BYLINE_REACH), byline))
    # A page's <title>, "Headline | Site", opens BeautifulSoup's text.
    page_title = bool(metadata.TITLE_SEPARATORS.search(found[0].text)) and not strong[0]
    if page_title:
        indices.add(0)
    candidates = []
    for index in sorted(indices):
        text = title_text(found, index)
        if strong[index] or text is None or not _headline_shaped(text):
            continue
        if _continued(found, index):
            continue
        if index >= start and not _can_lend_title(found, verdicts, index):
            continue
        below = strong[index + 1 : index + 1 + BYLINE_REACH]
        # Inside the story, a short line is a caption or subheading unless marked as a
        # headline: taken for the title, it would leave the story.
        marked = found[index].heading or found[index].outdented
        if index > start and not (marked or any(r in METADATA_REASONS for r in below)):
            continue
        if _names_of_byline(text, found[index + 1 : index + 1 + BYLINE_REACH], below):
            continue
        candidates.append((index, text))
    # The <title> wraps the headline in a site's name, its section, a kicker: a line the
    # <title> holds is the headline, more than the <title> itself.
    if page_title and candidates and candidates[0][0] == 0:
        held = comparable(found[0].text)
        if any(f" {comparable(text)} " in f" {held} " for _, text in candidates[1:]):
            candidates = candidates[1:]
    return candidates


@lru_cache(maxsize=1)
def load() -> Trees:
    """The shipped headline model (read once)."""
    text = resources.files("briefly.article.cleaning").joinpath(MODEL_FILE).read_text("utf-8")
    data = json.loads(text)
    if tuple(data["features"]) != NAMES:
        raise ValueError(
            f"{MODEL_FILE} was trained on other features: run python -m benchmarks train-headline"
        )
    return Trees.from_dict(data)


def _continued(found: Sequence[Unit], index: int) -> bool:
    """Whether ``found[index]`` is the first line of a paragraph the next line goes on with,
    in any script: the next line starts in lower case, or the lines of its block are a
    paragraph hard-wrapped at one width (a dump's wrap that was not undone)."""
    unit = found[index]
    after = found[index + 1] if index + 1 < len(found) else None
    if after is None or after.block != unit.block or unit.heading or after.is_list_item:
        return False
    if after.text[:1].islower():
        return True
    block = (u for u in found if u.block == unit.block)
    widths = [columns(line.strip()) for u in block for line in u.raw.split("\n")]
    width = max(widths)
    full = [w >= width - _WRAP_SLACK for w in widths[:-1]]
    own = columns(unit.raw.split("\n")[-1].strip())
    return len(full) >= _MIN_WRAPPED_LINES and all(full) and own >= width - _WRAP_SLACK


def _names_of_byline(text: str, next_units: Sequence[Unit], reasons: Sequence[str]) -> bool:
    """Whether ``text`` only names the authors of the byline under it (their photos' alt text)."""
    words = set(_WORD.findall(text.casefold()))
    return any(
        reason in METADATA_REASONS and words <= set(_WORD.findall(unit.text.casefold()))
        for unit, reason in zip(next_units, reasons, strict=True)
    )


def _can_lend_title(found: Sequence[Unit], verdicts: Sequence[Verdict], start: int) -> bool:
    """Whether the first story unit may be the headline: more story follows it."""
    return any(v.label == GOOD for v in verdicts[start + 1 :])


def title_text(found: Sequence[Unit], index: int) -> str | None:
    """A unit's text as a headline: a lone bulleted line loses its bullet, a list item none,
    a cell of html2text's layout tables its rules ("| | | Bridge to close | ---|---")."""
    unit = found[index]
    if not unit.is_list_item:
        return _TABLE_EDGES.sub("", unit.text) if unit.text.startswith("|") else unit.text
    neighbours = [found[i] for i in (index - 1, index + 1) if 0 <= i < len(found)]
    in_list = any(n.is_list_item and n.block == unit.block for n in neighbours)
    return None if in_list else LIST_ITEM.sub("", unit.text)


def _headline_shaped(text: str) -> bool:
    words = text.split()
    # Sentences, datelines ("New York CNN —") and list items are no headlines.
    # A quotation closing a sentence ('… investigators."') ends it as well.
    core = text.rstrip(_CLOSING_QUOTES)
    unfinished = core.endswith(_UNFINISHED) and not core.endswith("...")
    return (
        _MIN_TITLE_WORDS <= word_count(text) <= MAX_TITLE_WORDS
        and not unfinished
        and (text[:1].isalnum() or _opens(text[:1]))
        and not LIST_ITEM.match(text)
        and metadata.byline(text) is None
        and not metadata.BY_START.match(text)
        and metadata.parse_date(text) is None
        and not metadata.is_relative_time(text)
        and not _is_logo(words)
    )


def _opens(char: str) -> bool:
    """An opening quote or bracket in any script ("„", "«", "「"), or Spanish "¿", "¡"."""
    return unicodedata.category(char) in ("Ps", "Pi") or char in "\"'¿¡"


def _is_logo(words: list[str]) -> bool:
    """A site's logo: its image's alt text ("The Guardian logo"), often twice over."""
    half = len(words) // 2
    doubled = len(words) % 2 == 0 and words[:half] == words[half:]
    return doubled or any(word.lower() == "logo" for word in words)
