"""What furniture lines say about the article: its headline, author and date."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

_RELATIVE_TIME = re.compile(
    r"\b\d+\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b"
    r"|\b(just now|yesterday|today)\b|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "января", "январь", "січня", "січень"),
            ("february", "feb", "февраля", "февраль", "лютого", "лютий"),
            ("march", "mar", "марта", "март", "березня", "березень"),
            ("april", "apr", "апреля", "апрель", "квітня", "квітень"),
            ("may", "мая", "май", "травня", "травень"),
            ("june", "jun", "июня", "июнь", "червня", "червень"),
            ("july", "jul", "июля", "июль", "липня", "липень"),
            ("august", "aug", "августа", "август", "серпня", "серпень"),
            ("september", "sep", "sept", "сентября", "сентябрь", "вересня", "вересень"),
            ("october", "oct", "октября", "октябрь", "жовтня", "жовтень"),
            ("november", "nov", "ноября", "ноябрь", "листопада", "листопад"),
            ("december", "dec", "декабря", "декабрь", "грудня", "грудень"),
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
_DATE_LABEL = re.compile(
    r"^(?P<label>last updated?|updated|published|first published|posted|date|"
    r"опубликовано|обновлено|дата публикации|опубліковано|оновлено|дата публікації|"
    r"प्रकाशित|अपडेट|प्रकाशन तिथि)"
    r"(\s+(on|at))?\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_UPDATE_LABELS = ("last", "updated", "обновлено", "оновлено", "अपडेट")
# Metadata lines are short; a longer line is a sentence that mentions a date.
_MAX_META_WORDS = 15
_MAX_BARE_DATE_WORDS = 7

# Byline labels; "By" may be glued to the name where a dump lost the space after a link.
_BY_LABELS = (
    r"by|written by|reporting by|words by|story by|article by|posted by|text by|authors?|"
    r"analysis by|"
    r"opinion by|commentary by|interview by|"
    r"reporter|автор(ы|и)?( материала| матеріалу| статьи| статті)?|текст|लेखक|रिपोर्ट|"
    r"रिपोर्टर|संवाददाता"
)
_BYLINE = re.compile(
    rf"^({_BY_LABELS})\s*[:\-–—]?\s+(?P<name>.+)$|^By(?P<glued>[A-Z].+)$", re.IGNORECASE
)
# The label alone, its names on the lines below.
_BARE_BY = re.compile(rf"^({_BY_LABELS})$", re.IGNORECASE)
# "Jane Doe | Reporter", "Jane Doe, Staff Writer", "Jane Doe, CNN".
_ROLE = re.compile(
    r"^(?P<name>[^,|]+?)\s*[,|–—-]\s*(senior |chief |staff |special |contributing |political |"
    r"freelance )*(writer|reporter|correspondent|editor|contributor|columnist|journalist|"
    r"staff|cnn|bbc|reuters|associated press|ap|afp|for \S+( \S+)?|кореспондент|"
    r"корреспондент|журналист|журналіст|संवाददाता)\b.*$",
    re.IGNORECASE,
)
_NAME_CONNECTORS = frozenset("and & de da del der van von la le bin al y и і та".split())
_NAME_END = re.compile(r"\s+(\||-|–|—|·|•|on|at|published|updated|\d)\s*.*$|[,;]\s*.*$", re.I)
_MAX_NAME_WORDS = 8
_MAX_BYLINE_WORDS = 20
_INNER_BY = re.compile(r"\s[Bb]y:?\s+(?P<name>[A-Z].*)$")
_MAX_DATED_BYLINE_WORDS = 35
_NOT_NAMES = frozenset(
    "image images photo logo icon video staff the a an this that our more all view".split()
)

# A line that starts as a byline does ("By Staff and news service reports") is no headline.
BY_START = re.compile(r"^(by|written by|reporting by)\s+\S", re.IGNORECASE)
TITLE_SEPARATORS = re.compile(r"\s+(\||-|–|—|--|::|»|·)\s+")
# A site name after the separator is short; a longer tail is part of the headline.
_MAX_SITE_WORDS = 4


@lru_cache(maxsize=1 << 14)
def parse_date(text: str) -> str | None:
    """Return the first calendar date in ``text`` as YYYY-MM-DD, or None."""
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        month = match["month"]
        month_number = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
        try:
            return dt.date(int(match["year"]), month_number, int(match["day"])).isoformat()
        except ValueError:
            continue
    return None


def is_relative_time(line: str) -> bool:
    """A time stamp of its own: "16 hours ago", "Yesterday", "12:06"."""
    return bool(_RELATIVE_TIME.fullmatch(line.strip(" ·|")))


@lru_cache(maxsize=1 << 14)
def date_line(line: str) -> tuple[str, str | None] | None:
    """("published"|"updated", date or None) when ``line`` is a date line, else None."""
    if len(line.split()) > _MAX_META_WORDS:
        return None
    match = _DATE_LABEL.match(line)
    if match is None and not _DIGIT.search(line):
        return None  # every bare date has digits
    rest = match["rest"] if match else line
    date = parse_date(rest)
    if match and (date or _RELATIVE_TIME.search(rest)):
        kind = "updated" if match["label"].lower().startswith(_UPDATE_LABELS) else "published"
        return kind, date
    # A bare date line: the date must be most of it ("Tuesday, 25 November 2026").
    if date and len(line.split()) <= _MAX_BARE_DATE_WORDS:
        return "published", date
    return None


@lru_cache(maxsize=1 << 14)
def byline(line: str) -> str | None:
    """The name in a byline ("By Jane Doe", "Автор: Іван Петренко", "Jane Doe | Reporter")."""
    if len(line.split()) > _MAX_BYLINE_WORDS:
        return None
    match = _BYLINE.match(line)
    if match:
        return person_name(match["name"] or match["glued"])
    match = _ROLE.match(line)
    if match:
        # Without a "By", all of the text before the role must be the name.
        name = person_name(match["name"])
        return name if name == match["name"].strip() else None
    # "National Desk By National Desk The Plain Dealer on December 27, 2014 at 12:06 PM".
    inner = _INNER_BY.search(line)
    if inner and len(line.split()) <= _MAX_DATED_BYLINE_WORDS and parse_date(line):
        return person_name(inner["name"])
    return None


def is_bare_by(line: str) -> bool:
    """A byline label alone on its line, its name on the next ("By" / "James Whittaker")."""
    return bool(_BARE_BY.match(line.strip(" :")))


def strip_connector(line: str) -> tuple[str, bool]:
    """``line`` without a trailing "and" or comma, and whether it had one (more names follow)."""
    text = line.strip()
    bare = text.rstrip(" ,&")
    words = bare.split()
    if words and words[-1].lower() in _NAME_CONNECTORS:
        return " ".join(words[:-1]), True
    return bare, bare != text


@lru_cache(maxsize=1 << 14)
def person_name(text: str) -> str | None:
    """``text`` cut to the name at its start, or None when it does not start with one."""
    name = _NAME_END.sub("", text.strip()).strip(" .:")
    words = name.split()
    cut: list[str] = []
    for word in words:
        bare = word.strip("\"'“”()")
        if not bare:
            continue
        is_upper = bare.isupper() and len(bare) > 2 and cut and not cut[-1].isupper()
        if bare.lower() in _NOT_NAMES or is_upper:
            break
        cut.append(word)
    words = cut
    if not words or len(words) > _MAX_NAME_WORDS or words[-1].lower() in _NAME_CONNECTORS:
        return None
    capitalised = all(
        w[:1].isupper() or w.lower() in _NAME_CONNECTORS or not w[:1].isalpha() for w in words
    )
    # Scripts without case (Devanagari) cannot be checked for capitals.
    caseless = not any(ch.isupper() or ch.islower() for ch in "".join(words))
    if not (capitalised and words[0][:1].isupper()) and not caseless:
        return None
    if not any(ch.isalpha() for ch in words[0]):
        return None
    return " ".join(words)


@lru_cache(maxsize=1 << 14)
def strip_site_name(title: str, known: tuple[str, ...] = ()) -> str:
    """Drop the " | Site" (or "Site - ", "-- Section -- Site") pages add to headlines."""
    names = {name.lower().removeprefix("www.") for name in known if name}
    while True:
        matches = list(TITLE_SEPARATORS.finditer(title))
        if not matches:
            return title.strip()
        head, tail = title[: matches[-1].start()].strip(), title[matches[-1].end() :].strip()
        first, rest = title[: matches[0].start()].strip(), title[matches[0].end() :].strip()
        is_site = len(tail.split()) <= _MAX_SITE_WORDS and len(head.split()) > len(tail.split())
        if tail.lower() in names or is_site:
            title = head
        elif first.lower() in names:
            title = rest
        else:
            return title.strip()
