"""Decoder-only instruction models (Llama, Qwen2, Phi, GPT-2 ...) run with PyTorch.

Each text, usually an article already wrapped in a prompt, becomes the user turn of
the tokenizer's chat template; the output is the model's reply without the prompt.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import torch
from transformers import AutoModelForCausalLM

from briefly.models.engines.base import SharedWindow
from briefly.models.engines.hf_model import causal_settings
from briefly.models.engines.torch_engine import TorchEngine
from briefly.models.generation import GenerationSettings, Languages
from briefly.models.prompts import CHAT_TURN


class CausalEngine(SharedWindow, TorchEngine):
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
        self.settings = causal_settings(self.generation_config, self.max_input_tokens)
        self.model.generation_config = self.generation_config
        # The prompt and the reply share the model's position window.
        self.window = self.max_input_tokens
        reply = self.settings.max_new_tokens
        assert reply is not None  # causal_settings always sets the reply limit
        self.max_input_tokens -= reply

    def _encode(self, texts: Sequence[str], **kwargs):
        """The tokenizer's encoding of each text as the user turn of the chat template."""
        if self.tokenizer.chat_template is None:
            return super()._encode(texts, **kwargs)
        prompts = self.tokenizer.apply_chat_template(
            [[{"role": "user", "content": text}] for text in texts], **CHAT_TURN
        )
        # CHAT_TURN asks for the rendered text (tokenize=False). The chat template writes the
        # BOS token itself; the tokenizer must not add another.
        return super()._encode(cast(list[str], prompts), add_special_tokens=False, **kwargs)

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
