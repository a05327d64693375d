"""What the stages produce, kept below them so that every layer can share it.

A :class:`Summary` and a :class:`Translation` carry the output guards' findings
(:class:`GuardWarning`); a :class:`Brief` is the whole result for one article.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class GuardWarning:
    """A problem the output guards found in a model's output and could not fix."""

    code: str  # "repetition", "length_ratio" or "wrong_language"
    lang: str | None  # the translation's language; None for the English brief
    detail: str  # one line for people, e.g. "expected uk, looks like ru"


@dataclass(frozen=True)
class Summary:
    """The brief of one article."""

    text: str  # the brief
    chunks: int  # pieces the article was summarised in to fit the model's window
    warnings: tuple[GuardWarning, ...] = ()  # what the output guards could not fix


@dataclass(frozen=True)
class Translation:
    """One translated text."""

    text: str  # the translation, paragraphs separated by blank lines
    warnings: tuple[GuardWarning, ...] = ()  # what the output guards could not fix


@dataclass(frozen=True)
class Brief:
    """A briefed article: what the JSON output of ``briefly brief`` holds.

    The brief is ``text``, in ``brief_language`` (English, or the article's own language when
    the summariser covers it); in :meth:`to_dict` (the JSON output) its key is "brief".
    """

    source: str  # path, URL or "-" the article came from
    title: str | None  # headline, when the article has one
    author: str | None  # byline, when the article has one
    published: str | None  # publication date (ISO), when known
    language: str | None  # detected language of the article
    text: str  # the brief, in brief_language
    translations: dict[str, str]  # language code -> translated brief
    models: dict[str, str]  # role ("summarizer", "translator:uk") -> model id or path
    chunks: int  # pieces the article was summarised in
    brief_language: str = "en"  # language of text: "en", or the article's own
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage (its share)
    warnings: tuple[GuardWarning, ...] = ()  # what the output guards could not fix

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``briefly brief --format json`` prints (warnings as objects with
        code, lang and detail)."""
        data = asdict(self)
        data["warnings"] = list(data["warnings"])
        return {("brief" if key == "text" else key): value for key, value in data.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Brief:
        """The inverse of :meth:`to_dict`; keys it does not know (``_batch``) are ignored."""
        known = {f.name for f in fields(cls)}
        values = {("text" if key == "brief" else key): value for key, value in data.items()}
        values["warnings"] = tuple(GuardWarning(**w) for w in values.get("warnings", ()))
        return cls(**{key: value for key, value in values.items() if key in known})
