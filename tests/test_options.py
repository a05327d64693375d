"""Options are checked before any model loads: bad values and missing models fail at once."""

import itertools
import logging
import subprocess
import sys

import pytest

from briefly import Briefer, BriefOptions, ModelError, UsageError, parse_article
from briefly.results import Brief


def test_options_round_trip_through_plain_values():
    options = BriefOptions(languages=("UK", "ru"), translators={"uk": "dir"}, max_words=40)
    assert options.languages == ("uk", "ru")
    assert BriefOptions.from_dict(options.to_dict()) == options
    assert options.replace(length="short").length == "short"


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"device": "tpu"}, "device 'tpu'"),
        ({"backend": "foo"}, "backend 'foo'"),
        ({"compute_type": "int4"}, "compute type 'int4'"),
        ({"languages": ("english",)}, "not a language code"),
        ({"max_words": 0}, "positive"),
    ],
)
def test_bad_values_are_usage_errors_that_name_no_flag(changes, expected):
    with pytest.raises(UsageError, match=expected) as raised:
        BriefOptions(**changes)
    assert "--" not in str(raised.value)


def test_unknown_option_key_is_a_usage_error():
    with pytest.raises(UsageError, match="Unknown brief option 'colour'"):
        BriefOptions.from_dict({"colour": "red"})


@pytest.fixture
def no_loading(monkeypatch):
    """Make any model load fail the test: check() must decide without one."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("check() loaded a model")

    monkeypatch.setattr("briefly.pipeline.load_engine", refuse)


def test_check_passes_local_models_without_loading_them(
    no_loading, tiny_summarizer, tiny_translators
):
    options = BriefOptions(
        summarizer=str(tiny_summarizer),
        languages=("uk",),
        translators={"uk": str(tiny_translators["uk"])},
        device="cpu",
    )
    Briefer(options).check()


def test_cuda_without_a_cuda_device(no_loading, monkeypatch):
    monkeypatch.setattr("briefly.models.hub.cuda_device_count", lambda _backend: 0)
    options = BriefOptions(summarizer="extractive", languages=(), device="cuda")
    with pytest.raises(UsageError, match="no CUDA device"):
        Briefer(options).check()


def test_ct2_backend_without_ctranslate2(no_loading, monkeypatch):
    monkeypatch.setattr("briefly.stages.preflight.ct2_available", lambda: False)
    options = BriefOptions(summarizer="extractive", languages=(), device="cpu", backend="ct2")
    with pytest.raises(UsageError, match="needs CTranslate2"):
        Briefer(options).check()


def test_compute_type_must_suit_the_backend(no_loading):
    torch_options = BriefOptions(
        summarizer="extractive", languages=(), device="cpu", backend="torch", compute_type="int8"
    )
    with pytest.raises(UsageError, match="ct2 backend only"):
        Briefer(torch_options).check()
    pytest.importorskip("ctranslate2")
    gpu_type = torch_options.replace(backend="ct2", compute_type="int8_float16")
    with pytest.raises(UsageError, match="not supported on cpu"):
        Briefer(gpu_type).check()


def test_missing_models_name_themselves_and_the_right_way_out(no_loading, tmp_path):
    folder = tmp_path / "nothing-here"
    with pytest.raises(ModelError, match="nothing-here"):
        Briefer(BriefOptions(summarizer=str(folder), languages=(), device="cpu")).check()
    # Tests run with HF_HUB_OFFLINE=1 and an empty cache for this id.
    options = BriefOptions(summarizer="extractive", languages=("de",), device="cpu")
    with pytest.raises(ModelError) as raised:
        Briefer(options).check()
    message = str(raised.value)
    assert "Helsinki-NLP/opus-mt-en-de" in message and "HF_HUB_OFFLINE" in message
    assert "extractive" not in message
    with pytest.raises(ModelError, match="extractive"):
        Briefer(BriefOptions(summarizer="no-org/no-model", languages=(), device="cpu")).check()


def test_prompt_with_the_extractive_summariser_is_said_to_be_ignored(no_loading, caplog):
    options = BriefOptions(summarizer="extractive", languages=(), device="cpu", prompt="brief")
    with caplog.at_level(logging.WARNING, logger="briefly"):
        Briefer(options).check()
    assert "prompt is ignored" in caplog.text


def test_check_with_the_default_device_imports_no_torch():
    pytest.importorskip("ctranslate2")
    code = (
        "import sys\n"
        "from briefly import Briefer, BriefOptions\n"
        "Briefer(BriefOptions(summarizer='extractive', languages=())).check()\n"
        "assert 'torch' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_per_article_timings_add_up_to_the_stage(monkeypatch):
    # A clock that ticks one second per reading: every stage lasts exactly one second.
    ticks = itertools.count()
    monkeypatch.setattr("briefly.pipeline.perf_counter", lambda: float(next(ticks)))
    short = "The council met on Monday. It approved the budget. Taxes stay the same."
    long = " ".join([short] * 3)
    articles = [parse_article(text, is_html=False) for text in (short, long)]
    briefs = Briefer(BriefOptions(summarizer="extractive", languages=())).brief_many(articles)
    shares = [b.timings["summarize"] for b in briefs]
    assert sum(shares) == pytest.approx(1.0, abs=0.002)
    assert shares[1] > shares[0]


def test_brief_round_trips_through_its_json_object():
    brief = Brief("a.txt", "T", None, None, "en", "text", {"uk": "т"}, {"summarizer": "x"}, 1)
    data = brief.to_dict()
    assert data["brief"] == "text" and "text" not in data
    assert Brief.from_dict(data | {"_batch": {}}) == brief
