"""Composing the stages: article -> English brief -> translations."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from briefly.engines import load_engine
from briefly.errors import ModelError
from briefly.language import detect_language
from briefly.loader import Article, load_article
from briefly.models import (
    DEFAULT_LANGUAGES,
    DEFAULT_SUMMARIZER,
    source_translator_name,
    translator_name,
)
from briefly.prompts import Prompt, default_prompt, load_prompt
from briefly.summarizer import EXTRACTIVE_SENTENCES, Summarizer, Summary, check_length
from briefly.translator import Translation, Translator

EXTRACTIVE = "extractive"


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
    warnings: list[dict] = field(default_factory=list)  # output-guard findings: code, lang, detail

    def to_dict(self) -> dict:
        return asdict(self)


class Briefer:
    """Loads models once (on first use) and briefs articles.

    >>> briefer = Briefer(languages=("uk",))
    >>> brief = briefer.brief(load_article("article.txt"))

    ``summarizer="extractive"`` uses the built-in extractive summariser (no model).
    A non-English article is translated into English (opus-mt-SRC-en) before an
    English-only model summarises it; with ``translate_source=False`` it goes to
    the summariser as it is (for multilingual models). A target language equal
    to the article's own gets an extract of the original, not a translation of
    a translation.
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
        length: str = "medium",
        max_words: int | None = None,
        long_strategy: str = "map-reduce",
        translate_source: bool = True,
        prompt: str | None = None,
    ) -> None:
        check_length(length, long_strategy)
        self.summarizer_name = summarizer
        self.languages = tuple(languages)
        self.translators = dict(translators or {})
        self.device = device
        self.backend = backend
        self.compute_type = compute_type
        self.length = length
        self.max_words = max_words
        self.long_strategy = long_strategy
        self.translate_source = translate_source
        # Prompt template name or file for instruction models; None: the model family's default.
        self.prompt = prompt
        self._unavailable: dict[str, ModelError] = {}
        # Called with a short description before each slow stage (for progress display).
        self._on_stage = on_stage or (lambda _stage: None)

    @property
    def models(self) -> dict[str, str]:
        """The model id or path used for each role."""
        roles = {"summarizer": self.summarizer_name}
        for lang in self.languages:
            roles[f"translator:{lang}"] = translator_name(lang, self.translators)
        return roles

    @property
    def options(self) -> dict:
        """Everything besides the models that changes a brief."""
        return {
            "length": self.length,
            "max_words": self.max_words,
            "long_strategy": self.long_strategy,
            "translate_source": self.translate_source,
            "prompt": self.prompt,
        }

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
        languages = [detect_language(a.body) for a in articles]
        foreign = [
            i
            for i, lang in enumerate(languages)
            if lang not in (None, "en") and self.translate_source
        ]
        models = [self.models for _ in articles]
        bodies = [a.body for a in articles]
        if self.summarizer_name == EXTRACTIVE:
            summaries = self._extract(bodies)
            originals = [s.text for s in summaries]
            texts = self._to_english(originals, languages, foreign, models, timings)
            english = [
                (t.text, s.warnings + t.warnings) for s, t in zip(summaries, texts, strict=True)
            ]
        else:
            originals = [s.text for s in self._extract([bodies[i] for i in foreign])]
            originals = dict(zip(foreign, originals, strict=True))
            texts = self._to_english(bodies, languages, foreign, models, timings)
            engine = self._engine(self.summarizer_name, "summarizer", timings)
            summarizer = Summarizer(
                engine, self.length, self.max_words, self.long_strategy, self._prompt_for(engine)
            )
            self._on_stage("Summarising")
            started = time.perf_counter()
            summaries = summarizer.summarize([t.text for t in texts])
            timings["summarize"] = time.perf_counter() - started
            english = [
                (s.text, s.warnings + t.warnings) for s, t in zip(summaries, texts, strict=True)
            ]
            originals = [originals.get(i, "") for i in range(len(articles))]
        translations = self._translate_targets(english, languages, originals, timings)
        return [
            Brief(
                source=article.source,
                title=article.title,
                author=article.author,
                published=article.published,
                language=languages[i],
                brief=english[i][0],
                translations={lang: translations[lang][i][0] for lang in self.languages},
                models=models[i],
                chunks=summaries[i].chunks,
                timings={k: round(v, 3) for k, v in timings.items()},
                warnings=[
                    asdict(w)
                    for w in dict.fromkeys(
                        english[i][1]
                        + tuple(w for lang in self.languages for w in translations[lang][i][1])
                    )
                ],
            )
            for i, article in enumerate(articles)
        ]

    def translate(self, text: str) -> dict[str, str]:
        """Translate English ``text`` into each of this briefer's languages."""
        return {lang: out[0] for lang, out in self.translate_many([text]).items()}

    def translate_many(
        self, texts: Sequence[str], timings: dict[str, float] | None = None
    ) -> dict[str, list[str]]:
        """Translate English texts into each language: language -> one output per text."""
        timings = {} if timings is None else timings
        return {
            lang: [t.text for t in self._translator(lang, timings).translate_checked(texts)]
            for lang in self.languages
        }

    def _prompt_for(self, engine) -> Prompt | None:
        name = self.prompt or default_prompt(engine.family)
        return None if name is None else load_prompt(name)

    def _extract(self, texts: Sequence[str]) -> list[Summary]:
        from briefly.extractive import ExtractiveSummarizer

        limit = None if self.max_words else EXTRACTIVE_SENTENCES[self.length]
        return ExtractiveSummarizer(max_sentences=limit, max_words=self.max_words).summarize(texts)

    def _to_english(self, texts, languages, foreign, models, timings) -> list[Translation]:
        """Each text, in English: those at the ``foreign`` indices are translated."""
        results = [Translation(text) for text in texts]
        by_language: dict[str, list[int]] = {}
        for i in foreign:
            by_language.setdefault(languages[i], []).append(i)
        for lang, indices in by_language.items():
            name = source_translator_name(lang, self.translators)
            translator = Translator(self._engine(name, f"translator:{lang}-en", timings), "en")
            self._on_stage(f"Translating {lang} into English")
            started = time.perf_counter()
            done = translator.translate_checked([texts[i] for i in indices])
            timings[f"translate:{lang}-en"] = time.perf_counter() - started
            for i, translation in zip(indices, done, strict=True):
                results[i] = translation
                models[i] = models[i] | {f"translator:{lang}-en": name}
        return results

    def _translate_targets(self, english, languages, originals, timings):
        """language -> per article (text, warnings); the source language is not re-translated."""
        results = {}
        for lang in self.languages:
            todo = [i for i, source in enumerate(languages) if source != lang or not originals[i]]
            done = {}
            if todo:
                translator = self._translator(lang, timings)
                started = time.perf_counter()
                outputs = translator.translate_checked([english[i][0] for i in todo])
                timings[f"translate:{lang}"] = time.perf_counter() - started
                done = {i: (t.text, t.warnings) for i, t in zip(todo, outputs, strict=True)}
            results[lang] = [done.get(i, (originals[i], ())) for i in range(len(english))]
        return results

    def _translator(self, lang: str, timings: dict[str, float]) -> Translator:
        name = translator_name(lang, self.translators)
        translator = Translator(self._engine(name, f"translator:{lang}", timings), lang)
        self._on_stage(f"Translating into {lang}")
        return translator

    def preload(self) -> None:
        """Load the summariser and the target-language translators now.

        Batch runs call this first, so that a missing model stops the run at
        once instead of failing every article.
        """
        if self.summarizer_name != EXTRACTIVE:
            self._engine(self.summarizer_name, "summarizer", {})
        for lang in self.languages:
            self._engine(translator_name(lang, self.translators), f"translator:{lang}", {})

    def _engine(self, name: str, role: str, timings: dict[str, float]):
        if name in self._unavailable:
            # Do not ask the hub again for every article that needs this model.
            raise self._unavailable[name]
        self._on_stage(f"Loading {role} {name}")
        started = time.perf_counter()
        try:
            engine = load_engine(
                name, device=self.device, backend=self.backend, compute_type=self.compute_type
            )
        except ModelError as e:
            self._unavailable[name] = e
            raise
        timings[f"load:{role}"] = time.perf_counter() - started
        return engine
