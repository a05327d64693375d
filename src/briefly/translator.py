"""Translating English text sentence by sentence with a MarianMT-style model."""

from __future__ import annotations

from collections.abc import Sequence

from briefly.text import paragraphs, sentences, split_to_fit

# A translation is rarely more than twice as long as its source in tokens; the
# bound stops a model that loops on a fragment from running to 512 tokens.
_LENGTH_RATIO = 2
_LENGTH_MARGIN = 16
# Bounds are rounded up to a multiple of this so that sentences of similar
# length share a bound and can be batched together.
_BOUND_STEP = 16


class Translator:
    """Translate text into one language with an engine (see :mod:`briefly.engines`)."""

    def __init__(self, engine, lang: str) -> None:
        self.engine = engine
        self.lang = lang
        self._overhead = engine.count_tokens([""])[0]
        self.budget = engine.max_input_tokens - self._overhead

    def translate(self, texts: Sequence[str]) -> list[str]:
        """Translate several texts; paragraph breaks and sentence order are kept.

        All sentences of all texts are translated together in length-sorted
        batches and put back in place.
        """
        # (text index, paragraph index) for every piece, in reading order.
        places: list[tuple[int, int]] = []
        pieces: list[str] = []
        for t, text in enumerate(texts):
            for p, paragraph in enumerate(paragraphs(text)):
                for sentence in sentences(paragraph):
                    for piece in split_to_fit(sentence, self._count, self.budget):
                        places.append((t, p))
                        pieces.append(piece)
        outputs = self.engine.generate(
            pieces, self.engine.settings, max_new_tokens=self._bounds(pieces)
        )
        grouped: list[dict[int, list[str]]] = [{} for _ in texts]
        for (t, p), output in zip(places, outputs, strict=True):
            grouped[t].setdefault(p, []).append(output.strip())
        return ["\n\n".join(" ".join(s) for s in paras.values()) for paras in grouped]

    def _bounds(self, pieces: Sequence[str]) -> list[int]:
        bounds = []
        for length in self._count(pieces):
            bound = _LENGTH_RATIO * length + _LENGTH_MARGIN
            bounds.append(-(-bound // _BOUND_STEP) * _BOUND_STEP)
        return bounds

    def _count(self, texts: Sequence[str]) -> list[int]:
        return [n - self._overhead for n in self.engine.count_tokens(texts)]
