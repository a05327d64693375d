"""``python -m benchmarks run``: get what is needed, measure speed and quality, write the report.

Everything goes into one folder (``--out``, by default outside the checkout):
``results.jsonl`` (schema in :mod:`benchmarks.rows`), ``report.md`` and ``plots/``. A setting
already measured there with the same versions is skipped, so an interrupted run resumes;
``--force`` measures everything again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from benchmarks import rows as rowlib
from benchmarks import testsets
from benchmarks.environment import check_device, default_out, environment, machine_label
from benchmarks.memory import Process, spawn
from benchmarks.models import DEFAULT_REPLICA_DIR, model_set, pinned_view
from benchmarks.plan import Plan, Runtime, runtimes, sizes, sweep
from benchmarks.worker import Measured, Point, Task
from briefly.errors import InputError

_REPO = Path(__file__).resolve().parent.parent
# Realistic pinned lengths: distilbart-cnn writes 56-142 tokens, about 80 on CNN/DailyMail;
# opus-mt renders a 15-word news sentence in about 24 tokens of Ukrainian, Russian or Hindi.
PINS = {"real": (80, 24), "replica": (80, 24), "tiny": (8, 6)}
# Speed articles are cut, at a sentence end, to about this many words per token of the
# summariser's window: then briefly summarises each once, as the baseline (which truncates)
# does, instead of in chunks, and both do the same work.
_WORDS_PER_TOKEN = 0.55
# A token budget that puts every input of the out-of-memory point in one batch.
_UNBOUNDED = 1 << 24


@dataclass(frozen=True)
class Settings:
    """What the command line asks for."""

    device: str = "cpu"  # "cpu" or "cuda"
    models: str = "real"  # "real", "replica" or "tiny"
    limit: int | None = None  # at most this many inputs per workload and test set
    out: Path | None = None  # None: default_out(machine)
    force: bool = False  # measure settings already in results.jsonl again
    replica_dir: Path = DEFAULT_REPLICA_DIR
    data_dir: Path = testsets.DEFAULT_DATA_DIR
    datasets: str | None = None  # "standard" or "sample"; None: sample for tiny models
    summaries: Path | None = None  # local summary test file or folder instead
    parallel: Path | None = None  # local parallel test folder or JSONL instead
    machine: str | None = None  # label; None: from the hardware
    languages: tuple[str, ...] = ("uk", "ru", "hi")


def run(settings: Settings, say: Callable[[str], None] = print) -> Path:
    """Measure everything ``settings`` asks for; return the folder written."""
    device = check_device(settings.device)
    machine = settings.machine or machine_label()
    out = (settings.out or default_out(machine)).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.jsonl"
    done = {} if settings.force else _done(results)
    plan = _plan(settings, device)
    say(f"benchmarks: {plan.models.kind} models on {device}; results in {out}")
    _convert(plan)
    context = _Context(plan, machine, done, results, say)
    for job in (_user_brief, _user_group, _bulk, _oom_backoff, _quality):
        for row in job(context, settings):
            context.record(row)
    from benchmarks import report

    report.write(out)
    say(f"report: {out / 'report.md'}")
    return out


@dataclass
class _Context:
    plan: Plan
    machine: str
    done: dict[str, dict]
    results: Path
    say: Callable[[str], None]

    def env(self, runtime: Runtime) -> dict:
        return environment(self.plan.device, runtime.backend, runtime.compute_type, self.machine)

    def key(self, settings: dict, runtime: Runtime) -> str:
        return rowlib.key(settings, self.env(runtime))

    def record(self, row: dict) -> None:
        if row["key"] in self.done:
            return
        self.done[row["key"]] = row
        with self.results.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.say(_progress(row))

    def spawn(self, task: Task) -> tuple[Measured, Process] | None:
        """Run ``task`` in a worker; None (and a note) when it failed."""
        with tempfile.TemporaryDirectory(prefix="briefly-bench-") as tmp:
            task_file, result_file = Path(tmp) / "task.json", Path(tmp) / "result.json"
            task_file.write_text(json.dumps(asdict(task)), encoding="utf-8")
            command = [sys.executable, "-m", "benchmarks.worker", str(task_file), str(result_file)]
            process = spawn(command, _worker_env())
            if process.returncode != 0 or not result_file.is_file():
                lines = [line for line in process.stderr.splitlines() if line.strip()]
                why = lines[-1] if lines else f"exit status {process.returncode}"
                self.say(f"{task.workload} {task.role} {task.runtime.label} failed: {why}")
                return None
            raw = json.loads(result_file.read_text(encoding="utf-8"))
        points = [Point(**point) for point in raw.pop("points")]
        return Measured(**(raw | {"points": points})), process


def _worker_env() -> dict[str, str]:
    return os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO), os.environ.get("PYTHONPATH")])),
        # Models are local folders by now: nothing may be fetched while timing.
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_VERBOSITY": "error",
    }


def _done(results: Path) -> dict[str, dict]:
    if not results.is_file():
        return {}
    done = {}
    for number, line in enumerate(results.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{results}:{number}: not a JSON line: fix or remove it") from e
            done[row.get("key")] = row
    return done


# --------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------


def _plan(settings: Settings, device: str) -> Plan:
    from briefly.stages.text import paragraphs, sentences
    from tests.support.text import news_corpus

    models = model_set(settings.models, settings.languages, settings.replica_dir)
    summary_pin, translation_pin = PINS[settings.models]
    pins = {r: summary_pin if r == "summarizer" else translation_pin for r in models.paths}
    views = settings.replica_dir.expanduser() / "pinned" / models.kind
    pinned = {
        role: str(pinned_view(Path(path), pins[role], views, role))
        for role, path in models.paths.items()
    }
    size = sizes(settings.models, device, settings.limit)
    window = json.loads((Path(models.paths["summarizer"]) / "config.json").read_text())
    words = int(window["max_position_embeddings"] * _WORDS_PER_TOKEN)
    articles = [_fit(a, words) for a in news_corpus(max(size.articles, size.group), 0)]
    found: list[str] = []
    count = 8
    while len(found) < size.sentences:
        found = [s for a in news_corpus(count, 1) for p in paragraphs(a) for s in sentences(p)]
        count *= 2
    return Plan(
        device=device,
        models=models,
        pinned=pinned,
        pins=pins,
        runtimes=runtimes(device, *_capabilities(device)),
        sizes=size,
        sweep=sweep(device),
        articles=tuple(articles),
        sentences=tuple(found[: size.sentences]),
        brief_article=sorted(articles, key=len)[len(articles) // 2],
    )


def _fit(article: str, words: int) -> str:
    from briefly.stages.text import paragraphs, sentences

    kept: list[str] = []
    for sentence in (s for p in paragraphs(article) for s in sentences(p)):
        if kept and len(" ".join([*kept, sentence]).split()) > words:
            break
        kept.append(sentence)
    return " ".join(kept)


def _capabilities(device: str) -> tuple[bool, frozenset[str] | None]:
    from briefly.models.engines import ct2_available

    bf16 = False
    if device == "cuda":
        import torch

        bf16 = torch.cuda.is_bf16_supported()
    if not ct2_available():
        return bf16, None
    import ctranslate2

    return bf16, frozenset(ctranslate2.get_supported_compute_types(device))


def _convert(plan: Plan) -> None:
    """Convert for CTranslate2 now, so that no timing includes the one-time conversion."""
    from briefly.models.engines.ct2_engine import converted_model

    kinds = {r.compute_type for r in plan.runtimes if r.backend == "ct2"}
    for quantization in {"int8" if k.startswith("int8") else k for k in kinds}:
        for path in [*plan.pinned.values(), *plan.models.paths.values()]:
            converted_model(Path(path), quantization)


# --------------------------------------------------------------------------------------------
# Speed
# --------------------------------------------------------------------------------------------


def _base_row(context: _Context, runtime: Runtime, compute_type: str, **fields) -> dict:
    plan = context.plan
    return {
        "kind": "speed",
        **fields,
        "backend": runtime.backend,
        "device": plan.device,
        "compute_type": compute_type,
        "models": plan.models.ids,
        "models_kind": plan.models.kind,
        "pins": plan.pins,
        "environment": context.env(replace(runtime, compute_type=compute_type)),
    }


def _settings_of(context: _Context, stage: str, runtime: Runtime, inputs, **extra) -> dict:
    digest = hashlib.sha256(json.dumps(list(inputs)).encode()).hexdigest()[:12]
    return {
        "stage": stage,
        "runtime": runtime.label,
        "device": context.plan.device,
        "models": context.plan.models.ids,
        "pins": context.plan.pins,
        "inputs": digest,
        **extra,
    }


def _user_brief(context: _Context, _settings: Settings) -> Iterator[dict]:
    """One brief, cold (a fresh process until its first brief) and warm."""
    plan = context.plan
    inputs = [plan.brief_article]
    baseline: dict[str, dict] = {}
    for runtime in _defaults(plan):
        keys = {
            stage: context.key(_settings_of(context, stage, runtime, inputs), runtime)
            for stage in ("brief-cold", "brief-warm")
        }
        if all(k in context.done for k in keys.values()):
            rows = {stage: context.done[k] for stage, k in keys.items()}
        else:
            task = Task("brief", "all", runtime, plan.device, plan.pinned, inputs)
            outcome = context.spawn(replace(task, warm_repeats=plan.sizes.warm_repeats))
            if outcome is None:
                continue
            measured, process = outcome
            cold, *warm = measured.points
            first = process.first_output_s or process.wall_s
            rows = {
                "brief-cold": _point_row(context, runtime, measured, process, "brief-cold", cold)
                | rowlib.speed_figures(1, [first], cold.tokens)
                | {"first_output_s": round(first, 4), "key": keys["brief-cold"]},
                "brief-warm": _point_row(context, runtime, measured, process, "brief-warm", *warm)
                | {"key": keys["brief-warm"]},
            }
        for stage, row in rows.items():
            row = rowlib.compare(row, baseline.get(stage))
            if runtime.backend == "baseline":
                baseline[stage] = row
            yield row


def _defaults(plan: Plan) -> list[Runtime]:
    """The baseline and each backend at its default precision: what users run."""
    seen: dict[str, Runtime] = {}
    for runtime in plan.runtimes:
        seen.setdefault(runtime.backend, runtime)
    return list(seen.values())


def _point_row(context, runtime, measured, process, stage, *points) -> dict:
    """A row over ``points`` (one timed setting, or warm repeats of the same one)."""
    latencies = [s for point in points for s in point.latencies]
    tokens = sum(point.tokens for point in points)
    first = points[0]
    n = len(latencies) if first.batch_size is None and stage.startswith("brief") else None
    row = _base_row(
        context,
        runtime,
        measured.compute_type,
        workload="user" if stage.startswith(("brief", "batch")) else "bulk",
        stage=stage,
        batch_size=first.batch_size,
        token_budget=None,
    )
    return (
        row
        | rowlib.speed_figures(n or 0, latencies, tokens)
        | {
            "load_s": round(measured.load_s, 3),
            "peak_rss_mb": process.peak_rss_mb,
            "gpu_peak_mb": max((p.gpu_peak_mb or 0 for p in points), default=None) or None,
            "gpu_peak_source": first.gpu_source,
            "outputs": sum(point.outputs for point in points),
            "tokens": tokens,
            "halvings": sum(point.halvings for point in points),
        }
    )


def _user_group(context: _Context, _settings: Settings) -> Iterator[dict]:
    """One batch group of articles, briefed together as ``briefly batch`` does."""
    plan = context.plan
    inputs = list(plan.articles[: plan.sizes.group])
    baseline = None
    for runtime in _defaults(plan):
        k = context.key(_settings_of(context, "batch-group", runtime, inputs), runtime)
        row = context.done.get(k)
        if row is None:
            outcome = context.spawn(Task("group", "all", runtime, plan.device, plan.pinned, inputs))
            if outcome is None:
                continue
            measured, process = outcome
            (point,) = measured.points
            row = _point_row(context, runtime, measured, process, "batch-group", point)
            row |= rowlib.speed_figures(len(inputs), point.latencies, point.tokens)
            row |= {"batch_size": len(inputs), "key": k}
        row = rowlib.compare(row, baseline)
        baseline = row if runtime.backend == "baseline" else baseline
        yield row


def _bulk(context: _Context, _settings: Settings) -> Iterator[dict]:
    """Model throughput with the guards' retries off, swept on CUDA."""
    plan = context.plan
    for role in plan.pinned:
        stage = "summarize" if role == "summarizer" else f"translate:{role.partition(':')[2]}"
        inputs = list(
            plan.articles[: plan.sizes.articles] if role == "summarizer" else plan.sentences
        )
        baseline = None
        for runtime in plan.runtimes:
            if runtime.backend == "baseline":
                grid = [(None, [1])]
            else:
                grid = [
                    (budget, list(plan.sweep.batch_sizes)) for budget in plan.sweep.token_budgets
                ]
            for budget, batch_sizes in grid:
                keys = {
                    size: context.key(
                        _settings_of(
                            context, stage, runtime, inputs, batch_size=size, budget=budget
                        ),
                        runtime,
                    )
                    for size in batch_sizes
                }
                todo = [size for size in batch_sizes if keys[size] not in context.done]
                rows = {size: context.done[keys[size]] for size in batch_sizes if size not in todo}
                if todo:
                    task = Task(
                        "bulk", role, runtime, plan.device, {role: plan.pinned[role]}, inputs
                    )
                    outcome = context.spawn(
                        replace(task, batch_sizes=todo, max_batch_tokens=budget)
                    )
                    for point in outcome[0].points if outcome else []:
                        measured, process = outcome
                        row = _point_row(context, runtime, measured, process, stage, point)
                        row |= rowlib.speed_figures(len(inputs), point.latencies, point.tokens)
                        size = point.batch_size
                        rows[size] = row | {
                            "batch_size": size or len(inputs),
                            "token_budget": budget,
                            "key": keys[size],
                        }
                for size in batch_sizes:
                    if size in rows:
                        row = rowlib.compare(rows[size], baseline)
                        baseline = row if runtime.backend == "baseline" else baseline
                        yield row


def _oom_backoff(context: _Context, _settings: Settings) -> Iterator[dict]:
    """CUDA, torch: a batch that cannot fit a memory cap; the engine must halve and complete."""
    plan = context.plan
    if plan.sweep.oom_articles is None:
        return
    runtime = next((r for r in plan.runtimes if r.backend == "torch"), None)
    if runtime is None:
        return
    inputs = [plan.articles[i % len(plan.articles)] for i in range(plan.sweep.oom_articles)]
    cap = plan.sweep.oom_cap_mb
    k = context.key(_settings_of(context, "oom-backoff", runtime, inputs, cap=cap), runtime)
    if k in context.done:
        yield context.done[k]
        return
    task = Task(
        "bulk",
        "summarizer",
        runtime,
        plan.device,
        {"summarizer": plan.pinned["summarizer"]},
        inputs,
    )
    outcome = context.spawn(replace(task, max_batch_tokens=_UNBOUNDED, memory_cap_mb=cap))
    if outcome is None:
        return
    measured, process = outcome
    (point,) = measured.points
    row = _point_row(context, runtime, measured, process, "oom-backoff", point)
    row |= rowlib.speed_figures(len(inputs), point.latencies, point.tokens)
    yield row | {"batch_size": len(inputs), "memory_cap_mb": cap, "completed": True, "key": k}


# --------------------------------------------------------------------------------------------
# Quality
# --------------------------------------------------------------------------------------------


def _quality(context: _Context, settings: Settings) -> Iterator[dict]:
    from benchmarks import quality

    yield from quality.rows(context, settings)


def _progress(row: dict) -> str:
    runtime = f"{row['backend']}/{row['compute_type']}"
    if row["kind"] == "quality":
        scores = " ".join(f"{k} {v:.3g}" for k, v in row["metrics"].items())
        return f"  {row['task']} {row['role']} {runtime} {row['dataset']}: {scores}"
    ratio = row.get("speedup_vs_baseline")
    verdict = f"{ratio:.2f}x" if ratio else "-"
    if row.get("valid") is False:
        verdict = "invalid: unequal work"
    rate = row.get("items_per_s")
    shown = "-" if rate is None else f"{rate:.3g}/s"
    return (
        f"  {row['stage']} {runtime} batch {row.get('batch_size')} "
        f"budget {row.get('token_budget')}: {shown}, {verdict}"
    )
