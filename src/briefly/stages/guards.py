"""Checks on model output: loops, lost or invented text and numbers, and the wrong language.

Seq2seq models fail in a few recognisable ways: they loop ("the the the",
one clause over and over), stop early or run on, and translators for close
languages drift into the neighbour (a Ukrainian model writing Russian). These
checks only detect; the pipeline decides whether to retry or warn. Thresholds
are set so that ordinary news prose in English, Cyrillic and Devanagari passes.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from briefly.article.language import detect_language, identifier
from briefly.results import GuardWarning
from briefly.stages.faithfulness import check_brief, check_numbers
from briefly.stages.text import split_sentences, unspaced, word_count, words

# A word repeated back to back this many times is a loop ("the the the the").
_WORD_LOOP = 4
# A phrase of up to 4 words repeated back to back this many times is a loop;
# a longer phrase (a clause) repeated back to back even once is.
_SHORT_PHRASE = 4
_PHRASE_LOOP = 3
_LONGEST_LOOP = 20
# Sentences this long appearing twice are a repetition.
_DUPLICATE_SENTENCE_WORDS = 5
# A word 3-gram this frequent, covering this share of all words, is a repetition:
# names recur in long prose, but not to a tenth of the text.
_TRIGRAM_COUNT = 4
_TRIGRAM_SHARE = 0.1
# A run of characters (with a letter) repeated back to back: loops in scripts
# without spaces, and within-word garbage ("ааааааа...").
_CHARACTER_LOOP = re.compile(r"(.{1,30}?)\1{3,}", re.DOTALL)
_CHARACTER_LOOP_SPAN = 16

# Output/source word ratios outside these bounds mean text was dropped or invented.
# Ordinary translations from English run from about 0.7 (Russian) to 1.4 (Hindi).
_LOW_RATIO = 0.3
_HIGH_RATIO = 3.0
_MIN_SOURCE_WORDS = 4

# Fewer letters than this are too few to tell a language by.
_MIN_LETTERS = 20
# Scripts (first word of a letter's Unicode name) each language is written in.
_LATIN = ("LATIN",)
_SCRIPTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        "af az ca cs cy da de en es et eu fi fr ga gl hr hu id is it lt lv ms mt nb nl no "
        "pl pt ro sk sl sq sv sw tl tr uz vi".split(),
        _LATIN,
    ),
    **dict.fromkeys("be bg kk ky mk mn ru tg uk".split(), ("CYRILLIC",)),
    **dict.fromkeys("hi mr ne sa".split(), ("DEVANAGARI",)),
    **dict.fromkeys("ar fa ps ur".split(), ("ARABIC",)),
    **dict.fromkeys("as bn".split(), ("BENGALI",)),
    "el": ("GREEK",),
    "sr": ("CYRILLIC", "LATIN"),
    "gu": ("GUJARATI",),
    "he": ("HEBREW",),
    "hy": ("ARMENIAN",),
    "ja": ("CJK", "HIRAGANA", "KATAKANA"),
    "ka": ("GEORGIAN",),
    "kn": ("KANNADA",),
    "ko": ("HANGUL",),
    "ml": ("MALAYALAM",),
    "pa": ("GURMUKHI",),
    "ta": ("TAMIL",),
    "te": ("TELUGU",),
    "th": ("THAI",),
    "zh": ("CJK",),
}
# Letters only one of the two languages uses; Ukrainian also writes an
# apostrophe inside words where Russian writes ъ.
_UKRAINIAN_LETTERS = "іїєґ"
_RUSSIAN_LETTERS = "ыэъё"
_UKRAINIAN_APOSTROPHE = re.compile(r"(?<=[а-яіїєґ])['\u2019\u02bc](?=[а-яіїєґ])")


def repetition(text: str) -> str | None:
    """The phrase ``text`` loops on or repeats abnormally often, or None if it reads normally."""
    tokens = words(text)
    return (
        _loop(tokens)
        or _duplicate_sentence(text)
        or _frequent_trigram(tokens)
        or _character_loop(text)
    )


def _loop(tokens: list[str]) -> str | None:
    for period in range(1, min(_LONGEST_LOOP, len(tokens) // 2) + 1):
        if period == 1:
            repeats = _WORD_LOOP
        elif period <= _SHORT_PHRASE:
            repeats = _PHRASE_LOOP
        else:
            repeats = 2
        needed = period * (repeats - 1)  # tokens equal to the one ``period`` before
        run = 0
        for i in range(period, len(tokens)):
            run = run + 1 if tokens[i] == tokens[i - period] else 0
            if run >= needed:
                start = i - needed - period + 1
                return _phrase(tokens[start : start + period])
    return None


def _duplicate_sentence(text: str) -> str | None:
    seen = set()
    for sentence in split_sentences(text):
        key = tuple(words(sentence))
        if len(key) < _DUPLICATE_SENTENCE_WORDS:
            continue
        if key in seen:
            return sentence
        seen.add(key)
    return None


def _frequent_trigram(tokens: list[str]) -> str | None:
    counts = Counter(zip(tokens, tokens[1:], tokens[2:], strict=False))
    if not counts:
        return None
    trigram, count = counts.most_common(1)[0]
    if count >= _TRIGRAM_COUNT and 3 * count >= _TRIGRAM_SHARE * len(tokens):
        return _phrase(list(trigram))
    return None


def _phrase(tokens: list[str]) -> str:
    """Tokens joined back into text: scripts without spaces were split into characters."""
    text = tokens[0]
    for before, token in zip(tokens, tokens[1:], strict=False):
        text += ("" if unspaced(before[-1]) and unspaced(token[0]) else " ") + token
    return text


def _character_loop(text: str) -> str | None:
    for match in _CHARACTER_LOOP.finditer(text):
        unit = match.group(1)
        if len(match.group(0)) >= _CHARACTER_LOOP_SPAN and any(c.isalpha() for c in unit):
            return unit
    return None


def length_ratio(source: str, output: str) -> float | None:
    """Words in ``output`` per word in ``source``; None when the source is too short to judge.

    Scripts without spaces count two characters as a word (see
    :func:`briefly.stages.extractive.word_count`), so the ratio is comparable across scripts.
    """
    source_words = word_count(source)
    if source_words < _MIN_SOURCE_WORDS:
        return None
    return word_count(output) / source_words


def length_ratio_abnormal(source: str, output: str) -> bool:
    """Whether a translation is far shorter or longer than its source."""
    ratio = length_ratio(source, output)
    return ratio is not None and not _LOW_RATIO <= ratio <= _HIGH_RATIO


@lru_cache(maxsize=8192)
def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ", 1)[0]


def wrong_language(text: str, expected: str) -> str | None:
    """The language ``text`` is in if it is not ``expected``, else None.

    Checks the script (Devanagari for hi, Cyrillic for uk and ru, ...), then
    tells Ukrainian from Russian by the letters only one of them uses. None
    also when the text is too short to tell, or ``expected`` has no known
    script. A wrong script whose language langid cannot name gives "und".
    """
    scripts = _SCRIPTS.get(expected)
    letters = [c for c in text if c.isalpha()]
    if scripts is None or len(letters) < _MIN_LETTERS:
        return None
    # Names and acronyms in Latin letters are normal in any translation.
    if sum(_script(c) in scripts for c in letters) < len(letters) / 2:
        guess = detect_language(text)
        return guess if guess is not None and guess != expected else "und"
    if expected in ("uk", "ru"):
        found = _ukrainian_or_russian(text)
        return found if found not in (None, expected) else None
    return None


def _ukrainian_or_russian(text: str) -> str | None:
    lower = text.casefold()
    ukrainian = sum(lower.count(c) for c in _UKRAINIAN_LETTERS)
    ukrainian += len(_UKRAINIAN_APOSTROPHE.findall(lower))
    russian = sum(lower.count(c) for c in _RUSSIAN_LETTERS)
    if ukrainian != russian:
        return "uk" if ukrainian > russian else "ru"
    # Neither language's own letters decide it: ask langid, restricted to these
    # two by filtering its ranking (set_languages would change it for everyone).
    return next((lang for lang, _ in identifier().rank(lower) if lang in ("uk", "ru")), None)


def check_translation(source: str, output: str, lang: str) -> list[GuardWarning]:
    """Problems with ``output``, the translation of English ``source`` into ``lang``."""
    warnings = []
    repeated = repetition(output)
    if repeated:
        warnings.append(GuardWarning("repetition", lang, f"repeats {repeated!r}"))
    if length_ratio_abnormal(source, output):
        detail = f"{word_count(output)} words from {word_count(source)}"
        warnings.append(GuardWarning("length_ratio", lang, detail))
    found = wrong_language(output, lang)
    if found:
        warnings.append(
            GuardWarning("wrong_language", lang, f"expected {lang}, looks like {found}")
        )
    return warnings + check_numbers(source, output, lang)


def check_summary(source: str, summary: str) -> list[GuardWarning]:
    """Problems with ``summary``, the English brief of the article ``source``.

    A brief longer than its article was padded out with invented text (models
    with a minimum output length do this to short articles); a number or name the
    article does not have was invented too (see :mod:`briefly.stages.faithfulness`).
    """
    warnings = []
    repeated = repetition(summary)
    if repeated:
        warnings.append(GuardWarning("repetition", None, f"repeats {repeated!r}"))
    ratio = length_ratio(source, summary)
    if ratio is not None and (ratio > 1 or not summary.strip()):
        detail = f"brief has {word_count(summary)} words, article {word_count(source)}"
        warnings.append(GuardWarning("length_ratio", None, detail))
    found = wrong_language(summary, "en")
    if found:
        warnings.append(GuardWarning("wrong_language", None, f"expected en, looks like {found}"))
    return warnings + check_brief(source, summary)
