"""The speed benchmark end to end with tiny models: it runs, and its rows are well formed."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import report, speed

ROOT = Path(__file__).parent.parent
SCHEMA = (
    "kind", "stage", "backend", "device", "compute_type", "batch_size", "token_budget",
    "articles_per_s", "tokens_per_s", "p50_s", "p95_s", "peak_mem_mb", "speedup_vs_baseline",
    "environment",
)  # fmt: skip


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def test_quick_run_with_tiny_models_writes_rows(
    tiny_summarizer, tiny_translators, tmp_path, monkeypatch, capsys
):
    # Conversions and replicas go to the test's folder, not the user's cache; the session's
    # tiny models stand in for the replicas the benchmark would otherwise build.
    monkeypatch.setenv("BRIEFLY_CACHE", str(tmp_path / "cache"))
    replicas = tmp_path / "replicas" / "tiny"
    replicas.mkdir(parents=True)
    for model in (tiny_summarizer, tiny_translators["uk"]):
        (replicas / model.name).symlink_to(model)
    out = tmp_path / "results" / "test.jsonl"
    code = speed.main(
        [
            "--models", "tiny", "--replica-dir", str(tmp_path / "replicas"),
            "--stage", "summarize,translate", "--languages", "uk",
            "--backends", "baseline,ct2", "--articles", "2", "--sentences", "3",
            "--pin-summary-tokens", "8", "--pin-translation-tokens", "6",
            "--machine", "test", "--out", str(out),
        ]
    )  # fmt: skip
    printed = capsys.readouterr()
    assert code == 0, printed.err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["stage"], r["backend"]) for r in rows] == [
        ("summarize", "baseline"),
        ("summarize", "ct2"),
        ("translate:uk", "baseline"),
        ("translate:uk", "ct2"),
    ]
    for row in rows:
        assert set(SCHEMA) <= set(row)
        assert row["kind"] == "speed" and row["device"] == "cpu"
        assert row["articles_per_s"] > 0 and row["p95_s"] >= row["p50_s"] > 0
        assert row["peak_mem_mb"] > 50 and row["load_s"] > 0
        assert row["environment"]["machine"] == "test"
    baseline, ct2 = rows[2], rows[3]
    assert baseline["speedup_vs_baseline"] == 1.0 and ct2["speedup_vs_baseline"] > 0
    assert ct2["compute_type"] == "int8" and ct2["batch_size"] == 3
    # Pinned lengths: both decoded the same tokens per sentence (6, less the forced EOS).
    assert baseline["generated_tokens"] == ct2["generated_tokens"] == 3 * 5
    assert "warning" not in printed.err
    assert "translate:uk" in printed.out  # the table
    # The report reads what the benchmark wrote.
    assert len(report.latest(report.load_results(out.parent))) == 4


def test_cuda_without_cuda_is_one_clear_line():
    if _cuda_available():
        pytest.skip("CUDA is available here")
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "speed", "--device", "cuda", "--models", "tiny"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --device cuda was asked for but no CUDA device is visible: use --device cpu"
    ]


def test_options_are_checked_before_anything_runs(capsys):
    assert speed.main(["--backends", "torch:int8"]) == 2
    assert "ct2:COMPUTE_TYPE" in capsys.readouterr().err
    assert speed.main(["--stage", "everything"]) == 2
    assert speed.main(["--batch-sizes", "0"]) == 2


def test_pinned_view_links_weights_and_pins_length(tiny_translators, tmp_path):
    view = speed.pinned_view(tiny_translators["uk"], 7, tmp_path, "translator:uk")
    config = json.loads((view / "generation_config.json").read_text())
    assert config["min_new_tokens"] == config["max_new_tokens"] == 7
    assert "max_length" not in config
    assert (view / "model.safetensors").is_symlink()
    stamp = (view / "generation_config.json").stat().st_mtime_ns
    speed.pinned_view(tiny_translators["uk"], 7, tmp_path, "translator:uk")
    # Unchanged content is not rewritten: CTranslate2's conversion cache stays valid.
    assert (view / "generation_config.json").stat().st_mtime_ns == stamp


def test_percentile_and_table():
    assert speed._percentile([1.0, 2.0, 3.0, 4.0], 0.95) == 4.0
    assert speed._percentile([1.0, 2.0], 0.5) == 1.0
    row = {
        "stage": "summarize", "backend": "ct2", "device": "cpu", "compute_type": "int8",
        "batch_size": 16, "articles_per_s": 1.5, "tokens_per_s": 90.0, "p50_s": 1.0,
        "p95_s": 2.0, "load_s": 0.5, "peak_mem_mb": 900.0, "speedup_vs_baseline": 4.2,
    }  # fmt: skip
    table = speed.format_table([row])
    assert "ct2/cpu/int8" in table and "4.20x" in table
