"""Turning results into text, Markdown or JSON for people and programs."""

from __future__ import annotations

import json

from briefly.article.loader import Article
from briefly.results import Brief

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


def render_translations(translations: dict[str, str], fmt: str) -> str:
    if fmt == "json":
        return to_json(translations)
    if len(translations) == 1:
        return next(iter(translations.values())) + "\n"
    return "\n\n".join(f"[{k}] {language_name(k)}\n{v}" for k, v in translations.items()) + "\n"
