"""What furniture lines say about the article: its headline, author and date."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

_RELATIVE_TIME = re.compile(
    r"\b\d+\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b"
    r"|\b(just now|yesterday|today)\b|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
# Month names in English, Russian, Ukrainian, German, Spanish, French (full, abbreviated).
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            (
                "january",
                "jan",
                "января",
                "январь",
                "січня",
                "січень",
                "januar",
                "jänner",
                "enero",
                "janvier",
            ),
            (
                "february",
                "feb",
                "февраля",
                "февраль",
                "лютого",
                "лютий",
                "februar",
                "febrero",
                "février",
                "fév",
            ),
            (
                "march",
                "mar",
                "марта",
                "март",
                "березня",
                "березень",
                "märz",
                "mär",
                "marzo",
                "mars",
            ),
            ("april", "apr", "апреля", "апрель", "квітня", "квітень", "abril", "avril", "abr"),
            ("may", "мая", "май", "травня", "травень", "mai", "mayo"),
            ("june", "jun", "июня", "июнь", "червня", "червень", "juni", "junio", "juin"),
            ("july", "jul", "июля", "июль", "липня", "липень", "juli", "julio", "juillet"),
            ("august", "aug", "августа", "август", "серпня", "серпень", "agosto", "août", "ago"),
            (
                "september",
                "sep",
                "sept",
                "сентября",
                "сентябрь",
                "вересня",
                "вересень",
                "septiembre",
                "septembre",
            ),
            (
                "october",
                "oct",
                "октября",
                "октябрь",
                "жовтня",
                "жовтень",
                "oktober",
                "okt",
                "octubre",
                "octobre",
            ),
            (
                "november",
                "nov",
                "ноября",
                "ноябрь",
                "листопада",
                "листопад",
                "noviembre",
                "novembre",
            ),
            (
                "december",
                "dec",
                "декабря",
                "декабрь",
                "грудня",
                "грудень",
                "dezember",
                "dez",
                "diciembre",
                "dic",
                "décembre",
                "déc",
            ),
        ],
        start=1,
    )
    for name in names
}
# Month names in order, January first: Hindi (two spellings), Italian, Portuguese, Dutch,
# Polish (the genitive that dates use) and Turkish. NFC, as the loader writes text.
_MONTHS_IN_ORDER = (
    "जनवरी फ़रवरी मार्च अप्रैल मई जून जुलाई अगस्त सितंबर अक्टूबर नवंबर दिसंबर",
    "जनवरी फरवरी मार्च अप्रेल मई जून जुलाई अगस्त सितम्बर अक्तूबर नवम्बर दिसम्बर",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "januari februari maart april mei juni juli augustus september oktober november december",
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
    "listopada grudnia",
    "ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık",
)
_MONTHS.update(
    (unicodedata.normalize("NFC", name), number)
    for row in _MONTHS_IN_ORDER
    for number, name in enumerate(row.split(), start=1)
)


def _month_key(name: str) -> str:
    """``name`` as the table spells it: in lower case, the Turkish dotless ı matched by a
    case-blind pattern to an "I" ("MAYIS") read as i."""
    return name.lower().rstrip(".").replace("ı", "i").replace("\u0307", "")


_MONTH_NUMBERS = {_month_key(name): number for name, number in _MONTHS.items()}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?!\d)"),
    # "25 November 2026", "3. Mai 2024", "25 de mayo de 2025".
    re.compile(
        r"(?<!\d)(?P<day>\d{1,2})(st|nd|rd|th|\.)?\s+(de\s+)?"
        + _MONTH
        + r",?\s+(de\s+)?(?P<year>\d{4})",
        re.I,
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
# German "Von", Spanish "Por", French "Par", Dutch "Door", Scandinavian "Av"/"Af": the name
# after them must still read as one (capitalised), so "Von Berlin nach Paris" is no byline.
_BY_LABELS = (
    r"by|written by|reporting by|words by|story by|article by|posted by|text by|authors?|"
    r"author of the article|"
    r"analysis by|"
    r"opinion by|commentary by|interview by|"
    r"reporter|автор(ы|и)?( материала| матеріалу| статьи| статті)?|текст|लेखक|रिपोर्ट|"
    r"रिपोर्टर|संवाददाता|"
    r"(ein(e)? )?(kommentar|kolumne|analyse|gastbeitrag|interview|reportage) von|von|"
    r"autor(in)?|text|por|par|door|av|af|"
    r"作者|撰文|(本报)?(特约|实习)?记者|执笔"
)
# A name and its label: "Von Anna Berg", "作者：宋怡" (CJK labels need no space after them).
_BYLINE = re.compile(
    rf"^({_BY_LABELS})\s*([:：/|｜\-–—]\s*|\s+)(?P<name>.+)$|^By(?P<glued>[A-Z].+)$",
    re.IGNORECASE,
)
# Labels after the name: Korean "배윤경 기자", Japanese "山田太郎記者", Hindi "… द्वारा".
_NAME_THEN_LABEL = re.compile(r"^(?P<name>.+?)\s*(기자|記者|द्वारा)$")
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
_NAME_CONNECTORS = frozenset(
    "and & de da del der van von la le bin al y и і та und et e och og en".split()
)
_HAN_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_MAX_HAN_NAME_CHARS = 4
# News agencies credited as a story's author, written in lower case by some ("Von dpa").
_AGENCIES = frozenset("dpa afp ap apa reuters kna epd sda ansa efe ddp dpa-afx".split())
# No word of a name runs longer ("Schmidt-Schwarzenberger"); a clause without spaces does.
_MAX_NAME_WORD_CHARS = 25
_NAME_END = re.compile(r"\s+(\||-|–|—|·|•|on|at|published|updated|\d)\s*.*$|[,;]\s*.*$", re.I)
_MAX_NAME_WORDS = 8
# A name alone on its line, over a date: first and last name, a middle name or two.
_MIN_BARE_NAME_WORDS, _MAX_BARE_NAME_WORDS = 2, 4
_MAX_BYLINE_WORDS = 20
# Where a bare name under the headline ends: a field separator, or a digit glued on or
# spaced ("Jane Doe5 hours ago", "Jane Doe 4 Febbraio 2025").
_BARE_NAME_END = re.compile(r"\s*(\||·|•|/|,|\s[-–—]\s)\s*|(?<=\D)(?=\d)")
_MAX_NAME_UNDER_HEADLINE_WORDS = 3
# A date's month glued to the name where a dump lost the space ("Associated PressApril 28").
_GLUED_MONTH = re.compile(
    r"(?<=[a-z])(?=("
    + "|".join(sorted((month.capitalize() for month in _MONTHS), key=len, reverse=True))
    + r")\b)"
)
_SENTENCE_STOP = re.compile(r"[.!?…。]$")
# A word of a name: capitalised letters, perhaps hyphenated, an initial ("R.") or "O'Neil".
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*\.?")
_INNER_BY = re.compile(r"\s[Bb]y:?\s+(?P<name>[A-Z].*)$")
_MAX_DATED_BYLINE_WORDS = 35
_NOT_NAMES = frozenset(
    "image images photo logo icon video staff the a an this that our more all view".split()
)

# A Chinese reporter or author credited inside a line: the label after a space, a colon or
# the outlet ("本报记者", "新华社记者"), its name two to four characters up to a space, a
# bracket or "发自"/"报道" ("记者了解到，" is no credit: no space and no outlet).
_REPORTER = re.compile(
    r"(?:(?<=[报社台网刊])记者|(?:作者|记者|撰文|执笔人?)(?=[\s:：]))[\s:：]*"
    r"(?P<name>[\u4e00-\u9fff]{2,4}?)(?=[\s)）/、，,\]】]|$|发自|报道)"
)

# Reasons the cleaner gives metadata lines; a headline stands over them.
METADATA_REASONS = ("byline", "date line", "byline and date")
BYLINE_REASONS = ("byline", "byline and date")

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
        month_number = int(month) if month.isdigit() else _MONTH_NUMBERS.get(_month_key(month))
        if month_number is None:
            continue  # a case-blind match the table does not spell ("ſeptember")
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
    if is_relative_time(line):
        return "published", None
    return None


@lru_cache(maxsize=1 << 14)
def byline(line: str) -> str | None:
    """The name in a byline ("By Jane Doe", "Автор: Іван Петренко", "Jane Doe | Reporter")."""
    if len(line.split()) > _MAX_BYLINE_WORDS:
        return None
    match = _BYLINE.match(line)
    if match:
        return person_name(match["name"] or match["glued"])
    match = _ROLE.match(line) or _NAME_THEN_LABEL.match(line)
    if match:
        # Without a "By", all of the text before the role must be the name.
        name = person_name(match["name"])
        return name if name == match["name"].strip() else None
    # "National Desk By National Desk The Plain Dealer on December 27, 2014 at 12:06 PM".
    inner = _INNER_BY.search(line)
    if inner and len(line.split()) <= _MAX_DATED_BYLINE_WORDS and parse_date(line):
        return person_name(inner["name"])
    return None


def named_over_date(line: str, below: str) -> str | None:
    """The name, when ``line`` is a person's name alone and the line ``below`` it is a date
    ("30.01.2024", "7 hours ago", "Published: …" or the label alone)."""
    words = line.split()
    # Without its label, a name must show its capitals: in scripts without case a comment's
    # user name, a tag or a short headline over a date reads the same.
    if not _MIN_BARE_NAME_WORDS <= len(words) <= _MAX_BARE_NAME_WORDS:
        return None
    if not all(word[:1].isupper() for word in words if word.lower() not in _NAME_CONNECTORS):
        return None
    label = _DATE_LABEL.match(below.strip())
    if not (date_line(below) or is_relative_time(below) or (label and not label["rest"])):
        return None
    name = person_name(line)
    return name if name == line.strip() else None


def name_under_headline(line: str, words_in_lower_case: frozenset[str] = frozenset()) -> str | None:
    """The name of a byline without its "By", as it stands under the headline: the name
    alone ("Marta Cañete") or before the fields a byline runs into ("Jane Doe | Published
    4 months ago", "Jane Doe / SITE.COM / Sep 2, 2024", "Jane Doe5 hours ago").

    ``words_in_lower_case`` are the words the article writes in lower case (and its
    language's stopwords): a heading in title case ("Key Points", "Polisen ber om tips")
    holds some, a name none; without them, only the line's shape is checked. Scripts without
    case cannot show a name.
    """
    text = line.strip()
    if len(text.split()) > _MAX_BYLINE_WORDS or _SENTENCE_STOP.search(text):
        return None
    ends = [end for end in (_BARE_NAME_END.search(text), _GLUED_MONTH.search(text)) if end]
    end = min(ends, key=lambda match: match.start(), default=None)
    head, tail = (text[: end.start()], text[end.end() :]) if end else (text, "")
    if tail and not _DIGIT.search(tail) and len(tail.split()) > _MAX_SITE_WORDS:
        return None
    words = head.split()
    names = [word for word in words if word.lower() not in _NAME_CONNECTORS]
    if not _MIN_BARE_NAME_WORDS <= len(names) <= _MAX_NAME_UNDER_HEADLINE_WORDS:
        return None
    if not all(_NAME_WORD.fullmatch(word) and word[0].isupper() for word in names):
        return None
    if any(len(word) == 1 for word in names):
        return None  # an initial has its full stop ("R."); a lone letter is a label's
    if head.isupper():
        return None  # a section's label in capitals ("FASHION WEEK")
    if any(word.lower() in words_in_lower_case or word.lower() in _NOT_NAMES for word in names):
        return None
    name = person_name(head)
    return name if name == head.strip() else None


def reporter(line: str) -> str | None:
    """The name of a Chinese reporter credited inside ``line`` ("（记者 王小明）"), or None."""
    match = _REPORTER.search(line)
    return match["name"] if match else None


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
    if name.casefold() in _AGENCIES:
        return name
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
    if any(len(word) > _MAX_NAME_WORD_CHARS for word in words):
        return None
    # Chinese and Japanese names are a few characters, with no case to tell them from words.
    if any(_HAN_OR_KANA.search(word) and len(word) > _MAX_HAN_NAME_CHARS for word in words):
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
