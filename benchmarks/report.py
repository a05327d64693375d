"""``report.md`` and plots from a results folder's ``results.jsonl`` (see :mod:`benchmarks.rows`).

The newest row per key is reported. Rows of the ``user`` workload (guards on, as people run
briefly) and the ``bulk`` workload (retries off) are kept in separate tables; a row whose two
sides decoded different work shows "invalid" instead of a speed-up.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from briefly.errors import InputError

# What the default models score in their authors' evaluations, next to ours on the same data.
PUBLISHED = {
    ("sshleifer/distilbart-cnn-12-6", "cnn_dailymail"): "ROUGE-1/2/L 44.2 / 21.3 / 30.4",
    ("Helsinki-NLP/opus-mt-en-uk", "flores200-devtest"): "chrF 48.8 (FLORES-101 devtest)",
    ("Helsinki-NLP/opus-mt-en-ru", "flores200-devtest"): "chrF 53.6 (FLORES-101 devtest)",
    ("Helsinki-NLP/opus-mt-tc-big-en-zle", "flores200-devtest"): "chrF 60.1 (uk), 59.7 (ru)",
}
_RANDOM_WEIGHTS = ("replica", "tiny")


def load(results: Path) -> list[dict]:
    """The newest row per key, in the order keys first appear."""
    if not results.is_file():
        return []
    newest: dict[str, dict] = {}
    for number, line in enumerate(results.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(
                f"{results}:{number}: not a JSON line ({e.msg}): fix or remove it"
            ) from e
        newest[row.get("key") or f"line {number}"] = row
    return list(newest.values())


def write(folder: Path) -> Path:
    """Write ``report.md`` and ``plots/*.png`` into ``folder``; return the report's path."""
    rows = load(folder / "results.jsonl")
    plots = draw(rows, folder / "plots")
    path = folder / "report.md"
    path.write_text(render(rows, [p.relative_to(folder) for p in plots]), encoding="utf-8")
    return path


def render(rows: Sequence[dict], plots: Sequence[Path] = ()) -> str:
    if not rows:
        return "# briefly benchmarks\n\nNo results yet: run `python -m benchmarks run`.\n"
    speed = [r for r in rows if r.get("kind") == "speed"]
    quality = [r for r in rows if r.get("kind") == "quality"]
    env = max((r["environment"] for r in rows), key=lambda e: e.get("date", ""))
    kinds = sorted({str(r.get("models_kind")) for r in rows})
    parts = [
        f"# briefly benchmarks: {env.get('machine')}",
        _hardware(env) + f"  \nModels: {', '.join(kinds)} · newest result {env.get('date')}",
    ]
    user = [r for r in speed if r.get("workload") == "user"]
    bulk = [r for r in speed if r.get("workload") == "bulk" and r.get("stage") != "oom-backoff"]
    if user:
        parts.append(
            "## What users run (output guards on)\n\n"
            "One brief (an article into every target language) cold, from a fresh process to "
            "its first brief, and warm; one batch group of articles briefed together; one "
            "translate job (sentences into every target language). Each again with the "
            "guards' retries off: random-weight replicas trip the guards, real models rarely "
            "do. Sides run in turn (A B A B), medians kept.\n\n" + _speed_table(user)
        )
    if bulk:
        parts.append(
            "## Bulk model throughput (guards' retries off)\n\n"
            "The summariser on articles and each translator on sentences, decode lengths "
            "pinned so every side does the same work.\n\n" + _speed_table(bulk)
        )
    for row in (r for r in speed if r.get("stage") == "oom-backoff"):
        parts.append(
            "## Out-of-memory back-off\n\n"
            f"{row['n']} articles in one batch under a {row['memory_cap_mb']} MB GPU cap: "
            f"halved {row['halvings']} time(s) and completed in {row['seconds']:.1f} s "
            f"({_num(row.get('gpu_peak_mb'), 0)} MB peak)."
            + ("" if row["halvings"] else " The point fit in memory: nothing was halved.")
        )
    invalid = [r for r in speed if r.get("valid") is False]
    if invalid:
        parts.append(
            f"{len(invalid)} row(s) are marked invalid: briefly and the baseline decoded "
            "different numbers of tokens on the same inputs (on random-weight models the "
            "guards flag the gibberish and retry it; long articles are chunked where the "
            "baseline truncates), so no ratio is given."
        )
    if quality:
        parts.append("## Quality\n\n" + _quality_table(quality))
        if any(r.get("models_kind") in _RANDOM_WEIGHTS for r in quality):
            parts.append(
                "Random-weight models write gibberish: their ROUGE and BLEU measure nothing "
                "but that the tooling runs; agreement between backends is meaningful."
            )
        signatures = sorted({s for r in quality for s in r.get("signatures", {}).values()})
        if signatures:
            parts.append("sacreBLEU signatures: " + ", ".join(f"`{s}`" for s in signatures))
    parts += [f"![{p.stem}]({p.as_posix()})" for p in plots]
    return "\n\n".join(parts) + "\n"


def _speed_table(rows: Sequence[dict]) -> str:
    header = ["stage", "runtime", "batch", "budget", "n", "items/s", "tokens/s", "p50 s", "p95 s"]
    header += ["first out s", "peak RSS MB", "peak GPU MB", "tokens (baseline)", "speed-up"]
    body = []
    for r in rows:
        theirs = r.get("baseline_tokens")
        body.append(
            [
                r["stage"] + (", retries off" if r.get("retries") is False else ""),
                _runtime(r),
                _num(r.get("batch_size"), 0),
                _num(r.get("token_budget"), 0),
                _num(r.get("n"), 0),
                _num(r.get("items_per_s"), 3),
                _num(r.get("tokens_per_s"), 1),
                _num(r.get("p50_s"), 3),
                _num(r.get("p95_s"), 3),
                _num(r.get("first_output_s"), 2),
                _num(r.get("peak_rss_mb"), 0),
                _num(r.get("gpu_peak_mb"), 0),
                f"{r.get('tokens')}" + ("" if theirs is None else f" ({theirs})"),
                _verdict(r),
            ]
        )
    return _table(header, body)


def _verdict(row: dict) -> str:
    if row.get("valid") is False:
        return "invalid: unequal work"
    return _num(row.get("speedup_vs_baseline"), 2, "x")


def _quality_table(rows: Sequence[dict]) -> str:
    header = ["task", "model", "runtime", "vs", "dataset", "n", "scores", "published"]
    body = [
        [
            r["task"],
            f"`{r['model']}`",
            _runtime(r),
            r.get("reference") or "references",
            r["dataset"],
            str(r["n"]),
            _scores(r["metrics"]),
            PUBLISHED.get((r["model"], r["dataset"]), "-")
            if r["task"] in ("summaries", "translations")
            else "-",
        ]
        for r in rows
    ]
    return _table(header, body)


def draw(rows: Sequence[dict], folder: Path) -> list[Path]:
    """Throughput vs batch size, speed-up over the baseline, quality per language."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on benchmark machines
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, figure in (
        ("throughput", _throughput),
        ("speedup", _speedup),
        ("quality", _quality_plot),
    ):
        fig = figure(rows, plt)
        if fig is not None:
            path = folder / f"{name}.png"
            fig.tight_layout()
            fig.savefig(path, dpi=90)
            plt.close(fig)
            written.append(path)
    return written


def _throughput(rows, plt):
    bulk = [r for r in rows if r.get("workload") == "bulk" and r.get("items_per_s")]
    bulk = [r for r in bulk if r["backend"] != "baseline" and r.get("stage") != "oom-backoff"]
    stages = list(dict.fromkeys(r["stage"] for r in bulk))
    if not stages:
        return None
    fig, axes = plt.subplots(1, len(stages), figsize=(4 * len(stages), 3.2), squeeze=False)
    for ax, stage in zip(axes[0], stages, strict=True):
        mine = [r for r in bulk if r["stage"] == stage]
        for label in dict.fromkeys(_line(r) for r in mine):
            points = sorted((r["batch_size"], r["items_per_s"]) for r in mine if _line(r) == label)
            ax.plot(*zip(*points, strict=True), marker="o", label=label)
        ax.set_xscale("log", base=2)
        ax.set(title=stage, xlabel="inputs per call", ylabel="items / s")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small")
    return fig


def _speedup(rows, plt):
    best: dict[str, float] = {}
    for r in rows:
        ratio = r.get("speedup_vs_baseline")
        if r.get("kind") == "speed" and r["backend"] != "baseline" and ratio:
            label = f"{r['stage']} · {_runtime(r)}"
            best[label] = max(best.get(label, 0.0), ratio)
    if not best:
        return None
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(best) + 1.2))
    ax.barh(list(best), list(best.values()), color="tab:blue")
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.invert_yaxis()
    ax.set(xlabel="speed-up over the plain transformers loop (best setting)")
    return fig


def _quality_plot(rows, plt):
    scored = [
        r
        for r in rows
        if r.get("kind") == "quality"
        and r["role"].startswith("translator:")
        and r["task"] != "faithfulness"
    ]
    metric = {r["task"]: "chrf++" if r["task"] == "translations" else "chrf" for r in scored}
    if not scored:
        return None
    fig, axes = plt.subplots(1, len(metric), figsize=(5 * len(metric), 3.2), squeeze=False)
    for ax, (task, name) in zip(axes[0], metric.items(), strict=True):
        mine = [r for r in scored if r["task"] == task]
        labels = [f"{r['role'].partition(':')[2]} · {r['dataset']} · {r['backend']}" for r in mine]
        ax.barh(labels, [r["metrics"][name] for r in mine], color="tab:green")
        ax.invert_yaxis()
        ax.set(xlabel=name, title=task if task != "agreement" else "agreement with torch")
        ax.tick_params(axis="y", labelsize="x-small")
    return fig


def _hardware(env: dict) -> str:
    gpu = env.get("gpu")
    versions = ", ".join(
        f"{n} {env.get(n) or 'absent'}"
        for n in ("python", "torch", "transformers", "ctranslate2", "briefly")
    )
    return (
        f"CPU: {env.get('cpu')} ({env.get('cpu_cores')} cores) · RAM: {env.get('ram_gb')} GB · "
        + (f"GPU: {gpu} ({env.get('gpu_memory_mb')} MiB)" if gpu else "GPU: none")
        + f"  \nSoftware: {versions} · commit {str(env.get('git_commit'))[:8]}"
    )


def _scores(values: dict) -> str:
    # ROUGE is a fraction, the sacreBLEU metrics are percentages.
    return " · ".join(
        f"{k} {v:.3f}" if k.startswith("rouge") else f"{k} {v:.1f}" for k, v in values.items()
    )


def _runtime(row: dict) -> str:
    return f"{row['backend']}/{row.get('device')}/{row.get('compute_type')}"


def _line(row: dict) -> str:
    budget = row.get("token_budget")
    return _runtime(row) + ("" if budget is None else f" · {budget} tok")


def _table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
    return "\n".join(lines)


def _num(value, digits: int, unit: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"
