"""Decoder-only chat models (Llama, Qwen2, Qwen3) run with CTranslate2's ``Generator``.

As with :class:`briefly.models.engines.causal_engine.CausalEngine`, each text becomes the user turn
of the model's chat template (rendered from what the conversion recorded, see
:mod:`briefly.models.engines.ct2_chat`), and the output is the model's reply without the prompt.
"""

from __future__ import annotations

from collections.abc import Sequence

import ctranslate2

from briefly.models.engines.base import SharedWindow
from briefly.models.engines.ct2_chat import ChatTemplate
from briefly.models.engines.ct2_engine import CT2Engine
from briefly.models.generation import GenerationSettings, Languages


class CT2CausalEngine(SharedWindow, CT2Engine):
    """A Hugging Face decoder-only model converted to and run with CTranslate2."""

    runtime = ctranslate2.Generator

    def __init__(self, path, device, compute_type=None, max_batch_tokens=None) -> None:
        super().__init__(path, device, compute_type, max_batch_tokens)
        # The prompt and the reply share the model's position window.
        self.window = self.model_info["window"]
        self.chat_template = ChatTemplate(**(self.model_info["chat_template"] or {}))
        self._end_tokens = self.model_info["end_tokens"]

    @property
    def generator(self) -> ctranslate2.Generator:
        return self.translator

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input length of each text in tokens, chat template and special tokens included."""
        return super().count_tokens([self.chat_template.render(text) for text in texts])

    def _generate_batch(
        self, texts: list[str], settings: GenerationSettings, languages: Languages
    ) -> list[str]:
        # A chat model is told languages in its prompt; it has no language tokens to force.
        del languages
        limit = settings.new_token_limit()
        assert limit is not None  # SharedWindow.generate bounds every reply by the window
        prompts = self.tokenizer.tokenize([self.chat_template.render(text) for text in texts])
        results = self.generator.generate_batch(
            prompts,
            beam_size=settings.num_beams,
            length_penalty=settings.length_penalty,
            no_repeat_ngram_size=settings.no_repeat_ngram_size,
            repetition_penalty=settings.repetition_penalty,
            # Without the prompt in the result, both lengths count the reply alone.
            include_prompt_in_result=False,
            max_length=limit,
            min_length=min(settings.new_token_minimum(), limit),
            end_token=self._end_tokens,
            batch_type="tokens",
            max_batch_size=self.token_budget,
            return_scores=False,
        )
        return self._decoded([result.sequences[0] for result in results])
