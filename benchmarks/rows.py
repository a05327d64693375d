"""Result rows: figures from a worker's measurement, the equal-work check, resumable keys.

Schema of ``results.jsonl`` (one JSON object a line; :mod:`benchmarks.report` reads it):

every line
    kind          "speed" or "quality"
    key           hash of the settings and versions that produced it; a run skips keys it has
    models_kind   "real", "replica" or "tiny"
    environment   machine, CPU, RAM, GPU, versions, git commit, date (benchmarks.environment)
speed lines
    workload      "user" (guards on, as people run briefly) or "bulk" (guards' retries off)
    stage         user: "brief-cold", "brief-warm", "batch-group", "translate-job",
                  "serve-sequential", "serve-concurrent" (baseline: serve-sequential); bulk:
                  "summarize", "translate:<lang>", "oom-backoff"
    engine_calls  serve: model calls the server's engines made for the side
    retries       user: whether the guards retried what they flagged (null: no guards)
    backend, device, compute_type, batch_size (null: all at once), token_budget (null: default)
    n, seconds, items_per_s, tokens_per_s, p50_s, p95_s, load_s, first_output_s (brief-cold)
    peak_rss_mb, gpu_peak_mb, gpu_peak_source
    outputs, tokens        what this side decoded, special tokens left out
    baseline_tokens        what the baseline decoded on the same inputs; null for the baseline
    valid                  false where the two sides decoded different work
    speedup_vs_baseline    items_per_s over the baseline's; null unless valid
    halvings               batches halved after running out of GPU memory
quality lines
    task ("summaries", "translations", "agreement"), role, backend, device, compute_type,
    dataset, n, metrics (ROUGE 0..1; chrF++/BLEU/chrF 0..100), signatures, reference
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections.abc import Sequence

# Two sides did the same work when their decoded tokens differ by at most this share.
EQUAL_WORK_TOLERANCE = 0.01


def key(settings: dict, environment: dict) -> str:
    """What makes a measurement the same: its settings, the machine and the versions."""
    versions = {
        name: environment.get(name)
        for name in ("machine", "python", "torch", "transformers", "ctranslate2", "briefly")
    }
    text = json.dumps({"settings": settings, "versions": versions}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def equal_work(tokens: int, baseline_tokens: int) -> bool:
    return abs(tokens - baseline_tokens) <= EQUAL_WORK_TOLERANCE * max(baseline_tokens, 1)


def speed_figures(n: int, latencies: Sequence[float], tokens: int) -> dict:
    """Throughput and latency of ``n`` inputs timed in calls of ``latencies`` seconds."""
    seconds = sum(latencies)
    ordered = sorted(latencies)
    return {
        "n": n,
        "seconds": _round(seconds),
        "items_per_s": _round(n / seconds) if seconds > 0 else None,
        "tokens_per_s": _round(tokens / seconds) if seconds > 0 else None,
        "p50_s": _round(statistics.median(ordered)),
        "p95_s": _round(percentile(ordered, 0.95)),
    }


def compare(row: dict, baseline: dict | None) -> dict:
    """``row`` with its baseline's tokens, its validity and, when valid, its speed-up."""
    if row["backend"] == "baseline":
        return row | {"baseline_tokens": None, "valid": True, "speedup_vs_baseline": 1.0}
    if baseline is None:
        return row | {"baseline_tokens": None, "valid": None, "speedup_vs_baseline": None}
    valid = equal_work(row["tokens"], baseline["tokens"])
    speedup = None
    if valid and row["items_per_s"] and baseline["items_per_s"]:
        speedup = round(row["items_per_s"] / baseline["items_per_s"], 3)
    return row | {
        "baseline_tokens": baseline["tokens"],
        "valid": valid,
        "speedup_vs_baseline": speedup,
    }


def percentile(ordered: Sequence[float], q: float) -> float:
    # Nearest rank: an observed value, as a latency percentile should be.
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
