"""Turning results into text, Markdown or JSON for people and programs."""

from __future__ import annotations

import json
from dataclasses import asdict

from briefly.article.language import detect_language
from briefly.article.loader import Article
from briefly.results import Brief, Translation

FORMATS = ("text", "markdown", "json")

LANGUAGE_NAMES = {
    "en": "English",
    "uk": "Ukrainian",
    "ru": "Russian",
    "hi": "Hindi",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pl": "Polish",
    "zh": "Chinese",
    "ar": "Arabic",
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def to_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_brief(brief: Brief, fmt: str) -> str:
    if fmt == "json":
        return to_json(brief.to_dict())
    blocks = {brief.brief_language: brief.text, **brief.translations}
    if fmt == "markdown":
        head = f"# {brief.title}\n\n" if brief.title else ""
        body = "\n\n".join(f"## {language_name(k)}\n\n{v}" for k, v in blocks.items())
        return f"{head}{body}\n"
    head = f"{brief.title}\n{'=' * min(len(brief.title), 80)}\n\n" if brief.title else ""
    body = "\n\n".join(f"[{k}] {language_name(k)}\n{v}" for k, v in blocks.items())
    return f"{head}{body}\n"


def render_article(article: Article, fmt: str) -> str:
    if fmt == "json":
        return to_json(
            {
                "source": article.source,
                "title": article.title,
                "author": article.author,
                "published": article.published,
                # As `brief` reports it: what the summariser and translators would be told.
                "language": detect_language(article.body),
                "body": article.body,
                "removed": [{"line": line, "reason": reason} for line, reason in article.removed],
            }
        )
    meta = [
        f"{label}: {value}"
        for label, value in (
            ("Title", article.title),
            ("Author", article.author),
            ("Published", article.published),
        )
        if value
    ]
    head = "\n".join(meta)
    return f"{head}\n\n{article.body}\n" if head else f"{article.body}\n"


def render_removed(article: Article) -> str:
    """The lines cleaning dropped, one a line with its reason, for stderr."""
    if not article.removed:
        # Silence would look like a broken option.
        return "(cleaning removed no lines)\n"
    return "".join(f"[{reason}] {line}\n" for line, reason in article.removed)


def render_translations(translations: dict[str, Translation], fmt: str) -> str:
    """``briefly translate``'s output; JSON holds the output guards' warnings, as a brief's."""
    texts = {lang: translation.text for lang, translation in translations.items()}
    if fmt == "json":
        warnings = [asdict(w) for t in translations.values() for w in t.warnings]
        return to_json({"translations": texts, "warnings": warnings})
    if len(texts) == 1:
        return next(iter(texts.values())) + "\n"
    return "\n\n".join(f"[{k}] {language_name(k)}\n{v}" for k, v in texts.items()) + "\n"
