"""What every engine shares: the Hugging Face tokenizer, the model's decoding
settings, token counting, and batching with per-text output bounds."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from transformers import AutoConfig, AutoTokenizer, GenerationConfig

from briefly.batching import token_budget_batches
from briefly.generation import GenerationSettings

logger = logging.getLogger("briefly")


class Engine:
    """A seq2seq model behind ``generate(texts, settings, max_new_tokens=None)``.

    Subclasses implement ``_generate_batch`` and ``_is_out_of_memory``.
    """

    backend = "none"
    # Padded tokens per batch that this engine sorts and groups texts into.
    max_batch_tokens = 8192

    def __init__(self, path: Path, device: str) -> None:
        self.path = path
        self.device = device
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.config = AutoConfig.from_pretrained(path)
        self.generation_config = _generation_config(path, self.config)
        self.settings = GenerationSettings.from_generation_config(self.generation_config)
        self.max_input_tokens = _max_input_tokens(self.tokenizer, self.config)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input length of each text in tokens, special tokens included."""
        if not texts:
            return []
        return [len(ids) for ids in self.tokenizer(list(texts))["input_ids"]]

    def generate(
        self,
        texts: Sequence[str],
        settings: GenerationSettings,
        max_new_tokens: Sequence[int] | None = None,
    ) -> list[str]:
        """Generate one output per text, in input order, batched by token budget.

        ``max_new_tokens`` optionally bounds each text's output; texts with
        different bounds are never batched together, so a text's output does not
        depend on what it was batched with.
        """
        outputs: list[str] = [""] * len(texts)
        batches = token_budget_batches(
            self.count_tokens(texts), self.max_batch_tokens, keys=max_new_tokens
        )
        for batch in batches:
            batch_settings = settings
            if max_new_tokens is not None:
                batch_settings = settings.with_limits(max_new_tokens[batch[0]])
            decoded = self._generate_halving([texts[i] for i in batch], batch_settings)
            for index, text in zip(batch, decoded, strict=True):
                outputs[index] = text
        return outputs

    def _generate_halving(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        """Generate, halving the batch on a GPU out-of-memory error instead of failing."""
        try:
            return self._generate_batch(texts, settings)
        except RuntimeError as e:
            if len(texts) == 1 or not self._is_out_of_memory(e):
                raise
            half = len(texts) // 2
            logger.info("out of GPU memory with %d texts; retrying in halves", len(texts))
            return self._generate_halving(texts[:half], settings) + self._generate_halving(
                texts[half:], settings
            )

    def _generate_batch(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        raise NotImplementedError

    def _is_out_of_memory(self, error: RuntimeError) -> bool:
        raise NotImplementedError


# T5's pre-training input length, for models that state no bound: T5's relative positions
# have no table, and its tokenizer does not always record the length.
_DEFAULT_MAX_INPUT_TOKENS = 512
# transformers writes "no limit" into model_max_length as a huge number.
_NO_LIMIT = 10**9


def _max_input_tokens(tokenizer, config) -> int:
    positions = getattr(config, "max_position_embeddings", None)
    bounds = [n for n in (tokenizer.model_max_length, positions) if n is not None and n < _NO_LIMIT]
    return min(bounds, default=_DEFAULT_MAX_INPUT_TOKENS)


def _generation_config(path: Path, config) -> GenerationConfig:
    try:
        return GenerationConfig.from_pretrained(path)
    except OSError:
        # Older checkpoints keep decoding settings in config.json only.
        return GenerationConfig.from_model_config(config)
