"""The quality presets' speed benchmark: which replicas each preset runs, and equal counting."""

import pytest

from benchmarks.models import pinned_view
from benchmarks.plan import Runtime
from benchmarks.presets import NAMES, preset_options
from benchmarks.replicas import BY_HUB_ID
from benchmarks.worker import Task, measure
from briefly.models.hub import translator_name
from briefly.options import ZLE_TRANSLATOR


@pytest.mark.parametrize("name", NAMES)
def test_every_model_of_every_preset_has_a_replica(name):
    options = preset_options(name)
    names = [options.summarizer] + [
        translator_name(lang, options.translators) for lang in options.languages
    ]
    assert set(names) <= set(BY_HUB_ID)


def test_previous_is_balanced_with_the_base_opus_mt_models():
    previous, balanced = preset_options("previous"), preset_options("balanced")
    assert previous.summarizer == balanced.summarizer
    assert translator_name("uk", balanced.translators) == ZLE_TRANSLATOR
    for lang in ("uk", "ru", "hi"):
        assert translator_name(lang, previous.translators) == f"Helsinki-NLP/opus-mt-en-{lang}"


def test_a_model_serving_two_targets_counts_its_work_once(tiny_translators, tmp_path):
    # Short pinned outputs keep it cheap; two views of one model are two engines.
    uk = str(pinned_view(tiny_translators["uk"], 4, tmp_path, "uk"))
    copy = str(pinned_view(tiny_translators["uk"], 4, tmp_path, "copy"))
    articles = ["The council approved the budget on Monday. Work starts in May."]

    def work(ru: str) -> tuple[int, int]:
        # No summariser: the extractive one.
        models = {"translator:uk": uk, "translator:ru": ru}
        runtime = Runtime("torch", "float32")
        task = Task("group", "all", runtime, "cpu", models, articles, retries=[False], num_beams=1)
        (point,) = measure(task).points
        return point.outputs, point.tokens

    # One engine for both targets does the work of two engines, and is counted as much.
    assert work(uk) == work(copy)
