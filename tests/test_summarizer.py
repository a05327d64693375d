"""The summariser with a tiny real BART model: chunking never drops text."""

import pytest

from briefly.models.engines import load_engine
from briefly.stages.summarizer import Summarizer
from briefly.stages.text import paragraphs, sentences


@pytest.fixture(scope="module")
def summarizer(tiny_summarizer):
    return Summarizer(load_engine(str(tiny_summarizer), device="cpu", backend="torch"))


def long_article(n_paragraphs=30):
    return "\n\n".join(
        f"Officials in region {i} said on Monday that {i * 7} new schools would open. "
        f"The plan, announced by minister number {i}, costs {i * 3} million. "
        "Critics said the money came too late for families."
        for i in range(n_paragraphs)
    )


def test_chunks_cover_every_sentence_exactly_once_and_fit(summarizer):
    text = long_article()
    chunks = summarizer.chunk(text)
    assert len(chunks) > 1
    original = [s for p in paragraphs(text) for s in sentences(p)]
    assert " ".join(chunks) == " ".join(original)
    counts = summarizer.engine.count_tokens(chunks)
    assert max(counts) <= summarizer.engine.max_input_tokens


def test_run_on_text_without_sentence_breaks_is_split_not_cut(summarizer):
    text = " ".join(f"word{i}" for i in range(3000))
    chunks = summarizer.chunk(text)
    assert " ".join(chunks) == text
    assert max(summarizer.engine.count_tokens(chunks)) <= summarizer.engine.max_input_tokens


def test_long_article_is_summarised_in_chunks(summarizer):
    short, long = summarizer.summarize(
        ["The council met on Monday. It agreed a budget.", long_article()]
    )
    assert short.chunks == 1 and short.text
    assert long.chunks == len(summarizer.chunk(long_article())) > 1
    assert long.text


def test_batched_summaries_equal_single_ones(summarizer):
    texts = [
        long_article(3),
        "A short note about rain in the city. Roads were closed.",
        long_article(12),
    ]
    together = summarizer.summarize(texts)
    alone = [summarizer.summarize([t])[0] for t in texts]
    assert together == alone


def test_a_prompt_that_fills_the_window_is_a_usage_error(summarizer):
    from briefly.errors import UsageError
    from briefly.models.prompts import parse_prompt

    engine = summarizer.engine
    filler = " ".join(["Summarise the news below carefully."] * engine.max_input_tokens)
    prompt = parse_prompt("long", f"{filler}\n{{article}}\n")
    with pytest.raises(UsageError, match="use a shorter --prompt or a summariser with a longer"):
        Summarizer(engine, prompt=prompt)
