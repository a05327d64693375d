"""What briefly reads from a Hugging Face model folder through transformers.

The torch engines run on these objects; the CTranslate2 conversion reads them once and
records what the CTranslate2 engine needs, so that it never imports transformers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from transformers import (
    AutoConfig,
    AutoTokenizer,
    GenerationConfig,
    PretrainedConfig,
    PreTrainedTokenizerBase,
)

from briefly.models.generation import GenerationSettings
from briefly.models.prompts import model_family

# T5's pre-training input length, for models that state no bound: T5's relative positions
# have no table, and its tokenizer does not always record the length.
_DEFAULT_MAX_INPUT_TOKENS = 512
# transformers writes "no limit" into model_max_length as a huge number.
_NO_LIMIT = 10**9
# Most tokens a decoder-only model's reply may take when its generation config sets no
# max_new_tokens (a brief is a paragraph), but never more than half the model's window.
DEFAULT_MAX_NEW_TOKENS = 256


@dataclass
class HFModel:
    """A model folder's tokenizer, config and decoding settings, as transformers loads them."""

    tokenizer: PreTrainedTokenizerBase
    config: PretrainedConfig
    generation_config: GenerationConfig

    @classmethod
    def read(cls, path: Path) -> HFModel:
        config = AutoConfig.from_pretrained(path, trust_remote_code=False)
        try:
            generation_config = GenerationConfig.from_pretrained(path)
        except OSError:
            # Older checkpoints keep decoding settings in config.json only.
            generation_config = GenerationConfig.from_model_config(config)
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
        return cls(tokenizer, config, generation_config)

    @property
    def settings(self) -> GenerationSettings:
        return GenerationSettings.from_generation_config(self.generation_config)

    @property
    def family(self) -> str:
        return model_family(self.config)

    @property
    def max_input_tokens(self) -> int:
        positions = getattr(self.config, "max_position_embeddings", None)
        bounds = [
            n
            for n in (self.tokenizer.model_max_length, positions)
            if n is not None and n < _NO_LIMIT
        ]
        return min(bounds, default=_DEFAULT_MAX_INPUT_TOKENS)


def causal_settings(generation_config: GenerationConfig, window: int) -> GenerationSettings:
    """A decoder-only model's decoding settings, for a model whose window is ``window`` tokens.

    generate() fills every unset field from the model's own config, so fields that must not
    apply are cleared in ``generation_config`` itself: max_length and min_length count the
    prompt too, so only the new-token bounds can limit a reply; and briefs are never sampled,
    so that runs are repeatable. The reply limit is always set.
    """
    generation_config.update(
        max_length=None,
        min_length=None,
        do_sample=False,
        temperature=None,
        top_p=None,
        top_k=None,
    )
    settings = GenerationSettings.from_generation_config(generation_config)
    limit = settings.max_new_tokens or min(DEFAULT_MAX_NEW_TOKENS, window // 2)
    return replace(settings, max_new_tokens=limit)
