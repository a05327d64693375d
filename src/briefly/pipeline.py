"""Composing the stages: article -> brief (in English or its own language) -> translations."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter

from briefly.article.language import detect_language
from briefly.article.loader import Article, load_article
from briefly.errors import ModelError
from briefly.models.engines import load_engine
from briefly.models.generation import TextGenerator, check_max_words
from briefly.models.hub import (
    check_available,
    direct_translator_name,
    source_translator_name,
    translator_name,
)
from briefly.models.language_codes import MULTILINGUAL_MODEL_TYPES, language_tokens
from briefly.models.prompts import Prompt, default_prompt, load_prompt
from briefly.options import BriefOptions, checked
from briefly.results import Brief, GuardWarning, Summary, Translation
from briefly.stages.summarizer import EXTRACTIVE_SENTENCES, Summarizer
from briefly.stages.translator import Translator
from briefly.unicode import replace_surrogates

logger = logging.getLogger("briefly")


@dataclass
class _Work:
    """One article on its way through :meth:`Briefer.brief_many`."""

    article: Article
    language: str | None  # detected language of the article
    foreign: bool  # translated into English before the summariser reads it
    original: str = ""  # an extract in the article's own language, for a target equal to it
    english: str = ""  # the brief (the article's English translation until it is summarised)
    brief_language: str = "en"  # the language ``english`` is in
    pivot: str = ""  # the brief in English, made when a target is reached through English
    chunks: int = 0  # pieces the article was summarised in
    translations: dict[str, str] = field(default_factory=dict)
    warnings: list[GuardWarning] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)  # role -> model, as used
    timings: dict[str, float] = field(default_factory=dict)  # stage -> this article's share

    def brief(self) -> Brief:
        article = self.article
        return Brief(
            source=article.source,
            title=article.title,
            author=article.author,
            published=article.published,
            language=self.language,
            text=self.english,
            translations=self.translations,
            models=self.models,
            chunks=self.chunks,
            brief_language=self.brief_language,
            timings={stage: round(seconds, 3) for stage, seconds in self.timings.items()},
            warnings=tuple(dict.fromkeys(self.warnings)),
        )


class Briefer:
    """Loads models once (on first use) and briefs articles.

    >>> briefer = Briefer(BriefOptions(languages=("uk",)))
    >>> brief = briefer.brief(load_article("article.txt"))

    See :class:`BriefOptions` for what can be set. :meth:`check` finds bad settings and
    missing models before anything loads. ``on_stage`` is called with a short description
    before each slow stage (for a progress display).

    Threads: one Briefer may be used from several threads at once, on either backend. Each
    model is loaded once and shared, and every call returns what it would return alone.
    Calls from different threads are not batched together (``on_stage`` hears them all):
    for throughput, pass many articles to one :meth:`brief_many` call.
    """

    def __init__(
        self,
        options: BriefOptions | None = None,
        *,
        on_stage: Callable[[str], None] | None = None,
    ) -> None:
        self.options = checked("options", options, BriefOptions | None) or BriefOptions()
        self._unavailable: dict[str, ModelError] = {}
        self._on_stage = on_stage or (lambda _stage: None)
        # Whether the warning that a summariser takes no prompt was given (once is enough).
        self._prompt_ignored = False

    @property
    def models(self) -> dict[str, str]:
        """The model id or path used for each role ("summarizer", "translator:uk")."""
        roles = {"summarizer": self.options.summarizer}
        for lang in self.options.languages:
            roles[f"translator:{lang}"] = translator_name(lang, self.options.translators)
        return roles

    def check(self, articles: Sequence[Article] = ()) -> None:
        """Raise what loading would raise, without loading a model.

        Checks the device, the backend and its compute type, and that every model the
        summariser and the target languages need is a local directory or in the cache
        (or, online, on the hub). Translators of source languages are known only once an
        article is read, so they are not checked; a target that every one of ``articles``
        is written in needs no model, nor does English.
        """
        from briefly.stages.preflight import check_options

        languages = {detect_language(article.body) for article in articles}
        check_options(self.options, languages.pop() if len(languages) == 1 else None)

    def brief(self, article: Article | str | os.PathLike[str]) -> Brief:
        """Brief one article (an :class:`Article`, or a path/URL to load)."""
        article = checked("article", article, Article | str | os.PathLike[str])
        if not isinstance(article, Article):
            article = load_article(article)
        return self.brief_many([article])[0]

    def brief_many(self, articles: Sequence[Article]) -> list[Brief]:
        """Brief several articles, batching model work across them.

        The result for each article is the same as briefing it alone. Each stage's time
        is shared among the articles it worked on by text length, so the articles'
        timings add up to the group's.
        """
        articles = checked("articles", articles, tuple[Article, ...])
        works = []
        for article in articles:
            language = detect_language(article.body)
            foreign = language not in (None, "en") and self.options.translate_source
            # Models are listed as they run; the summariser always does (extractive included).
            models = {"summarizer": self.options.summarizer}
            works.append(_Work(article, language, foreign, models=models))
        self._check_targets(works)
        if self.options.extractive:
            self._brief_extractively(works)
        else:
            self._summarise(works)
        self._translate_targets(works)
        return [work.brief() for work in works]

    def translate(self, text: str) -> dict[str, Translation]:
        """Translate English ``text`` into each of this briefer's languages."""
        text = checked("text", text, str)
        return {lang: out[0] for lang, out in self.translate_many([text]).items()}

    def translate_many(self, texts: Sequence[str]) -> dict[str, list[Translation]]:
        """Translate English texts into each language: language -> one result per text."""
        texts = checked("texts", texts, tuple[str, ...])
        # A lone surrogate (from JSON's "\ud800") would stop the tokenizer.
        texts = [replace_surrogates(text) for text in texts]
        results = {}
        for lang in self.options.languages:
            translator = self._translator(translator_name(lang, self.options.translators), lang)
            self._on_stage(f"Translating into {lang}")
            results[lang] = translator.translate_checked(texts)
        return results

    def preload(self) -> None:
        """Load the summariser and the target-language translators now.

        Batch runs call this first, so that a missing model stops the run at
        once instead of failing every article.
        """
        for role, name in self.models.items():
            if not (role == "summarizer" and self.options.extractive):
                self._engine(name, role, [])

    def _check_targets(self, works: list[_Work]) -> None:
        """Build the translators English briefs will need, so that a target language a model
        does not know fails before anything is generated."""
        english = [w for w in works if w.language in (None, "en")]
        for lang in self.options.languages:
            if english and lang != "en":
                self._translator(
                    translator_name(lang, self.options.translators), lang, None, english
                )

    def _brief_extractively(self, works: list[_Work]) -> None:
        # The extract is made in the article's own language; only its sentences are translated.
        with self._stage("summarize", works, [w.article.body for w in works]):
            summaries = self._extract([w.article.body for w in works])
        for work, summary in zip(works, summaries, strict=True):
            work.original = work.english = summary.text
            work.brief_language = work.language or "en"
            work.chunks = summary.chunks
            work.warnings += summary.warnings

    def _summarise(self, works: list[_Work]) -> None:
        summarizer = self._summarizer(works)
        if getattr(summarizer.engine, "model_type", None) in MULTILINGUAL_MODEL_TYPES:
            # A multilingual summariser briefs an article in its own language.
            for work in works:
                work.foreign = False
        foreign = [w for w in works if w.foreign]
        for work, summary in zip(
            foreign, self._extract([w.article.body for w in foreign]), strict=True
        ):
            work.original = summary.text
        for work in works:
            work.english = work.article.body
            if not work.foreign:
                work.brief_language = work.language or "en"
        self._to_english(works)
        self._on_stage("Summarising")
        with self._stage("summarize", works, [w.english for w in works]):
            summaries = summarizer.summarize([w.english for w in works])
        for work, summary in zip(works, summaries, strict=True):
            work.english = summary.text
            work.chunks = summary.chunks
            work.warnings += summary.warnings

    def _to_english(self, works: list[_Work]) -> None:
        """Replace ``english`` of the foreign articles with its translation into English."""
        by_language: dict[str, list[_Work]] = {}
        for work in works:
            if work.foreign:
                by_language.setdefault(work.language or "", []).append(work)
        for lang, group in by_language.items():
            done = self._translate_from(lang, "en", group, [w.english for w in group])
            for work, translation in zip(group, done, strict=True):
                work.english = translation.text
                work.warnings += translation.warnings

    def _translate_from(
        self, source: str, lang: str, works: Sequence[_Work], texts: Sequence[str]
    ) -> list[Translation]:
        """``texts`` (one per work) from ``source`` into ``lang``, recording the model used."""
        translators = self.options.translators
        if lang == "en":
            name, role = source_translator_name(source, translators), f"translator:{source}-en"
        elif source == "en":
            name, role = translator_name(lang, translators), f"translator:{lang}"
        else:
            # A model for the pair, or a multilingual target model (see _direct).
            direct = direct_translator_name(source, lang, translators)
            name = direct or translator_name(lang, translators)
            role = f"translator:{source}-{lang}"
        translator = self._translator(name, lang, role, works, source=source)
        self._on_stage(f"Translating {source} into {lang}")
        with self._stage(role.replace("translator:", "translate:"), works, texts):
            done = translator.translate_checked(texts)
        for work in works:
            work.models[role] = name
        return done

    def _translate_targets(self, works: list[_Work]) -> None:
        """Translate each brief from its own language into the targets.

        A target equal to the brief's language is the brief itself, one equal to the article's
        the extract of the original. A brief in another language than English goes straight
        to a target where a model is configured for that pair (``ru-uk=MODEL``) and through
        English otherwise.
        """
        for lang in self.options.languages:
            for work in works:
                if work.brief_language == lang:
                    work.translations[lang] = work.english
                elif work.language == lang and work.original:
                    work.translations[lang] = work.original
            todo = [w for w in works if lang not in w.translations]
            by_source: dict[str, list[_Work]] = {}
            for work in todo:
                source = work.brief_language
                if source != "en" and not self._direct(source, lang):
                    self._pivot(work)
                    source = "en"
                by_source.setdefault(source, []).append(work)
            for source, group in by_source.items():
                texts = [w.pivot if source == "en" and w.pivot else w.english for w in group]
                done = self._translate_from(source, lang, group, texts)
                for work, translation in zip(group, done, strict=True):
                    work.translations[lang] = translation.text
                    work.warnings += translation.warnings
        for work in works:
            work.translations = {lang: work.translations[lang] for lang in self.options.languages}

    def _direct(self, source: str, lang: str) -> bool:
        """Whether a model goes from ``source`` straight to ``lang``: one configured for the
        pair, or a multilingual target model (NLLB, M2M100, mBART-50) that knows ``source``."""
        if direct_translator_name(source, lang, self.options.translators):
            return True
        if not any(k in self.options.translators for k in (lang, "*", "all")):
            return False
        name = translator_name(lang, self.options.translators)
        engine = self._engine(name, f"translator:{lang}", [])
        tokens = language_tokens(engine.vocabulary())
        return tokens is not None and tokens.forced and tokens.has(source)

    def _pivot(self, work: _Work) -> None:
        """Give ``work`` its brief in English (once), for targets reached through English."""
        if not work.pivot:
            source = work.brief_language
            (translation,) = self._translate_from(source, "en", [work], [work.english])
            work.pivot = translation.text
            work.warnings += translation.warnings

    def _summarizer(self, works: list[_Work]) -> Summarizer:
        options = self.options
        engine = self._engine(options.summarizer, "summarizer", works)
        check_max_words(options.max_words, engine.max_output_tokens, options.summarizer)
        return Summarizer(
            engine,
            options.length,
            options.max_words,
            options.long_strategy,
            self._prompt_for(engine),
            retries=options.guard_retries,
        )

    def _translator(
        self,
        name: str,
        lang: str,
        role: str | None = None,
        works: Sequence[_Work] = (),
        source: str = "en",
    ) -> Translator:
        engine = self._engine(name, role or f"translator:{lang}", works)
        return Translator(engine, lang, source=source, retries=self.options.guard_retries)

    def _prompt_for(self, engine: TextGenerator) -> Prompt | None:
        if engine.family == "seq2seq" and self.options.prompt is not None:
            # BART and Pegasus were fine-tuned on bare articles: an instruction would be read
            # as part of the article and briefed with it.
            if not self._prompt_ignored:
                self._prompt_ignored = True
                logger.warning(
                    "the prompt is ignored: %s is a %s summariser, which takes no prompt "
                    "(T5, FLAN-T5 and chat models do)",
                    self.options.summarizer,
                    getattr(engine, "model_type", "seq2seq"),
                )
            return None
        name = self.options.prompt or default_prompt(engine.family)
        return None if name is None else load_prompt(name)

    def _extract(self, texts: Sequence[str]) -> list[Summary]:
        from briefly.stages.extractive import ExtractiveSummarizer

        max_words = self.options.max_words
        limit = None if max_words else EXTRACTIVE_SENTENCES[self.options.length]
        return ExtractiveSummarizer(max_sentences=limit, max_words=max_words).summarize(texts)

    def _engine(self, name: str, role: str, works: Sequence[_Work]) -> TextGenerator:
        if name in self._unavailable:
            # Do not ask the hub again for every article that needs this model.
            raise self._unavailable[name]
        self._on_stage(f"Loading {role} {name}")
        options = self.options
        try:
            # A model that cannot be had fails here with advice for its role (check() knows
            # no source-language translators); cached and local models pass at once.
            check_available(name, role=role)
            with self._stage(f"load:{role}", works, [w.article.body for w in works]):
                return load_engine(
                    name,
                    device=options.device,
                    backend=options.backend,
                    compute_type=options.compute_type,
                    on_stage=self._on_stage,
                )
        except ModelError as e:
            self._unavailable[name] = e
            raise

    @contextmanager
    def _stage(self, stage: str, works: Sequence[_Work], texts: Sequence[str]) -> Iterator[None]:
        """Time a stage and share the time among ``works`` by the length of their ``texts``."""
        started = perf_counter()
        yield
        seconds = perf_counter() - started
        total = sum(len(text) for text in texts)
        for work, text in zip(works, texts, strict=True):
            share = len(text) / total if total else 1 / len(works)
            work.timings[stage] = work.timings.get(stage, 0.0) + seconds * share
