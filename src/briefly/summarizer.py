"""Writing the English brief with an abstractive seq2seq model.

Articles longer than the model's input window are never cut: they are split
on sentence boundaries into chunks that fit, each chunk is summarised, and the
joined chunk summaries are summarised again (map-reduce) until one brief of at
most the model's output length remains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from briefly.text import pack, paragraphs, sentences, split_to_fit


@dataclass(frozen=True)
class Summary:
    """The brief of one article."""

    text: str  # the English brief
    chunks: int  # pieces the article was split into to fit the model's window


class Summarizer:
    """Summarise articles with an engine (see :mod:`briefly.engines`)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        # Room for the tokenizer's special tokens (BOS/EOS) in each chunk.
        self._overhead = engine.count_tokens([""])[0]
        self.budget = engine.max_input_tokens - self._overhead

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
            # joined, so check the joined chunks and pack tighter if needed.
            if all(n <= self.budget for n in self._count(chunks)) or budget < 16:
                return chunks
            budget = int(budget * 0.9)

    def summarize(self, texts: Sequence[str]) -> list[Summary]:
        """Summarise several articles, batching all their chunks together."""
        chunked = [self.chunk(text) for text in texts]
        results: list[str | None] = [None] * len(texts)
        pending = {i: chunks for i, chunks in enumerate(chunked) if chunks}
        limit = self.engine.settings.new_token_limit()
        while pending:
            flat = [(i, chunk) for i, chunks in pending.items() for chunk in chunks]
            outputs = self.engine.generate([chunk for _, chunk in flat], self.engine.settings)
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
            Summary(text=result or "", chunks=len(chunks))
            for result, chunks in zip(results, chunked, strict=True)
        ]

    def _count(self, texts: Sequence[str]) -> list[int]:
        # The engine's counts include special tokens; chunk budgets exclude them.
        return [n - self._overhead for n in self.engine.count_tokens(texts)]
