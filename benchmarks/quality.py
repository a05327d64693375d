"""Quality rows: ROUGE of briefs, chrF++/BLEU of translations, ct2-vs-torch agreement, and
the faithfulness warnings' rates.

Each backend briefs and translates the test sets once, in a worker, as users get it (guards
on); the scores come from those outputs. Agreement scores CTranslate2's outputs against
torch's for the same inputs: it needs no references, so it means something on random-weight
replicas too, where ROUGE and BLEU do not. The faithfulness rows give the share of outputs
left with each warning after re-ranking: meaningful on real models, on replicas they only
show that the check runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from benchmarks import metrics, testsets
from benchmarks.plan import Runtime
from benchmarks.worker import Task


def rows(context, settings) -> Iterator[dict]:
    """Every quality row of the run; ``context`` is :class:`benchmarks.run._Context`."""
    plan = context.plan
    summaries, parallel = _test_sets(context, settings)
    chosen = [
        next((r for r in plan.runtimes if r.backend == backend), None)
        for backend in ("torch", "ct2")
    ]
    chosen = [r for r in chosen if r is not None]
    by_role: dict[str, list[str]] = {}
    if "summarizer" in plan.models.paths:
        by_role["summarizer"] = [e.article for s in summaries for e in s.examples]
    for lang in plan.models.translators:
        by_role[f"translator:{lang}"] = [
            source for s in parallel for p in s.examples if p.lang == lang for source in p.sources
        ]
    by_role = {role: inputs for role, inputs in by_role.items() if inputs}
    if not by_role or not chosen:
        return
    names = [s.name for s in summaries] + [s.name for s in parallel]
    settings_of = {"quality": names, "sizes": {r: len(i) for r, i in by_role.items()}}
    keys = {r: context.key(settings_of | {"runtime": r.label}, r) for r in chosen}
    if all(any(row.get("job") == k for row in context.done.values()) for k in keys.values()):
        yield from (row for row in context.done.values() if row.get("job") in keys.values())
        return
    outputs: dict[Runtime, tuple[str, dict[str, list[str]]]] = {}
    for runtime in chosen:
        task = Task("outputs", "all", runtime, plan.device, plan.models.paths, [], by_role=by_role)
        outcome = context.spawn(task)
        if outcome is not None:
            outputs[runtime] = (outcome[0].compute_type, outcome[0].texts)
    for runtime, (compute_type, texts) in outputs.items():
        loaded = Runtime(runtime.backend, compute_type)
        for task, role, dataset, refs, got, sources in _scored(summaries, parallel, texts):
            if task == "summaries":
                scores, signatures = metrics.rouge_scores(got, refs), {}
            else:
                scores, signatures = metrics.translation_scores(got, [refs])
            yield _row(context, loaded, keys[runtime], task, role, dataset, len(got), scores) | {
                "signatures": signatures
            }
            lang = None if task == "summaries" else role.partition(":")[2]
            rates = metrics.warning_rates(sources, got, lang)
            yield _row(
                context, loaded, keys[runtime], "faithfulness", role, dataset, len(got), rates
            )
    if len(outputs) == 2:
        (reference, (ref_type, expected)), (candidate, (cand_type, got)) = outputs.items()
        for _, role, dataset, _, their, _ in _scored(summaries, parallel, got):
            _, _, _, _, ours, _ = next(
                item
                for item in _scored(summaries, parallel, expected)
                if item[1:3] == (role, dataset)
            )
            scores, signatures = metrics.agreement_scores(their, ours)
            row = _row(
                context, Runtime(candidate.backend, cand_type), keys[candidate], "agreement",
                role, dataset, len(their), scores,
            )  # fmt: skip
            yield row | {"reference": f"{reference.backend}/{ref_type}", "signatures": signatures}


def _scored(summaries, parallel, texts: dict[str, list[str]]):
    """(task, role, dataset, references, outputs, sources) for each test set, from the flat
    outputs."""
    offset = 0
    for named in summaries:
        n = len(named.examples)
        got = texts["summarizer"][offset : offset + n]
        offset += n
        references = [e.reference for e in named.examples]
        articles = [e.article for e in named.examples]
        yield "summaries", "summarizer", named.name, references, got, articles
    offsets: dict[str, int] = {}
    for named in parallel:
        for pairs in named.examples:
            role = f"translator:{pairs.lang}"
            if role not in texts:
                continue
            start = offsets.get(role, 0)
            offsets[role] = start + len(pairs.sources)
            got = texts[role][start : offsets[role]]
            yield "translations", role, named.name, list(pairs.references), got, pairs.sources


def _row(context, runtime: Runtime, job: str, task, role, dataset, n, scores) -> dict:
    plan = context.plan
    settings = {"job": job, "task": task, "role": role, "dataset": dataset}
    return {
        "kind": "quality",
        "key": context.key(settings, runtime),
        "job": job,
        "task": task,
        "role": role,
        "backend": runtime.backend,
        "device": plan.device,
        "compute_type": runtime.compute_type,
        "reference": None,
        "metrics": {name: round(value, 4) for name, value in scores.items()},
        "model": plan.models.ids[role],
        "models_kind": plan.models.kind,
        "dataset": dataset,
        "n": n,
        "environment": context.env(runtime),
    }


def _test_sets(context, settings) -> tuple[list, list]:
    plan = context.plan
    articles, sentences = plan.sizes.quality_articles, plan.sizes.quality_sentences
    languages = list(plan.models.translators)
    sample = (
        settings.datasets or ("sample" if plan.models.kind == "tiny" else "standard")
    ) == "sample"
    notes: list[str] = []
    if settings.summaries is not None:
        summaries = [_named_summaries(settings.summaries, articles)]
    elif sample:
        summaries = [_named_summaries(testsets.SAMPLE_SUMMARIES, articles, "sample")]
    else:
        summaries, notes = testsets.summary_sets(settings.data_dir, articles)
    if settings.parallel is not None:
        parallel = [_named_parallel(settings.parallel, languages, sentences)]
    elif sample:
        parallel = [_named_parallel(testsets.SAMPLE_PARALLEL, languages, sentences, "sample")]
    else:
        parallel, more = testsets.parallel_sets(settings.data_dir, languages, sentences)
        notes += more
    for note in notes:
        context.say(note)
    # Offline with nothing cached: the bundled sample still shows the tooling works.
    if not summaries:
        summaries = [_named_summaries(testsets.SAMPLE_SUMMARIES, articles, "sample")]
    if not parallel:
        parallel = [_named_parallel(testsets.SAMPLE_PARALLEL, languages, sentences, "sample")]
    return summaries, parallel


def _named_summaries(path: Path, limit: int, name: str | None = None) -> testsets.Named:
    return testsets.Named(name or _label(path), tuple(testsets.read_summaries(path, limit)))


def _named_parallel(path: Path, languages, limit: int, name: str | None = None) -> testsets.Named:
    return testsets.Named(
        name or _label(path), tuple(testsets.read_parallel(path, languages, limit=limit))
    )


def _label(path: Path) -> str:
    return Path(path).name
