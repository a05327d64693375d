"""Decoder-only chat models (Llama, Qwen2, Qwen3) on CTranslate2, against the torch backend."""

import json
import random
import shutil
from dataclasses import replace

import pytest

pytest.importorskip("ctranslate2")

from transformers import AutoTokenizer  # noqa: E402

from briefly.errors import ModelError, UsageError  # noqa: E402
from briefly.models.engines import choose_backend, load_engine  # noqa: E402
from briefly.models.engines.causal_engine import CausalEngine  # noqa: E402
from briefly.models.engines.ct2_causal import CT2CausalEngine  # noqa: E402
from briefly.models.engines.ct2_chat import ChatTemplate, export_chat_template  # noqa: E402
from briefly.models.engines.ct2_engine import converted_model  # noqa: E402
from tests.support.causal import CAUSAL_NEW_TOKENS, CAUSAL_POSITIONS  # noqa: E402
from tests.support.text import news_article  # noqa: E402
from tests.support.torch_free import brief_without_torch  # noqa: E402

FAMILIES = ("llama", "qwen2", "qwen3")
TEXTS = [
    "Rain in Lviv.",
    "The government announced a new budget on Monday, and prices rose.",
    "  Ціни зросли на 3,5% у Києві — «новини».\n\nA literal <|im_end|> and </s> here.  ",
    "Emoji 🚀 and café, naïve façade; 1,024.5 km/h!",
]


# CTranslate2 applies a repetition penalty to the prompt's tokens not quite as transformers
# does (Qwen2.5's 1.05 changes some tiny-model replies), so parity is checked without one.
NO_PENALTY = {"repetition_penalty": 1.0}


def _engines(path):
    """The torch and the CTranslate2 engine of one model, both float32."""
    return CausalEngine(path, "cpu"), CT2CausalEngine(path, "cpu", "float32")


def _longest_fitting(engine, text: str) -> str:
    words = text.split()
    while engine.count_tokens([" ".join(words)])[0] > engine.max_input_tokens:
        words.pop()
    return " ".join(words)


@pytest.mark.parametrize("family", FAMILIES)
def test_float32_greedy_equals_torch(tiny_chat_models, family):
    torch_engine, ct2_engine = _engines(tiny_chat_models[family])
    greedy = replace(torch_engine.settings, num_beams=1, **NO_PENALTY)
    expected = torch_engine.generate(TEXTS, greedy)
    assert ct2_engine.generate(TEXTS, greedy) == expected
    assert all(expected)
    assert ct2_engine.stats.outputs == len(TEXTS) and ct2_engine.stats.tokens > 0


@pytest.mark.parametrize("family", FAMILIES)
def test_float32_beam_search_equals_torch(tiny_chat_models, family):
    torch_engine, ct2_engine = _engines(tiny_chat_models[family])
    beams = replace(torch_engine.settings, num_beams=3, no_repeat_ngram_size=3, **NO_PENALTY)
    assert ct2_engine.generate(TEXTS, beams) == torch_engine.generate(TEXTS, beams)


@pytest.mark.parametrize("family", FAMILIES)
def test_auto_picks_ct2_with_torchs_window_settings_and_tokens(tiny_chat_models, family):
    path = tiny_chat_models[family]
    assert choose_backend("auto", path) == "ct2"
    engine = load_engine(str(path), device="cpu", backend="auto")
    assert isinstance(engine, CT2CausalEngine) and engine.compute_type == "int8"
    torch_engine = CausalEngine(path, "cpu")
    assert engine.family == "causal" and engine.model_type == family
    assert engine.settings == torch_engine.settings
    assert engine.settings.new_token_limit() == CAUSAL_NEW_TOKENS
    assert (engine.window, engine.max_input_tokens) == (
        CAUSAL_POSITIONS,
        torch_engine.max_input_tokens,
    )
    assert engine.count_tokens(TEXTS) == torch_engine.count_tokens(TEXTS)
    assert engine.vocabulary() == torch_engine.vocabulary()


def test_replies_stop_at_the_window_end(tiny_chat_models):
    torch_engine, ct2_engine = _engines(tiny_chat_models["qwen2"])
    long = _longest_fitting(ct2_engine, news_article(100, seed=1))
    room = CAUSAL_POSITIONS - ct2_engine.count_tokens([long])[0]
    assert room < 40
    bounds = []
    generate_batch = ct2_engine._generate_batch

    def recording(texts, settings, languages):
        bounds.extend([settings.new_token_limit()] * len(texts))
        return generate_batch(texts, settings, languages)

    ct2_engine._generate_batch = recording
    # A long brief asks for more room than the longest prompt leaves.
    wordy = replace(ct2_engine.settings, max_new_tokens=40, **NO_PENALTY)
    replies = ct2_engine.generate(["Rain in Lviv.", long], wordy)
    assert sorted(bounds) == [room, 40]
    assert replies == torch_engine.generate(["Rain in Lviv.", long], wordy)
    assert ct2_engine.generate([long], wordy, max_new_tokens=[3]) == torch_engine.generate(
        [long], wordy, max_new_tokens=[3]
    )


def test_decodes_as_transformers(tiny_chat_models):
    path = tiny_chat_models["qwen2"]
    reference = AutoTokenizer.from_pretrained(path)
    engine = CT2CausalEngine(path, "cpu", "float32")
    rng = random.Random(0)
    vocab = sorted(reference.get_vocab())
    outputs = [rng.choices(vocab, k=rng.randint(0, 30)) for _ in range(200)]
    expected = [
        reference.decode(reference.convert_tokens_to_ids(tokens), skip_special_tokens=True)
        for tokens in outputs
    ]
    assert [engine.tokenizer.decode(tokens) for tokens in outputs] == expected


def test_chat_template_is_rendered_as_transformers_renders_it(tiny_chat_models):
    tokenizer = AutoTokenizer.from_pretrained(tiny_chat_models["qwen2"])
    template = ChatTemplate(**export_chat_template(tokenizer))
    assert template.prefix == "<|im_start|>user\n"
    assert template.suffix == "<|im_end|>\n<|im_start|>assistant\n"
    assert not template.strip
    # Llama 3's and Gemma's templates trim the message.
    tokenizer.chat_template = tokenizer.chat_template.replace(
        "{{ m['content'] }}", "{{ m['content'] | trim }}"
    )
    trimmed = ChatTemplate(**export_chat_template(tokenizer))
    assert trimmed.strip
    for text in TEXTS:
        expected = tokenizer.apply_chat_template(
            [{"role": "user", "content": text}], add_generation_prompt=True, tokenize=False
        )
        assert trimmed.render(text) == expected


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ("upper", "does not write the message once as it is"),
        ("replace('.', '!')", "renders messages differently when rebuilt"),
    ],
)
def test_a_template_that_changes_the_message_fails_the_conversion(
    tiny_chat_models, tmp_path, change, error
):
    model = tmp_path / "changed"
    shutil.copytree(tiny_chat_models["qwen2"], model)
    template = model / "chat_template.jinja"
    template.write_text(template.read_text().replace("m['content']", f"m['content'] | {change}"))
    with pytest.raises(ModelError, match=f"{error}\\): use --backend torch$"):
        CT2CausalEngine(model, "cpu", "float32")


def test_thinking_is_switched_off_on_both_backends(tiny_chat_models, tmp_path):
    model = tmp_path / "thinking"
    shutil.copytree(tiny_chat_models["qwen3"], model)
    template = model / "chat_template.jinja"
    # Qwen3's templates open an empty <think> block when told not to think.
    template.write_text(
        template.read_text()
        + "{% if add_generation_prompt and enable_thinking is defined and not enable_thinking %}"
        + "<think>\n\n</think>\n\n{% endif %}"
    )
    torch_engine, ct2_engine = _engines(model)
    prompt = ct2_engine.chat_template.render("Rain in Lviv.")
    assert prompt.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    ids = torch_engine._encode(["Rain in Lviv."])["input_ids"][0]
    assert torch_engine.tokenizer.decode(ids) == prompt


def test_a_model_without_chat_template_gets_the_plain_text(tiny_chat_models, tmp_path):
    model = tmp_path / "plain"
    shutil.copytree(tiny_chat_models["llama"], model)
    (model / "chat_template.jinja").unlink()
    torch_engine, ct2_engine = _engines(model)
    assert torch_engine.tokenizer.chat_template is None
    # The tokenizer's own BOS token starts the plain text.
    assert ct2_engine.count_tokens(TEXTS) == [
        len(ids) for ids in torch_engine.tokenizer(TEXTS)["input_ids"]
    ]
    greedy = replace(torch_engine.settings, num_beams=1)
    assert ct2_engine.generate(TEXTS, greedy) == torch_engine.generate(TEXTS, greedy)


def test_a_decoder_only_family_ct2_does_not_run_stays_on_torch(tiny_chat_models, tmp_path):
    model = tmp_path / "gemma3"
    shutil.copytree(tiny_chat_models["llama"], model)
    config = json.loads((model / "config.json").read_text())
    (model / "config.json").write_text(json.dumps(config | {"model_type": "gemma3_text"}))
    assert choose_backend("auto", model) == "torch"
    with pytest.raises(UsageError, match="not 'gemma3_text': use --backend torch") as raised:
        load_engine(str(model), device="cpu", backend="ct2")
    assert "\n" not in str(raised.value)


def test_brief_with_a_converted_chat_model_imports_neither_torch_nor_transformers(
    tiny_chat_models, tmp_path
):
    converted_model(tiny_chat_models["qwen2"], "int8")  # converting needs torch; done once here
    article = tmp_path / "a.txt"
    article.write_text(news_article(200, seed=5), encoding="utf-8")
    argv = ["brief", str(article), "--summarizer", str(tiny_chat_models["qwen2"])]
    argv += ["--to", "none", "--device", "cpu", "-f", "json"]
    assert brief_without_torch(argv)["brief"]
