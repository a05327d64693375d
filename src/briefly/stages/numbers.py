"""Numbers in text as values, so that "1,000" and "1000", "2.9" and "2,9" compare equal.

The faithfulness check (:mod:`briefly.stages.faithfulness`) compares values, not units:
"85%", "85 percent" and "85 per cent" are all 85. Where a form is ambiguous ("1,500" is
fifteen hundred in English and one and a half in Russian) it stands for both values: where
the notation leaves doubt, the check passes a number rather than raise a false alarm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Digits in groups joined by one separator: "1,000,000", "2.9", "1 000" (a space, no-break
# space, narrow no-break space or thin space between groups, as Russian and Ukrainian write
# thousands). ``\d`` takes any script's digits (Devanagari ०-९ too) and Decimal reads them.
_GROUPS = re.compile(r"(?<!\w)\d+(?:[.,'\u00a0\u202f\u2009 ]\d+)*")
_SPACES = re.compile(r"[\u00a0\u202f\u2009 ]")
# Words after a number that multiply it ("5 million", "$5bn", "5 млн", "5 करोड़").
_SCALES: dict[str, int] = {
    **dict.fromkeys(("thousand", "k", "тис", "тыс", "हज़ार", "हजार"), 10**3),
    **dict.fromkeys(("лакх", "लाख", "lakh"), 10**5),
    **dict.fromkeys(("million", "m", "mn", "mln", "млн", "मिलियन"), 10**6),
    **dict.fromkeys(("crore", "करोड़", "करोड"), 10**7),
    **dict.fromkeys(("billion", "bn", "b", "млрд", "बिलियन", "अरब"), 10**9),
    **dict.fromkeys(("trillion", "tn", "трлн", "ट्रिलियन", "खरब"), 10**12),
}
# Inflected scale words: "мільйонів", "миллиона", "тисячі", "тысяч".
_SCALE_STEMS = {"тисяч": 10**3, "тысяч": 10**3, "мільйон": 10**6, "миллион": 10**6}
_SCALE_STEMS |= {"мільярд": 10**9, "миллиард": 10**9, "трильйон": 10**12, "триллион": 10**12}
_SCALE_AFTER = re.compile(r"\s?([^\W\d_]+)")
# English numbers written out. "one" is left out of what a brief must support ("no one",
# "one of them"), but an article's "one" still supports a brief's "1".
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split()
)
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUES = {word: value for value, word in enumerate(_UNITS)}
_WORD_VALUES |= {word: 20 + 10 * i for i, word in enumerate(_TENS)}
_WRITTEN = re.compile(
    rf"\b(?:({'|'.join(_TENS)})[-\s]({'|'.join(_UNITS[1:10])})|({'|'.join(_WORD_VALUES)}))\b"
    r"(?:\s(hundred|thousand|million|billion|trillion))?",
    re.IGNORECASE,
)
_WRITTEN_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}
_WRITTEN_SCALES["trillion"] = 10**12
# "2020-21": the second year of a range, which a translation may write out ("2020–2021").
_RANGE_START = re.compile(r"(\d\d)\d\d[-\u2013/]")


@dataclass(frozen=True)
class Number:
    """A number as written, and every value it may stand for."""

    text: str  # as it appears, e.g. "1,500" or "twenty-five"
    values: frozenset[Decimal]  # e.g. {1500, 1.5}: more than one where the form is ambiguous


def numbers(text: str, *, written: bool = True) -> list[Number]:
    """Every number in ``text``, in order: digits in any script, with English numbers written
    out (``written``) after them."""
    found = []
    for match in _GROUPS.finditer(text):
        scale = _scale(text, match.end())
        for part in _split_spaces(match.group()):
            values = _values(part)
            values |= {v * scale for v in values}
            century = _RANGE_START.fullmatch(text, max(match.start() - 5, 0), match.start())
            if century and len(part) == 2:
                values |= _parsed(century.group(1) + part)
            if values:
                found.append(Number(part, frozenset(values)))
    if written:
        for match in _WRITTEN.finditer(text):
            tens, unit, word, scale_word = match.groups()
            if word is not None:
                value = _WORD_VALUES[word.lower()]
            else:
                value = _WORD_VALUES[tens.lower()] + _WORD_VALUES[unit.lower()]
            values = {Decimal(value)}
            if scale_word is not None:
                values.add(Decimal(value * _WRITTEN_SCALES[scale_word.lower()]))
            found.append(Number(match.group(), frozenset(values)))
    return found


def _split_spaces(run: str) -> list[str]:
    """A run of digit groups split where its spaces do not separate thousands.

    "1 000 000" is one number; "2020 15" (a year, then another number) is two: groups after
    a space are thousands only when the first has one to three digits and every later one
    exactly three.
    """
    parts = _SPACES.split(run)
    if len(parts) == 1:
        return parts
    head = re.fullmatch(r"\d{1,3}", parts[0])
    if head and all(re.fullmatch(r"\d{3}(?:[.,]\d+)?", p) for p in parts[1:]):
        return [run]
    return [p for p in parts if p]


def _values(token: str) -> set[Decimal]:
    """The values a token of digits and separators may stand for."""
    token = _SPACES.sub("", token).replace("'", ",")
    commas, points = token.count(","), token.count(".")
    if commas and points:
        # The later separator is the decimal mark: "1,234.5" and "1.234,5".
        decimal = "," if token.rfind(",") > token.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return _parsed(token.replace(thousands, "").replace(decimal, "."))
    if not commas and not points:
        return _parsed(token)
    mark = "," if commas else "."
    head, *groups = token.split(mark)
    grouped = 1 <= len(head) <= 3 and all(len(g) == 3 for g in groups)
    if len(groups) > 1:
        # "1,000,000": only thousands separators repeat.
        return _parsed("".join([head, *groups])) if grouped else set()
    as_decimal = _parsed(f"{head}.{groups[0]}")
    if grouped and head != "0":
        return as_decimal | _parsed(head + groups[0])
    return as_decimal


def _parsed(token: str) -> set[Decimal]:
    try:
        return {Decimal(token)}
    except InvalidOperation:
        return set()


def _scale(text: str, end: int) -> int:
    match = _SCALE_AFTER.match(text, end)
    if match is None:
        return 1
    word = match.group(1).lower()
    if word in _SCALES:
        return _SCALES[word]
    return next((v for stem, v in _SCALE_STEMS.items() if word.startswith(stem)), 1)
