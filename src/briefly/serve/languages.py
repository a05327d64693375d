"""LibreTranslate's /detect and /languages answers, from briefly's own language tools."""

from __future__ import annotations

from briefly.article.language import identifier
from briefly.render import language_name

# As briefly.article.language.detect_language: too few letters to tell (it returns None then).
_MIN_LETTERS = 20


def detect(text: str) -> tuple[str, float]:
    """The language of ``text`` and a confidence from 0 to 100, as LibreTranslate reports it.

    Text too short to tell is taken for English (the only language this service translates
    from), with the low confidence that says it was a guess.
    """
    sample = " ".join(text.split())[:4000].lower()
    if sum(ch.isalpha() for ch in sample) < _MIN_LETTERS:
        return "en", 0.0
    lang, probability = identifier(norm_probs=True).classify(sample)
    return lang, round(float(probability) * 100, 1)


def supported(languages: tuple[str, ...]) -> list[dict]:
    """English, which translates into every loaded language, then each of those."""
    listed = [{"code": "en", "name": "English", "targets": list(languages)}]
    return listed + [
        {"code": lang, "name": language_name(lang), "targets": []}
        for lang in languages
        if lang != "en"
    ]
