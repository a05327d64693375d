"""Tiny decoder-only chat models (Llama, Qwen2, Qwen3), built from scratch.

Each is the family's real model class with random weights, a byte-level BPE tokenizer trained
on generated news and briefly's prompts, and a chat template in the family's format, so it
loads with AutoTokenizer/AutoModelForCausalLM like the hub model.
"""

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    GenerationConfig,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
    Qwen3Config,
    Qwen3ForCausalLM,
)

from briefly.models.prompts import available_prompts, load_prompt
from tests.support.text import news_corpus

CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}</s>\n"
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
# Qwen's ChatML (without Qwen2.5's default system turn, which would fill the tiny window).
CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
CAUSAL_POSITIONS = 192
CAUSAL_NEW_TOKENS = 12
_SIZES = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": CAUSAL_POSITIONS,
}


def training_text() -> list[str]:
    # The templates' own words too, so that prompts tokenise like real text.
    prompts = [load_prompt(name).text for name in available_prompts()]
    return [p for article in news_corpus(40) for p in article.split("\n\n")] + prompts


def _tokenizer(special_tokens: list[str], **roles: str) -> PreTrainedTokenizerFast:
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=700,
        special_tokens=special_tokens,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator(training_text(), trainer)
    return PreTrainedTokenizerFast(tokenizer_object=bpe, **roles)


def _save(out: Path, tokenizer, model_class, config, generation: GenerationConfig) -> Path:
    tokenizer.save_pretrained(out)
    torch.manual_seed(0)
    model = model_class(config)
    model.generation_config = generation
    model.save_pretrained(out)
    return out


def build_tiny_llama(out: Path) -> Path:
    """A LlamaForCausalLM with a byte-level BPE tokenizer and a chat template, no pad token."""
    out.mkdir(parents=True)
    tokenizer = _tokenizer(
        ["<s>", "</s>", "<|user|>", "<|assistant|>"], bos_token="<s>", eos_token="</s>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(vocab_size=len(tokenizer), bos_token_id=0, eos_token_id=1, **_SIZES)
    # Chat models ship sampling settings and a max_length that counts the prompt;
    # briefly decodes greedily and bounds the reply alone.
    generation = GenerationConfig(
        bos_token_id=0,
        eos_token_id=1,
        do_sample=True,
        temperature=0.7,
        top_p=0.9,
        max_length=4096,
        max_new_tokens=CAUSAL_NEW_TOKENS,
        min_new_tokens=4,
    )
    return _save(out, tokenizer, LlamaForCausalLM, config, generation)


def build_tiny_qwen(out: Path, version: int = 2) -> Path:
    """Qwen2 (or, with ``version=3``, Qwen3: per-head query/key norms) laid out as Qwen2.5-
    Instruct is: no BOS token, ChatML, two end tokens, a repetition penalty, rope_theta 1e6."""
    out.mkdir(parents=True)
    tokenizer = _tokenizer(
        ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
    )
    tokenizer.chat_template = CHATML_TEMPLATE
    config_class, model_class = {
        2: (Qwen2Config, Qwen2ForCausalLM),
        3: (Qwen3Config, Qwen3ForCausalLM),
    }[version]
    config = config_class(
        vocab_size=len(tokenizer),
        eos_token_id=2,
        tie_word_embeddings=True,
        rope_theta=1e6,
        # Wider than the default initialisation, so that random replies vary.
        initializer_range=0.2,
        **_SIZES,
    )
    generation = GenerationConfig(
        eos_token_id=[2, 0],  # <|im_end|> and <|endoftext|>, as Qwen2.5-Instruct's
        pad_token_id=0,
        do_sample=True,
        temperature=0.7,
        top_p=0.8,
        top_k=20,
        repetition_penalty=1.05,
        max_new_tokens=CAUSAL_NEW_TOKENS,
    )
    return _save(out, tokenizer, model_class, config, generation)
