"""Plain-text normalisation of scraped news articles.

Scrapers save more than the story: breadcrumbs, reading times, view counts,
category tags, the headline twice, share buttons and bylines. This module
removes that page furniture and keeps what it says about the article (title,
author, date) as metadata.

Furniture is removed with care for the body: lines at the top and bottom of
the text (before the first and after the last body paragraph) are matched by
shape, lines in between only by exact, well-known patterns, so that "Share
prices fell 3%" or a numbered list inside the story survive.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CleanedText:
    """An article's text with page furniture removed."""

    # The headline, when one was found (or given), else None.
    title: str | None
    # The author from a byline or "Author:" line, else None.
    author: str | None
    # ISO date (YYYY-MM-DD) from a metadata line, else None.
    published: str | None
    # Body paragraphs in order; list items share a paragraph, one per line.
    paragraphs: tuple[str, ...]


# Hard-wrapped prose has lines of about the same length, all but the last of a
# paragraph between these two; such lines are joined. Other lines are one
# paragraph each, as in files that put each paragraph on one line.
_MIN_WRAPPED = 40
_WRAP_WIDTH = 100
# A headline is short and has no final full stop.
_MAX_TITLE_WORDS = 30
# Metadata and byline lines are short; longer lines are body text.
_MAX_META_WORDS = 15
_MAX_NAME_WORDS = 10
# "Sign up for …" and "Follow us on …" promotions are one short sentence.
_MAX_PROMO_WORDS = 20

# Zero-width space, word joiner, BOM and soft hyphen only: ZWJ/ZWNJ carry meaning in
# some scripts and stay.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_LINE_EDGE = re.compile(r" *\n *")
_BLANK_RUN = re.compile(r"\n{3,}")

_BULLET = re.compile(r"^[•·▪►●*+\-–—]\s+")
# Bullets that scrapers put before furniture; "-" and "*" also start real lists.
_FURNITURE_BULLET = re.compile(r"^[•·▪►●]\s+")
# Fields of one metadata line: "By Jane Doe | 25 November 2026 · 3 min read".
_FIELD_SEPARATOR = re.compile(r"\s+[|·•]\s+")
_LIST_ITEM = re.compile(r"^([•·▪►●*+\-–—]|\d{1,3}[.)])\s+")
_NUMBERED = re.compile(r"^(\d{1,2})[.)]\s+(.+)$")
_PATH_CRUMBS = re.compile(r"^home\s*[>»/|›]", re.IGNORECASE)
_READ_TIME = re.compile(
    r"^(\d+\s*-?\s*(min|mins|minutes?)\s*read|reading time:?\s*\d+\s*(min|mins|minutes?)\.?)$",
    re.IGNORECASE,
)
_COUNTER = re.compile(r"^\d[\d,.\s]*[km]?\s+(views?|reads?|comments?|shares?)$", re.IGNORECASE)
_SHARE = re.compile(
    r"^share( (this|the) (article|story|post|page)| on \w+| via \w+)?\s*[:!]?$", re.IGNORECASE
)
_BUTTON = re.compile(r"^(tweet|copy link|print|e-?mail|comments?)$", re.IGNORECASE)
_ADVERT = re.compile(
    r"^(advertisement|advertising|sponsored content|"
    r"(story|article) continues below( advertisement)?)$",
    re.IGNORECASE,
)
_READ_MORE = re.compile(r"^(read more|read also|read next|see also|related)\b", re.IGNORECASE)
_SUBSCRIBE = re.compile(r"^(subscribe|sign up|sign-up)\b", re.IGNORECASE)
_FOLLOW = re.compile(r"^follow (us|@\w+)\b", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^(©|\(c\)|copyright\b)|\ball rights reserved\b", re.IGNORECASE)
_TAGS = re.compile(r"^(tags|topics|filed under|categories)\s*:", re.IGNORECASE)
_META = re.compile(
    r"^(?P<label>last updated?|updated|published|first published|posted|date)"
    r"(\s+(on|at))?\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(by|written by|reporting by|words by|authors?\s*:|автор[иы]?\s*:)\s*(?P<name>.+)$",
    re.IGNORECASE,
)
_NAME_CONNECTORS = frozenset("and & de da del der van von la le bin al y".split())

_RELATIVE_TIME = re.compile(
    r"\b\d+\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b"
    r"|\b(just now|yesterday|today)\b|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?!\d)"),
    re.compile(
        r"(?<!\d)(?P<day>\d{1,2})(st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})", re.I
    ),
    re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(st|nd|rd|th)?,?\s+(?P<year>\d{4})", re.I),
)

_MD_FRONT_MATTER = re.compile(r"\A---\n(?P<fields>.*?)\n---\n", re.DOTALL)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)(\s+#+)?$", re.MULTILINE)
_MD_RULE = re.compile(r"^([-*_=])(\s*\1){2,}$", re.MULTILINE)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(\S.*?\S|\S)\1|(?<![\w*])[*_](\S.*?\S|\S)[*_](?![\w*])")
_MD_QUOTE = re.compile(r"^>\s?", re.MULTILINE)
_MD_CODE = re.compile(r"`([^`]+)`")


def normalize_text(text: str) -> str:
    """Return ``text`` in NFC with tidy whitespace and at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2029", "\n\n").replace("\u2028", "\n")
    text = _CONTROL.sub("", _SPACES.sub(" ", text))
    return _BLANK_RUN.sub("\n\n", _LINE_EDGE.sub("\n", text)).strip()


def clean_text(text: str, *, markdown: bool = False) -> CleanedText:
    """Clean a plain-text (or Markdown) article, taking its headline from the top."""
    text = normalize_text(text)
    front: dict[str, str] = {}
    if markdown:
        text, front = _strip_markdown(text)
    cleaned = _clean_lines(text.split("\n"), title=front.get("title"), find_title=True)
    return CleanedText(
        title=cleaned.title,
        author=front.get("author") or cleaned.author,
        published=parse_date(front.get("date", "")) or cleaned.published,
        paragraphs=cleaned.paragraphs,
    )


def clean_paragraphs(paragraphs: Iterable[str], *, title: str | None = None) -> CleanedText:
    """Clean paragraphs already cut from a page (one per item), dropping repeats of ``title``."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(normalize_text(paragraph).split("\n"))
        lines.append("")
    return _clean_lines(lines, title=title, find_title=False)


def parse_date(text: str) -> str | None:
    """Return the first calendar date in ``text`` as YYYY-MM-DD, or None."""
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        month = match["month"]
        month_number = int(month) if month.isdigit() else _MONTHS[month.lower()]
        try:
            return dt.date(int(match["year"]), month_number, int(match["day"])).isoformat()
        except ValueError:
            continue
    return None


@dataclass
class _Found:
    """Metadata picked up from furniture lines while they are removed."""

    # The first byline's name.
    author: str | None = None
    # The first "Published …" (or bare) date.
    published: str | None = None
    # The first "Updated …" date, used when no published date is found.
    updated: str | None = None


def _clean_lines(lines: list[str], *, title: str | None, find_title: bool) -> CleanedText:
    found = _Found()
    start = 0
    found_title = False
    if find_title and title is None:
        start = _skip(lines, 0, lambda i: _header_furniture(lines, i, title, found))
        found_title = start < len(lines) and _looks_like_headline(lines[start])
        if found_title:
            title = lines[start]
            start += 1
    start = _skip(lines, start, lambda i: _header_furniture(lines, i, title, found))
    end = len(lines)
    while end > start and (not lines[end - 1] or _edge_furniture(lines[end - 1], title, found)):
        end -= 1
    body = [line for line in lines[start:end] if not line or not _body_furniture(line, title)]
    paragraphs = tuple(_paragraphs(body))
    if not paragraphs and found_title:
        # A text of one short line is the story itself, not a headline.
        paragraphs, title = (title,), None
    return CleanedText(
        title=title,
        author=found.author,
        published=found.published or found.updated,
        paragraphs=paragraphs,
    )


def _skip(lines: list[str], index: int, furniture: Callable[[int], int]) -> int:
    """Advance past blank lines and furniture; ``furniture`` returns how many lines it covers."""
    while index < len(lines):
        covered = 1 if not lines[index] else furniture(index)
        if not covered:
            break
        index += covered
    return index


def _header_furniture(lines: list[str], index: int, title: str | None, found: _Found) -> int:
    """How many lines of furniture start at ``index`` in the header (0 when none)."""
    crumbs = _breadcrumb_run(lines, index, title)
    if crumbs:
        return crumbs
    line = _strip_bullet(lines[index])
    if _edge_furniture(line, title, found) or _PATH_CRUMBS.match(line):
        return 1
    words = line.split()
    # Scrapers put section tags ("WORLD", "• Europe") just above the story.
    is_tag = line.isupper() and len(words) <= 3 and not any(c.isdigit() for c in line)
    is_bulleted = bool(_FURNITURE_BULLET.match(lines[index]))
    is_bulleted_tag = is_bulleted and len(words) <= 4 and not line.endswith(".")
    return 1 if is_tag or is_bulleted_tag else 0


def _breadcrumb_run(lines: list[str], index: int, title: str | None) -> int:
    """Length of a "1. HOME / 2. WORLD / 3. <headline>" list starting at ``index``, else 0."""
    items = []
    while index + len(items) < len(lines):
        match = _NUMBERED.match(lines[index + len(items)])
        if not match or int(match[1]) != len(items) + 1:
            break
        items.append(match[2])
    if len(items) < 2:
        return 0
    *path, last = items
    is_path = all(len(item.split()) <= 4 for item in path)
    # A real list can start a story; crumbs are shouted or start at "Home".
    looks_like_crumbs = (
        path[0].lower() == "home"
        or all(item.isupper() for item in path)
        or (title is not None and _same_text(last, title))
    )
    return len(items) if is_path and looks_like_crumbs else 0


def _edge_furniture(line: str, title: str | None, found: _Found) -> bool:
    """Whether a line before or after the body is furniture; records metadata it carries."""
    line = _strip_bullet(line)
    if _body_furniture(line, title) or _COPYRIGHT.search(line) or _TAGS.match(line):
        return True
    if _BUTTON.match(line):
        return True
    author = _byline_name(line)
    if author:
        found.author = found.author or author
        return True
    fields = _FIELD_SEPARATOR.split(line)
    if len(fields) > 1:
        return all(_edge_furniture(field, title, found) for field in fields)
    return _metadata_line(line, found)


def _body_furniture(line: str, title: str | None) -> bool:
    """Whether a line anywhere in the text is furniture, by exact well-known patterns."""
    line = _strip_bullet(line)
    short = len(line.split()) <= _MAX_META_WORDS
    if title is not None and _same_text(line, title):
        return True
    if _ADVERT.match(line) or _READ_TIME.match(line) or _COUNTER.match(line):
        return True
    if _SHARE.match(line):
        return True
    # "Read more: <other story>" has no full stop; a sentence starting so does.
    is_link = not line.endswith(".") or line.endswith("...")
    if _READ_MORE.match(line) and short and is_link:
        return True
    is_promo = _SUBSCRIBE.match(line) or _FOLLOW.match(line)
    return bool(is_promo and len(line.split()) <= _MAX_PROMO_WORDS)


def _metadata_line(line: str, found: _Found) -> bool:
    """Whether ``line`` is a date line ("Updated 3 hours ago", "25 November 2026")."""
    if len(line.split()) > _MAX_META_WORDS:
        return False
    match = _META.match(line)
    rest = match["rest"] if match else line
    date = parse_date(rest)
    if match and (date or _RELATIVE_TIME.search(rest)):
        if match["label"].lower().startswith(("last", "updated")):
            found.updated = found.updated or date
        else:
            found.published = found.published or date
        return True
    # A bare date line: the date must be most of it ("Tuesday, 25 November 2026").
    if date and len(line.split()) <= 6:
        found.published = found.published or date
        return True
    return False


def _byline_name(line: str) -> str | None:
    """The name in "By Jane Doe" / "Author: Jane Doe", or None when it is not a byline."""
    match = _BYLINE.match(line)
    if not match:
        return None
    name = match["name"].strip().rstrip(",;")
    words = [word for word in re.split(r"[\s,]+", name) if word]
    if not words or len(words) > _MAX_NAME_WORDS or name.endswith("."):
        return None
    is_name = all(w[0].isupper() or w.lower() in _NAME_CONNECTORS for w in words)
    return name if is_name and words[0][0].isupper() else None


def _looks_like_headline(line: str) -> bool:
    unfinished = line.endswith((".", ",", ";", ":")) and not line.endswith("...")
    return (
        0 < len(line.split()) <= _MAX_TITLE_WORDS and not unfinished and not _LIST_ITEM.match(line)
    )


def _paragraphs(lines: list[str]) -> Iterable[str]:
    """Group lines into paragraphs: blank lines split them; hard-wrapped lines are joined."""
    block: list[str] = []
    for line in [*lines, ""]:
        if line:
            block.append(line)
        elif block:
            if any(_LIST_ITEM.match(item) for item in block):
                yield "\n".join(block)
            elif all(_MIN_WRAPPED <= len(item) <= _WRAP_WIDTH for item in block[:-1]):
                yield " ".join(block)
            else:
                yield from block
            block = []


def _strip_markdown(text: str) -> tuple[str, dict[str, str]]:
    """Turn Markdown into plain text; return it with the front-matter fields."""
    fields: dict[str, str] = {}
    match = _MD_FRONT_MATTER.match(text + "\n")
    if match:
        for field in match["fields"].split("\n"):
            key, _, value = field.partition(":")
            fields[key.strip().lower()] = value.strip().strip("\"'")
        text = text[match.end() :]
    text = _MD_RULE.sub("", _MD_HEADING.sub(r"\1", text))
    text = _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", text))
    text = _MD_EMPHASIS.sub(lambda m: m[2] or m[3], text)
    text = _MD_CODE.sub(r"\1", _MD_QUOTE.sub("", text))
    return normalize_text(text), {k: v for k, v in fields.items() if v}


def _strip_bullet(line: str) -> str:
    return _BULLET.sub("", line, count=1)


def _same_text(a: str, b: str) -> bool:
    """Equal up to case, spacing and final punctuation (for repeated headlines)."""
    return _comparable(a) == _comparable(b)


def _comparable(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".!?:;… ")
