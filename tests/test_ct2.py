"""The CTranslate2 backend: conversion cache, and parity with the torch backend."""

import json
import shutil
from dataclasses import replace

import pytest

pytest.importorskip("ctranslate2")

from briefly.models.engines import choose_backend, load_engine  # noqa: E402
from briefly.models.engines.base import announcing  # noqa: E402
from briefly.models.engines.ct2_engine import CT2Engine, converted_model  # noqa: E402
from briefly.models.engines.torch_engine import TorchEngine  # noqa: E402
from tests.support.torch_free import brief_without_torch  # noqa: E402

TEXTS = [
    "The government announced a new budget on Monday.",
    "Prices rose.",
    "Thousands of people gathered in the main square to protest against the decision.",
    "Rain is expected tomorrow in the north of the country.",
    "The minister said talks would continue next week in Geneva.",
]


@pytest.fixture(autouse=True)
def ct2_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFLY_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "ct2"


def test_float32_greedy_equals_torch(model_dir):
    torch_engine = TorchEngine(model_dir, "cpu")
    ct2_engine = CT2Engine(model_dir, "cpu", "float32")
    greedy = replace(torch_engine.settings, num_beams=1)
    assert ct2_engine.generate(TEXTS, greedy) == torch_engine.generate(TEXTS, greedy)


def test_float32_beam_search_with_model_settings_equals_torch(model_dir):
    torch_engine = TorchEngine(model_dir, "cpu")
    ct2_engine = CT2Engine(model_dir, "cpu", "float32")
    matches = sum(
        a == b
        for a, b in zip(
            ct2_engine.generate(TEXTS, ct2_engine.settings),
            torch_engine.generate(TEXTS, torch_engine.settings),
            strict=True,
        )
    )
    assert matches >= len(TEXTS) - 1


def test_int8_stays_close_to_float32(model_dir):
    """int8 scores float32's own outputs token by token as float32 does.

    Random-weight models give near-uniform distributions, so their greedy outputs are
    near ties that int8's rounding flips at will (comparing outputs measured luck): the
    per-token log-probabilities are what quantization must keep.
    """
    import numpy as np

    float32 = CT2Engine(model_dir, "cpu", "float32")
    int8 = CT2Engine(model_dir, "cpu", "int8")
    source = float32.tokenizer.tokenize(TEXTS)
    results = float32.translator.translate_batch(source, beam_size=1, max_decoding_length=40)
    targets = [result.hypotheses[0] for result in results]

    def log_probs(engine: CT2Engine) -> np.ndarray:
        scored = engine.translator.score_batch(source, targets)
        return np.concatenate([np.array(s.log_probs) for s in scored])

    reference, quantized = log_probs(float32), log_probs(int8)
    assert np.corrcoef(reference, quantized)[0, 1] > 0.8
    # Rounding moves each log-probability a little, never as far as the model's own spread.
    assert np.abs(reference - quantized).mean() < reference.std()


def test_conversion_is_cached_and_reused(tiny_translators, ct2_cache):
    first = converted_model(tiny_translators["uk"], "int8")
    stamp = (first / "model.bin").stat().st_mtime_ns
    assert converted_model(tiny_translators["uk"], "int8") == first
    assert (first / "model.bin").stat().st_mtime_ns == stamp
    assert converted_model(tiny_translators["uk"], "float32") != first
    assert not [p for p in ct2_cache.iterdir() if p.name.startswith(".")]


def test_half_written_conversion_is_redone(tiny_translators):
    first = converted_model(tiny_translators["uk"], "int8")
    with open(first / "model.bin", "r+b") as handle:
        handle.truncate(100)
    again = converted_model(tiny_translators["uk"], "int8")
    assert again == first
    engine = CT2Engine(tiny_translators["uk"], "cpu", "int8")
    assert engine.generate(["Prices rose."], engine.settings)[0]


def test_bart_config_written_by_transformers_v5_converts(tiny_summarizer, tmp_path):
    # Configs saved by transformers v5 lack the legacy keys CTranslate2 reads.
    model = tmp_path / "bart-v5"
    shutil.copytree(tiny_summarizer, model)
    config = json.loads((model / "config.json").read_text())
    for key in ("normalize_before", "add_final_layer_norm", "normalize_embedding"):
        config.pop(key, None)
    (model / "config.json").write_text(json.dumps(config))
    engine = CT2Engine(model, "cpu", "int8")
    assert engine.generate(TEXTS[:2], engine.settings)[0]


def test_auto_picks_ct2_for_bart_and_marian(tiny_summarizer, tiny_translators):
    assert choose_backend("auto", tiny_summarizer) == "ct2"
    assert choose_backend("auto", tiny_translators["hi"]) == "ct2"
    assert choose_backend("torch", tiny_summarizer) == "torch"
    engine = load_engine(str(tiny_translators["ru"]), device="cpu", backend="auto")
    assert engine.backend == "ct2" and engine.compute_type == "int8"


def test_first_conversion_is_announced_once(tiny_translators):
    stages: list[str] = []
    with announcing(stages.append):
        converted_model(tiny_translators["uk"], "int8")
        converted_model(tiny_translators["uk"], "int8")
    assert stages == [f"Converting {tiny_translators['uk'].name} for CTranslate2 (once)"]


def test_default_brief_on_converted_models_imports_neither_torch_nor_transformers(
    tiny_summarizer, tiny_translators, tmp_path
):
    # Converting needs torch; it is done here, once, as a first run would.
    for path in (tiny_summarizer, tiny_translators["uk"]):
        converted_model(path, "int8")
    article = tmp_path / "a.txt"
    article.write_text(" ".join(TEXTS), encoding="utf-8")
    argv = ["brief", str(article), "--summarizer", str(tiny_summarizer)]
    argv += ["--to", "uk", "--translator", f"uk={tiny_translators['uk']}", "-f", "json"]
    assert brief_without_torch(argv)["translations"]["uk"]
