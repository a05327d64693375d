"""``python -m benchmarks run``: get what is needed, measure speed and quality, write the report.

Everything goes into one folder (``--out``, by default outside the checkout):
``results.jsonl`` (schema in :mod:`benchmarks.rows`), ``report.md`` and ``plots/``. A setting
already measured there with the same versions is skipped, so an interrupted run resumes;
``--force`` measures everything again.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from benchmarks import rows as rowlib
from benchmarks import testsets
from benchmarks.environment import (
    check_device,
    child_env,
    default_out,
    environment,
    machine_label,
)
from benchmarks.memory import Process, spawn
from benchmarks.models import DEFAULT_REPLICA_DIR, model_set, pinned_view
from benchmarks.plan import Plan, Runtime, runtimes, sizes, sweep
from benchmarks.worker import Measured, Point, Task
from briefly.errors import InputError

# Realistic pinned lengths: distilbart-cnn writes 56-142 tokens, about 80 on CNN/DailyMail;
# opus-mt renders a 15-word news sentence in about 24 tokens of Ukrainian, Russian or Hindi.
PINS = {"real": (80, 24), "replica": (80, 24), "tiny": (8, 6)}
# Speed articles are cut, at a sentence end, to about this many words per token of the
# summariser's window: then briefly summarises each once, as the baseline (which truncates)
# does, instead of in chunks, and both do the same work.
_WORDS_PER_TOKEN = 0.55
# A token budget that puts every input of the out-of-memory point in one batch.
_UNBOUNDED = 1 << 24
# What a run measures: the user workloads (one brief, a batch group, a translate job, the
# service under concurrent requests), bulk model throughput, and quality.
PARTS = ("brief", "group", "translate", "serve", "bulk", "quality")


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
    parts: tuple[str, ...] = PARTS  # which of PARTS to measure


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
    jobs = {
        "brief": (_user_brief,),
        "group": (_user_group,),
        "translate": (_user_translate,),
        "serve": (_user_serve,),
        "bulk": (_bulk, _oom_backoff),
        "quality": (_quality,),
    }
    for part in PARTS:
        for job in jobs[part] if part in settings.parts else ():
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
            process = spawn(command, child_env())
            if process.returncode != 0 or not result_file.is_file():
                lines = [line for line in process.stderr.splitlines() if line.strip()]
                why = lines[-1] if lines else f"exit status {process.returncode}"
                self.say(f"{task.workload} {task.role} {task.runtime.label} failed: {why}")
                return None
            raw = json.loads(result_file.read_text(encoding="utf-8"))
        points = [Point(**point) for point in raw.pop("points")]
        return Measured(**(raw | {"points": points})), process


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
    while len(found) < max(size.sentences, size.job_sentences):
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
        job_sentences=tuple(found[: size.job_sentences]),
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


# The guards' retry settings of the user workloads: as users have them, then off.
_RETRIES = [True, False]
_SERVE_STAGES = ("serve-sequential", "serve-concurrent")
_USER_STAGES = ("brief-cold", "brief-warm", "batch-group", "translate-job", *_SERVE_STAGES)


def _interleaved(
    context: _Context, task: Task, rounds: int
) -> dict[Runtime, list[tuple[Measured, Process]]]:
    """``task`` on the baseline and each backend in turn (A B A B), ``rounds`` workers each,
    so that load coming and going on the machine falls on every side alike."""
    runs: dict[Runtime, list[tuple[Measured, Process]]] = {r: [] for r in _defaults(context.plan)}
    for _ in range(rounds):
        for runtime in runs:
            side = replace(task, runtime=runtime)
            if runtime.backend == "baseline":  # nothing to retry
                side = replace(side, retries=[True])
            outcome = context.spawn(side)
            if outcome is not None:
                runs[runtime].append(outcome)
    return runs


def _median_run(runs: list[tuple[Measured, Process]], index: int) -> tuple[Measured, Process]:
    """The run whose ``index``-th point took the median time (the lower one of two)."""
    seconds = [sum(measured.points[index].latencies) for measured, _ in runs]
    chosen = statistics.median_low(seconds)
    return runs[seconds.index(chosen)]


def _user_keys(context: _Context, stages: list[str], inputs: list[str]) -> dict:
    """(runtime, stage, retries) -> key, for every row a user workload writes."""
    keys = {}
    for runtime in _defaults(context.plan):
        for stage in stages:
            for retries in [True] if runtime.backend == "baseline" else _RETRIES:
                if stage == "brief-cold" and not retries:
                    continue  # a cold start is measured as users have it only
                settings = _settings_of(
                    context,
                    stage,
                    runtime,
                    inputs,
                    retries=retries,
                    rounds=context.plan.sizes.rounds,
                )
                keys[runtime, stage, retries] = context.key(settings, runtime)
    return keys


def _compared(rows: dict[tuple[Runtime, str, bool], dict]) -> Iterator[dict]:
    """Each row against the baseline's row of its stage."""
    baselines = {stage: row for (r, stage, _), row in rows.items() if r.backend == "baseline"}
    for (_runtime, stage, _), row in rows.items():
        yield rowlib.compare(row, baselines.get(stage))


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
        workload="user" if stage in _USER_STAGES else "bulk",
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
            "retries": first.retries,
        }
    )


def _user_brief(context: _Context, _settings: Settings) -> Iterator[dict]:
    """One brief, cold (a fresh process until its first brief) and warm."""
    plan = context.plan
    inputs = [plan.brief_article]
    keys = _user_keys(context, ["brief-cold", "brief-warm"], inputs)
    if all(k in context.done for k in keys.values()):
        yield from (context.done[k] for k in keys.values())
        return
    task = Task("brief", "all", plan.runtimes[0], plan.device, plan.pinned, inputs)
    task = replace(task, warm_repeats=plan.sizes.warm_repeats, retries=_RETRIES)
    rows = {}
    for runtime, runs in _interleaved(context, task, plan.sizes.rounds).items():
        if not runs:
            continue
        measured, process = _median_run(runs, 0)
        cold = measured.points[0]
        first = process.first_output_s or process.wall_s
        rows[runtime, "brief-cold", True] = (
            _point_row(context, runtime, measured, process, "brief-cold", cold)
            | rowlib.speed_figures(1, [first], cold.tokens)
            | {"first_output_s": round(first, 4), "key": keys[runtime, "brief-cold", True]}
        )
        for retries in {p.retries for p in measured.points[1:]}:
            # Every round's warm briefs of this setting: more samples for the median.
            warm = [p for m, _ in runs for p in m.points[1:] if p.retries == retries]
            rows[runtime, "brief-warm", retries] = _point_row(
                context, runtime, measured, process, "brief-warm", *warm
            ) | {"key": keys[runtime, "brief-warm", retries]}
    yield from _compared(rows)


def _user_group(context: _Context, _settings: Settings) -> Iterator[dict]:
    """One batch group of articles, briefed together as ``briefly batch`` does."""
    plan = context.plan
    inputs = list(plan.articles[: plan.sizes.group])
    task = Task("group", "all", plan.runtimes[0], plan.device, plan.pinned, inputs)
    yield from _user_job(context, "batch-group", task)


def _user_translate(context: _Context, _settings: Settings) -> Iterator[dict]:
    """Sentences into every target language, as ``briefly translate`` does, in one call."""
    plan = context.plan
    translators = {role: path for role, path in plan.pinned.items() if role != "summarizer"}
    inputs = list(plan.job_sentences)
    task = Task("translate", "all", plan.runtimes[0], plan.device, translators, inputs)
    yield from _user_job(context, "translate-job", task)


def _user_job(context: _Context, stage: str, task: Task) -> Iterator[dict]:
    """A user workload timed as one call of all its inputs, per retries setting."""
    keys = _user_keys(context, [stage], task.inputs)
    if all(k in context.done for k in keys.values()):
        yield from (context.done[k] for k in keys.values())
        return
    rows = {}
    runs_by_runtime = _interleaved(
        context, replace(task, retries=_RETRIES), context.plan.sizes.rounds
    )
    for runtime, runs in runs_by_runtime.items():
        for index, point in enumerate(runs[0][0].points if runs else []):
            measured, process = _median_run(runs, index)
            point = measured.points[index]
            row = _point_row(context, runtime, measured, process, stage, point)
            row |= rowlib.speed_figures(len(task.inputs), point.latencies, point.tokens)
            retries = point.retries is not False
            rows[runtime, stage, retries] = row | {
                "batch_size": len(task.inputs),
                "key": keys[runtime, stage, retries],
            }
    yield from _compared(rows)


def _user_serve(context: _Context, settings: Settings) -> Iterator[dict]:
    """``briefly serve`` (ct2, one translator) under 32 concurrent requests of mixed lengths
    (``--limit``, at least 2) against the same requests one after another; one server per
    retries setting, the sequential side the concurrent side's baseline."""
    from benchmarks import serve

    plan = context.plan
    runtime = next((r for r in _defaults(plan) if r.backend == "ct2"), None)
    if runtime is None:
        context.say("serve: needs CTranslate2 (pip install 'briefly[fast]'); left out")
        return
    role = next(role for role in plan.pinned if role.startswith("translator:"))
    inputs = serve.mixed_sentences(max(min(serve.REQUESTS, settings.limit or serve.REQUESTS), 2))
    rounds = max(plan.sizes.rounds, 3)
    for retries in _RETRIES:
        keys = {
            stage: context.key(
                _settings_of(context, stage, runtime, inputs, retries=retries, rounds=rounds),
                runtime,
            )
            for stage in _SERVE_STAGES
        }
        if all(k in context.done for k in keys.values()):
            yield from (context.done[k] for k in keys.values())
            continue
        server = serve.Server(
            plan.pinned[role],
            device=plan.device,
            backend=runtime.backend,
            compute_type=runtime.compute_type,
            retries=retries,
            language=role.partition(":")[2],
        )
        with server:
            measured = serve.measure(server, inputs, rounds)
        sides = {
            "serve-sequential": [r.sequential for r in measured],
            "serve-concurrent": [r.concurrent for r in measured],
        }
        rows = {}
        for stage, runs in sides.items():
            seconds = [side.seconds for side in runs]
            side = runs[seconds.index(statistics.median_low(seconds))]
            row = _base_row(
                context,
                runtime,
                runtime.compute_type,
                workload="user",
                stage=stage,
                batch_size=1 if stage == "serve-sequential" else len(inputs),
                token_budget=None,
            )
            latencies = sorted(side.latencies)
            rows[stage] = (
                row
                | rowlib.speed_figures(len(inputs), [side.seconds], side.tokens)
                | {
                    "p50_s": round(statistics.median(latencies), 4),
                    "p95_s": round(rowlib.percentile(latencies, 0.95), 4),
                    "load_s": round(server.load_s, 3),
                    "peak_rss_mb": server.peak_rss_mb,
                    "gpu_peak_mb": None,
                    "gpu_peak_source": None,
                    "outputs": len(inputs),
                    "tokens": side.tokens,
                    "engine_calls": side.engine_calls,
                    "halvings": 0,
                    "retries": retries,
                    "key": keys[stage],
                }
            )
        sequential = rows["serve-sequential"]
        yield rowlib.compare(sequential, sequential)
        yield rowlib.compare(rows["serve-concurrent"], sequential)


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
