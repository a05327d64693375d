"""LibreTranslate's /detect and /languages answers, from briefly's own language tools."""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

from briefly.render import language_name

# As briefly.article.language.detect_language: fewer letters are too few for langid alone.
_MIN_LETTERS = 20
# A short text is taken for one of the languages briefly names, in the script it is written in.
_BY_SCRIPT = {
    "LATIN": ("en", "de", "fr", "es", "it", "pl"),
    "CYRILLIC": ("ru", "uk"),
    "DEVANAGARI": ("hi",),
    "ARABIC": ("ar",),
    "CJK": ("zh",),
}
# Confidence from which a Latin-script text is taken to be the language detected.
_SURE = 50.0
# Letters of one of the two Cyrillic languages and not the other.
_ONLY = {"uk": frozenset("іїєґ"), "ru": frozenset("ыэъё")}
# Confidence when such letters decide: Belarusian shares some of both.
_LETTERS_CONFIDENCE = 90.0


def detect(text: str) -> tuple[str, float]:
    """The language of ``text`` and a confidence from 0 to 100, as LibreTranslate reports it.

    From 20 letters on, langid decides alone. A shorter text is judged by its script first
    (Cyrillic, Devanagari, Latin, ...), among the languages briefly names in that script, by
    the letters only Ukrainian or only Russian has, and then by langid; its confidence shrinks
    with its length, as the evidence does. A text without letters is English with confidence 0.
    """
    sample = " ".join(text.split())[:4000].lower()
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return "en", 0.0
    if len(letters) >= _MIN_LETTERS:
        lang, probability = _identifier().classify(sample)
        return lang, round(float(probability) * 100, 1)
    script = Counter(_script(ch) for ch in letters).most_common(1)[0][0]
    candidates = _BY_SCRIPT.get(script)
    if script == "CYRILLIC":
        marked = [lang for lang, only in _ONLY.items() if only.intersection(letters)]
        if len(marked) == 1:
            return marked[0], _LETTERS_CONFIDENCE
    ranked = [(lang, float(p)) for lang, p in _identifier().rank(sample)]
    if candidates:
        ranked = [(lang, p) for lang, p in ranked if lang in candidates]
    lang, probability = ranked[0]
    share = probability / sum(p for _, p in ranked)
    return lang, round(share * len(letters) / _MIN_LETTERS * 100, 1)


def looks_foreign(lang: str, confidence: float) -> bool:
    """Whether a text detected as ``lang`` is surely not English: in another script, or sure.

    A few Latin letters say little ("Hello" looks Italian to langid), and refusing English
    would be worse than translating a short foreign text.
    """
    return lang != "en" and (confidence >= _SURE or lang not in _BY_SCRIPT["LATIN"])


def supported(languages: tuple[str, ...]) -> list[dict]:
    """English, which translates into every loaded language, then each of those."""
    listed = [{"code": "en", "name": "English", "targets": list(languages)}]
    return listed + [
        {"code": lang, "name": language_name(lang), "targets": []}
        for lang in languages
        if lang != "en"
    ]


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _script(letter: str) -> str:
    """The first word of the letter's Unicode name: LATIN, CYRILLIC, DEVANAGARI, CJK, ..."""
    return unicodedata.name(letter, "UNKNOWN").split(" ", 1)[0]
