"""The Python API and the command line under careless or hostile use (issue 25): one Briefer
shared by threads, briefs longer than a model can write, wrong types at the API's edge, and
the command line's rough corners."""

import contextlib
import functools
import json
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from briefly import (
    BatchOptions,
    Brief,
    Briefer,
    BriefOptions,
    GuardWarning,
    UsageError,
    load_article,
    parse_article,
)
from briefly.cli.app import app
from briefly.models.engines import ct2_available, load_engine
from briefly.results import Translation
from briefly.stages.text import sentences

WORDS = "minister council bridge opened buses trams river budget vote week market school".split()


def paragraph(seed: int, sentences_in_it: int = 3) -> str:
    """Plain sentences that differ from seed to seed."""
    return " ".join(
        " ".join(
            WORDS[(seed * 7 + s * 3 + w) % len(WORDS)] for w in range(6 + (seed + s) % 9)
        ).capitalize()
        + "."
        for s in range(sentences_in_it)
    )


@contextlib.contextmanager
def eager_thread_switches():
    """Switch threads as often as Python allows, so that races show within a short test."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def in_threads(work, items, threads: int = 4) -> list:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(work, items))


# --- one Briefer, several threads ----------------------------------------------------------


def test_sentences_split_alike_from_many_threads():
    # pysbd's segmenter keeps the text it segments on itself: shared, it dropped sentences.
    texts = [paragraph(seed, 4) for seed in range(32)]
    alone = [sentences(text) for text in texts]
    with eager_thread_switches():
        for _ in range(3):
            assert in_threads(sentences, texts, threads=8) == alone


@pytest.mark.skipif(not ct2_available(), reason="needs CTranslate2")
def test_one_briefer_from_four_threads_briefs_as_one_thread(tiny_summarizer, tiny_translators):
    briefer = Briefer(
        BriefOptions(
            summarizer=tiny_summarizer,
            languages=("uk",),
            translators={"uk": tiny_translators["uk"]},
            device="cpu",
            backend="ct2",
        )
    )
    articles = [
        parse_article("\n\n".join(paragraph(seed + p, 2) for p in range(1 + seed % 3)))
        for seed in range(8)
    ]
    alone = [(b.text, b.translations) for b in map(briefer.brief, articles)]
    with eager_thread_switches():
        for _ in range(3):
            shared = in_threads(briefer.brief, articles)
            assert [(b.text, b.translations) for b in shared] == alone


def test_torch_tokenizer_serves_threads_one_call_at_a_time(tiny_summarizer):
    # A fast tokenizer switches padding on and off on one shared object per call.
    engine = load_engine(str(tiny_summarizer), device="cpu", backend="torch")
    texts = [paragraph(seed) for seed in range(6)]
    counts = engine.count_tokens(texts)

    def work(i: int) -> list[int]:
        if i % 2:
            padded = engine._encode(texts, padding=True, return_tensors="pt")
            return [int(n) for n in padded["attention_mask"].sum(dim=1)]
        return engine.count_tokens(texts)

    with eager_thread_switches():
        assert in_threads(work, range(200)) == [counts] * 200


def test_threads_asking_for_one_model_at_once_share_one_load(tiny_translators, monkeypatch):
    from briefly.models import engines

    engines._load_engine.cache_clear()
    loads = []
    real = engines._load_engine.__wrapped__

    def counted(*args):
        loads.append(args)
        return real(*args)

    monkeypatch.setattr(engines, "_load_engine", functools.lru_cache(maxsize=8)(counted))
    name = str(tiny_translators["hi"])
    with eager_thread_switches():
        loaded = in_threads(lambda _: load_engine(name, device="cpu", backend="torch"), range(4))
    assert len(loads) == 1 and all(engine is loaded[0] for engine in loaded)


def test_the_guarantee_is_in_the_api_docs():
    assert "several threads at once" in (Briefer.__doc__ or "")


# --- how long a brief may be ---------------------------------------------------------------


@pytest.mark.parametrize("words", [0, 1001, 10**20, 2**63, 10**30])
def test_max_words_has_a_static_bound(words):
    with pytest.raises(UsageError, match="max_words must be a positive number of words up to"):
        BriefOptions(max_words=words)


@pytest.fixture
def no_loading(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr("briefly.pipeline.load_engine", refuse)


def test_preflight_bounds_max_words_by_the_models_positions(tiny_summarizer, no_loading):
    # The tiny BART has 128 positions: 126 new tokens, about 88 words.
    options = BriefOptions(summarizer=tiny_summarizer, languages=(), device="cpu")
    Briefer(options.replace(max_words=88)).check()
    with pytest.raises(UsageError) as raised:
        Briefer(options.replace(max_words=89)).check()
    message = str(raised.value)
    assert "\n" not in message and "126 tokens" in message and "at most 88" in message


BACKENDS = ["torch", *(["ct2"] if ct2_available() else [])]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_longest_brief_a_model_can_write_is_written(tiny_summarizer, backend):
    options = BriefOptions(
        summarizer=tiny_summarizer, languages=(), device="cpu", backend=backend, max_words=88
    )
    article = parse_article("\n\n".join(paragraph(seed) for seed in range(4)))
    assert Briefer(options).brief(article).text
    # A Briefer that skips check() is stopped at load, before anything is generated.
    with pytest.raises(UsageError, match="at most 88"):
        Briefer(options.replace(max_words=200)).brief(article)


def test_long_briefs_stop_at_the_models_positions(tiny_summarizer):
    from briefly.stages.summarizer import Summarizer

    engine = load_engine(str(tiny_summarizer), device="cpu", backend="torch")
    assert engine.max_output_tokens == 126
    assert Summarizer(engine, max_words=500).settings.max_new_tokens == 126


def test_cli_max_words_beyond_the_model_is_one_line_and_exit_2(tiny_summarizer, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(paragraph(1), encoding="utf-8")
    base = ["brief", str(article), "--summarizer", str(tiny_summarizer), "--to", "none"]
    for words in ("800", "1001", str(2**63)):
        result = CliRunner().invoke(app, [*base, "--device", "cpu", "--max-words", words])
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# --- types at the API's edge -----------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"languages": 5}, "languages must be a list or tuple of str, not 5"),
        ({"languages": "uk,ru"}, "languages must be a list or tuple of str"),
        ({"languages": ["uk", None]}, r"languages\[1\] must be a str"),
        ({"max_words": 10.5}, "max_words must be a whole number, not 10.5"),
        ({"max_words": True}, "max_words must be a whole number, not True"),
        ({"prompt": 3}, "prompt must be a str, not 3"),
        ({"guard_retries": "no"}, "guard_retries must be True or False"),
        ({"translate_source": 1}, "translate_source must be True or False"),
        ({"translators": ["uk"]}, "translators must be a dict of str to str"),
        ({"translators": {"uk": 7}}, r"translators\['uk'\] must be a str"),
        ({"summarizer": None}, "summarizer must be a str, not None"),
    ],
)
def test_brief_options_of_the_wrong_type_are_usage_errors(changes, expected):
    with pytest.raises(UsageError, match=expected):
        BriefOptions(**changes)


def test_paths_are_taken_where_a_path_is_meant(tmp_path):
    options = BriefOptions(
        summarizer=tmp_path / "model",
        translators={"uk": tmp_path / "uk"},
        prompt=tmp_path / "prompt.txt",
        languages=["uk"],
    )
    assert options.summarizer == str(tmp_path / "model")
    assert options.translators == {"uk": str(tmp_path / "uk")}
    assert options.prompt == str(tmp_path / "prompt.txt") and options.languages == ("uk",)
    assert BriefOptions.from_dict(options.to_dict()) == options
    article = tmp_path / "a.txt"
    article.write_text(paragraph(2), encoding="utf-8")
    assert load_article(article).source == str(article)


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"group_size": -1}, "group_size must be at least 1, not -1"),
        ({"group_size": 0}, "group_size must be at least 1, not 0"),
        ({"max_bytes": 0}, "max_bytes must be at least 1"),
        ({"fmt": "xml"}, "fmt must be one of json, markdown, text, not 'xml'"),
        ({"force": "yes"}, "force must be True or False"),
        ({"group_size": 2.5}, "group_size must be a whole number"),
    ],
)
def test_batch_options_of_the_wrong_type_or_range_are_usage_errors(changes, expected):
    with pytest.raises(UsageError, match=expected):
        BatchOptions(**changes)


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: load_article(None), "source must be a str or a path, not None"),
        (lambda: parse_article(123), "data must be bytes or a str, not 123"),
        (lambda: parse_article("text", source=None), "source must be a str"),
        (lambda: Briefer({"languages": ["uk"]}), "options must be BriefOptions"),
        (lambda: EXTRACTIVE.translate(None), "text must be a str, not None"),
        (lambda: EXTRACTIVE.translate_many("one text"), "texts must be a list or tuple of str"),
        (lambda: EXTRACTIVE.brief(None), "article must be Article or a str or a path"),
        (lambda: EXTRACTIVE.brief_many([None]), r"articles\[0\] must be Article"),
    ],
)
def test_api_functions_refuse_wrong_types_with_usage_errors(call, expected):
    with pytest.raises(UsageError, match=expected):
        call()


EXTRACTIVE = Briefer(BriefOptions(summarizer="extractive", languages=("uk",)))


# --- one type of warning ---------------------------------------------------------------------


def test_brief_warnings_are_guard_warnings_and_json_is_unchanged():
    warning = GuardWarning("wrong_language", "uk", "expected uk, looks like ru")
    brief = Brief(
        source="a.txt",
        title=None,
        author=None,
        published=None,
        language="en",
        text="A brief.",
        translations={"uk": "Бриф."},
        models={},
        chunks=1,
        warnings=(warning,),
    )
    data = brief.to_dict()
    assert data["warnings"] == [
        {"code": "wrong_language", "lang": "uk", "detail": "expected uk, looks like ru"}
    ]
    again = Brief.from_dict(json.loads(json.dumps(data)))
    assert again == brief and again.warnings == (warning,)


def test_a_briefers_warnings_are_guard_warnings():
    long_source = " ".join(paragraph(seed) for seed in range(3))
    brief = Briefer(BriefOptions(summarizer="extractive", languages=())).brief(
        parse_article(long_source)
    )
    assert all(isinstance(w, GuardWarning) for w in brief.warnings)
    assert isinstance(brief.warnings, tuple)


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_translate_json_holds_the_guards_warnings(runner, monkeypatch, tiny_translators):
    flagged = {
        "uk": Translation("Привіт", (GuardWarning("wrong_language", "uk", "looks like ru"),))
    }
    monkeypatch.setattr("briefly.pipeline.Briefer.translate", lambda _self, _text: flagged)
    args = ["translate", "Hello.", "--to", "uk", "--translator", f"uk={tiny_translators['uk']}"]
    result = runner.invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "translations": {"uk": "Привіт"},
        "warnings": [{"code": "wrong_language", "lang": "uk", "detail": "looks like ru"}],
    }


def test_an_unknown_target_language_says_no_model_is_known(runner):
    # HF_HUB_OFFLINE=1 (conftest): the default model cannot be had either way.
    result = runner.invoke(app, ["translate", "Hello.", "--to", "xx", "--device", "cpu"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    message = result.stderr
    assert "No translation model known for 'xx'" in message and "uk, ur" in message
    assert "--translator xx=MODEL" in message and "models download" not in message


def test_a_known_target_without_its_model_keeps_the_download_advice(runner):
    result = runner.invoke(app, ["translate", "Hello.", "--to", "de", "--device", "cpu"])
    assert result.exit_code == 1
    assert "opus-mt-en-de" in result.stderr and "No translation model known" not in result.stderr


def test_a_prompt_for_a_bart_summariser_is_ignored_with_a_warning(tiny_summarizer, caplog):
    options = BriefOptions(summarizer=tiny_summarizer, languages=(), device="cpu")
    article = parse_article(paragraph(3))
    prompted = Briefer(options.replace(prompt="brief"))
    with caplog.at_level(logging.WARNING, logger="briefly"):
        assert prompted.brief(article).text == Briefer(options).brief(article).text
        prompted.brief(article)
    assert caplog.text.count("the prompt is ignored") == 1 and "bart summariser" in caplog.text


@pytest.mark.parametrize(
    "command", ["brief", "extract", "translate", "batch", "serve", "models download"]
)
def test_help_names_arguments_and_values_plainly(runner, command):
    text = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"}).stdout
    for typer_style in ("{SOURCE}", "<str>", "<int>", "<float>", "<list[", " range>"):
        assert typer_style not in text


def test_extract_json_reports_the_detected_language(runner, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(paragraph(4), encoding="utf-8")
    result = runner.invoke(app, ["extract", str(article), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["language"] == "en"


def test_ray_is_started_with_its_cpp_logging_quiet_unless_debugging(monkeypatch):
    from briefly.batch import ray_cluster

    seen = {}

    def init(**kwargs):
        seen.update(kwargs, level=os.environ.get("RAY_BACKEND_LOG_LEVEL"))

    context = SimpleNamespace(enable_progress_bars=True)
    data = SimpleNamespace(DataContext=SimpleNamespace(get_current=lambda: context))
    fake_ray = SimpleNamespace(init=init, data=data)
    monkeypatch.setattr(ray_cluster.logger, "isEnabledFor", lambda level: level > logging.DEBUG)
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if "RAY" not in k})
    ray_cluster._init(fake_ray, None)
    assert seen["level"] == "fatal" and seen["log_to_driver"] is False
    os.environ["RAY_BACKEND_LOG_LEVEL"] = "debug"  # the user's own choice stands
    ray_cluster._init(fake_ray, None)
    assert seen["level"] == "debug"


def test_serve_benchmark_writes_to_the_results_folder_not_the_checkout(monkeypatch, tmp_path):
    from benchmarks import serve

    sides = [serve.Side(s, (s / 32,) * 32, 768, calls) for s, calls in ((16, 32), (3, 2), (2, 1))]
    models = SimpleNamespace(kind="tiny", paths={"translator:uk": str(tmp_path)})
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(serve, "model_set", lambda *_a: models)
    monkeypatch.setattr(serve, "mixed_sentences", lambda n: ["x"] * n)
    monkeypatch.setattr(serve, "Server", lambda *_a, **_k: contextlib.nullcontext())
    monkeypatch.setattr(serve, "measure", lambda *_a: [serve.Round(*sides)])
    monkeypatch.setattr(serve, "environment", lambda *_a: {})
    tracked = Path(serve.__file__).parent / "results" / "serve"
    before = {p: p.read_bytes() for p in tracked.glob("*")}
    args = SimpleNamespace(
        requests=32,
        rounds=1,
        models="tiny",
        replica_dir=tmp_path,
        batch_wait_ms=10.0,
        machine="test-machine",
        out=None,
        device="cpu",
        backend="ct2",
        compute_type=None,
        retries=True,
    )
    assert serve.run(args) == 0
    written = tmp_path / ".cache" / "briefly" / "benchmarks" / "test-machine" / "serve.jsonl"
    assert json.loads(written.read_text())["benchmark"] == "serve"
    assert {p: p.read_bytes() for p in tracked.glob("*")} == before
