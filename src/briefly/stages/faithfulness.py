"""The faithfulness check: a brief states no number or name its article does not, and a
translation keeps every number of its source and adds none.

Numbers are compared by value (see :mod:`briefly.stages.numbers`). Names are capitalised
words in Latin script, compared without case, except a sentence's first word: any word starts
a sentence ("Officials said"), and a name of two words still has its second checked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from briefly.results import GuardWarning
from briefly.stages.numbers import Number, numbers
from briefly.stages.text import split_sentences

# Words of letters only: "Biden's" gives "Biden" and "s", "Jean-Luc" gives "Jean" and "Luc".
_WORD = re.compile(r"[^\W\d_]+")
# Written numbers a brief may use without meaning a count ("no one", "one of them").
_NOT_COUNTS = {"one"}


def check_brief(article: str, brief: str) -> list[GuardWarning]:
    """A warning for each number and name in ``brief`` that ``article`` does not support."""
    return [
        GuardWarning("unsupported_number", None, f"{value!r} is not in the article")
        for value in unsupported_numbers(article, brief)
    ] + [
        GuardWarning("unsupported_name", None, f"{name!r} is not in the article")
        for name in unsupported_names(article, brief)
    ]


def check_numbers(source: str, output: str, lang: str) -> list[GuardWarning]:
    """A warning for each number of ``source`` missing from its translation ``output``, and
    for each number of ``output`` that ``source`` does not have.

    Only digits must carry over (a source's "three" may become a word of the translation);
    a source's written-out number still lets the translation write it in digits.
    """
    written = numbers(output, written=False)
    digits = numbers(source, written=False)
    lost = _missing(digits, _values(written))
    new = _missing(written, _values(numbers(source)))
    return [
        GuardWarning("number_lost", lang, f"{value!r} of the source is not in the translation")
        for value in lost
    ] + [
        GuardWarning("unsupported_number", lang, f"{value!r} is not in the source") for value in new
    ]


def unsupported_numbers(source: str, output: str) -> list[str]:
    """Numbers of ``output``, as written, whose value ``source`` does not have."""
    stated = [n for n in numbers(output) if n.text.lower() not in _NOT_COUNTS]
    return _missing(stated, _values(numbers(source)))


def unsupported_names(source: str, output: str) -> list[str]:
    """Capitalised Latin-script words of ``output`` that ``source`` does not have."""
    known = {word.casefold() for word in _WORD.findall(source)}
    missing: dict[str, None] = {}
    for sentence in split_sentences(output):
        for word in _WORD.findall(sentence)[1:]:
            if _is_name(word) and word.casefold() not in known:
                missing[word] = None
    return list(missing)


def _is_name(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and unicodedata.name(word[0], "").startswith("LATIN")


def _values(found: Iterable[Number]) -> set[Decimal]:
    return {value for number in found for value in number.values}


def _missing(found: Iterable[Number], pool: set[Decimal]) -> list[str]:
    return list(dict.fromkeys(n.text for n in found if not n.values & pool))
