"""A text's output does not depend on which texts share its batch (docs/batch.md)."""

import pytest

from briefly.models.engines.torch_engine import TorchEngine
from briefly.models.token_batches import token_budget_batches

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


def test_output_alone_equals_output_with_partners_of_other_lengths(model_dir):
    for engine in _engines(model_dir):
        alone = engine.generate([TEXT], engine.settings)
        for partner in PARTNERS:
            assert engine.generate([partner, TEXT], engine.settings)[1:] == alone
        assert engine.generate([*PARTNERS, TEXT, TEXT], engine.settings)[-2:] == alone * 2


def test_ct2_never_pads_a_text_to_a_partners_length(tiny_translators, monkeypatch):
    engine = CT2Engine(tiny_translators["uk"], "cpu")
    texts = [TEXT, *PARTNERS, TEXT]
    calls: list[list[int]] = []
    translator = engine.translator

    class Spy:
        def translate_batch(self, tokens, **options):
            calls.append([len(t) for t in tokens])
            return translator.translate_batch(tokens, **options)

    monkeypatch.setattr(engine, "translator", Spy())
    engine.generate(texts, engine.settings)
    assert all(len(set(lengths)) == 1 for lengths in calls)
    assert sorted(len(c) for c in calls) == [1, 1, 1, 2]  # the two equal texts share a call


def test_equal_length_batches_group_only_equal_lengths_within_budget():
    lengths = [5, 7, 5, 7, 7, 3]
    batches = token_budget_batches(lengths, max_tokens=14, equal_lengths=True)
    assert batches == [[1, 3], [4], [0, 2], [5]]
