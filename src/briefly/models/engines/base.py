"""What every engine shares: batching by token budget with per-text output bounds,
and halving a batch that runs out of GPU memory; and what decoder-only engines share."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path

from briefly.models.generation import GenerationSettings, Languages, output_token_bound
from briefly.models.hub import read_config
from briefly.models.token_batches import token_budget_batches

logger = logging.getLogger("briefly")

# Who hears of slow first-use steps while an engine loads (see announce).
_ON_STAGE: ContextVar[Callable[[str], None] | None] = ContextVar("on_stage", default=None)


@contextmanager
def announcing(on_stage: Callable[[str], None] | None) -> Iterator[None]:
    """Send :func:`announce` calls made inside the block to ``on_stage``."""
    token = _ON_STAGE.set(on_stage)
    try:
        yield
    finally:
        _ON_STAGE.reset(token)


def announce(stage: str) -> None:
    """Tell the progress display about a slow step, such as a first-use conversion."""
    logger.info("%s", stage)
    on_stage = _ON_STAGE.get()
    if on_stage is not None:
        on_stage(stage)


@dataclass
class EngineStats:
    """What an engine has decoded since it was loaded (or since :meth:`reset`).

    Benchmarks read it to check that two engines did the same work.
    """

    outputs: int = 0  # sequences decoded
    tokens: int = 0  # tokens decoded, special tokens (start, forced BOS/EOS, padding) left out
    halvings: int = 0  # batches split in two after running out of GPU memory
    calls: int = 0  # batches generated (a halved batch counts once)

    def reset(self) -> None:
        self.outputs = self.tokens = self.halvings = self.calls = 0


class Engine:
    """A seq2seq model behind ``generate(texts, settings, max_new_tokens=None)``.

    Subclasses set ``settings`` (the model's own decoding settings), ``max_input_tokens``
    (``max_output_tokens`` comes from the model's config.json),
    ``family`` (see :func:`briefly.models.prompts.model_family`), ``model_type`` (config.json's)
    and ``compute_type``, and
    implement ``count_tokens``, ``vocabulary``, ``_generate_batch`` and ``_is_out_of_memory``.
    """

    backend = "none"
    # Padded tokens per batch that this engine sorts and groups texts into.
    max_batch_tokens = 8192
    settings: GenerationSettings
    max_input_tokens: int
    family: str
    model_type: str
    compute_type: str

    def __init__(self, path: Path, device: str) -> None:
        self.path = path
        self.device = device
        self.stats = EngineStats()
        # Most new tokens the decoder's positions allow (None: no fixed bound).
        self.max_output_tokens = output_token_bound(read_config(path))

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input length of each text in tokens, special tokens included."""
        raise NotImplementedError

    def vocabulary(self) -> dict[str, int]:
        """The model's input vocabulary, token to id."""
        raise NotImplementedError

    def generate(
        self,
        texts: Sequence[str],
        settings: GenerationSettings,
        max_new_tokens: Sequence[int] | None = None,
        languages: Languages | None = None,
    ) -> list[str]:
        """Generate one output per text, in input order, batched by token budget.

        ``max_new_tokens`` optionally bounds each text's output; texts with
        different bounds are never batched together. Texts of other lengths share a batch,
        padded to its longest, which can change an output slightly (docs/batch.md has the
        measured bound); with ``settings.batch_invariant`` only equal lengths do, so a
        text's output does not depend on what it was batched with. ``languages`` selects
        the source and target of a multilingual translation model.
        """
        single = replace(settings, num_hypotheses=1)
        return [h[0] for h in self.generate_hypotheses(texts, single, max_new_tokens, languages)]

    def generate_hypotheses(
        self,
        texts: Sequence[str],
        settings: GenerationSettings,
        max_new_tokens: Sequence[int] | None = None,
        languages: Languages | None = None,
    ) -> list[list[str]]:
        """As :meth:`generate`, with ``settings.num_hypotheses`` outputs per text, best-scored
        first (``_generate_batch`` returns each text's hypotheses one after another)."""
        n = settings.num_hypotheses
        outputs: list[list[str]] = [[] for _ in texts]
        batches = token_budget_batches(
            self.count_tokens(texts),
            self.max_batch_tokens,
            keys=max_new_tokens,
            equal_lengths=settings.batch_invariant,
        )
        for batch in batches:
            self.stats.calls += 1
            batch_settings = settings
            if max_new_tokens is not None:
                batch_settings = settings.with_limits(max_new_tokens[batch[0]])
            decoded = self._generate_halving(
                [texts[i] for i in batch], batch_settings, languages or Languages()
            )
            for k, index in enumerate(batch):
                outputs[index] = decoded[k * n : (k + 1) * n]
        return outputs

    def _generate_halving(
        self, texts: list[str], settings: GenerationSettings, languages: Languages
    ) -> list[str]:
        """Generate, halving the batch on a GPU out-of-memory error instead of failing."""
        try:
            return self._generate_batch(texts, settings, languages)
        except RuntimeError as e:
            if len(texts) == 1 or not self._is_out_of_memory(e):
                raise
            half = len(texts) // 2
            self.stats.halvings += 1
            logger.info("out of GPU memory with %d texts; retrying in halves", len(texts))
            return self._generate_halving(
                texts[:half], settings, languages
            ) + self._generate_halving(texts[half:], settings, languages)

    def _generate_batch(
        self, texts: list[str], settings: GenerationSettings, languages: Languages
    ) -> list[str]:
        raise NotImplementedError

    def _is_out_of_memory(self, error: RuntimeError) -> bool:
        raise NotImplementedError


class SharedWindow(Engine):
    """For decoder-only engines, listed before :class:`Engine`'s subclass among the bases:
    the prompt and the reply share the model's position window of ``window`` tokens."""

    window: int

    def generate_hypotheses(
        self,
        texts: Sequence[str],
        settings: GenerationSettings,
        max_new_tokens: Sequence[int] | None = None,
        languages: Languages | None = None,
    ) -> list[list[str]]:
        """As :meth:`Engine.generate_hypotheses`, but a reply also stops at the end of the
        model's window.

        Callers may ask for longer replies than the room kept free (a long brief); each
        text's bound follows from its own length, so batching still changes nothing.
        """
        requested = settings.new_token_limit()
        bounds = []
        for i, n in enumerate(self.count_tokens(texts)):
            wanted = requested if max_new_tokens is None else max_new_tokens[i]
            room = self.window - n
            bounds.append(room if wanted is None else min(wanted, room))
        return super().generate_hypotheses(texts, settings, bounds, languages)
