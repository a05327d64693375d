"""Turn the result lines in ``benchmarks/results/*.jsonl`` into README tables and plots.

The report keeps the latest figure for each machine and setting, renders Markdown tables
(hardware and versions above each machine's figures) between the README's markers, and draws
throughput and speed-up plots.

Result-line schema: one JSON object per line; keys not listed are ignored, and a missing
optional key is shown as "-".

Every line:
    kind          "speed" or "quality"
    backend       "torch" or "ct2"
    device        "cpu" or "cuda"
    compute_type  as loaded: "float32", "bfloat16", "int8", "int8_float16"...; null if unknown
    environment   benchmarks.environment.environment(): machine, cpu, cpu_cores, gpu,
                  gpu_memory_mb, torch, transformers, ctranslate2, git_commit, date (ISO UTC)...
                  (without it, the file name stands in for the machine)

Speed lines (written by benchmarks.speed):
    stage                "summarize", "translate:<lang>" or "brief" (end to end)
    batch_size           articles (or sentences) per call; null when batching by tokens
    token_budget         tokens per batch when batching by tokens; null otherwise
    articles_per_s       throughput in articles (sentences for translation) per second
    tokens_per_s         generated tokens per second; null if not counted
    p50_s, p95_s         median and 95th-percentile seconds per call
    peak_mem_mb          peak resident memory (CPU) or peak CUDA memory allocated (GPU)
    speedup_vs_baseline  articles_per_s over the baseline's (1.0 or null for the baseline)
    baseline             optional: what the speed-up is relative to, e.g. "torch/cpu batch 1"
    n                    optional: articles measured
    models               optional: role -> model id
    models_kind          optional: "real", "replica", "tiny" or "custom"; shown, and kept apart

Quality lines (written by benchmarks.quality.result_line):
    task         "summaries", "translations" or "agreement"
    role         "summarizer" or "translator:<lang>"
    metrics      name -> value: rouge1/rouge2/rougeL (0..1), chrf++/bleu (0..100),
                 chrf/identical_pct (0..100) for agreement
    reference    agreement only: the runtime scored against, e.g. "torch/cpu/float32"
    signatures   metric -> sacreBLEU signature
    model, models_kind ("real", "replica", "tiny", "custom"), dataset, n
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefly.errors import InputError

BENCHMARKS_DIR = Path(__file__).parent
RESULTS_DIR = BENCHMARKS_DIR / "results"
README = BENCHMARKS_DIR / "README.md"
PLOTS_DIR = BENCHMARKS_DIR / "plots"
START = "<!-- results:start -->"
END = "<!-- results:end -->"

# Fields that make two lines the same measurement: the latest such line is reported.
_SPEED_KEY = ("stage", "models_kind", "backend", "device", "compute_type", "batch_size")
_SPEED_KEY += ("token_budget",)
_QUALITY_KEY = ("task", "model", "backend", "device", "compute_type", "reference", "dataset")
# Reference metrics of random-weight models are noise; agreement between backends is not.
_REFERENCE_TASKS = ("summaries", "translations")
_RANDOM_WEIGHTS = ("replica", "tiny")


@dataclass(frozen=True)
class Report:
    """What :func:`write_report` produced."""

    markdown: str  # the section written between the README's markers
    plots: tuple[Path, ...]  # PNG files written


def load_results(results_dir: Path = RESULTS_DIR) -> list[dict]:
    """Every result line of every ``*.jsonl`` in ``results_dir``, in file then line order."""
    rows = []
    for path in sorted(Path(results_dir).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(
                    f"{path}:{number}: not a JSON line ({e.msg}): fix or remove it"
                ) from e
            row.setdefault("environment", {}).setdefault("machine", path.stem)
            rows.append(row)
    return rows


def latest(rows: Iterable[dict]) -> list[dict]:
    """The newest line for each machine and setting, in the order settings first appear."""
    newest: dict[tuple, dict] = {}
    for row in rows:
        fields = _SPEED_KEY if row.get("kind") == "speed" else _QUALITY_KEY
        key = (row.get("kind"), _machine(row), *(_key_value(row.get(f)) for f in fields))
        if key not in newest or _date(row) >= _date(newest[key]):
            newest[key] = row
    return list(newest.values())


def render(
    rows: Sequence[dict], plots: Sequence[Path] = (), readme_dir: Path = BENCHMARKS_DIR
) -> str:
    """Markdown tables of ``rows`` (already reduced by :func:`latest`), grouped by machine."""
    if not rows:
        return "No results yet: run `python -m benchmarks speed` or `python -m benchmarks quality`."
    parts = ["Generated by `python -m benchmarks report` from `results/*.jsonl`; edits are lost."]
    for machine in dict.fromkeys(_machine(row) for row in rows):
        mine = [row for row in rows if _machine(row) == machine]
        parts.append(f"### {machine}\n\n{_hardware(mine)}")
        speed = [row for row in mine if row.get("kind") == "speed"]
        quality = [row for row in mine if row.get("kind") == "quality"]
        shown = [row for row in quality if _meaningful(row)]
        if speed:
            parts.append("#### Speed\n\n" + _speed_table(speed))
        if shown:
            parts.append("#### Quality\n\n" + _quality_table(shown))
        if len(shown) < len(quality):
            parts.append(
                f"Left out: {len(quality) - len(shown)} ROUGE/BLEU line(s) of random-weight "
                "models, which measure nothing."
            )
        names = {f"throughput-{_slug(machine)}", f"speedup-{_slug(machine)}"}
        for plot in plots:
            if plot.stem in names:
                parts.append(
                    f"![{plot.stem}]({Path(os.path.relpath(plot, readme_dir)).as_posix()})"
                )
    return "\n\n".join(parts)


def write_report(
    results_dir: Path = RESULTS_DIR, readme: Path = README, plots_dir: Path = PLOTS_DIR
) -> Report:
    """Render the results into ``readme`` between the markers, and draw the plots."""
    rows = latest(load_results(results_dir))
    plots = tuple(plot(rows, plots_dir))
    markdown = render(rows, plots, readme.parent)
    update_readme(readme, markdown)
    return Report(markdown, plots)


def update_readme(readme: Path, markdown: str) -> None:
    """Replace what is between the markers; add a Results section with them if missing."""
    block = f"{START}\n{markdown}\n{END}"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    start, end = text.find(START), text.find(END)
    if 0 <= start < end:
        text = text[:start] + block + text[end + len(END) :]
    else:
        text = text.rstrip() + ("\n\n" if text.strip() else "") + f"## Results\n\n{block}\n"
    readme.write_text(text, encoding="utf-8")


def plot(rows: Sequence[dict], plots_dir: Path = PLOTS_DIR) -> list[Path]:
    """Throughput against batch size, and speed-up over the baseline, per machine."""
    speed = [row for row in rows if row.get("kind") == "speed"]
    if not speed:
        return []
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on benchmark machines
    plots_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for machine in dict.fromkeys(_machine(row) for row in speed):
        mine = [row for row in speed if _machine(row) == machine]
        for draw in (_throughput_plot, _speedup_plot):
            path = draw(mine, plots_dir, _slug(machine))
            if path is not None:
                written.append(path)
    return written


def _throughput_plot(rows: Sequence[dict], plots_dir: Path, machine: str) -> Path | None:
    import matplotlib.pyplot as plt

    rows = [row for row in rows if _batch(row) is not None]
    stages = list(dict.fromkeys(row.get("stage") for row in rows))
    if not stages:
        return None
    fig, axes = plt.subplots(1, len(stages), figsize=(4.5 * len(stages), 3.6), squeeze=False)
    for ax, stage in zip(axes[0], stages, strict=True):
        staged = [row for row in rows if row.get("stage") == stage]
        metric = (
            "articles_per_s" if any(r.get("articles_per_s") for r in staged) else "tokens_per_s"
        )
        for label in dict.fromkeys(_runtime(row) for row in staged):
            points = sorted(
                (_batch(row), row[metric])
                for row in staged
                if _runtime(row) == label and row.get(metric) is not None
            )
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=label)
        by_tokens = all(row.get("batch_size") is None for row in staged)
        ax.set_xscale("log", base=2)
        sizes = sorted({_batch(row) for row in staged})
        ax.set_xticks(sizes, [str(size) for size in sizes])
        ax.set_xlabel("token budget" if by_tokens else "batch size")
        ax.set_ylabel(metric.replace("_per_s", " / s"))
        ax.set_title(stage)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(f"Throughput on {machine}")
    fig.tight_layout()
    path = plots_dir / f"throughput-{machine}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _speedup_plot(rows: Sequence[dict], plots_dir: Path, machine: str) -> Path | None:
    import matplotlib.pyplot as plt

    best: dict[str, dict] = {}
    for row in rows:
        if row.get("speedup_vs_baseline") is None:
            continue
        label = f"{row.get('stage')} · {_runtime(row)}"
        if label not in best or row["speedup_vs_baseline"] > best[label]["speedup_vs_baseline"]:
            best[label] = row
    if not best:
        return None
    labels = list(best)
    values = [best[label]["speedup_vs_baseline"] for label in labels]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(labels) + 1.4))
    ax.barh(labels, values, color="tab:blue")
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    for y, (label, value) in enumerate(zip(labels, values, strict=True)):
        batch = _batch_label(best[label])
        ax.text(value, y, f" {value:.2f}x (batch {batch})", va="center", fontsize=8)
    ax.set_xlim(0, max(values) * 1.3)  # room for the labels
    ax.invert_yaxis()
    ax.set_xlabel("speed-up over baseline (best batch size)")
    ax.set_title(f"Speed-up on {machine}")
    fig.tight_layout()
    path = plots_dir / f"speedup-{machine}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _meaningful(row: dict) -> bool:
    return row.get("task") not in _REFERENCE_TASKS or row.get("models_kind") not in _RANDOM_WEIGHTS


def _speed_table(rows: Sequence[dict]) -> str:
    header = ["stage", "models", "backend", "device", "compute", "batch", "articles/s", "tokens/s"]
    header += ["p50 s", "p95 s", "peak MB", "speed-up", "date", "commit"]
    body = [
        [
            str(row.get("stage", "-")),
            str(row.get("models_kind") or "-"),
            str(row.get("backend", "-")),
            str(row.get("device", "-")),
            str(row.get("compute_type") or "-"),
            _batch_label(row),
            _num(row.get("articles_per_s"), 2),
            _num(row.get("tokens_per_s"), 1),
            _num(row.get("p50_s"), 3),
            _num(row.get("p95_s"), 3),
            _num(row.get("peak_mem_mb"), 0),
            _num(row.get("speedup_vs_baseline"), 2, "x"),
            *_run(row),
        ]
        for row in rows
    ]
    return _table(header, body)


def _quality_table(rows: Sequence[dict]) -> str:
    header = ["task", "model", "backend", "device", "compute", "vs", "dataset", "n", "scores"]
    header += ["date", "commit"]
    body = [
        [
            str(row.get("task", "-")),
            f"`{row.get('model', '-')}`",
            str(row.get("backend", "-")),
            str(row.get("device", "-")),
            str(row.get("compute_type") or "-"),
            str(row.get("reference") or "references"),
            f"`{row.get('dataset', '-')}`",
            str(row.get("n", "-")),
            _scores(row.get("metrics", {})),
            *_run(row),
        ]
        for row in rows
    ]
    return _table(header, body)


def _hardware(rows: Sequence[dict]) -> str:
    env = max((row["environment"] for row in rows), key=lambda e: e.get("date", ""))
    gpu = env.get("gpu")
    memory = env.get("gpu_memory_mb")
    hardware = [
        f"CPU: {env.get('cpu', 'unknown')} ({env.get('cpu_cores', '?')} cores)",
        f"RAM: {env.get('ram_gb', '?')} GB",
        f"GPU: {gpu} ({memory} MiB)" if gpu else "GPU: none",
    ]
    versions = dict.fromkeys(_versions(row["environment"]) for row in rows)
    lines = [" · ".join(hardware)] + [f"Software: {v}" for v in versions]
    return "  \n".join(lines)


def _versions(env: dict) -> str:
    names = ("python", "torch", "transformers", "ctranslate2")
    return ", ".join(f"{name} {env.get(name) or 'absent'}" for name in names)


def _scores(metrics: dict) -> str:
    # ROUGE is a fraction, the sacreBLEU metrics are percentages.
    return " · ".join(
        f"{name} {value:.3f}" if name.startswith("rouge") else f"{name} {value:.1f}"
        for name, value in metrics.items()
    )


def _run(row: dict) -> list[str]:
    env = row["environment"]
    return [str(env.get("date", "-"))[:10], str(env.get("git_commit", "-"))[:8]]


def _table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]
    return "\n".join(lines)


def _num(value, digits: int, unit: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def _batch(row: dict) -> int | None:
    return row.get("batch_size") if row.get("batch_size") is not None else row.get("token_budget")


def _batch_label(row: dict) -> str:
    if row.get("batch_size") is not None:
        return str(row["batch_size"])
    if row.get("token_budget") is not None:
        return f"{row['token_budget']} tok"
    return "-"


def _runtime(row: dict) -> str:
    label = f"{row.get('backend')}/{row.get('device')}/{row.get('compute_type') or 'default'}"
    return f"{label} · {row['models_kind']}" if row.get("models_kind") else label


def _machine(row: dict) -> str:
    return str(row["environment"]["machine"])


def _date(row: dict) -> str:
    return str(row["environment"].get("date", ""))


def _key_value(value):
    # Lists and dicts are not hashable; their JSON text identifies them as well.
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")
