import pytest

from briefly.errors import ModelError, UsageError
from briefly.models.hub import (
    model_path,
    parse_languages,
    parse_translator_overrides,
    resolve_device,
    translator_name,
)


def test_parse_languages():
    assert parse_languages("uk,ru,hi") == ("uk", "ru", "hi")
    assert parse_languages(" UK , de,uk") == ("uk", "de")
    assert parse_languages("none") == ()


@pytest.mark.parametrize("value", ["english", "u", "uk,12", "uk;ru"])
def test_parse_languages_rejects_non_codes(value):
    with pytest.raises(UsageError, match="not a language code"):
        parse_languages(value)


def test_translator_overrides_and_default_names():
    overrides = parse_translator_overrides(["uk=/models/uk", "de=org/model"])
    assert overrides == {"uk": "/models/uk", "de": "org/model"}
    assert translator_name("uk", overrides) == "/models/uk"
    assert translator_name("fr", overrides) == "Helsinki-NLP/opus-mt-en-fr"
    with pytest.raises(UsageError, match="LANG=MODEL"):
        parse_translator_overrides(["Helsinki-NLP/opus-mt-en-uk"])


def test_resolve_device_on_a_cpu_machine():
    import torch

    assert resolve_device("cpu") == "cpu"
    if not torch.cuda.is_available():
        assert resolve_device("auto") == "cpu"
        with pytest.raises(UsageError, match="use device cpu"):
            resolve_device("cuda")
    with pytest.raises(UsageError):
        resolve_device("tpu")


def test_missing_local_directory_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="No model directory"):
        model_path(str(tmp_path / "nope" / "model"))
    with pytest.raises(ModelError, match="config.json"):
        model_path(str(tmp_path))


@pytest.mark.parametrize(
    "name", ["Qwen/Qwen2.5-0.5B-Instruct", "meta-llama/Llama-3.2-1B-Instruct", "google/mt5-base"]
)
def test_hub_ids_with_dots_are_hub_ids_not_paths(tmp_path, monkeypatch, name):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE=1 forbids downloading it"):
        model_path(name, local_files_only=True)


def test_uncached_hub_model_offline_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    # The tests run with HF_HUB_OFFLINE=1, so the message names that variable as the reason.
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE=1 forbids downloading it"):
        model_path("Helsinki-NLP/opus-mt-en-uk", local_files_only=True)


@pytest.mark.parametrize(
    ("role", "command"),
    [
        ("summarizer", "briefly models download --summarizer org/model --to none"),
        (
            "translator:uk",
            "briefly models download --summarizer extractive --to uk --translator uk=org/model",
        ),
        (
            "translator:ru-en",
            "briefly models download --summarizer extractive --to none "
            "--translator ru-en=org/model",
        ),
    ],
)
def test_an_unreachable_model_names_the_download_that_fetches_it(monkeypatch, role, command):
    from briefly.models import hub as models

    monkeypatch.setattr(models, "_offline", lambda: False)
    error = models._not_available("org/model", role, "no network")
    assert f"run `{command}` where huggingface.co is reachable" in str(error)
