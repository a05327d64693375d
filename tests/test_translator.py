"""The translator with a tiny real Marian model: batching keeps order and output."""

import pytest

from briefly.models.engines import load_engine
from briefly.stages.translator import Translator

SENTENCES = [
    "The government announced a new budget on Monday.",
    "Prices rose.",
    "Thousands of people gathered in the main square of the capital to protest against the "
    "decision of the city council to close three hospitals and two schools.",
    "Rain is expected tomorrow.",
    "The minister said talks would continue next week in Geneva.",
]


@pytest.fixture(scope="module")
def translator(tiny_translators):
    return Translator(load_engine(str(tiny_translators["uk"]), device="cpu", backend="torch"), "uk")


def test_deterministic_batched_translation_equals_one_by_one_in_order(translator):
    translator = Translator(translator.engine, "uk", deterministic=True)
    text = " ".join(SENTENCES)
    batched = translator.translate([text])[0]
    one_by_one = " ".join(translator.translate([s])[0] for s in SENTENCES)
    assert batched == one_by_one


def test_several_texts_keep_their_paragraphs(translator):
    texts = ["\n\n".join(SENTENCES[:2]), SENTENCES[2], "\n\n".join(SENTENCES[3:])]
    outputs = translator.translate(texts)
    assert [o.count("\n\n") for o in outputs] == [1, 0, 1]
    assert outputs[1] == translator.translate([SENTENCES[2]])[0]


def test_output_length_is_bounded_by_input_length(translator, monkeypatch):
    texts = ["Hi.", " ".join(["word"] * 40)]
    lengths = translator._count(texts)
    seen = []
    generate = translator.engine.generate

    def spy(pieces, settings, max_new_tokens=None, languages=None):
        seen.extend(max_new_tokens)
        return generate(pieces, settings, max_new_tokens, languages)

    monkeypatch.setattr(translator.engine, "generate", spy)
    translator.translate(["\n\n".join(texts)])
    assert len(seen) >= 2
    for bound, length in zip(seen[:2], lengths, strict=True):
        assert 2 * length + 16 <= bound < 2 * length + 16 + 64 and bound % 64 == 0
    # The bound reaches generation: a tighter one gives a shorter output.
    short = generate(texts[1:], translator.engine.settings, [4])[0]
    longer = generate(texts[1:], translator.engine.settings, [64])[0]
    assert len(short) < len(longer)
