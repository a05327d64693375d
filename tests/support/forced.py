"""Tiny models whose output is forced: every decoding step scores the same few tokens.

A copy of a tiny model gets all-zero (tied) embeddings, so that its logits are the output bias
alone, which both transformers and CTranslate2 (which converts the bias) read. With one word
required and the end token far ahead after it, beam search ranks one-word outputs by their
bias: the n-best list is the ``words`` given, in order. Tests use it to put a wrong number
first and the right one behind it.
"""

import shutil
from pathlib import Path

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, GenerationConfig

# Logits: the end token far ahead of the words, each word a little behind the one before.
_END = 30.0
_FIRST = 10.0
_STEP = 1.0


def force_outputs(model: Path, out_dir: Path, words: list[str], first: str | None = None) -> Path:
    """A copy of the tiny BART or Marian ``model`` whose n-best outputs are ``words``, best
    first, each after the word ``first`` where given (the model's forced first token). Every
    word must be a word-initial piece of the vocabulary ("Ġ20" in BART's, "▁20" in Marian's)."""
    shutil.copytree(model, out_dir)
    tokenizer = AutoTokenizer.from_pretrained(out_dir)
    seq2seq = AutoModelForSeq2SeqLM.from_pretrained(out_dir)
    config = seq2seq.config
    vocabulary = tokenizer.get_vocab()
    space = "Ġ" if config.model_type == "bart" else "▁"
    with torch.no_grad():
        seq2seq.get_input_embeddings().weight.zero_()
        bias = torch.zeros_like(seq2seq.final_logits_bias)
        bias[0, config.eos_token_id] = _END
        for rank, word in enumerate(words):
            bias[0, vocabulary[space + word]] = _FIRST - rank * _STEP
        seq2seq.final_logits_bias.copy_(bias)
    # Beam search as the real models decode, with room for a word or two.
    seq2seq.generation_config = GenerationConfig(
        **{key: getattr(seq2seq.generation_config, key) for key in _TOKEN_IDS},
        num_beams=4,
        max_new_tokens=8,
        min_new_tokens=1 if first is None else 2,
        forced_bos_token_id=None if first is None else vocabulary[space + first],
    )
    seq2seq.save_pretrained(out_dir)
    return out_dir


# The special-token rules of the copied model's generation config, kept.
_TOKEN_IDS = (
    "bos_token_id",
    "eos_token_id",
    "pad_token_id",
    "decoder_start_token_id",
    "forced_eos_token_id",
    "bad_words_ids",
)
