"""Detecting the language an article is written in."""

from __future__ import annotations


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when there is too little text to tell.

    Text is lower-cased first: langid's features are case-sensitive and mistake
    all-caps English for other languages.
    """
    sample = " ".join(text.split())[:4000].lower()
    if sum(ch.isalpha() for ch in sample) < 20:
        return None
    import py3langid

    lang, _score = py3langid.classify(sample)
    return lang
