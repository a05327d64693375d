"""The whole brief of each quality preset, on replicas of its models, in one process.

``python -m benchmarks presets NAME`` briefs the bundled sample's first articles into uk, ru
and hi as ``briefly batch`` does (one group, ct2 int8 on the CPU, guards' retries off so that
random weights cause no extra work) with the replicas of the models NAME's preset names,
decode lengths pinned, and prints one JSON line. NAME is a preset or ``previous``: the
defaults before the presets (balanced's summariser, opus-mt-en-uk, -en-ru and -en-hi). Time
whole processes in turn to compare presets.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.models import built, pinned_view
from benchmarks.plan import Runtime
from benchmarks.testsets import SAMPLE_SUMMARIES, read_summaries
from benchmarks.worker import Task, measure
from briefly.errors import UsageError
from briefly.models.hub import translator_name
from briefly.options import DEFAULT_LANGUAGES, QUALITIES, BriefOptions

PREVIOUS = "previous"
NAMES = (*QUALITIES, PREVIOUS)
# New tokens of every summary and of every translated sentence: distilbart-cnn writes about 80
# on CNN/DailyMail. A replica's brief has no sentence ends, so it is translated as one sentence,
# as long as the brief: the decoding work of translating a real brief of three or four.
PIN_TOKENS = 80


def preset_options(name: str) -> BriefOptions:
    """The options ``briefly brief --quality NAME`` runs with (for ``previous``: balanced with
    the base OPUS-MT models for every target)."""
    if name == PREVIOUS:
        base = {lang: f"Helsinki-NLP/opus-mt-en-{lang}" for lang in DEFAULT_LANGUAGES}
        return BriefOptions(quality="balanced", translators=base)
    if name not in QUALITIES:
        raise UsageError(f"Unknown preset '{name}': use one of {', '.join(NAMES)}")
    return BriefOptions(quality=name)


def preset_task(name: str, articles: int, replica_dir: Path, num_beams: int | None = None) -> Task:
    """The group brief of ``articles`` sample articles with the pinned replicas of NAME, at
    ``num_beams`` (None: each model's own)."""
    from benchmarks.replicas import BY_HUB_ID

    options = preset_options(name)
    hub_ids = {"summarizer": options.summarizer} | {
        f"translator:{lang}": translator_name(lang, options.translators)
        for lang in options.languages
    }
    root = replica_dir.expanduser()
    views = root / "pinned" / "presets"
    models = {}
    for role, hub_id in hub_ids.items():
        spec = BY_HUB_ID[hub_id]
        # One view per model, whatever role it serves: a model for two targets loads once.
        path = pinned_view(built(spec, root / "replica"), PIN_TOKENS, views, spec.name)
        models[role] = str(path)
    inputs = [example.article for example in read_summaries(SAMPLE_SUMMARIES, articles)]
    return Task(
        "group",
        "all",
        Runtime("ct2", "int8"),
        "cpu",
        models,
        inputs,
        retries=[False],
        num_beams=num_beams,
    )


def run_preset(name: str, articles: int, replica_dir: Path, num_beams: int | None) -> dict:
    """Brief the articles once (after an untimed warm-up brief) and say what it took."""
    task = preset_task(name, articles, replica_dir, num_beams)
    measured = measure(task)
    (point,) = measured.points
    seconds = sum(point.latencies)
    return {
        "preset": name,
        "num_beams": num_beams,
        "articles": len(task.inputs),
        "load_s": round(measured.load_s, 2),
        "brief_s": round(seconds, 2),
        "s_per_article": round(seconds / len(task.inputs), 2),
        "outputs": point.outputs,
        "tokens": point.tokens,
        "models": {role: Path(path).name for role, path in task.models.items()},
    }


def main(name: str, articles: int, replica_dir: Path, num_beams: int | None) -> None:
    print(json.dumps(run_preset(name, articles, replica_dir, num_beams)), flush=True)
