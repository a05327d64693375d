"""The benchmark tooling: metrics against known values, data readers, report, CLI."""

import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from benchmarks import quality, report
from benchmarks.__main__ import main
from benchmarks.environment import environment, model_set
from briefly.errors import InputError, UsageError

RESULTS = Path(__file__).parent / "data" / "benchmark-results"
ROOT = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def _quiet_transformers(monkeypatch):
    # main() quietens transformers through the environment; keep that inside each test.
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    monkeypatch.setenv("TRANSFORMERS_VERBOSITY", "error")


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


# --- metrics ---------------------------------------------------------------------------------


def test_identical_outputs_score_perfectly():
    text = ["The council approved the budget on Tuesday.", "Heavy rain flooded two villages."]
    scores, signatures = quality.translation_scores(text, [text])
    assert scores == {"chrf++": pytest.approx(100), "bleu": pytest.approx(100)}
    assert "nw:2" in signatures["chrf++"]  # chrF++ is chrF with word bigrams
    assert quality.rouge_scores(text, text) == pytest.approx(
        {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}
    )
    agreement, _ = quality.agreement_scores(text, text)
    assert agreement == {"chrf": pytest.approx(100), "identical_pct": 100}


def test_bleu_matches_sacrebleu_documented_example():
    # sacreBLEU's README: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ...) with two references.
    hypotheses = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
    references = [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ]
    scores, signatures = quality.translation_scores(hypotheses, references)
    assert scores["bleu"] == pytest.approx(48.53, abs=0.01)
    assert signatures["bleu"].startswith("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp")


def test_rouge_matches_rouge_score_documented_example():
    # rouge-score's README: rouge1 precision 0.75, recall 0.667, F 0.706 for this pair.
    scores = quality.rouge_scores(
        ["The quick brown dog jumps on the log."], ["The quick brown fox jumps over the lazy dog"]
    )
    assert scores["rouge1"] == pytest.approx(0.706, abs=0.001)


def test_agreement_counts_identical_outputs():
    scores, _ = quality.agreement_scores(["same text", "one thing"], ["same text", "another"])
    assert scores["identical_pct"] == 50
    assert 0 < scores["chrf"] < 100


# --- data readers ----------------------------------------------------------------------------


def test_bundled_data_reads():
    examples = quality.read_summaries(quality.DEFAULT_SUMMARIES)
    assert len(examples) == 10 and all(e.article and e.reference for e in examples)
    sets = quality.read_parallel(quality.DEFAULT_PARALLEL, ["uk", "ru", "hi"])
    assert [s.lang for s in sets] == ["uk", "ru", "hi"]
    assert all(len(s.sources) == len(s.references) == 30 for s in sets)
    assert sets[0].sources == sets[2].sources


def test_flores_layout(tmp_path):
    (tmp_path / "eng_Latn.devtest").write_text("One.\nTwo\u2028halves.\nThree.\n", encoding="utf-8")
    (tmp_path / "ukr_Cyrl.devtest").write_text("Один.\nДва.\nТри.\n", encoding="utf-8")
    (tmp_path / "metadata_devtest.tsv").write_text("URL\tdomain\n", encoding="utf-8")
    [uk] = quality.read_parallel(tmp_path, ["uk"], limit=2)
    # A Unicode line separator inside a sentence must not shift the alignment.
    assert uk.sources == ("One.", "Two\u2028halves.")
    assert uk.references == ("Один.", "Два.")
    with pytest.raises(InputError, match="No ru references"):
        quality.read_parallel(tmp_path, ["ru"])


def test_flores_split_must_be_chosen_and_files_aligned(tmp_path):
    for split in ("dev", "devtest"):
        (tmp_path / f"eng_Latn.{split}").write_text("A.\nB.\n", encoding="utf-8")
        (tmp_path / f"hin_Deva.{split}").write_text("क।\n", encoding="utf-8")
    with pytest.raises(UsageError, match="pass --split"):
        quality.read_parallel(tmp_path, ["hi"])
    with pytest.raises(InputError, match="aligned"):
        quality.read_parallel(tmp_path, ["hi"], split="dev")


def test_parallel_jsonl(tmp_path):
    path = tmp_path / "pairs.jsonl"
    records = [
        {"source": "Hello.", "reference": "Привіт.", "lang": "uk"},
        {"source": "Hello.", "reference": "Привет.", "lang": "ru"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    uk, ru = quality.read_parallel(path, ["uk", "ru"])
    assert (uk.references, ru.references) == (("Привіт.",), ("Привет.",))


def test_summaries_from_cnn_jsonl_and_story_files(tmp_path):
    jsonl = tmp_path / "cnn.jsonl"
    jsonl.write_text(json.dumps({"article": "Body.", "highlights": "One.\nTwo."}) + "\n")
    assert quality.read_summaries(jsonl) == [quality.SummaryExample("Body.", "One.\nTwo.")]
    story = "(CNN) -- The article.\n\nMore text.\n\n@highlight\n\nFirst point\n\n"
    story += "@highlight\n\nSecond\n"
    (tmp_path / "a.story").write_text(story, encoding="utf-8")
    (tmp_path / "b.story").write_text(story, encoding="utf-8")
    examples = quality.read_summaries(tmp_path, limit=1)
    assert examples == [
        quality.SummaryExample("(CNN) -- The article.\n\nMore text.", "First point\nSecond")
    ]


def test_bad_jsonl_names_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"article": "A", "reference": "B"}\n{"article": "A"}\n')
    with pytest.raises(
        InputError, match=r"bad.jsonl:2: 'reference' \(or 'highlights'\) is missing"
    ):
        quality.read_summaries(path)


# --- environment and report ------------------------------------------------------------------


def test_environment_record():
    env = environment("cpu", "torch", "float32", machine="lab-box")
    assert env["machine"] == "lab-box"
    assert env["cpu_threads"] >= 1 and env["torch"] and env["date"].endswith("+00:00")
    assert env["git_commit"]  # a commit hash, or "unknown" outside a git checkout
    if not _cuda_available():
        assert env["gpu"] is None and env["gpu_memory_mb"] is None
    assert json.loads(json.dumps(env)) == env
    assert environment("cpu", "torch", None)["machine"].startswith(("cpu-", "nvidia"))


def test_report_keeps_latest_and_leaves_out_random_weight_quality():
    rows = report.latest(report.load_results(RESULTS))
    markdown = report.render(rows)
    assert "### test-cpu-4core" in markdown
    assert "Example CPU 3000 (4 cores)" in markdown and "ctranslate2 4.5.0" in markdown
    assert "| summarize | - | torch | cpu | float32 | 1 | 0.25 |" in markdown
    assert "0.10" not in markdown  # the older run of the same setting is replaced
    assert "rouge1 0.412" in markdown and "chrf++ 51.2" in markdown
    assert "chrf 93.5" in markdown  # agreement of replicas is meaningful
    assert "rouge1 0.011" not in markdown
    assert "Left out: 1 ROUGE/BLEU line(s) of random-weight models" in markdown


def test_report_writes_readme_section_and_plots(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\nHow to run them.\n", encoding="utf-8")
    written = report.write_report(RESULTS, readme, tmp_path / "plots")
    assert sorted(p.name for p in written.plots) == [
        "speedup-test-cpu-4core.png",
        "throughput-test-cpu-4core.png",
    ]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written.plots)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nHow to run them.\n")
    assert "](plots/throughput-test-cpu-4core.png)" in text
    report.write_report(RESULTS, readme, tmp_path / "plots")
    again = readme.read_text(encoding="utf-8")
    assert again == text and again.count(report.START) == 1


def test_report_cli_on_empty_results(tmp_path, capsys):
    readme = tmp_path / "README.md"
    args = ["report", "--results", str(tmp_path), "--readme", str(readme)]
    assert main([*args, "--plots", str(tmp_path / "plots")]) == 0
    assert "No results yet" in readme.read_text(encoding="utf-8")


# --- command line ----------------------------------------------------------------------------


NO_CUDA = "error: --device cuda was asked for but no CUDA device is visible: use --device cpu"


@pytest.mark.skipif(_cuda_available(), reason="CUDA is available here")
def test_cuda_without_cuda_is_one_clear_line():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "quality", "--device", "cuda", "--models", "tiny"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [NO_CUDA]


@pytest.mark.skipif(_cuda_available(), reason="CUDA is available here")
def test_speed_checks_cuda_before_dispatching(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "benchmarks.speed", None)
    assert main(["speed", "--device", "cuda"]) == 2
    assert capsys.readouterr().err.strip() == NO_CUDA


def test_unknown_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["quality", "--no-such-option"])
    assert exit_info.value.code == 2


@pytest.fixture
def one_torch_thread():
    # Tiny models gain nothing from threads, and on a busy two-core machine torch's spinning
    # worker threads make them up to a hundred times slower.
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_quality_run_with_tiny_models(
    tmp_path, monkeypatch, tiny_summarizer, tiny_translators, one_torch_thread
):
    # CTranslate2 conversions are cached; keep this test's out of the user's cache.
    monkeypatch.setenv("BRIEFLY_CACHE", str(tmp_path / "cache"))
    candidate = "ct2:int8" if importlib.util.find_spec("ctranslate2") else "torch"
    out = tmp_path / "results.jsonl"
    code = main(
        [
            "quality",
            "--summarizer", str(tiny_summarizer),
            "--translator", f"uk={tiny_translators['uk']}",
            "--limit", "1",
            "--candidate", candidate,
            "--machine", "test-box",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(line["task"], line["role"]) for line in lines] == [
        ("summaries", "summarizer"),
        ("translations", "translator:uk"),
        ("agreement", "summarizer"),
        ("agreement", "translator:uk"),
    ]
    assert {line["environment"]["machine"] for line in lines} == {"test-box"}
    assert all(line["n"] == 1 and line["models_kind"] == "custom" for line in lines)
    assert lines[1]["dataset"] == "benchmarks/data/parallel"
    assert set(lines[1]["metrics"]) == {"chrf++", "bleu"}
    agreement = lines[3]
    assert agreement["reference"] == "torch/cpu/float32"
    assert agreement["backend"] == candidate.partition(":")[0]
    if candidate == "torch":  # the same backend twice must agree exactly
        assert agreement["metrics"] == {"chrf": 100.0, "identical_pct": 100.0}


def test_speed_is_dispatched_with_its_arguments(monkeypatch):
    calls = []
    fake = types.SimpleNamespace(main=lambda argv: calls.append(argv) or 0)
    monkeypatch.setitem(sys.modules, "benchmarks.speed", fake)
    assert main(["speed", "--device", "cpu", "--batch-sizes", "1,2"]) == 0
    assert calls == [["--device", "cpu", "--batch-sizes", "1,2"]]


def test_missing_speed_benchmark_is_one_clear_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "benchmarks.speed", None)
    assert main(["speed"]) == 2
    assert "benchmarks/speed.py" in capsys.readouterr().err


def test_replica_sets_name_the_languages_they_have(tmp_path):
    with pytest.raises(UsageError, match="replicas exist for uk, ru, hi"):
        model_set("tiny", ("de",), tmp_path)
    with pytest.raises(UsageError, match="use one of real, replica, tiny"):
        model_set("huge", ("uk",), tmp_path)
