"""Decoder-only instruction models (Llama, Qwen2, Phi, GPT-2 ...) run with PyTorch.

Each text, usually an article already wrapped in a prompt, becomes the user turn of
the tokenizer's chat template; the output is the model's reply without the prompt.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM

from briefly.engines.torch_engine import TorchEngine
from briefly.generation import GenerationSettings, Languages

# Most tokens a reply may take when the model's generation config sets no max_new_tokens
# (a brief is a paragraph), but never more than half the model's window.
DEFAULT_MAX_NEW_TOKENS = 256


class CausalEngine(TorchEngine):
    """A Hugging Face decoder-only model run with ``model.generate``."""

    model_class = AutoModelForCausalLM

    def __init__(
        self,
        path: Path,
        device: str,
        dtype: str | None = None,
        max_batch_tokens: int | None = None,
    ) -> None:
        super().__init__(path, device, dtype, max_batch_tokens)
        # Generation continues from the last column, so batched prompts must all end there.
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            # Most decoder-only tokenizers have no padding token; masked EOS tokens pad as well.
            self.tokenizer.pad_token = self.tokenizer.eos_token
        # generate() fills every unset field from the model's own config, so fields that must
        # not apply are cleared there: max_length and min_length count the prompt too, so only
        # the new-token bounds can limit a reply; and briefs are never sampled, so that runs
        # are repeatable.
        self.generation_config.update(
            max_length=None,
            min_length=None,
            do_sample=False,
            temperature=None,
            top_p=None,
            top_k=None,
        )
        self.model.generation_config = self.generation_config
        settings = GenerationSettings.from_generation_config(self.generation_config)
        limit = settings.max_new_tokens or min(DEFAULT_MAX_NEW_TOKENS, self.max_input_tokens // 2)
        self.settings = replace(settings, max_new_tokens=limit)
        # The prompt and the reply share the model's position window.
        self.window = self.max_input_tokens
        self.max_input_tokens -= limit

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input length of each text in tokens, chat template and special tokens included."""
        if not texts:
            return []
        return [len(ids) for ids in self._encode(texts)["input_ids"]]

    def generate(
        self,
        texts: Sequence[str],
        settings: GenerationSettings,
        max_new_tokens: Sequence[int] | None = None,
        languages: Languages | None = None,
    ) -> list[str]:
        """As :meth:`Engine.generate`, but a reply also stops at the end of the model's window.

        Callers may ask for longer replies than the room kept free (a long brief); each
        text's bound follows from its own length, so batching still changes nothing.
        """
        requested = settings.new_token_limit()
        bounds = [
            min(requested if max_new_tokens is None else max_new_tokens[i], self.window - n)
            for i, n in enumerate(self.count_tokens(texts))
        ]
        return super().generate(texts, settings, bounds, languages)

    def _encode(self, texts: Sequence[str], **kwargs):
        if self.tokenizer.chat_template is None:
            return self.tokenizer(list(texts), **kwargs)
        prompts = self.tokenizer.apply_chat_template(
            [[{"role": "user", "content": text}] for text in texts],
            add_generation_prompt=True,
            tokenize=False,
        )
        # The chat template writes the BOS token itself; the tokenizer must not add another.
        return self.tokenizer(prompts, add_special_tokens=False, **kwargs)

    def _generate_batch(
        self, texts: list[str], settings: GenerationSettings, languages: Languages
    ) -> list[str]:
        # A chat model is told languages in its prompt; it has no language tokens to force.
        del languages
        inputs = self._encode(texts, return_tensors="pt", padding=True).to(self.device)
        # A copy of the model's own config keeps its special-token rules.
        config = copy.deepcopy(self.generation_config)
        config.update(
            num_beams=settings.num_beams,
            length_penalty=settings.length_penalty,
            no_repeat_ngram_size=settings.no_repeat_ngram_size,
            repetition_penalty=settings.repetition_penalty,
            early_stopping=settings.early_stopping,
            max_new_tokens=settings.new_token_limit(),
            min_new_tokens=settings.new_token_minimum(),
            pad_token_id=self.tokenizer.pad_token_id,
        )
        with torch.inference_mode():
            generated = self.model.generate(**inputs, generation_config=config)
        # Left padding puts every prompt's end in the same column; the reply follows it.
        replies = generated[:, inputs["input_ids"].shape[1] :]
        self._tally(replies)
        return self.tokenizer.batch_decode(replies, skip_special_tokens=True)
