"""Composing the stages: article -> English brief -> translations."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from briefly.engines import load_engine
from briefly.language import detect_language
from briefly.loader import Article, load_article
from briefly.models import (
    DEFAULT_LANGUAGES,
    DEFAULT_SUMMARIZER,
    translator_name,
)
from briefly.summarizer import Summarizer
from briefly.translator import Translator


@dataclass(frozen=True)
class Brief:
    """A briefed article: what the JSON output of ``briefly brief`` holds."""

    source: str  # path, URL or "-" the article came from
    title: str | None  # headline, when the article has one
    author: str | None  # byline, when the article has one
    published: str | None  # publication date (ISO), when known
    language: str | None  # detected language of the article
    brief: str  # the English brief
    translations: dict[str, str]  # language code -> translated brief
    models: dict[str, str]  # role ("summarizer", "translator:uk") -> model id or path
    chunks: int  # pieces the article was summarised in
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    def to_dict(self) -> dict:
        return asdict(self)


class Briefer:
    """Loads models once (on first use) and briefs articles.

    >>> briefer = Briefer(languages=("uk",))
    >>> brief = briefer.brief(load_article("article.txt"))
    """

    def __init__(
        self,
        summarizer: str = DEFAULT_SUMMARIZER,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        translators: dict[str, str] | None = None,
        device: str = "auto",
        backend: str = "auto",
        on_stage: Callable[[str], None] | None = None,
        compute_type: str | None = None,
    ) -> None:
        self.summarizer_name = summarizer
        self.languages = tuple(languages)
        self.translators = dict(translators or {})
        self.device = device
        self.backend = backend
        self.compute_type = compute_type
        # Called with a short description before each slow stage (for progress display).
        self._on_stage = on_stage or (lambda _stage: None)

    @property
    def models(self) -> dict[str, str]:
        """The model id or path used for each role."""
        roles = {"summarizer": self.summarizer_name}
        for lang in self.languages:
            roles[f"translator:{lang}"] = translator_name(lang, self.translators)
        return roles

    def brief(self, article: Article | str) -> Brief:
        """Brief one article (an :class:`Article`, or a path/URL to load)."""
        if not isinstance(article, Article):
            article = load_article(article)
        return self.brief_many([article])[0]

    def brief_many(self, articles: Sequence[Article]) -> list[Brief]:
        """Brief several articles, batching model work across them.

        The result for each article is the same as briefing it alone.
        """
        timings: dict[str, float] = {}
        summarizer = Summarizer(self._engine(self.summarizer_name, "summarizer", timings))
        self._on_stage("Summarising")
        started = time.perf_counter()
        summaries = summarizer.summarize([a.body for a in articles])
        timings["summarize"] = time.perf_counter() - started
        texts = [s.text for s in summaries]
        translations = self.translate_many(texts, timings)
        return [
            Brief(
                source=article.source,
                title=article.title,
                author=article.author,
                published=article.published,
                language=detect_language(article.body),
                brief=summary.text,
                translations={lang: translations[lang][i] for lang in self.languages},
                models=self.models,
                chunks=summary.chunks,
                timings={k: round(v, 3) for k, v in timings.items()},
            )
            for i, (article, summary) in enumerate(zip(articles, summaries, strict=True))
        ]

    def translate(self, text: str) -> dict[str, str]:
        """Translate English ``text`` into each of this briefer's languages."""
        return {lang: out[0] for lang, out in self.translate_many([text]).items()}

    def translate_many(
        self, texts: Sequence[str], timings: dict[str, float] | None = None
    ) -> dict[str, list[str]]:
        """Translate English texts into each language: language -> one output per text."""
        timings = {} if timings is None else timings
        results = {}
        for lang in self.languages:
            name = translator_name(lang, self.translators)
            translator = Translator(self._engine(name, f"translator:{lang}", timings), lang)
            self._on_stage(f"Translating into {lang}")
            started = time.perf_counter()
            results[lang] = translator.translate(texts)
            timings[f"translate:{lang}"] = time.perf_counter() - started
        return results

    def _engine(self, name: str, role: str, timings: dict[str, float]):
        self._on_stage(f"Loading {role} {name}")
        started = time.perf_counter()
        engine = load_engine(
            name, device=self.device, backend=self.backend, compute_type=self.compute_type
        )
        timings[f"load:{role}"] = time.perf_counter() - started
        return engine
