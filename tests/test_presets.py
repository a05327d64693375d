"""Quality presets: what each one picks, what overrides it, and the one download command."""

import pytest
from typer.testing import CliRunner

from briefly.cli.app import app
from briefly.errors import UsageError
from briefly.models.hub import translator_name
from briefly.options import PRESETS, ZLE_TRANSLATOR, BriefOptions
from briefly.stages.preflight import download_command


def _translators(options):
    return {lang: translator_name(lang, options.translators) for lang in options.languages}


def test_balanced_is_the_default_and_one_model_serves_uk_and_ru():
    options = BriefOptions()
    assert options.quality == "balanced" and options.summarizer == PRESETS["balanced"].summarizer
    assert _translators(options) == {
        "uk": ZLE_TRANSLATOR,
        "ru": ZLE_TRANSLATOR,
        "hi": "Helsinki-NLP/opus-mt-en-hi",
    }
    assert options.num_beams is None


def test_each_preset_sets_its_models():
    fast = BriefOptions(quality="fast")
    assert fast.summarizer == "sshleifer/distilbart-cnn-6-6" and fast.num_beams is None
    assert _translators(fast)["uk"] == "Helsinki-NLP/opus-mt-en-uk"
    assert _translators(BriefOptions(quality="best"))["hi"] == "facebook/m2m100_1.2B"


def test_given_models_and_beams_override_the_preset_parts():
    options = BriefOptions(
        quality="fast", summarizer="extractive", translators={"uk": "my/uk"}, num_beams=5
    )
    assert options.summarizer == "extractive" and options.num_beams == 5
    assert _translators(options) == {
        "uk": "my/uk",
        "ru": "Helsinki-NLP/opus-mt-en-ru",
        "hi": "Helsinki-NLP/opus-mt-en-hi",
    }
    every = BriefOptions(quality="fast", translators={"*": "facebook/m2m100_418M"})
    assert set(_translators(every).values()) == {"facebook/m2m100_418M"}


def test_a_new_quality_brings_its_preset_but_keeps_what_was_given():
    options = BriefOptions(quality="fast", translators={"hi": "my/hi"})
    best = options.replace(quality="best")
    assert (best.summarizer, best.num_beams) == (PRESETS["best"].summarizer, None)
    assert _translators(best)["uk"] == ZLE_TRANSLATOR and _translators(best)["hi"] == "my/hi"
    assert BriefOptions.from_dict(best.to_dict()) == best


def test_an_unknown_quality_or_beam_width_is_a_usage_error():
    with pytest.raises(UsageError, match="Unknown quality 'great': use one of fast, balanced"):
        BriefOptions(quality="great")
    with pytest.raises(UsageError, match="num_beams must be from 1 to 64"):
        BriefOptions(num_beams=0)


def test_the_download_command_names_only_what_the_preset_does_not():
    assert (
        download_command(BriefOptions(quality="best")) == "briefly models download --quality best"
    )
    options = BriefOptions(languages=("uk",), summarizer="my/sum", translators={"uk": "my uk"})
    assert download_command(options) == (
        "briefly models download --quality balanced --to uk --summarizer my/sum "
        "--translator 'uk=my uk'"
    )


def test_models_download_takes_a_quality(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    result = CliRunner().invoke(app, ["models", "download", "--quality", "fast", "--to", "none"])
    assert result.exit_code == 1
    assert "Fetching sshleifer/distilbart-cnn-6-6" in result.stderr
    assert "Traceback" not in result.output
