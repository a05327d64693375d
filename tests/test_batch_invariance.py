"""Batching and outputs (docs/batch.md): the same inputs give the same outputs; with
``deterministic`` a text's output does not depend on which texts share its batch; by default
texts of any length share a model call."""

import pytest

from briefly.models.engines.torch_engine import TorchEngine
from briefly.models.token_batches import token_budget_batches
from briefly.stages.text import paragraphs, sentences
from briefly.stages.translator import Translator
from tests.support.text import news_corpus

ctranslate2 = pytest.importorskip("ctranslate2")

from briefly.models.engines.ct2_engine import CT2Engine  # noqa: E402

TEXT = "The minister said talks on the new budget would continue next week in Geneva."
# Partners shorter, as long as and longer than TEXT, up to the tiny models' 128-token limit.
PARTNERS = [
    "Prices rose.",
    "Rain is expected tomorrow in the north of the country, forecasters said.",
    "Thousands of people gathered in the main square to protest against the decision "
    "of the city council, which had voted to close the old market after years of debate, "
    "and many traders said they would go to court.",
]


def _engines(model_dir):
    yield TorchEngine(model_dir, "cpu")
    for compute_type in ("int8", "float32"):
        yield CT2Engine(model_dir, "cpu", compute_type)


def _spy_calls(engine: CT2Engine, monkeypatch) -> list[list[int]]:
    """The input lengths of each CTranslate2 call the engine makes from now on."""
    calls: list[list[int]] = []
    translator = engine.translator

    class Spy:
        def translate_batch(self, tokens, **options):
            calls.append([len(t) for t in tokens])
            return translator.translate_batch(tokens, **options)

    monkeypatch.setattr(engine, "translator", Spy())
    return calls


def _mixed_sentences(count: int) -> list[str]:
    pool = [s for a in news_corpus(40, 1) for p in paragraphs(a) for s in sentences(p)]
    return pool[:: len(pool) // count][:count]


def test_batch_invariant_output_alone_equals_output_with_partners_of_other_lengths(model_dir):
    for engine in _engines(model_dir):
        settings = engine.settings.with_limits(batch_invariant=True)
        alone = engine.generate([TEXT], settings)
        for partner in PARTNERS:
            assert engine.generate([partner, TEXT], settings)[1:] == alone
        assert engine.generate([*PARTNERS, TEXT, TEXT], settings)[-2:] == alone * 2


def test_the_same_inputs_and_settings_give_the_same_outputs(tiny_translators):
    engine = CT2Engine(tiny_translators["uk"], "cpu")
    texts = [TEXT, *PARTNERS]
    first = engine.generate(texts, engine.settings)
    assert engine.generate(texts, engine.settings) == first
    assert engine.generate(texts[::-1], engine.settings) == first[::-1]


def test_batch_invariant_ct2_never_pads_a_text_to_a_partners_length(tiny_translators, monkeypatch):
    engine = CT2Engine(tiny_translators["uk"], "cpu")
    calls = _spy_calls(engine, monkeypatch)
    engine.generate([TEXT, *PARTNERS, TEXT], engine.settings.with_limits(batch_invariant=True))
    assert all(len(set(lengths)) == 1 for lengths in calls)
    assert sorted(len(c) for c in calls) == [1, 1, 1, 2]  # the two equal texts share a call


def test_mixed_lengths_share_calls_by_default_and_not_when_deterministic(
    tiny_translators, monkeypatch
):
    engine = CT2Engine(tiny_translators["uk"], "cpu")
    texts = _mixed_sentences(24)
    lengths = engine.count_tokens(texts)
    assert len(set(lengths)) >= 12  # the job this guards: many lengths
    calls = _spy_calls(engine, monkeypatch)
    by_default = Translator(engine, "uk", retries=False)
    # One call per output bound (a translation's bound grows with its source's length).
    by_default.translate(texts)
    assert len(calls) == len(set(by_default._bounds(texts))) <= 3
    calls.clear()
    Translator(engine, "uk", retries=False, deterministic=True).translate(texts)
    assert len(calls) == len(set(lengths))


def test_equal_length_batches_group_only_equal_lengths_within_budget():
    lengths = [5, 7, 5, 7, 7, 3]
    batches = token_budget_batches(lengths, max_tokens=14, equal_lengths=True)
    assert batches == [[1, 3], [4], [0, 2], [5]]


def test_the_service_translates_requests_of_mixed_lengths_in_few_calls(
    tiny_translators, monkeypatch
):
    from briefly.models.engines import load_engine
    from briefly.options import BriefOptions
    from briefly.serve import work

    path = str(tiny_translators["uk"])
    options = BriefOptions(
        summarizer="extractive",
        languages=("uk",),
        translators={"uk": path},
        device="cpu",
        backend="ct2",
        guard_retries=False,
    )
    engine = load_engine(path, device="cpu", backend="ct2")
    texts = _mixed_sentences(16)
    calls = _spy_calls(engine, monkeypatch)
    requests = [[text] for text in texts]  # sixteen one-sentence /translate requests
    answers = work.run_batch((work.TRANSLATE, options), requests, lambda: False, chunk_tokens=4096)
    assert [len(a) for a in answers] == [1] * len(requests)
    lengths = set(engine.count_tokens(texts))
    assert len(lengths) >= 8
    assert len(calls) <= 3  # one per output bound
    # --deterministic: the same requests, each length in a call of its own.
    calls.clear()
    key = (work.TRANSLATE, options.replace(deterministic=True))
    work.run_batch(key, requests, lambda: False, chunk_tokens=4096)
    assert len(calls) == len(lengths)
