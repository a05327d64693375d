"""Writing the English brief with an abstractive seq2seq model.

Articles longer than the model's input window are never cut. With the
``map-reduce`` strategy they are split on sentence boundaries into chunks that
fit, each chunk is summarised, and the joined chunk summaries are summarised
again until one brief of at most the model's output length remains. With
``extract``, an extractive pass first keeps the most central sentences that
fit the window, and the model summarises those once. Models that need an
instruction (T5, FLAN-T5, chat models) get every input wrapped in a prompt
template (see :mod:`briefly.models.prompts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from briefly.errors import UsageError
from briefly.models.generation import (
    TOKENS_PER_WORD,
    GenerationSettings,
    TextGenerator,
    word_token_limit,
)
from briefly.models.prompts import Prompt
from briefly.results import GuardWarning, Summary
from briefly.stages.guards import check_summary
from briefly.stages.retry import generate_checked
from briefly.stages.text import pack, paragraphs, sentences, split_to_fit

LENGTHS = ("short", "medium", "long")
LONG_STRATEGIES = ("map-reduce", "extract")
# Output length relative to the model's own setting (medium), for abstractive models.
_LENGTH_SCALE = {"short": 0.45, "medium": 1.0, "long": 1.8}
# Sentences in an extractive brief.
# "short" is one sentence, as in single-sentence (XSum-style) briefs.
EXTRACTIVE_SENTENCES = {"short": 1, "medium": 3, "long": 5}
# The least room for the article in the model's input, in tokens: a few words.
_MIN_ARTICLE_TOKENS = 8


def check_length(length: str, long_strategy: str = "map-reduce") -> None:
    if length not in LENGTHS:
        raise UsageError(f"Unknown length '{length}': use short, medium or long")
    if long_strategy not in LONG_STRATEGIES:
        raise UsageError(
            f"Unknown long-article strategy '{long_strategy}': use map-reduce or extract"
        )


def length_settings(
    base: GenerationSettings,
    length: str = "medium",
    max_words: int | None = None,
    bound: int | None = None,
) -> GenerationSettings:
    """Decoding lengths for a brief of the requested length; medium is the model's own.

    ``bound`` is the most new tokens the model can write (see
    :func:`briefly.models.generation.output_token_bound`); no brief asks for more (the
    pipeline refuses a ``max_words`` beyond it first, with one line).
    """
    if length == "medium" and max_words is None:
        return base
    limit = base.new_token_limit() or 142
    minimum = base.new_token_minimum()
    if max_words is not None:
        new_limit = word_token_limit(max_words)
    else:
        new_limit = max(8, round(limit * _LENGTH_SCALE[length]))
    if bound is not None:
        new_limit = min(new_limit, bound)
    new_minimum = min(round(minimum * _LENGTH_SCALE[length]), new_limit // 2)
    return replace(
        base, max_length=None, min_length=0, max_new_tokens=new_limit, min_new_tokens=new_minimum
    )


class Summarizer:
    """Summarise articles with an engine (see :mod:`briefly.models.engines`)."""

    def __init__(
        self,
        engine: TextGenerator,
        length: str = "medium",
        max_words: int | None = None,
        long_strategy: str = "map-reduce",
        prompt: Prompt | None = None,
        *,
        retries: bool = True,
    ) -> None:
        check_length(length, long_strategy)
        self.engine = engine
        # Whether outputs the guards reject are generated again (see briefly.stages.retry).
        self.retries = retries
        self.settings = length_settings(
            engine.settings, length, max_words, engine.max_output_tokens
        )
        self.long_strategy = long_strategy
        self.prompt = prompt
        # The length a prompt asks for, in words: the same bound the decoder gets.
        self.prompt_words = max_words or int(
            (self.settings.new_token_limit() or 142) / TOKENS_PER_WORD
        )
        # Tokens every input has whatever its text: BOS/EOS, a chat template.
        self._overhead = engine.count_tokens([""])[0]
        # Room in each chunk for those and for the prompt's own words.
        self.budget = engine.max_input_tokens - engine.count_tokens([self._render("")])[0]
        if self.budget < _MIN_ARTICLE_TOKENS:
            raise UsageError(
                f"The prompt leaves {max(self.budget, 0)} of the model's "
                f"{engine.max_input_tokens} input tokens for the article: use a shorter "
                "--prompt or a summariser with a longer window"
            )

    def chunk(self, text: str) -> list[str]:
        """Split ``text`` into consecutive pieces that each fit the model's input window."""
        pieces = [
            piece
            for paragraph in paragraphs(text)
            for sentence in sentences(paragraph)
            for piece in split_to_fit(sentence, self._count, self.budget)
        ]
        budget = self.budget
        while True:
            lengths = self._count(pieces)
            chunks = [" ".join(pieces[i] for i in group) for group in pack(lengths, budget)]
            # Pieces tokenised alone can count a token or two fewer than when
            # joined or wrapped in the prompt, so check the model's real inputs
            # and pack tighter if needed.
            counts = self.engine.count_tokens([self._render(chunk) for chunk in chunks])
            if all(n <= self.engine.max_input_tokens for n in counts) or budget < 16:
                return chunks
            budget = int(budget * 0.9)

    def _first_inputs(self, text: str) -> list[str]:
        chunks = self.chunk(text)
        if self.long_strategy == "extract" and len(chunks) > 1:
            from briefly.stages.extractive import ExtractiveSummarizer

            kept = ExtractiveSummarizer(max_sentences=None).select(
                text, max_tokens=self.budget, count_tokens=self._count
            )
            return self.chunk(" ".join(kept))
        return chunks

    def summarize(self, texts: Sequence[str]) -> list[Summary]:
        """Summarise several articles, batching all their chunks together."""
        chunked = [self._first_inputs(text) for text in texts]
        results: list[str | None] = [None] * len(texts)
        pending = {i: chunks for i, chunks in enumerate(chunked) if chunks}
        limit = self.settings.new_token_limit()
        while pending:
            flat = [(i, chunk) for i, chunks in pending.items() for chunk in chunks]
            outputs, _ = generate_checked(
                self.engine,
                [self._render(chunk) for _, chunk in flat],
                self.settings,
                _repetition_only,
                retry=self.retries,
            )
            joined: dict[int, list[str]] = {}
            for (i, _), output in zip(flat, outputs, strict=True):
                joined.setdefault(i, []).append(output.strip())
            next_round = {}
            for i, parts in joined.items():
                brief = " ".join(p for p in parts if p)
                rechunked = self.chunk(brief) if len(parts) > 1 else []
                total_before = sum(self._count(pending[i]))
                too_long = limit is not None and self._count([brief])[0] > limit + 2
                # Stop when a round no longer shrinks the text: a model that
                # writes long summaries must not loop forever.
                if rechunked and too_long and sum(self._count(rechunked)) < total_before:
                    next_round[i] = rechunked
                else:
                    results[i] = brief
            pending = next_round
        return [
            Summary(
                text=result or "",
                chunks=len(chunks),
                warnings=tuple(check_summary(t, result or "")),
            )
            for t, result, chunks in zip(texts, results, chunked, strict=True)
        ]

    def _render(self, chunk: str) -> str:
        if self.prompt is None:
            return chunk
        return self.prompt.render(chunk, max_words=self.prompt_words)

    def _count(self, texts: Sequence[str]) -> list[int]:
        # The engine's counts include special tokens; chunk budgets exclude them.
        return [n - self._overhead for n in self.engine.count_tokens(texts)]


def _repetition_only(source: str, output: str) -> list[GuardWarning]:
    # Chunk summaries are retried for loops only; the whole brief is checked at the end.
    return [w for w in check_summary(source, output) if w.code == "repetition"]
