"""Quality: ROUGE of briefs, chrF++ and BLEU of translations, and agreement between backends.

Reference metrics need real models: random-weight replicas write gibberish, so their ROUGE and
BLEU mean nothing. Agreement needs no references: it scores one backend's output against
PyTorch fp32 output for the same inputs, which shows what a faster backend or a lower
precision costs on any model, replicas included.

Data formats read:

- summaries: JSONL with ``article`` and ``reference`` (or CNN/DailyMail's ``highlights``), or
  CNN ``.story`` files (article, then reference sentences each after an ``@highlight`` line),
  one file or a directory of them;
- translations: a directory in FLORES layout (``eng_Latn.devtest``, ``ukr_Cyrl.devtest``...,
  one sentence per line; ``en.txt``, ``uk.txt``... also work), or JSONL with ``source``,
  ``reference`` and, where the file holds several languages, ``lang``.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.environment import ModelSet, environment
from briefly.engines import load_engine
from briefly.errors import InputError, ModelError, UsageError, first_line
from briefly.extractive import ExtractiveSummarizer
from briefly.loader import parse_article
from briefly.summarizer import Summarizer
from briefly.translator import Translator

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_SUMMARIES = DATA_DIR / "summaries.jsonl"
DEFAULT_PARALLEL = DATA_DIR / "parallel"

# --summarizer value that selects briefly's model-free extractive summariser: a real baseline
# for ROUGE where no abstractive model is available.
EXTRACTIVE = "extractive"
# FLORES-200 file-name codes of the languages briefly translates between.
FLORES_CODES = {"eng_Latn": "en", "ukr_Cyrl": "uk", "rus_Cyrl": "ru", "hin_Deva": "hi"}


@dataclass(frozen=True)
class SummaryExample:
    """An article and the summary a person wrote for it."""

    article: str  # article text as a user would give it to briefly
    reference: str  # human summary; one sentence per line for CNN/DailyMail highlights


@dataclass(frozen=True)
class ParallelSet:
    """English sentences and their reference translations into one language."""

    lang: str  # target language code, e.g. "uk"
    sources: tuple[str, ...]  # English sentences
    references: tuple[str, ...]  # one reference translation per source sentence


@dataclass(frozen=True)
class Runtime:
    """Where and how a model runs."""

    backend: str  # "torch" or "ct2"
    device: str  # "cpu" or "cuda"
    compute_type: str | None = None  # e.g. "float32", "int8"; None for the backend's default

    @property
    def label(self) -> str:
        return f"{self.backend}/{self.device}/{self.compute_type or 'default'}"


# Agreement is measured against the most exact setting briefly has: torch runs fp32 on CPU.
TORCH_FP32 = Runtime("torch", "cpu")


@dataclass(frozen=True)
class Result:
    """One quality figure set: a model, a runtime, a dataset."""

    task: str  # "summaries", "translations" or "agreement"
    role: str  # "summarizer" or "translator:<lang>"
    runtime: Runtime  # what produced the scored outputs, compute type as loaded
    metrics: dict[str, float]  # metric name -> value (ROUGE in 0..1, chrF/BLEU in 0..100)
    n: int  # examples scored
    dataset: str  # path of the data, as given
    # Agreement only: the runtime whose outputs served as references.
    reference: Runtime | None = None
    signatures: dict[str, str] = field(default_factory=dict)  # metric -> sacreBLEU signature


# --------------------------------------------------------------------------------------------
# Reading data
# --------------------------------------------------------------------------------------------


def read_summaries(path: Path, limit: int | None = None) -> list[SummaryExample]:
    """Read articles with reference summaries from JSONL, a ``.story`` file or a directory."""
    path = _existing(path)
    if path.is_dir():
        stories = sorted(path.glob("*.story"))
        if not stories:
            raise InputError(f"No .story files in {path}: give a directory of CNN .story files")
        examples = [parse_story(p.read_text(encoding="utf-8")) for p in stories[:limit]]
    elif path.suffix == ".story":
        examples = [parse_story(path.read_text(encoding="utf-8"))]
    elif path.suffix == ".jsonl":
        examples = [_summary_record(record, where) for record, where in _jsonl(path)]
    else:
        raise UsageError(f"Cannot read summaries from {path}: give a .jsonl file, or .story files")
    return _non_empty(examples[:limit], path)


def parse_story(text: str) -> SummaryExample:
    """Split a CNN ``.story`` file into the article and its ``@highlight`` sentences."""
    article, *highlights = text.split("@highlight")
    lines = (" ".join(h.split()) for h in highlights)
    return SummaryExample(article.strip(), "\n".join(line for line in lines if line))


def read_parallel(
    path: Path,
    languages: Sequence[str],
    split: str | None = None,
    limit: int | None = None,
) -> list[ParallelSet]:
    """Read English sentences with references in each of ``languages``."""
    path = _existing(path)
    if path.is_dir():
        sets = _read_parallel_dir(path, languages, split)
    elif path.suffix == ".jsonl":
        sets = _read_parallel_jsonl(path, languages)
    else:
        raise UsageError(
            f"Cannot read translations from {path}: give a directory of parallel files "
            "(FLORES layout) or a .jsonl file"
        )
    return [
        ParallelSet(s.lang, s.sources[:limit], _non_empty(s.references[:limit], path)) for s in sets
    ]


def _read_parallel_dir(
    path: Path, languages: Sequence[str], split: str | None
) -> list[ParallelSet]:
    files: dict[tuple[str, str], Path] = {}
    for file in path.iterdir():
        code, _, suffix = file.name.partition(".")
        if file.is_file() and suffix:
            files[(FLORES_CODES.get(code, code), suffix)] = file
    splits = sorted(suffix for lang, suffix in files if lang == "en")
    if not splits:
        raise InputError(f"No English file (eng_Latn.<split> or en.txt) in {path}")
    if split is None:
        if len(splits) > 1:
            raise UsageError(f"{path} holds several splits ({', '.join(splits)}): pass --split")
        split = splits[0]
    if ("en", split) not in files:
        raise UsageError(f"No '{split}' split in {path}: use one of {', '.join(splits)}")
    sources = _lines(files[("en", split)])
    sets = []
    for lang in languages:
        if (lang, split) not in files:
            raise InputError(f"No {lang} references for split '{split}' in {path}")
        references = _lines(files[(lang, split)])
        if len(references) != len(sources):
            raise InputError(
                f"{files[(lang, split)]} has {len(references)} lines but the English file has "
                f"{len(sources)}: parallel files must be aligned line by line"
            )
        sets.append(ParallelSet(lang, sources, references))
    return sets


def _read_parallel_jsonl(path: Path, languages: Sequence[str]) -> list[ParallelSet]:
    pairs: dict[str, list[tuple[str, str]]] = {lang: [] for lang in languages}
    for record, where in _jsonl(path):
        lang = record.get("lang")
        if lang is None and len(languages) != 1:
            raise InputError(f"{where}: no 'lang' field; add one, or pass a single --languages")
        lang = lang or languages[0]
        if lang in pairs:
            pairs[lang].append(
                (_field(record, "source", where), _field(record, "reference", where))
            )
    return [
        ParallelSet(lang, tuple(s for s, _ in found), tuple(r for _, r in found))
        for lang, found in pairs.items()
    ]


def _summary_record(record: dict, where: str) -> SummaryExample:
    if "reference" not in record and "highlights" not in record:
        raise InputError(f"{where}: 'reference' (or 'highlights') is missing")
    key = "reference" if "reference" in record else "highlights"
    return SummaryExample(_field(record, "article", where), _field(record, key, where))


def _jsonl(path: Path) -> Iterator[tuple[dict, str]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{where}: not a JSON object ({e.msg})") from e
            if not isinstance(record, dict):
                raise InputError(f"{where}: expected a JSON object per line")
            yield record, where


def _field(record: dict, name: str, where: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: '{name}' is missing or empty")
    return value


def _lines(path: Path) -> tuple[str, ...]:
    # Split on "\n" only: str.splitlines() also breaks on U+2028 and friends, which would
    # misalign a line with its translation.
    text = path.read_text(encoding="utf-8").removesuffix("\n")
    return tuple(line.rstrip("\r") for line in text.split("\n")) if text else ()


def _existing(path: Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(f"No such file or folder: {path}")
    return path


def _non_empty(items, path: Path):
    if not items:
        raise InputError(f"No examples in {path}")
    return items


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def rouge_scores(predictions: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE-1, ROUGE-2 and ROUGE-L F1 (0..1), Porter-stemmed as in the CNN/DM papers."""
    from rouge_score import rouge_scorer

    names = ("rouge1", "rouge2", "rougeL")
    scorer = rouge_scorer.RougeScorer(list(names), use_stemmer=True)
    totals = dict.fromkeys(names, 0.0)
    for prediction, reference in zip(predictions, references, strict=True):
        scores = scorer.score(reference, prediction)  # target first, then prediction
        for name in names:
            totals[name] += scores[name].fmeasure
    return {name: total / len(predictions) for name, total in totals.items()}


def translation_scores(
    hypotheses: Sequence[str], reference_streams: Sequence[Sequence[str]]
) -> tuple[dict[str, float], dict[str, str]]:
    """Corpus chrF++ and BLEU (0..100) and their sacreBLEU signatures.

    ``reference_streams`` is sacreBLEU's layout: one list per set of references, each as long
    as ``hypotheses``.
    """
    from sacrebleu.metrics import BLEU, CHRF

    metrics = {"chrf++": CHRF(word_order=2), "bleu": BLEU()}
    scores = {
        name: m.corpus_score(hypotheses, reference_streams).score for name, m in metrics.items()
    }
    return scores, {name: str(m.get_signature()) for name, m in metrics.items()}


def agreement_scores(
    candidates: Sequence[str], references: Sequence[str]
) -> tuple[dict[str, float], dict[str, str]]:
    """chrF of one backend's outputs against another's, and the share of identical outputs."""
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    score = chrf.corpus_score(list(candidates), [list(references)]).score
    same = sum(c == r for c, r in zip(candidates, references, strict=True))
    return (
        {"chrf": score, "identical_pct": 100 * same / len(candidates)},
        {"chrf": str(chrf.get_signature())},
    )


# --------------------------------------------------------------------------------------------
# Running models
# --------------------------------------------------------------------------------------------


def evaluate_summaries(
    models: ModelSet, runtime: Runtime, examples: Sequence[SummaryExample], dataset: str
) -> Result:
    """ROUGE of the summariser's briefs against the reference summaries."""
    summarizer, loaded = _summarizer(models.paths["summarizer"], runtime)
    briefs = summarize(summarizer, [e.article for e in examples])
    return Result(
        task="summaries",
        role="summarizer",
        runtime=loaded,
        metrics=rouge_scores(briefs, [e.reference for e in examples]),
        n=len(examples),
        dataset=dataset,
    )


def evaluate_translations(
    models: ModelSet, runtime: Runtime, sets: Sequence[ParallelSet], dataset: str
) -> list[Result]:
    """chrF++ and BLEU of each translator against the reference translations."""
    results = []
    for parallel in sets:
        engine = _engine(models.paths[f"translator:{parallel.lang}"], runtime)
        outputs = Translator(engine, parallel.lang).translate(parallel.sources)
        scores, signatures = translation_scores(outputs, [list(parallel.references)])
        results.append(
            Result(
                task="translations",
                role=f"translator:{parallel.lang}",
                runtime=_loaded(runtime, engine),
                metrics=scores,
                n=len(outputs),
                dataset=dataset,
                signatures=signatures,
            )
        )
    return results


def evaluate_agreement(
    models: ModelSet,
    candidate: Runtime,
    roles: Sequence[str],
    inputs: Sequence[str],
    dataset: str,
    reference: Runtime = TORCH_FP32,
) -> list[Result]:
    """Score ``candidate``'s outputs against ``reference``'s for the same inputs, per role.

    ``inputs`` are articles for the summarizer role, English sentences for translators.
    Raises :class:`ModelError` when the candidate backend is not installed, so callers can
    skip agreement on machines without CTranslate2.
    """
    if candidate.backend == "ct2" and importlib.util.find_spec("ctranslate2") is None:
        raise ModelError("ctranslate2 is not installed: pip install -e '.[fast]'")
    results = []
    for role in roles:
        (ref_runtime, expected), (cand_runtime, got) = (
            _outputs(models.paths[role], runtime, role, inputs)
            for runtime in (reference, candidate)
        )
        scores, signatures = agreement_scores(got, expected)
        results.append(
            Result(
                task="agreement",
                role=role,
                runtime=cand_runtime,
                metrics=scores,
                n=len(inputs),
                dataset=dataset,
                reference=ref_runtime,
                signatures=signatures,
            )
        )
    return results


def summarize(summarizer, articles: Sequence[str]) -> list[str]:
    """Brief raw articles the way ``briefly brief`` does: clean first, then summarise."""
    bodies = [
        parse_article(a, source=f"example {i}", is_html=False).body for i, a in enumerate(articles)
    ]
    return [s.text for s in summarizer.summarize(bodies)]


def _outputs(
    path: str, runtime: Runtime, role: str, inputs: Sequence[str]
) -> tuple[Runtime, list[str]]:
    if role == "summarizer":
        summarizer, loaded = _summarizer(path, runtime)
        return loaded, summarize(summarizer, inputs)
    engine = _engine(path, runtime)
    translator = Translator(engine, role.removeprefix("translator:"))
    return _loaded(runtime, engine), translator.translate(inputs)


def _summarizer(path: str, runtime: Runtime) -> tuple[Summarizer | ExtractiveSummarizer, Runtime]:
    if path == EXTRACTIVE:
        return ExtractiveSummarizer(), Runtime(EXTRACTIVE, "cpu")
    engine = _engine(path, runtime)
    return Summarizer(engine), _loaded(runtime, engine)


def _engine(path: str, runtime: Runtime):
    return load_engine(
        path, device=runtime.device, backend=runtime.backend, compute_type=runtime.compute_type
    )


def _loaded(runtime: Runtime, engine) -> Runtime:
    """``runtime`` with the compute type the engine actually uses."""
    return Runtime(runtime.backend, runtime.device, engine.compute_type)


# --------------------------------------------------------------------------------------------
# A whole run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one ``python -m benchmarks quality`` run measures."""

    tasks: tuple[str, ...]  # some of TASKS
    models: ModelSet  # models to evaluate; roles it lacks are left out
    runtime: Runtime  # where the reference-metric tasks run
    candidate: Runtime  # what agreement scores against TORCH_FP32
    summaries: Path  # articles with reference summaries (see read_summaries)
    parallel: Path  # parallel sentences (see read_parallel)
    split: str | None = None  # FLORES split when the directory holds several
    limit: int | None = None  # use only the first N examples of each dataset


TASKS = ("summaries", "translations", "agreement")


def run(plan: Plan, on_skip: Callable[[str], None] = lambda _reason: None) -> Iterator[Result]:
    """Yield each result of ``plan`` as soon as it is measured.

    Agreement is skipped, with ``on_skip`` told why, where the candidate backend cannot be
    loaded (CTranslate2 missing or unsupported): it is optional, the other tasks are not.
    """
    unknown = [task for task in plan.tasks if task not in TASKS]
    if unknown:
        raise UsageError(f"Unknown task '{unknown[0]}': use {', '.join(TASKS)}")
    has_summarizer = "summarizer" in plan.models.paths
    languages = tuple(plan.models.translators)
    examples = (
        read_summaries(plan.summaries, plan.limit)
        if has_summarizer and {"summaries", "agreement"} & set(plan.tasks)
        else []
    )
    sets = (
        read_parallel(plan.parallel, languages, plan.split, plan.limit)
        if languages and {"translations", "agreement"} & set(plan.tasks)
        else []
    )
    if "summaries" in plan.tasks and examples:
        yield evaluate_summaries(plan.models, plan.runtime, examples, dataset_label(plan.summaries))
    if "translations" in plan.tasks:
        yield from evaluate_translations(
            plan.models, plan.runtime, sets, dataset_label(plan.parallel)
        )
    if "agreement" in plan.tasks:
        jobs = []
        # The extractive summariser has no backends to compare.
        if examples and plan.models.paths["summarizer"] != EXTRACTIVE:
            articles = [e.article for e in examples]
            jobs.append((["summarizer"], articles, dataset_label(plan.summaries)))
        if sets:
            roles = [f"translator:{lang}" for lang in languages]
            jobs.append((roles, sets[0].sources, dataset_label(plan.parallel)))
        try:
            for roles, inputs, dataset in jobs:
                yield from evaluate_agreement(plan.models, plan.candidate, roles, inputs, dataset)
        except (ModelError, UsageError) as e:
            on_skip(f"agreement of {plan.candidate.label} skipped: {first_line(e)}")


def dataset_label(path: Path) -> str:
    """``path`` relative to the repository when inside it, so labels match across checkouts."""
    resolved = Path(path).resolve()
    root = Path(__file__).resolve().parent.parent
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)


# --------------------------------------------------------------------------------------------
# Result lines
# --------------------------------------------------------------------------------------------


def result_line(result: Result, models: ModelSet, machine: str | None = None) -> dict:
    """The JSON line recorded for ``result``; see :mod:`benchmarks.report` for the schema."""
    runtime = result.runtime
    reference = result.reference
    return {
        "kind": "quality",
        "task": result.task,
        "role": result.role,
        "backend": runtime.backend,
        "device": runtime.device,
        "compute_type": runtime.compute_type,
        "reference": None if reference is None else reference.label,
        "metrics": {name: round(value, 4) for name, value in result.metrics.items()},
        "signatures": result.signatures,
        "model": models.ids[result.role],
        "models_kind": models.kind,
        "dataset": result.dataset,
        "n": result.n,
        "environment": environment(
            runtime.device, runtime.backend, runtime.compute_type, machine=machine
        ),
    }


def append_results(path: Path, lines: Sequence[dict]) -> None:
    """Append result lines to the JSONL file at ``path``, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
