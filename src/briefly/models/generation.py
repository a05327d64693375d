"""Decoding settings shared by every backend.

Models ship their preferred decoding in ``generation_config.json`` (for
distilbart-cnn: 4 beams, length penalty 2.0, 56-142 tokens, no repeated
trigrams). briefly reads it once into :class:`GenerationSettings`, so the
torch and CTranslate2 backends decode the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Protocol

from briefly.errors import UsageError

# BPE tokens per English word, to turn a brief's length in words into a token bound, and
# tokens added to every such bound (the end of the brief).
TOKENS_PER_WORD = 1.4
_BRIEF_EXTRA_TOKENS = 2
# Decoder positions a brief leaves unused: the decoder's start token, and a margin for the
# families that count a forced first or last token against the window.
_SPARE_POSITIONS = 2


@dataclass(frozen=True)
class GenerationSettings:
    """How to decode; ``None`` means the model's own value or no limit."""

    num_beams: int = 1  # beam width; 1 is greedy search
    length_penalty: float = 1.0  # exponent on length when ranking finished beams
    no_repeat_ngram_size: int = 0  # forbid repeating any n-gram of this size
    repetition_penalty: float = 1.0  # >1 discourages tokens already generated
    min_length: int = 0  # minimum decoder length, counting the start token
    max_length: int | None = None  # maximum decoder length, counting the start token
    min_new_tokens: int | None = None  # minimum generated tokens, overrides min_length
    max_new_tokens: int | None = None  # maximum generated tokens, overrides max_length
    early_stopping: bool = False  # stop beam search once num_beams hypotheses finish

    @classmethod
    def from_generation_config(cls, config) -> GenerationSettings:
        """Read the fields briefly honours from a transformers ``GenerationConfig``."""
        values = {}
        for field in fields(cls):
            value = getattr(config, field.name, None)
            if value is not None:
                values[field.name] = value
        if values.get("early_stopping") == "never":
            values["early_stopping"] = False
        return cls(**values)

    def with_limits(self, max_new_tokens: int | None = None, **changes) -> GenerationSettings:
        """A copy with ``max_new_tokens`` lowered to at most the given bound."""
        if max_new_tokens is not None:
            current = self.new_token_limit()
            changes["max_new_tokens"] = (
                max_new_tokens if current is None else min(current, max_new_tokens)
            )
            if self.min_new_tokens is not None:
                changes["min_new_tokens"] = min(self.min_new_tokens, changes["max_new_tokens"])
        return replace(self, **changes)

    def new_token_limit(self) -> int | None:
        """Most tokens generation may produce, not counting the decoder start token."""
        if self.max_new_tokens is not None:
            return self.max_new_tokens
        return None if self.max_length is None else max(self.max_length - 1, 1)

    def new_token_minimum(self) -> int:
        """Fewest tokens generation must produce, not counting the decoder start token."""
        if self.min_new_tokens is not None:
            return self.min_new_tokens
        return max(self.min_length - 1, 0)


@dataclass(frozen=True)
class Languages:
    """The language tokens a multilingual model is run with, for one call.

    They are per call, not per engine, so that one loaded model serves every target.
    """

    source: str | None = None  # replaces the input's first (source-language) token
    target: str | None = None  # forced as the first generated token


def word_token_limit(max_words: int) -> int:
    """New tokens a brief of about ``max_words`` words may take."""
    return math.ceil(max_words * TOKENS_PER_WORD) + _BRIEF_EXTRA_TOKENS


def output_token_bound(config: Mapping[str, Any]) -> int | None:
    """Most new tokens a model can write, from its config.json; None where positions are
    unbounded (T5's relative positions) or not stated."""
    positions = config.get("max_position_embeddings")
    if not isinstance(positions, int) or isinstance(positions, bool):
        return None
    return max(positions - _SPARE_POSITIONS, 1)


def check_max_words(max_words: int | None, bound: int | None, model: str) -> None:
    """A UsageError, naming the longest brief ``model`` can write, when ``max_words`` is more.

    ``bound`` is the model's :func:`output_token_bound`.
    """
    if max_words is None or bound is None or word_token_limit(max_words) <= bound:
        return
    most = math.floor((bound - _BRIEF_EXTRA_TOKENS) / TOKENS_PER_WORD)
    raise UsageError(
        f"max_words {max_words} is more than {model} can write: its decoder has room for "
        f"{bound} tokens, about {most} words; ask for at most {most}"
    )


class TextGenerator(Protocol):
    """What the stages need from a model; every engine in :mod:`briefly.models.engines` is one."""

    settings: GenerationSettings  # the model's own decoding settings
    max_input_tokens: int  # the model's input window, special tokens included
    max_output_tokens: int | None  # most new tokens it can write (None: no fixed bound)
    family: str  # "seq2seq", "t5", "flan-t5" or "causal" (see briefly.models.prompts.model_family)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input length of each text in tokens, special tokens included."""
        ...

    def vocabulary(self) -> dict[str, int]:
        """The tokenizer's vocabulary: token -> id."""
        ...

    def generate(
        self,
        texts: Sequence[str],
        settings: GenerationSettings,
        max_new_tokens: Sequence[int] | None = None,
        languages: Languages | None = None,
    ) -> list[str]:
        """One output per text, in order; ``max_new_tokens`` bounds each text's output and
        ``languages`` selects a multilingual translator's source and target."""
        ...
