"""The benchmark tooling: metrics, test-set readers and cache, planning, equal work, the
out-of-memory back-off, the report, and `run` end to end on tiny models."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import invariance, metrics, plan, report, rows, testsets
from benchmarks.__main__ import main
from benchmarks.environment import environment
from benchmarks.models import model_set
from benchmarks.run import PARTS, Settings, run
from briefly.errors import InputError, UsageError
from briefly.models.engines.base import Engine
from briefly.models.generation import GenerationSettings

ROOT = Path(__file__).parent.parent


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


# --- metrics ---------------------------------------------------------------------------------


def test_identical_outputs_score_perfectly():
    text = ["The council approved the budget on Tuesday.", "Heavy rain flooded two villages."]
    scores, signatures = metrics.translation_scores(text, [text])
    assert scores == {"chrf++": pytest.approx(100), "bleu": pytest.approx(100)}
    assert "nw:2" in signatures["chrf++"]  # chrF++ is chrF with word bigrams
    assert metrics.rouge_scores(text, text) == pytest.approx(
        {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}
    )
    agreement, _ = metrics.agreement_scores(text, text)
    assert agreement == {"chrf": pytest.approx(100), "identical_pct": 100}


def test_bleu_matches_sacrebleu_documented_example():
    # sacreBLEU's README: BLEU = 48.53 with two references.
    hypotheses = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
    references = [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ]
    scores, signatures = metrics.translation_scores(hypotheses, references)
    assert scores["bleu"] == pytest.approx(48.53, abs=0.01)
    assert signatures["bleu"].startswith("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp")


def test_rouge_matches_rouge_score_documented_example():
    scores = metrics.rouge_scores(
        ["The quick brown dog jumps on the log."], ["The quick brown fox jumps over the lazy dog"]
    )
    assert scores["rouge1"] == pytest.approx(0.706, abs=0.001)


# --- test sets -------------------------------------------------------------------------------


def test_bundled_sample_reads():
    examples = testsets.read_summaries(testsets.SAMPLE_SUMMARIES)
    assert len(examples) == 10 and all(e.article and e.reference for e in examples)
    sets = testsets.read_parallel(testsets.SAMPLE_PARALLEL, ["uk", "ru", "hi"])
    assert [s.lang for s in sets] == ["uk", "ru", "hi"]
    assert all(len(s.sources) == len(s.references) == 30 for s in sets)


def test_flores_layout_keeps_alignment_and_names_missing_languages(tmp_path):
    (tmp_path / "eng_Latn.devtest").write_text("One.\nTwo\u2028halves.\nThree.\n", encoding="utf-8")
    (tmp_path / "ukr_Cyrl.devtest").write_text("Один.\nДва.\nТри.\n", encoding="utf-8")
    [uk] = testsets.read_parallel(tmp_path, ["uk"], limit=2)
    assert uk.sources == ("One.", "Two\u2028halves.") and uk.references == ("Один.", "Два.")
    with pytest.raises(InputError, match="No ru references"):
        testsets.read_parallel(tmp_path, ["ru"])


def test_summaries_from_cnn_jsonl_and_story_files(tmp_path):
    jsonl = tmp_path / "cnn.jsonl"
    jsonl.write_text(json.dumps({"article": "Body.", "highlights": "One.\nTwo."}) + "\n")
    assert testsets.read_summaries(jsonl) == [testsets.SummaryExample("Body.", "One.\nTwo.")]
    story = "(CNN) -- The article.\n\n@highlight\n\nFirst point\n\n@highlight\n\nSecond\n"
    (tmp_path / "a.story").write_text(story, encoding="utf-8")
    assert testsets.read_summaries(tmp_path) == [
        testsets.SummaryExample("(CNN) -- The article.", "First point\nSecond")
    ]
    (tmp_path / "bad.jsonl").write_text('{"article": "A"}\n')
    with pytest.raises(InputError, match=r"bad.jsonl:1: 'reference' \(or 'highlights'\)"):
        testsets.read_summaries(tmp_path / "bad.jsonl")


def test_quality_scores_a_summariser_next_to_the_lead_of_the_same_text(tmp_path, capsys):
    # The menu goes in cleaning, so lead-1 is the hook under it, as the brief would see it.
    story = (
        "It was a long night. The council approved the new school budget. The school budget "
        "adds twelve teachers. Parents welcomed the new school budget."
    )
    record = {"article": f"Home | News | Sport | Weather\n\n{story}", "reference": story}
    (tmp_path / "one.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    args = ["quality", "--summaries", str(tmp_path / "one.jsonl"), "--length", "short"]
    assert main(args) == 0
    table = capsys.readouterr().out
    rouge1 = {line.split(" | ")[0]: float(line.split(" | ")[1]) for line in table.splitlines()[4:7]}
    assert set(rouge1) == {"| extractive", "| lead-1", "| lead-3"}
    # The extract is the sentence the rest develops, not the hook.
    assert rouge1["| extractive"] > rouge1["| lead-1"] > 0
    assert "extractive equals lead-1 on 0 of 1 briefs" in table


def _prefilled(data: Path, languages=("uk", "ru", "hi")) -> Path:
    """A data cache as `run` leaves it after fetching: small, made up, no network needed."""
    data.mkdir(parents=True, exist_ok=True)
    articles = [
        "The council approved a new budget for the city's schools on Tuesday. It adds "
        "twelve teachers and repairs two buildings. Parents welcomed the decision.",
        "Heavy rain flooded two villages in the north overnight. Nobody was hurt, and "
        "the roads reopened by noon. Farmers said the harvest was safe.",
    ]
    for name in ("cnn_dailymail", "xsum"):
        lines = [json.dumps({"article": a, "reference": a.split(". ")[0] + "."}) for a in articles]
        (data / f"{name}-test.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    flores = data / "flores200-devtest"
    flores.mkdir(exist_ok=True)
    english = ["The school opened on Monday.", "Rain fell all night.", "Prices rose again."]
    (flores / "eng_Latn.devtest").write_text("\n".join(english) + "\n", encoding="utf-8")
    codes = {"uk": "ukr_Cyrl", "ru": "rus_Cyrl", "hi": "hin_Deva"}
    for lang in languages:
        (flores / f"{codes[lang]}.devtest").write_text("\n".join(english) + "\n", encoding="utf-8")
        pairs = [{"source": s, "reference": s, "lang": lang} for s in english[:2]]
        text = "\n".join(json.dumps(p) for p in pairs) + "\n"
        (data / f"wmt-en-{lang}.jsonl").write_text(text, encoding="utf-8")
    return data


def test_standard_sets_are_read_from_a_prefilled_cache(tmp_path):
    data = _prefilled(tmp_path / "data")
    summaries, notes = testsets.summary_sets(data, limit=1)
    assert [s.name for s in summaries] == ["cnn_dailymail", "xsum"] and not notes
    assert all(len(s.examples) == 1 for s in summaries)
    parallel, notes = testsets.parallel_sets(data, ["uk", "hi"], limit=2)
    names = [s.name for s in parallel]
    assert names == ["flores200-devtest", "wmt22-en-uk", "wmt14-en-hi"] and not notes
    assert [p.lang for p in parallel[0].examples] == ["uk", "hi"]


def test_a_set_that_cannot_be_fetched_is_a_note(tmp_path, monkeypatch):
    data = _prefilled(tmp_path / "data")
    (data / "flores200-devtest" / "eng_Latn.devtest").unlink()
    monkeypatch.setattr(testsets, "FLORES_URL", (tmp_path / "absent.tar.gz").as_uri())
    parallel, notes = testsets.parallel_sets(data, ["uk"], limit=2)
    assert [s.name for s in parallel] == ["wmt22-en-uk"]
    assert len(notes) == 1 and notes[0].startswith("flores200-devtest not available")


# --- planning: device, dtypes, sweeps ----------------------------------------------------------


def test_runtimes_follow_the_device_and_what_it_supports():
    labels = [r.label for r in plan.runtimes("cpu", False, frozenset({"int8", "float32"}))]
    assert labels == ["baseline/float32", "torch/float32", "ct2/int8"]
    cuda = plan.runtimes("cuda", True, frozenset({"int8_float16", "float16", "int8"}))
    assert [r.label for r in cuda] == [
        "baseline/float32", "torch/float16", "torch/bfloat16", "ct2/int8_float16", "ct2/float16",
    ]  # fmt: skip
    old_gpu = plan.runtimes("cuda", False, None)  # no bfloat16, CTranslate2 not installed
    assert [r.label for r in old_gpu] == ["baseline/float32", "torch/float16"]


def test_sweeps_and_the_oom_point_are_cuda_only():
    assert plan.sweep("cpu") == plan.Sweep()
    cuda = plan.sweep("cuda")
    assert len(cuda.batch_sizes) > 1 and len(cuda.token_budgets) > 1
    assert cuda.oom_articles and cuda.oom_cap_mb
    assert plan.sizes("replica", "cpu", 2).articles == 2


@pytest.mark.skipif(_cuda_available(), reason="CUDA is available here")
def test_cuda_without_cuda_is_one_clear_line():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "run", "--device", "cuda", "--models", "tiny"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: Device 'cuda' was asked for but") and "use device cpu" in line


def test_bad_options_are_usage_errors(tmp_path):
    assert main(["run", "--limit", "0", "--out", str(tmp_path)]) == 2
    with pytest.raises(SystemExit):
        main(["run", "--models", "huge"])
    with pytest.raises(UsageError, match="replicas exist for uk, ru, hi"):
        model_set("tiny", ("de",), tmp_path)


# --- equal work, out-of-memory back-off ------------------------------------------------------


def test_rows_with_unequal_work_are_invalid_not_a_ratio():
    baseline = rows.compare({"backend": "baseline", "tokens": 312, "items_per_s": 1.0}, None)
    assert baseline["valid"] and baseline["speedup_vs_baseline"] == 1.0
    unequal = rows.compare({"backend": "ct2", "tokens": 4914, "items_per_s": 0.27}, baseline)
    assert unequal["valid"] is False and unequal["speedup_vs_baseline"] is None
    assert unequal["baseline_tokens"] == 312
    equal = rows.compare({"backend": "ct2", "tokens": 312, "items_per_s": 5.0}, baseline)
    assert equal["valid"] and equal["speedup_vs_baseline"] == 5.0


class _SmallGpu(Engine):
    """An engine whose device holds two inputs at a time, as a CUDA engine out of memory."""

    def __init__(self) -> None:
        super().__init__(Path("."), "cuda")
        self.batches: list[int] = []

    def count_tokens(self, texts):
        return [1] * len(texts)

    def _generate_batch(self, texts, settings, languages):
        if len(texts) > 2:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        self.batches.append(len(texts))
        return [text.upper() for text in texts]

    def _is_out_of_memory(self, error):
        return "out of memory" in str(error)


def test_out_of_memory_halves_the_batch_completes_and_is_counted():
    engine = _SmallGpu()
    texts = [f"text {i}" for i in range(8)]
    assert engine.generate(texts, GenerationSettings()) == [t.upper() for t in texts]
    assert engine.batches == [2, 2, 2, 2]
    assert engine.stats.halvings == 3  # 8 -> 4 + 4 -> four of 2


def test_gpu_probes_report_nothing_on_cpu():
    from benchmarks.memory import GpuPeak

    with GpuPeak("cpu", torch_allocator=True) as peak:
        pass
    assert peak.mb is None and peak.source is None


# --- report ----------------------------------------------------------------------------------


def _row(**fields) -> dict:
    env = environment("cpu", "ct2", "int8", machine="test-box")
    return {"kind": "speed", "device": "cpu", "environment": env, "models_kind": "tiny"} | fields


def test_report_separates_workloads_and_marks_invalid_rows(tmp_path):
    lines = [
        _row(key="a", workload="user", stage="batch-group", backend="ct2", compute_type="int8",
             batch_size=16, n=16, items_per_s=2.0, tokens=900, baseline_tokens=300, valid=False),
        _row(key="b", workload="bulk", stage="translate:uk", backend="ct2", compute_type="int8",
             batch_size=12, n=12, items_per_s=60.0, tokens=60, baseline_tokens=60, valid=True,
             speedup_vs_baseline=47.3),
        _row(key="b", workload="bulk", stage="translate:uk", backend="ct2", compute_type="int8",
             batch_size=12, n=12, items_per_s=61.0, tokens=60, baseline_tokens=60, valid=True,
             speedup_vs_baseline=48.0),
    ]  # fmt: skip
    (tmp_path / "results.jsonl").write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    text = report.write(tmp_path).read_text(encoding="utf-8")
    assert "## What users run (output guards on)" in text and "## Bulk model throughput" in text
    assert "invalid: unequal work" in text and "900 (300)" in text
    assert "48.00x" in text and "47.30x" not in text  # the newest row of a key is reported
    assert (tmp_path / "plots" / "throughput.png").read_bytes().startswith(b"\x89PNG")
    assert "![speedup](plots/speedup.png)" in text


def test_invariance_counts_differing_tokens_and_score_changes():
    def out(tokens, score):
        return invariance.Decoded(tuple(tokens), score)

    alone = [out("abcd", -1.0), out("abcd", -2.0), out("xy", None)]
    padded = [out("abcd", -1.0), out("abXdz", -2.5), out("xy", None)]
    row = invariance.compare("translator", "ct2/int8", "mixed vs solo", alone, padded)
    assert (row.changed, row.texts, row.tokens_differing) == (1, 3, [1 + 1])
    assert row.score_deltas == [0.0, 0.5]
    assert "1/3 (33%) | 2.0, 2 | 0.25, 0.5" in invariance.table([row])
    assert invariance._filler(["a", "b", "</s>"], 6) == ["a", "b", "a", "b", "a", "</s>"]


def test_bad_parts_and_invariance_options_are_usage_errors(capsys):
    assert main(["run", "--parts", "user,speed"]) == 2
    assert main(["invariance", "--roles", "decoder"]) == 2
    assert "--parts takes brief,group,translate,serve,bulk,quality" in capsys.readouterr().err


# --- run end to end --------------------------------------------------------------------------


def test_run_on_tiny_models_writes_results_report_and_plots_and_resumes(
    tiny_summarizer, tiny_translators, tmp_path, capsys
):
    # The session's tiny models stand in for the replicas `run` would otherwise build.
    replicas = tmp_path / "replicas" / "tiny"
    replicas.mkdir(parents=True)
    for model in (tiny_summarizer, tiny_translators["uk"]):
        (replicas / model.name).symlink_to(model)
    settings = Settings(
        models="tiny",
        limit=2,
        out=tmp_path / "out",
        replica_dir=tmp_path / "replicas",
        data_dir=_prefilled(tmp_path / "data", ("uk",)),
        datasets="standard",
        machine="test-box",
        languages=("uk",),
        # The service rows start four servers: what they measure is tested apart
        # (test_hostile_api's serve benchmark, test_serve's engine counts), for CI's time.
        parts=tuple(part for part in PARTS if part != "serve"),
    )
    out = run(settings)
    printed = capsys.readouterr().out
    assert "failed" not in printed
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    speed = [r for r in lines if r["kind"] == "speed"]
    stages = {(r["workload"], r["stage"]) for r in speed}
    assert stages == {
        ("user", "brief-cold"), ("user", "brief-warm"), ("user", "batch-group"),
        ("user", "translate-job"), ("bulk", "summarize"), ("bulk", "translate:uk"),
    }  # fmt: skip
    # Each user workload with the guards' retries on and off (a cold start only on).
    user = {(r["stage"], r["backend"], r["retries"]) for r in speed if r["workload"] == "user"}
    assert ("translate-job", "ct2", False) in user and ("brief-warm", "torch", False) in user
    assert ("brief-cold", "ct2", False) not in user
    for row in speed:
        assert row["tokens"] > 0 and row["environment"]["machine"] == "test-box"
        if row["backend"] == "baseline":
            assert row["speedup_vs_baseline"] == 1.0
        else:
            assert row["baseline_tokens"] > 0 and row["valid"] is not None
            assert (row["speedup_vs_baseline"] is None) == (not row["valid"])
    group = [r for r in speed if r["stage"] == "batch-group"]
    assert {r["batch_size"] for r in group} == {4}  # tiny models' group, not cut by --limit
    translate = [r for r in speed if r["stage"] == "translate:uk"]
    assert all(r["valid"] for r in translate)  # pinned lengths: the same work on every side
    quality = {(r["task"], r["dataset"]) for r in lines if r["kind"] == "quality"}
    assert quality >= {
        ("summaries", "cnn_dailymail"), ("summaries", "xsum"),
        ("translations", "flores200-devtest"), ("translations", "wmt22-en-uk"),
        ("agreement", "cnn_dailymail"), ("agreement", "flores200-devtest"),
        ("faithfulness", "cnn_dailymail"), ("faithfulness", "flores200-devtest"),
    }  # fmt: skip
    rates = next(
        r
        for r in lines
        if r["kind"] == "quality" and (r["task"], r["role"]) == ("faithfulness", "translator:uk")
    )
    assert set(rates["metrics"]) == {"number_lost_pct", "unsupported_number_pct"}
    text = (out / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# briefly benchmarks: test-box") and "## Quality" in text
    assert {p.name for p in (out / "plots").iterdir()} == {
        "throughput.png",
        "speedup.png",
        "quality.png",
    }
    # A second run measures nothing again.
    run(settings)
    again = (out / "results.jsonl").read_text().splitlines()
    assert len(again) == len(lines)
