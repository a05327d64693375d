"""What CTranslate2 batching costs and whether it keeps results equal to one-at-a-time runs.

Two jobs, each run with texts of any length batched together ("padded": briefly's default)
and with only equal token lengths batched ("equal": ``--deterministic``):

- small: one brief's sentences translated into three languages;
- large: a group of 16 articles summarised.

``--models wide`` summarises with a two-layer BART as wide as distilbart (d_model 1024,
1024-token window, the CNN decoding settings): the tiny models' outputs never change with
padding, its int8 outputs do. For each job it counts the CTranslate2 calls
(``translate_batch``, guard retries included), times the job, and checks every output
against the same input run on its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.models import built, model_set
from briefly.models.engines.ct2_engine import CT2Engine
from briefly.stages.summarizer import Summarizer
from briefly.stages.text import sentences
from briefly.stages.translator import Translator

KINDS = ("tiny", "wide", "replica")
MODES = {"padded": False, "equal": True}  # mode -> BriefOptions.deterministic


@dataclass
class Row:
    job: str
    mode: str
    calls: int
    seconds: float
    equal_to_solo: bool


class _CountingTranslator:
    """A ``ctranslate2.Translator`` stand-in that counts ``translate_batch`` calls."""

    def __init__(self, translator) -> None:
        self.translator = translator
        self.calls = 0

    def translate_batch(self, tokens, **options):
        self.calls += 1
        return self.translator.translate_batch(tokens, **options)


def _engine(path: str, compute_type: str | None) -> tuple[CT2Engine, _CountingTranslator]:
    engine = CT2Engine(Path(path), "cpu", compute_type)
    counter = _CountingTranslator(engine.translator)
    engine.translator = counter
    return engine, counter


def _measure(
    job: str,
    runner: Callable[[bool], Callable[[Sequence[str]], list[str]]],
    inputs: Sequence[str],
    counters: Sequence[_CountingTranslator],
) -> list[Row]:
    """``runner(deterministic)`` is the job's function for one batching mode."""
    rows = []
    for mode, deterministic in MODES.items():
        run = runner(deterministic)
        for counter in counters:
            counter.calls = 0
        start = time.perf_counter()
        batched = run(inputs)
        seconds = time.perf_counter() - start
        calls = sum(counter.calls for counter in counters)
        solo = [run([text])[0] for text in inputs]
        rows.append(Row(job, mode, calls, seconds, batched == solo))
    return rows


def measure(kind: str, compute_type: str | None, replica_dir: Path) -> list[Row]:
    from tests.support.text import news_corpus

    models = model_set("tiny" if kind == "wide" else kind, replica_dir=replica_dir)
    summarizer_path = models.paths["summarizer"]
    if kind == "wide":
        from tests.support.models import CNN_SUMMARY, TINY_BART

        wide = replace(
            TINY_BART,
            name="wide-bart",
            d_model=1024,
            heads=16,
            ffn=4096,
            max_positions=1024,
            generation=CNN_SUMMARY,
        )
        summarizer_path = str(built(wide, replica_dir.expanduser() / "wide"))
    articles = news_corpus(16)
    brief = sentences(articles[0])[:4]
    engines = {
        lang: _engine(models.paths[f"translator:{lang}"], compute_type)
        for lang in models.translators
    }

    def translating(deterministic: bool) -> Callable[[Sequence[str]], list[str]]:
        translators = [
            Translator(engines[lang][0], lang, deterministic=deterministic) for lang in engines
        ]

        def translate_sentences(texts: Sequence[str]) -> list[str]:
            per_language = [t.translate(list(texts)) for t in translators]
            return ["\n".join(outputs) for outputs in zip(*per_language, strict=True)]

        return translate_sentences

    summarizer_engine, summarizer_counter = _engine(summarizer_path, compute_type)

    def summarizing(deterministic: bool) -> Callable[[Sequence[str]], list[str]]:
        summarizer = Summarizer(summarizer_engine, deterministic=deterministic)
        return lambda texts: [s.text for s in summarizer.summarize(texts)]

    return [
        *_measure(
            "small: 4 sentences x 3 languages",
            translating,
            brief,
            [counter for _, counter in engines.values()],
        ),
        *_measure("large: 16-article group", summarizing, articles, [summarizer_counter]),
    ]


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| job | batching | CTranslate2 calls | seconds | every output equals its solo run |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        same = "yes" if r.equal_to_solo else "no"
        lines.append(f"| {r.job} | {r.mode} | {r.calls} | {r.seconds:.2f} | {same} |")
    return "\n".join(lines)
