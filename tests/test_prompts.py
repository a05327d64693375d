"""Prompt templates, model families, and the models that need prompts: T5 and chat models.

The tiny T5 and Llama models are built here at test time (random weights, tokenizers trained
on generated news) and load like hub checkpoints.
"""

import io
import json
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import sentencepiece
import torch
from transformers import (
    AutoConfig,
    BartConfig,
    GenerationConfig,
    GPT2Config,
    LlamaConfig,
    MarianConfig,
    MT5Config,
    PegasusConfig,
    Qwen2Config,
    T5Config,
    T5ForConditionalGeneration,
    T5Tokenizer,
)

from briefly.errors import UsageError
from briefly.models.engines import load_engine
from briefly.models.engines.causal_engine import CausalEngine
from briefly.models.engines.hf_model import DEFAULT_MAX_NEW_TOKENS
from briefly.models.engines.torch_engine import TorchEngine
from briefly.models.prompts import (
    DEFAULT_PROMPTS,
    PLACEHOLDERS,
    available_prompts,
    default_prompt,
    load_prompt,
    model_family,
)
from briefly.stages.summarizer import Summarizer
from tests.support.causal import (
    CAUSAL_NEW_TOKENS,
    CAUSAL_POSITIONS,
    training_text,
)
from tests.support.text import news_article

PROMPT_FILES = sorted((Path(__file__).parents[1] / "prompts").glob("*.txt"))


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    # Models this small gain nothing from intra-op threads, and on a busy machine
    # waiting for them costs seconds per generate call.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


def test_every_prompt_file_ships_with_the_package():
    assert PROMPT_FILES
    assert available_prompts() == tuple(sorted(path.stem for path in PROMPT_FILES))


@pytest.mark.parametrize("path", PROMPT_FILES, ids=lambda path: path.stem)
def test_template_renders_with_every_placeholder_filled(path):
    prompt = load_prompt(path.stem)
    article = "KYIV - The council {met} on Monday.\n\nIt agreed a budget."
    text = prompt.render(article, max_words=42, language="English")
    assert "article" in prompt.placeholders
    assert set(prompt.placeholders) <= set(PLACEHOLDERS)
    assert article in text
    assert "{" not in text.replace(article, "") and "}" not in text.replace(article, "")
    assert not text.startswith("#") and text == text.strip()
    if "max_words" in prompt.placeholders:
        assert "42" in text
    if "language" in prompt.placeholders:
        assert "English" in text


def test_unknown_prompt_name_lists_the_shipped_ones():
    with pytest.raises(UsageError) as caught:
        load_prompt("haiku")
    message = str(caught.value)
    assert "haiku" in message
    assert all(name in message for name in available_prompts())


def test_missing_prompt_file_is_named_as_a_file(tmp_path):
    with pytest.raises(UsageError, match=r"^No prompt file at .*my-prompt\.txt: check the path"):
        load_prompt(str(tmp_path / "my-prompt.txt"))


def test_prompt_from_a_file(tmp_path):
    path = tmp_path / "terse.txt"
    path.write_text(
        "# My own prompt.\n# Two comment lines.\n\n"
        'In {language}, {max_words} words at most, as JSON {{"brief": ...}}:\n{article}\n',
        encoding="utf-8",
    )
    prompt = load_prompt(str(path))
    assert prompt.name == "terse"
    assert prompt.placeholders == ("language", "max_words", "article")
    rendered = prompt.render("A storm hit {Odesa}.", max_words=20, language="English")
    assert rendered == 'In English, 20 words at most, as JSON {"brief": ...}:\nA storm hit {Odesa}.'


@pytest.mark.parametrize(
    ("template", "complaint"),
    [
        ("Summarise {article} in {style}.", "{style}"),
        ("Summarise {article[0]}.", "{article[0]}"),
        ("Summarise this.", "{article}"),
        ("Summarise {article.", "literal braces"),
    ],
)
def test_bad_template_file_says_what_is_wrong(tmp_path, template, complaint):
    path = tmp_path / "bad.txt"
    path.write_text(template, encoding="utf-8")
    with pytest.raises(UsageError, match=r"Prompt 'bad'") as caught:
        load_prompt(str(path))
    assert complaint in str(caught.value)


# ---------------------------------------------------------------------------------------------
# Model families
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "family"),
    [
        (BartConfig(), "seq2seq"),
        (MarianConfig(), "seq2seq"),
        (PegasusConfig(), "seq2seq"),
        (T5Config(), "t5"),
        (MT5Config(name_or_path="google/mt5-small"), "t5"),
        (T5Config(name_or_path="google/flan-t5-base"), "flan-t5"),
        (T5Config(name_or_path="/models/FLAN-T5-large"), "flan-t5"),
        (LlamaConfig(), "causal"),
        (Qwen2Config(), "causal"),
        (GPT2Config(), "causal"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_model_family(config, family):
    assert model_family(config) == family


def test_every_family_defaults_to_a_shipped_prompt_or_none():
    assert default_prompt("seq2seq") is None
    for family in DEFAULT_PROMPTS:
        assert default_prompt(family) in (*available_prompts(), None)


# ---------------------------------------------------------------------------------------------
# T5 with a prompt
# ---------------------------------------------------------------------------------------------


def build_tiny_t5(out: Path) -> Path:
    """A T5ForConditionalGeneration with T5's token layout and a trained SentencePiece vocab."""
    out.mkdir(parents=True)
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(training_text()),
        model_writer=model,
        model_type="unigram",
        vocab_size=600,
        hard_vocab_limit=False,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        character_coverage=1.0,
        minloglevel=2,
    )
    spm = sentencepiece.SentencePieceProcessor(model_proto=model.getvalue())
    pieces = [(spm.id_to_piece(i), spm.get_score(i)) for i in range(spm.get_piece_size())]
    # 64 tokens, so that a few paragraphs need chunking.
    tokenizer = T5Tokenizer(vocab=pieces, extra_ids=0, model_max_length=64)
    tokenizer.save_pretrained(out)
    # Like real T5 configs, this one has no max_position_embeddings: positions are relative.
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_kv=8,
        d_ff=64,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    torch.manual_seed(0)
    t5 = T5ForConditionalGeneration(config)
    t5.generation_config = GenerationConfig(
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0, max_length=16, min_length=4
    )
    t5.save_pretrained(out)
    return out


def _record_inputs(engine, monkeypatch) -> list[str]:
    """The texts ``engine.generate`` receives from now on, in call order."""
    inputs: list[str] = []
    generate = engine.generate

    def recording(texts, *args):
        inputs.extend(texts)
        return generate(texts, *args)

    monkeypatch.setattr(engine, "generate", recording)
    return inputs


@pytest.fixture(scope="module")
def tiny_t5(tmp_path_factory):
    return build_tiny_t5(tmp_path_factory.mktemp("models") / "tiny-t5")


@pytest.mark.parametrize("name", ["t5", "flan"])
def test_t5_summarises_prompted_chunks_that_fit(tiny_t5, name, monkeypatch):
    engine = TorchEngine(tiny_t5, "cpu")
    prompt = load_prompt(name)
    inputs = _record_inputs(engine, monkeypatch)
    summarizer = Summarizer(engine, max_words=30, prompt=prompt)
    article = news_article(120, seed=3)

    (summary,) = summarizer.summarize([article])

    chunks = summarizer.chunk(article)
    assert summary.chunks == len(chunks) > 1
    assert inputs[: len(chunks)] == [prompt.render(c, max_words=30) for c in chunks]
    assert max(engine.count_tokens(inputs)) <= engine.max_input_tokens == 64
    assert summary.text


# ---------------------------------------------------------------------------------------------
# Decoder-only chat models
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def causal(tiny_llama):
    return CausalEngine(tiny_llama, "cpu")


def _longest_fitting(engine, text: str) -> str:
    """The longest run of ``text``'s first words that fits the engine's input window."""
    words = text.split()
    while engine.count_tokens([" ".join(words)])[0] > engine.max_input_tokens:
        words.pop()
    return " ".join(words)


def test_load_engine_picks_the_engine_for_the_model_family(tiny_llama, tiny_t5):
    assert isinstance(load_engine(str(tiny_llama), device="cpu", backend="torch"), CausalEngine)
    assert type(load_engine(str(tiny_t5), device="cpu", backend="torch")) is TorchEngine
    assert model_family(AutoConfig.from_pretrained(tiny_llama)) == "causal"


def test_causal_window_leaves_room_for_the_reply(causal):
    assert causal.settings.new_token_limit() == CAUSAL_NEW_TOKENS
    assert causal.settings.max_length is None  # the model's 4096 counts the prompt too
    assert causal.max_input_tokens == CAUSAL_POSITIONS - CAUSAL_NEW_TOKENS


def test_causal_reply_bound_defaults_to_at_most_half_the_window(tiny_llama, tmp_path):
    model = tmp_path / "no-max-new-tokens"
    shutil.copytree(tiny_llama, model)
    config = json.loads((model / "generation_config.json").read_text())
    del config["max_new_tokens"], config["min_new_tokens"]
    (model / "generation_config.json").write_text(json.dumps(config))
    engine = CausalEngine(model, "cpu")
    limit = min(DEFAULT_MAX_NEW_TOKENS, CAUSAL_POSITIONS // 2)
    assert engine.settings.new_token_limit() == limit
    assert engine.max_input_tokens == CAUSAL_POSITIONS - limit


def test_causal_reply_stops_at_the_window_end_and_ignores_sampling(causal, monkeypatch, caplog):
    bounds = []
    generate_batch = causal._generate_batch

    def recording(texts, settings, languages):
        bounds.extend([settings.new_token_limit()] * len(texts))
        return generate_batch(texts, settings, languages)

    monkeypatch.setattr(causal, "_generate_batch", recording)
    short, long = "Rain in Lviv.", _longest_fitting(causal, news_article(100, seed=1))
    n_long = causal.count_tokens([long])[0]
    assert CAUSAL_POSITIONS - n_long < 40
    wordy = replace(causal.settings, max_new_tokens=40)  # a long brief asks for more room

    with caplog.at_level(logging.WARNING, logger="transformers"):
        causal.generate([short, long], wordy)

    assert sorted(bounds) == [CAUSAL_POSITIONS - n_long, 40]
    # No sampling settings or prompt-counting max_length leak in from the model's config.
    assert not [r for r in caplog.records if r.name.startswith("transformers.generation")]


def test_causal_token_counts_include_the_chat_template(causal):
    templated = "<s><|user|>\nRain in Lviv.</s>\n<|assistant|>\n"
    expected = len(causal.tokenizer(templated, add_special_tokens=False)["input_ids"])
    assert causal.count_tokens(["Rain in Lviv."]) == [expected]


def test_causal_batch_equals_one_by_one_and_replies_exclude_the_prompt(causal):
    texts = [_longest_fitting(causal, news_article(n, seed=n)) for n in (15, 30, 100)]
    assert len(set(causal.count_tokens(texts))) == 3  # left padding is exercised

    together = causal.generate(texts, causal.settings)
    alone = [causal.generate([text], causal.settings)[0] for text in texts]

    assert together == alone
    for text, reply in zip(texts, together, strict=True):
        # The prompt is longer than any reply may be, so a reply cannot contain it.
        assert reply and len(reply.split()) <= CAUSAL_NEW_TOKENS < len(text.split())
        assert "<|assistant|>" not in reply and text[:40] not in reply


def test_causal_model_without_chat_template_gets_the_raw_text(tiny_llama):
    engine = CausalEngine(tiny_llama, "cpu")
    engine.tokenizer.chat_template = None
    assert engine.count_tokens(["Rain in Lviv."]) == [
        len(engine.tokenizer("Rain in Lviv.")["input_ids"])
    ]
    (reply,) = engine.generate(["Rain in Lviv."], engine.settings)
    assert reply and "Rain in Lviv." not in reply


def test_causal_summariser_wraps_chunks_in_the_brief_prompt(causal, monkeypatch):
    inputs = _record_inputs(causal, monkeypatch)
    summarizer = Summarizer(causal, prompt=load_prompt("brief"))
    (summary,) = summarizer.summarize([news_article(200, seed=5)])
    assert summary.chunks > 1 and summary.text
    assert all(text.startswith("Write a brief") for text in inputs)
    assert max(causal.count_tokens(inputs)) <= causal.max_input_tokens
    # The prompt asks for as many words as the reply may hold in tokens.
    assert f"at most {summarizer.prompt_words} words" in inputs[0]


def test_tiny_models_are_saved_like_hub_checkpoints(tiny_llama, tiny_t5):
    assert (tiny_llama / "chat_template.jinja").is_file()
    assert "max_position_embeddings" not in json.loads((tiny_t5 / "config.json").read_text())
