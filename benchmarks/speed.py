"""Speed: briefly against the loop a user writes from the transformers docs.

    python -m benchmarks speed [--stage all] [--models replica] [--device cpu] [--backends ...]

Compared in one run, on the same machine, inputs and decoding settings:

- ``baseline``: each model loaded once with ``AutoModelForSeq2SeqLM`` in fp32, one article (or
  sentence) at a time, ``tokenizer(...)`` then ``model.generate(...)``; articles truncated to the
  model's window (``truncation=True``), briefs translated sentence by sentence;
- ``torch`` and ``ct2``: briefly's engines behind its Summarizer and Translator, batched. ``ct2``
  without a compute type is briefly's default (int8 on CPU, int8_float16 on CUDA);
  ``ct2:float16`` names another.

Stages: ``summarize`` (news articles), ``translate`` (English news sentences into each language),
``brief`` (``briefly batch`` over the folder of articles with all four models, and the baseline
doing the same in one script on its first two: end to end, for peak memory), ``cold-start``
(``briefly brief FILE --format json`` on one article, until its first byte of output).

Equal work: every model is run through a view of it whose generation_config pins the decode
length (min_new_tokens = max_new_tokens), so every output has the same length whatever the
weights. Rows record the tokens each engine actually decoded, special tokens left out, and the run
warns where a backend's tokens per output differ from the baseline's. Random weights write
gibberish that briefly's output guards rightly flag, and each flagged output would be decoded
again; on replica and tiny models the summarize and translate stages therefore decode once, as
the baseline does. The CLI stages (brief, cold-start) run briefly unchanged, retries included.

Each configuration runs in its own process (``python -m benchmarks.speed --worker``), so its peak
memory is its own: the RSS high-water mark on CPU; on CUDA torch's max_memory_allocated, or the
driver's figure for CTranslate2, which has no allocator statistics. Results are appended as JSON
lines (schema: :mod:`benchmarks.report`) to ``benchmarks/results/MACHINE.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from benchmarks.environment import (
    DEFAULT_REPLICA_DIR,
    MODEL_KINDS,
    ModelSet,
    check_device,
    environment,
    machine_label,
    model_set,
)
from benchmarks.report import RESULTS_DIR
from briefly.errors import BrieflyError, UsageError, first_line

STAGES = ("summarize", "translate", "brief", "cold-start")
# Realistic pinned lengths: distilbart-cnn writes 56-142 tokens, about 80 on CNN/DailyMail
# articles; the generated news sentences average 15 words (18 source tokens), which opus-mt
# renders in about 24 tokens of Ukrainian, Russian or Hindi.
SUMMARY_TOKENS = 80
TRANSLATION_TOKENS = 24
# The baseline holds one article at a time, so its peak memory is the same for any number of
# articles: it briefs this many end to end, which keeps the brief stage short.
_BASELINE_BRIEF_ARTICLES = 2
_REPO = Path(__file__).resolve().parent.parent
_MB = 2**20


@dataclass(frozen=True)
class Runtime:
    """What runs the models: the baseline loop or one of briefly's backends."""

    backend: str  # "baseline", "torch" or "ct2"
    compute_type: str | None = None  # ct2 compute type; None for the backend's default

    @property
    def label(self) -> str:
        return self.backend if self.compute_type is None else f"{self.backend}:{self.compute_type}"


@dataclass(frozen=True)
class Task:
    """One configuration, as a worker process measures it."""

    stage: str  # "summarize", "translate:<lang>" or "brief" (baseline only)
    runtime: Runtime  # what runs the models
    device: str  # "cpu" or "cuda"
    models: dict[str, str]  # role ("summarizer", "translator:uk") -> directory
    inputs: list[str]  # articles or sentences
    batch_size: int | None = None  # inputs per call; None: all of them in one call
    token_budget: int | None = None  # engine's padded tokens per batch; None: its own
    warm_up: bool = True  # run the shortest input once, untimed, before measuring
    retries: bool = True  # briefly's output-guard retries; off for random weights


@dataclass(frozen=True)
class Measurement:
    """What a worker measured."""

    compute_type: str  # as loaded: "float32", "int8", "bfloat16"...
    load_s: float | None  # loading the model(s), conversion done beforehand; None: not known
    latencies: list[float]  # seconds per call
    outputs: int  # sequences decoded (summary chunks and reduce rounds included)
    tokens: int  # tokens decoded in all outputs, special tokens left out
    cuda_peak_mb: float | None = None  # torch.cuda.max_memory_allocated, torch backends only


@dataclass(frozen=True)
class Process:
    """A finished child process, as the orchestrator saw it."""

    returncode: int  # exit status
    wall_s: float  # from spawn to exit
    first_output_s: float | None  # from spawn to the first byte on stdout
    peak_rss_mb: float | None  # the child's RSS high-water mark; None where unreadable
    gpu_peak_mb: float | None  # peak rise of the GPU memory the driver reports, CUDA only
    stderr: str  # what it wrote to stderr


@dataclass(frozen=True)
class Plan:
    """Everything one benchmark run measures."""

    stages: tuple[str, ...]  # from STAGES
    runtimes: tuple[Runtime, ...]  # baseline first, when measured
    device: str  # "cpu" or "cuda"
    models: ModelSet  # paths are the pinned views
    articles: tuple[str, ...]  # for summarize; cold start takes the median-length one
    sentences: tuple[str, ...]  # for translate
    brief_inputs: tuple[str, ...]  # articles for the end-to-end brief stage
    batch_sizes: tuple[int | None, ...]  # briefly: inputs per call; None: all at once
    token_budgets: tuple[int | None, ...]  # briefly: engine token budgets; None: its own
    pinned: dict[str, int]  # role -> new tokens every output of that model is pinned to


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.worker:
        return _worker(Path(args.worker[0]), Path(args.worker[1]))
    try:
        return _main(args)
    except BrieflyError as e:
        print(f"error: {first_line(e)}", file=sys.stderr)
        return e.exit_code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks speed",
        description="Throughput, latency, load time, cold start and peak memory of briefly "
        "against the transformers-docs loop, with decode lengths pinned so all do equal work.",
    )
    add = parser.add_argument
    add("--stage", default="all", help=f"all, or comma-separated from: {', '.join(STAGES)}")
    add("--articles", type=int, default=16, help="articles to summarise (default: 16)")
    add("--sentences", type=int, default=200, help="sentences to translate (default: 200)")
    add(
        "--brief-articles",
        type=int,
        help="articles `briefly batch` briefs in the brief stage (default: --articles)",
    )
    add("--languages", default="uk,ru,hi", help="target languages (default: uk,ru,hi)")
    add(
        "--backends",
        "--backend",
        help="comma-separated BACKEND[:COMPUTE_TYPE] from baseline, torch, ct2 "
        "(default: baseline,torch,ct2 on CPU; adds ct2:float16 on CUDA)",
    )
    add("--compute-type", help="compute type for a plain 'ct2' entry (default: briefly's)")
    add("--device", default="cpu", help="cpu or cuda (default: cpu)")
    add(
        "--models",
        default="replica",
        choices=MODEL_KINDS,
        help="replica: random weights, the default models' architectures; real: the default "
        "hub models from the local cache; tiny: tiny random models (default: replica)",
    )
    add(
        "--replica-dir",
        type=Path,
        default=DEFAULT_REPLICA_DIR,
        help="where replicas and pinned views of the models are kept (default: %(default)s)",
    )
    add(
        "--pin-summary-tokens",
        type=int,
        default=SUMMARY_TOKENS,
        metavar="N",
        help="tokens every summary is decoded to (default: %(default)s)",
    )
    add(
        "--pin-translation-tokens",
        type=int,
        default=TRANSLATION_TOKENS,
        metavar="N",
        help="tokens every sentence translation is decoded to (default: %(default)s)",
    )
    add(
        "--batch-sizes",
        help="briefly only: comma-separated inputs per call to sweep (default: all at once)",
    )
    add(
        "--token-budgets",
        help="briefly only: comma-separated engine token budgets to sweep (default: its own)",
    )
    add("--seed", type=int, default=0, help="seed of the generated news (default: 0)")
    add("--machine", help="label results are grouped by (default: from hardware)")
    add("--out", type=Path, help="JSONL to append to (default: results/MACHINE.jsonl)")
    add("--worker", nargs=2, metavar=("TASK", "RESULT"), help=argparse.SUPPRESS)
    return parser


def _main(args: argparse.Namespace) -> int:
    device = check_device(args.device)
    plan = _plan(args, device)
    machine = args.machine or machine_label()
    out = args.out or RESULTS_DIR / f"{machine}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    print(_describe(plan), flush=True)
    rows, failures = [], 0
    for outcome in run(plan, machine):
        if isinstance(outcome, Note):
            print(outcome.text, file=sys.stderr, flush=True)
            failures += outcome.failed
            continue
        rows.append(outcome)
        with out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(outcome) + "\n")
        print(_progress_line(outcome), flush=True)
    print()
    print(format_table(rows))
    for line in _summary_lines(rows):
        print(line)
    print(f"results appended to {out}")
    return 1 if failures else 0


def _plan(args: argparse.Namespace, device: str) -> Plan:
    from briefly.engines import ct2_available
    from briefly.models import parse_languages
    from tests.support.text import news_corpus

    stages = STAGES if args.stage == "all" else _choices(args.stage, STAGES, "--stage")
    brief_articles = args.articles if args.brief_articles is None else args.brief_articles
    counts = {
        "--articles": (args.articles, 1),
        "--sentences": (args.sentences, 1),
        "--brief-articles": (brief_articles, 1),
        # Room for the forced BOS and EOS that BART spends of its length.
        "--pin-summary-tokens": (args.pin_summary_tokens, 3),
        "--pin-translation-tokens": (args.pin_translation_tokens, 2),
    }
    for option, (value, least) in counts.items():
        if value < least:
            raise UsageError(f"{option} must be at least {least}, got {value}")
    runtimes = _runtimes(args.backends, args.compute_type, device)
    batch_sizes = _sizes(args.batch_sizes, "--batch-sizes")
    token_budgets = _sizes(args.token_budgets, "--token-budgets")
    if not ct2_available() and any(r.backend == "ct2" for r in runtimes):
        print("CTranslate2 is not installed: skipping the ct2 backend", file=sys.stderr)
        runtimes = tuple(r for r in runtimes if r.backend != "ct2")
    languages = parse_languages(args.languages)
    if "translate" not in stages and not {"brief", "cold-start"} & set(stages):
        languages = ()
    models = model_set(args.models, languages, args.replica_dir)
    pinned = {
        role: args.pin_summary_tokens if role == "summarizer" else args.pin_translation_tokens
        for role in models.paths
    }
    views = args.replica_dir.expanduser() / "pinned" / models.kind
    paths = {
        role: str(pinned_view(Path(path), pinned[role], views, role))
        for role, path in models.paths.items()
    }
    corpus = news_corpus(max(args.articles, brief_articles), args.seed)
    return Plan(
        stages=tuple(stages),
        runtimes=runtimes,
        device=device,
        models=replace(models, paths=paths),
        articles=tuple(corpus[: args.articles]),
        sentences=tuple(news_sentences(args.sentences, args.seed + 1)),
        brief_inputs=tuple(corpus[:brief_articles]),
        batch_sizes=batch_sizes,
        token_budgets=token_budgets,
        pinned=pinned,
    )


def _choices(value: str, allowed: Sequence[str], option: str) -> list[str]:
    chosen = [part.strip() for part in value.split(",") if part.strip()]
    bad = [part for part in chosen if part not in allowed]
    if bad or not chosen:
        raise UsageError(f"{option} takes all or some of {', '.join(allowed)}, got '{value}'")
    return [stage for stage in allowed if stage in chosen]


def _runtimes(value: str | None, compute_type: str | None, device: str) -> tuple[Runtime, ...]:
    default = "baseline,torch,ct2" + (",ct2:float16" if device == "cuda" else "")
    runtimes = []
    for part in (value or default).split(","):
        backend, _, kind = part.strip().partition(":")
        if backend not in ("baseline", "torch", "ct2") or (kind and backend != "ct2"):
            raise UsageError(
                f"--backends takes baseline, torch, ct2 or ct2:COMPUTE_TYPE, got '{part}'"
            )
        runtime = Runtime(backend, kind or (compute_type if backend == "ct2" else None))
        if runtime not in runtimes:
            runtimes.append(runtime)
    # The baseline runs first so every later row can carry its speed-up.
    return tuple(sorted(runtimes, key=lambda r: r.backend != "baseline"))


def _sizes(value: str | None, option: str) -> tuple[int | None, ...]:
    if not value:
        return (None,)
    try:
        sizes = tuple(dict.fromkeys(int(part) for part in value.split(",")))
    except ValueError as e:
        raise UsageError(f"{option} takes comma-separated whole numbers, got '{value}'") from e
    if any(size < 1 for size in sizes):
        raise UsageError(f"{option} values must be at least 1, got '{value}'")
    return sizes


# --------------------------------------------------------------------------------------------
# Inputs and pinned models
# --------------------------------------------------------------------------------------------


def news_sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` English news sentences, split the way briefly splits them, so it translates each
    as one piece, as the baseline does."""
    from briefly.text import paragraphs, sentences
    from tests.support.text import news_corpus

    found: list[str] = []
    articles = 8
    while len(found) < n:
        found = [
            sentence
            for article in news_corpus(articles, seed)
            for paragraph in paragraphs(article)
            for sentence in sentences(paragraph)
        ]
        articles *= 2
    return found[:n]


def pinned_view(path: Path, new_tokens: int, root: Path, role: str) -> Path:
    """A folder that is the model at ``path`` but always generates ``new_tokens`` tokens.

    Weights and tokenizer are links; only generation_config.json differs, and it is rewritten
    only when its content changes, so CTranslate2's conversion cache (keyed by the files' times)
    stays valid from run to run.
    """
    from transformers import AutoConfig, GenerationConfig

    view = root / f"{role.replace(':', '-')}-pin{new_tokens}"
    view.mkdir(parents=True, exist_ok=True)
    for file in path.iterdir():
        link = view / file.name
        if file.name != "generation_config.json" and file.is_file():
            if link.is_symlink() and link.resolve() != file.resolve():
                link.unlink()
            if not link.exists():
                link.symlink_to(file.resolve())
    try:
        config = GenerationConfig.from_pretrained(path)
    except OSError:
        # Older checkpoints keep their decoding settings in config.json only.
        config = GenerationConfig.from_model_config(AutoConfig.from_pretrained(path))
    settings = config.to_diff_dict()
    for name in ("min_length", "max_length", "transformers_version"):
        settings.pop(name, None)
    settings |= {"min_new_tokens": new_tokens, "max_new_tokens": new_tokens}
    text = json.dumps(settings, indent=2, sort_keys=True) + "\n"
    target = view / "generation_config.json"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return view


def _convert(plan: Plan) -> None:
    """Convert every model for CTranslate2 now, so load times exclude the one-time conversion."""
    ct2 = [r for r in plan.runtimes if r.backend == "ct2"]
    if not ct2:
        return
    from briefly.engines.ct2_engine import converted_model, default_compute_type

    for runtime in ct2:
        compute_type = runtime.compute_type or default_compute_type(plan.device)
        # As the engine does: int8 variants share one int8 conversion.
        quantization = "int8" if compute_type.startswith("int8") else compute_type
        for path in plan.models.paths.values():
            converted_model(Path(path), quantization)


# --------------------------------------------------------------------------------------------
# Running the plan
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A line for the user while the run goes on."""

    text: str  # what happened
    failed: bool  # True: a configuration could not be measured


def run(plan: Plan, machine: str) -> Iterator[dict | Note]:
    """Measure every configuration of ``plan``, yielding result rows and notes."""
    _convert(plan)
    for stage in plan.stages:
        if stage == "summarize":
            yield from _model_stage(plan, machine, "summarize", "summarizer", plan.articles)
        elif stage == "translate":
            for role in plan.models.paths:
                if role.startswith("translator:"):
                    stage_name = f"translate:{role.partition(':')[2]}"
                    yield from _model_stage(plan, machine, stage_name, role, plan.sentences)
        elif stage == "brief":
            yield from _brief_stage(plan, machine)
        else:
            yield from _cold_start_stage(plan, machine)


def _model_stage(
    plan: Plan, machine: str, stage: str, role: str, inputs: Sequence[str]
) -> Iterator[dict | Note]:
    baseline: dict | None = None
    for runtime in plan.runtimes:
        settings = [(1, None)] if runtime.backend == "baseline" else _settings(plan, len(inputs))
        for batch_size, token_budget in settings:
            task = Task(
                stage=stage,
                runtime=runtime,
                device=plan.device,
                models={role: plan.models.paths[role]},
                inputs=list(inputs),
                batch_size=batch_size,
                token_budget=token_budget,
                retries=plan.models.kind not in ("replica", "tiny"),
            )
            outcome = _run_task(task)
            if isinstance(outcome, Note):
                yield outcome
                continue
            measurement, process = outcome
            row = _row(plan, machine, stage, runtime, measurement.compute_type, process)
            row |= {
                "batch_size": batch_size,
                "token_budget": token_budget,
                "models": {role: plan.models.ids[role]},
                "pinned_new_tokens": {role: plan.pinned[role]},
            }
            _add_rate(row, len(inputs), sum(measurement.latencies), baseline)
            _add_measurement(row, measurement)
            if runtime.backend == "baseline":
                baseline = row
            elif baseline is not None and _unequal_work(row, baseline):
                yield Note(_unequal_work(row, baseline), failed=False)
            yield row


def _settings(plan: Plan, n: int) -> list[tuple[int | None, int | None]]:
    sizes = dict.fromkeys(n if size is None else min(size, n) for size in plan.batch_sizes)
    return [(size, budget) for size in sizes for budget in plan.token_budgets]


def _brief_stage(plan: Plan, machine: str) -> Iterator[dict | Note]:
    """All the models end to end, each run timed from its start to its exit, as a user sees it."""
    articles = plan.brief_inputs
    baseline: dict | None = None
    with tempfile.TemporaryDirectory(prefix="briefly-speed-") as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for i, article in enumerate(articles):
            (folder / f"{i:03d}.txt").write_text(article, encoding="utf-8")
        for runtime in plan.runtimes:
            if runtime.backend == "baseline":
                inputs = list(articles[:_BASELINE_BRIEF_ARTICLES])
                task = Task("brief", runtime, plan.device, dict(plan.models.paths), inputs)
                outcome = _run_task(replace(task, batch_size=1, warm_up=False))
            else:
                # One `briefly batch` over the folder, all articles in one group.
                command = ["batch", str(folder), "--out", str(Path(tmp) / runtime.label)]
                command += ["--quiet", "--group-size", str(len(articles))]
                outcome = _run_cli(plan, runtime, command, "brief")
            if isinstance(outcome, Note):
                yield outcome
                continue
            if runtime.backend == "baseline":
                measurement, process = outcome
                row = _row(plan, machine, "brief", runtime, measurement.compute_type, process)
                row["batch_size"] = 1
                _add_rate(row, len(inputs), process.wall_s, None)
                _add_measurement(row, measurement, latencies=False)
                baseline = row
            else:
                row = _row(plan, machine, "brief", runtime, _compute_type(plan, runtime), outcome)
                row["batch_size"] = len(articles)
                # Rates over different articles are not compared.
                same = baseline if baseline is not None and baseline["n"] == len(articles) else None
                _add_rate(row, len(articles), outcome.wall_s, same)
            yield row


def _cold_start_stage(plan: Plan, machine: str) -> Iterator[dict | Note]:
    """``briefly brief FILE --format json``: seconds from spawn to its first byte of output."""
    # An article of typical length: the median of the folder.
    article = sorted(plan.articles, key=len)[len(plan.articles) // 2]
    with tempfile.TemporaryDirectory(prefix="briefly-speed-") as tmp:
        file = Path(tmp) / "article.txt"
        file.write_text(article, encoding="utf-8")
        for runtime in plan.runtimes:
            if runtime.backend == "baseline":
                continue
            command = ["brief", str(file), "--format", "json", "--quiet"]
            outcome = _run_cli(plan, runtime, command, "cold-start")
            if isinstance(outcome, Note):
                yield outcome
                continue
            row = _row(plan, machine, "cold-start", runtime, _compute_type(plan, runtime), outcome)
            first = _round(outcome.first_output_s)
            row |= {"n": 1, "seconds": _round(outcome.wall_s), "first_output_s": first}
            row |= {"p50_s": first, "p95_s": first}
            yield row


def _run_task(task: Task) -> tuple[Measurement, Process] | Note:
    with tempfile.TemporaryDirectory(prefix="briefly-speed-") as tmp:
        task_file, result_file = Path(tmp) / "task.json", Path(tmp) / "result.json"
        task_file.write_text(json.dumps(asdict(task)), encoding="utf-8")
        command = [sys.executable, "-m", "benchmarks.speed", "--worker"]
        process = spawn([*command, str(task_file), str(result_file)], task.device)
        if process.returncode != 0 or not result_file.is_file():
            why = _last_line(process.stderr)
            return Note(f"{task.stage} {task.runtime.label} failed: {why}", failed=True)
        return Measurement(**json.loads(result_file.read_text(encoding="utf-8"))), process


def _run_cli(plan: Plan, runtime: Runtime, command: list[str], stage: str) -> Process | Note:
    """Run a ``briefly`` command with the plan's models and ``runtime``, as a user would."""
    paths = plan.models.paths
    languages = [role.partition(":")[2] for role in paths if role.startswith("translator:")]
    command = [*_briefly_command(), *command, "--summarizer", paths["summarizer"]]
    command += ["--to", ",".join(languages) or "none", "--device", plan.device]
    command += ["--backend", runtime.backend]
    for lang in languages:
        command += ["--translator", f"{lang}={paths[f'translator:{lang}']}"]
    if runtime.compute_type:
        command += ["--compute-type", runtime.compute_type]
    process = spawn(command, plan.device)
    if process.returncode != 0:
        return Note(f"{stage} {runtime.label} failed: {_last_line(process.stderr)}", failed=True)
    return process


def _briefly_command() -> list[str]:
    script = Path(sys.executable).with_name("briefly")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "briefly"]


def _compute_type(plan: Plan, runtime: Runtime) -> str:
    """The compute type a briefly CLI run loads with, which it does not report."""
    if runtime.compute_type:
        return runtime.compute_type
    if runtime.backend == "ct2":
        from briefly.engines.ct2_engine import default_compute_type

        return default_compute_type(plan.device)
    if plan.device != "cuda":
        return "float32"
    import torch

    # As briefly's torch engine chooses.
    return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"


def spawn(command: Sequence[str], device: str) -> Process:
    """Run ``command`` to completion, timing its first output and taking its peak memory."""
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO), os.environ.get("PYTHONPATH")])),
        # Models are local folders: nothing may be fetched while timing.
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_VERBOSITY": "error",
    }
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=env)
        with _Peaks(child.pid, device) as peaks:
            first = child.stdout.read(1)
            first_output_s = time.perf_counter() - started if first else None
            child.stdout.read()
            child.stdout.close()
            returncode = child.wait()
            wall_s = time.perf_counter() - started
        stderr.seek(0)
        errors = stderr.read().decode("utf-8", "replace")
    return Process(returncode, wall_s, first_output_s, peaks.rss_mb, peaks.gpu_mb, errors)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no error output"


class _Peaks:
    """Peak memory of a running child, polled from outside it.

    RSS is the kernel's high-water mark of the child's own address space (VmHWM): it only
    grows, so the last reading before exit is the peak. getrusage's ru_maxrss would not do: it
    counts the parent's RSS at the fork that started the child.

    GPU memory is the device-wide figure the driver reports, less what was in use at the start:
    inside containers nvidia-smi lists host process ids. It includes the CUDA context, so it
    compares backends, CTranslate2 included.
    """

    _RSS_INTERVAL_S = 0.02
    _GPU_INTERVAL_S = 0.1

    def __init__(self, pid: int, device: str) -> None:
        self.rss_mb: float | None = None
        self.gpu_mb: float | None = None
        self._status = Path(f"/proc/{pid}/status")
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._poll_rss, daemon=True)]
        if device == "cuda" and shutil.which("nvidia-smi"):
            self._gpu_start = _gpu_used_mb()
            self._threads.append(threading.Thread(target=self._poll_gpu, daemon=True))

    def __enter__(self) -> _Peaks:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _poll_rss(self) -> None:
        while True:
            try:
                for line in self._status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.rss_mb = round(int(line.split()[1]) / 1024, 1)
            except (OSError, ValueError, IndexError):
                pass  # the child has exited (or this is not Linux): keep the last reading
            if self._stop.wait(self._RSS_INTERVAL_S):
                return

    def _poll_gpu(self) -> None:
        while not self._stop.wait(self._GPU_INTERVAL_S):
            used = _gpu_used_mb()
            if used is not None and self._gpu_start is not None:
                self.gpu_mb = max(self.gpu_mb or 0.0, used - self._gpu_start)


def _gpu_used_mb() -> float | None:
    index = os.environ.get("CUDA_VISIBLE_DEVICES", "0").split(",")[0] or "0"
    query = ["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"]
    try:
        result = subprocess.run([*query, "-i", index], capture_output=True, text=True)
        return float(result.stdout.split()[0])
    except (OSError, ValueError, IndexError):
        return None


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


def _row(
    plan: Plan, machine: str, stage: str, runtime: Runtime, compute_type: str, process: Process
) -> dict:
    """A result line in :mod:`benchmarks.report`'s schema, with what every stage knows."""
    gpu_peak = process.gpu_peak_mb if plan.device == "cuda" else None
    return {
        "kind": "speed",
        "stage": stage,
        "backend": runtime.backend,
        "device": plan.device,
        "compute_type": compute_type,
        "batch_size": None,
        "token_budget": None,
        "articles_per_s": None,
        "tokens_per_s": None,
        "p50_s": None,
        "p95_s": None,
        # On CUDA, the driver's figure; torch workers replace it with the allocator's.
        "peak_mem_mb": _round(gpu_peak if plan.device == "cuda" else process.peak_rss_mb),
        "speedup_vs_baseline": 1.0 if runtime.backend == "baseline" else None,
        "baseline": "transformers generate, one input at a time, float32",
        "n": None,
        "models": plan.models.ids,
        "models_kind": plan.models.kind,
        "pinned_new_tokens": plan.pinned,
        "seconds": None,
        "load_s": None,
        "outputs": None,
        "generated_tokens": None,
        "peak_rss_mb": process.peak_rss_mb,
        "gpu_driver_peak_mb": _round(gpu_peak),
        "environment": environment(plan.device, runtime.backend, compute_type, machine),
    }


def _add_rate(row: dict, n: int, seconds: float, baseline: dict | None) -> None:
    rate = n / seconds if seconds > 0 else None
    row |= {"n": n, "seconds": _round(seconds), "articles_per_s": _round(rate)}
    if baseline is not None and rate and baseline["articles_per_s"]:
        row["speedup_vs_baseline"] = round(rate / baseline["articles_per_s"], 3)


def _add_measurement(row: dict, measurement: Measurement, latencies: bool = True) -> None:
    tokens = measurement.tokens
    row |= {
        "load_s": _round(measurement.load_s),
        "outputs": measurement.outputs,
        "generated_tokens": tokens,
        "tokens_per_s": _round(tokens / row["seconds"]) if row["seconds"] else None,
    }
    if latencies:
        ordered = sorted(measurement.latencies)
        row["p50_s"] = _round(statistics.median(ordered))
        row["p95_s"] = _round(_percentile(ordered, 0.95))
    if measurement.cuda_peak_mb is not None:
        row["peak_mem_mb"] = _round(measurement.cuda_peak_mb)


def _unequal_work(row: dict, baseline: dict) -> str | None:
    """A warning when a backend decoded a different number of tokens per output."""
    mine = row["generated_tokens"] / max(row["outputs"], 1)
    theirs = baseline["generated_tokens"] / max(baseline["outputs"], 1)
    if abs(mine - theirs) <= 0.5:
        return None
    return (
        f"warning: {row['stage']} {row['backend']}/{row['compute_type']} decoded {mine:.1f} "
        f"tokens per output, the baseline {theirs:.1f}: the work is not equal"
    )


def _percentile(values: Sequence[float], q: float) -> float:
    # Nearest rank: an observed value, as a latency percentile should be.
    return values[max(math.ceil(q * len(values)) - 1, 0)]


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def format_table(rows: Sequence[dict]) -> str:
    """A plain-text table of result rows, for the terminal."""
    header = ("stage", "runtime", "batch", "items/s", "tokens/s", "p50 s", "p95 s", "load s")
    header += ("peak MB", "speed-up")
    body = [
        (
            row["stage"],
            f"{row['backend']}/{row['device']}/{row['compute_type']}",
            "-" if row["batch_size"] is None else str(row["batch_size"]),
            _cell(row["articles_per_s"], 2),
            _cell(row["tokens_per_s"], 1),
            _cell(row["p50_s"], 2),
            _cell(row["p95_s"], 2),
            _cell(row["load_s"], 2),
            _cell(row["peak_mem_mb"], 0),
            _cell(row["speedup_vs_baseline"], 2, "x"),
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (header, *body)
    )


def _cell(value: float | None, digits: int, unit: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def _summary_lines(rows: Sequence[dict]) -> list[str]:
    """Translation speed-ups over all languages together: rows hold one language each."""
    totals: dict[str, list[float]] = {}
    for row in rows:
        if row["stage"].startswith("translate:") and row["seconds"]:
            key = (
                f"{row['backend']}/{row['device']}/{row['compute_type']} batch {row['batch_size']}"
            )
            total = totals.setdefault(key, [0.0, 0.0])
            total[0] += row["n"]
            total[1] += row["seconds"]
    base = next((v for k, v in totals.items() if k.startswith("baseline/")), None)
    lines = []
    for key, (n, seconds) in totals.items():
        speedup = f", {n / seconds / (base[0] / base[1]):.2f}x baseline" if base else ""
        lines.append(f"translate, all languages: {key}: {n / seconds:.2f} sentences/s{speedup}")
    return lines


def _describe(plan: Plan) -> str:
    stages = ", ".join(plan.stages)
    runtimes = ", ".join(r.label for r in plan.runtimes)
    pins = ", ".join(f"{role} {n}" for role, n in plan.pinned.items())
    return (
        f"speed: {stages} | {runtimes} on {plan.device} | {plan.models.kind} models | "
        f"{len(plan.articles)} articles, {len(plan.sentences)} sentences, "
        f"{len(plan.brief_inputs)} end to end | pinned tokens: {pins}"
    )


def _progress_line(row: dict) -> str:
    return (
        f"{row['stage']:<14} {row['backend']}/{row['compute_type']} batch {row['batch_size']}: "
        f"{_cell(row['articles_per_s'], 2)}/s ({_cell(row['speedup_vs_baseline'], 2, 'x')}), "
        f"p50 {_cell(row['p50_s'], 2)} s, peak {_cell(row['peak_mem_mb'], 0)} MB"
    )


# --------------------------------------------------------------------------------------------
# Worker: one configuration in its own process
# --------------------------------------------------------------------------------------------


def _worker(task_file: Path, result_file: Path) -> int:
    raw = json.loads(task_file.read_text(encoding="utf-8"))
    task = Task(**(raw | {"runtime": Runtime(**raw["runtime"])}))
    measurement = measure(task)
    result_file.write_text(json.dumps(asdict(measurement)), encoding="utf-8")
    return 0


def measure(task: Task) -> Measurement:
    """Load the models of ``task``, then time its inputs in calls of ``batch_size``."""
    import torch

    # CTranslate2 workers leave torch's CUDA context uncreated: it would add to their memory.
    cuda = task.device == "cuda" and task.runtime.backend != "ct2"
    tally = _Tally()
    started = time.perf_counter()
    call, compute_type = _runner(task, tally)
    load_s = time.perf_counter() - started
    if task.warm_up:
        call([min(task.inputs, key=len)])
        tally.reset()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    size = task.batch_size or len(task.inputs)
    latencies = []
    for start in range(0, len(task.inputs), size):
        began = time.perf_counter()
        call(task.inputs[start : start + size])
        if cuda:
            torch.cuda.synchronize()
        latencies.append(time.perf_counter() - began)
    peak = torch.cuda.max_memory_allocated() / _MB if cuda else None
    return Measurement(compute_type, load_s, latencies, tally.outputs, tally.tokens, peak)


class _Tally:
    """Outputs decoded and their tokens, special tokens (start, forced BOS/EOS, padding) left
    out: CTranslate2 returns no EOS where transformers does, and both then count alike."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.outputs = 0
        self.tokens = 0

    def add(self, ids, special: set[int]) -> None:
        ids = ids.tolist() if hasattr(ids, "tolist") else ids
        self.outputs += 1
        self.tokens += sum(1 for i in ids if i not in special)


class _CountingTokenizer:
    """An engine's tokenizer that tallies what the engine decodes.

    briefly's engines return text, and tokenizing text again does not give back the number of
    tokens generated; the ids passed to decode do.
    """

    def __init__(self, tokenizer, tally: _Tally) -> None:
        self._tokenizer = tokenizer
        self._tally = tally
        # The CTranslate2 engine's tokenizer decodes tokens, transformers' decode ids.
        special = getattr(tokenizer, "all_special_ids", None)
        self._special = set(tokenizer.special_tokens if special is None else special)

    def __getattr__(self, name: str):
        return getattr(self._tokenizer, name)

    def __call__(self, *args, **kwargs):
        return self._tokenizer(*args, **kwargs)

    def decode(self, ids, **kwargs) -> str:
        self._tally.add(ids, self._special)
        return self._tokenizer.decode(ids, **kwargs)

    def batch_decode(self, sequences, **kwargs) -> list[str]:
        for ids in sequences:
            self._tally.add(ids, self._special)
        return self._tokenizer.batch_decode(sequences, **kwargs)


def _runner(task: Task, tally: _Tally) -> tuple[Callable[[Sequence[str]], object], str]:
    """Load the models; return what runs one call on a list of inputs, and the compute type."""
    if task.runtime.backend == "baseline":
        return _baseline(task, tally)
    from briefly.engines import load_engine
    from briefly.summarizer import Summarizer
    from briefly.translator import Translator

    ((role, path),) = task.models.items()
    engine = load_engine(
        path,
        device=task.device,
        backend=task.runtime.backend,
        compute_type=task.runtime.compute_type,
    )
    engine.tokenizer = _CountingTokenizer(engine.tokenizer, tally)
    if task.token_budget is not None:
        # The engines' own knobs: torch pads batches up to max_batch_tokens; CTranslate2 takes
        # the budget per translate_batch call.
        name = "token_budget" if engine.backend == "ct2" else "max_batch_tokens"
        setattr(engine, name, task.token_budget)
    if not task.retries:
        _decode_once()
    if role == "summarizer":
        summarizer = Summarizer(engine)
        # The pinned length: briefly's medium length keeps the model's maximum but caps the
        # minimum at half of it, which would unpin the length.
        summarizer.settings = engine.settings
        return summarizer.summarize, engine.compute_type
    return Translator(engine, role.partition(":")[2]).translate, engine.compute_type


def _decode_once() -> None:
    """Make briefly's Summarizer and Translator decode every input once, retrying nothing."""
    import briefly.summarizer
    import briefly.translator

    def once(engine, texts, settings, _check, max_new_tokens=None):
        return engine.generate(texts, settings, max_new_tokens), [[] for _ in texts]

    briefly.summarizer.generate_checked = once
    briefly.translator.generate_checked = once


def _baseline(task: Task, tally: _Tally) -> tuple[Callable[[Sequence[str]], object], str]:
    """The loop from the transformers docs, in fp32, one article or sentence at a time."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    models = {}
    for role, path in task.models.items():
        tokenizer = AutoTokenizer.from_pretrained(path)
        # The docs' fp32; transformers 5 would otherwise load a checkpoint's saved dtype.
        model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=torch.float32).to(task.device)
        models[role] = (tokenizer, model, set(tokenizer.all_special_ids))

    def generate(role: str, text: str, **options) -> str:
        tokenizer, model, special = models[role]
        inputs = tokenizer(text, return_tensors="pt", **options).to(task.device)
        ids = model.generate(**inputs)[0]
        tally.add(ids, special)
        return tokenizer.decode(ids, skip_special_tokens=True)

    def summarize(article: str) -> str:
        window = models["summarizer"][1].config.max_position_embeddings
        return generate("summarizer", article, truncation=True, max_length=window)

    def translate(role: str, sentence: str) -> str:
        window = models[role][1].config.max_position_embeddings
        return generate(role, sentence, truncation=True, max_length=window)

    def brief(article: str) -> None:
        summary = summarize(article)
        for role in models:
            if role.startswith("translator:"):
                for sentence in re.split(r"(?<=[.!?])\s+", summary):
                    translate(role, sentence)

    if task.stage == "brief":
        each = brief
    elif task.stage == "summarize":
        each = summarize
    else:
        (role,) = models

        def each(sentence: str) -> str:
            return translate(role, sentence)

    def call(inputs: Sequence[str]) -> None:
        for text in inputs:
            each(text)

    return call, "float32"


if __name__ == "__main__":
    sys.exit(main())
