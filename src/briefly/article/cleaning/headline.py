"""The headline of a text dump: which line, if any, is the article's title."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from briefly.article.cleaning import metadata
from briefly.article.cleaning.classify import GOOD, Verdict
from briefly.article.cleaning.layout import LIST_ITEM, Unit, columns, comparable, word_count
from briefly.article.cleaning.metadata import BYLINE_REASONS, METADATA_REASONS

# A headline is near the story's start and of headline length.
TITLE_WINDOW = 25
_TITLE_AFTER = 3
BYLINE_REACH = 4
_MIN_TITLE_WORDS, MAX_TITLE_WORDS = 2, 30
_MAX_TITLE_CHARS = 300
# "You are what you search. (The Associated Press)": a caption, not a headline; so is
# "…に。…" in a script without spaces.
_SENTENCE_INSIDE = re.compile(r"[a-z]{3,}[.!?] [A-Z(]|[。！？](?=[^\s」』）)])")
# A line ending so stops inside a sentence (or ends one), in any script.
_UNFINISHED = (".", ",", ";", ":", "—", "-", "–", "।", "。", "，", "、", "：", "；")
_CLOSING_QUOTES = "\"'\u201d\u2019\u00bb"
_UNDER_BYLINE_PENALTY = 2
_WORD = re.compile(r"\w+")
_MIN_ECHO_WORDS = 4
_IN_TITLE = 3.5
# The line under the best headline so far must score this much more to take its place.
_DECK_MARGIN = 1.0
# A paragraph hard-wrapped at one width: this many lines, each within this many columns of
# the widest (the last may be short).
_MIN_WRAPPED_LINES = 2
_WRAP_SLACK = 15


def pick_title(
    found: Sequence[Unit], verdicts: Sequence[Verdict], strong: Sequence[str]
) -> int | None:
    """The headline: a heading-like line just before the story, repeated or marked as one."""
    start = next((i for i, v in enumerate(verdicts) if v.label == GOOD), None)
    if start is None:
        return None
    counts = Counter(
        comparable(metadata.strip_site_name(unit.text))
        for unit in found
        if len(unit.text) < _MAX_TITLE_CHARS
    )
    page = "\n".join(counts)
    best, best_score = None, 0.0
    # The first story unit may be a caption or a kept list above the headline: look past it.
    candidates = set(range(max(0, start - TITLE_WINDOW), min(len(found), start + _TITLE_AFTER + 1)))
    # Videos, galleries and sidebars can stand between the byline and the story: look above
    # the first byline or date, and above the byline nearest the story.
    first = next((i for i in range(start) if strong[i] in METADATA_REASONS), None)
    own_byline = next((i for i in range(start - 1, -1, -1) if strong[i] in BYLINE_REASONS), None)
    for byline in (first, own_byline):
        if byline is not None:
            candidates.update(range(max(0, byline - BYLINE_REACH), byline))
    # The byline and date nearest the story; the lead photo's caption may stand below them.
    last_byline = next((i for i in range(start - 1, -1, -1) if strong[i] in METADATA_REASONS), None)
    # A page's <title>, "Headline | Site", opens BeautifulSoup's text.
    page_title = metadata.TITLE_SEPARATORS.search(found[0].text) and not strong[0]
    if page_title:
        candidates.add(0)
    for index in sorted(candidates):
        unit = found[index]
        text = title_text(found, index)
        if strong[index] or text is None or not _headline_shaped(text):
            continue
        if _continued(found, index):
            continue
        if index >= start and not _can_lend_title(found, verdicts, index):
            continue
        below = strong[index + 1 : index + 1 + BYLINE_REACH]
        wanted = comparable(metadata.strip_site_name(text))
        repeated = counts[wanted] == 2
        # Breadcrumbs, share buttons and links to the page quote its headline in longer lines.
        if not repeated and word_count(wanted) >= _MIN_ECHO_WORDS:
            repeated = page.count(wanted) >= 2
        dated = any(r in METADATA_REASONS for r in below)
        # Inside the story, a short line is a caption or subheading unless marked as a headline.
        if index > start and not (unit.heading or unit.outdented or repeated or dated):
            continue
        if _names_of_byline(text, found[index + 1 : index + 1 + BYLINE_REACH], below):
            continue
        score = 1.0 + (abs(start - index) <= 3) + 0.5 * (start - index <= 8)
        score += 3 * (unit.heading == 1) + (unit.heading > 1) + 2 * unit.outdented
        # Pages repeat their headline once (<title> and <h1>); menus repeat more.
        score += 2 * repeated
        # The headline stands over the byline and date, buttons between; captions of the
        # lead photo stand under them.
        score += 2 * dated
        score -= _UNDER_BYLINE_PENALTY * (last_byline is not None and index > last_byline)
        score -= 2 * text.isupper() + (word_count(text) < 4)
        # A name alone is an author's, over the byline or in an author box.
        score -= 2 * (metadata.person_name(text) == text)
        score += 3 * (index == 0 and bool(page_title))
        # The <title> wraps the headline in a site's name, its section, a kicker: a line the
        # <title> holds is the headline, more than the <title> itself.
        in_title = index > 0 and bool(page_title) and wanted in comparable(found[0].text)
        score += _IN_TITLE * (in_title and word_count(wanted) >= _MIN_TITLE_WORDS)
        # A deck or subheadline stands right under its headline and scores about as well.
        under_best = best is not None and index == best + 1
        if score >= best_score + (_DECK_MARGIN if under_best else 0):
            best, best_score = index, score
    return best


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
    """A unit's text as a headline: a lone bulleted line loses its bullet, a list item none."""
    unit = found[index]
    if not unit.is_list_item:
        return unit.text
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
        and (text[:1].isalnum() or text[:1] in "\"'“‘«")
        and not LIST_ITEM.match(text)
        and metadata.byline(text) is None
        and not metadata.BY_START.match(text)
        and metadata.parse_date(text) is None
        and not metadata.is_relative_time(text)
        and not _SENTENCE_INSIDE.search(text)
        and not _is_logo(words)
    )


def _is_logo(words: list[str]) -> bool:
    """A site's logo: its image's alt text ("The Guardian logo"), often twice over."""
    half = len(words) // 2
    doubled = len(words) % 2 == 0 and words[:half] == words[half:]
    return doubled or any(word.lower() == "logo" for word in words)
