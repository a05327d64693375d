"""Translating text sentence by sentence with a Marian, OPUS-MT, NLLB, M2M100 or mBART-50 model."""

from __future__ import annotations

from collections.abc import Sequence

from briefly.models.generation import Languages, TextGenerator, with_beams
from briefly.models.language_codes import language_tokens
from briefly.results import GuardWarning, Translation
from briefly.stages.guards import check_translation
from briefly.stages.retry import generate_checked
from briefly.stages.text import paragraphs, sentences, split_to_fit

# A translation is rarely more than twice as long as its source in tokens; the
# bound stops a model that loops on a fragment from running to 512 tokens.
_LENGTH_RATIO = 2
_LENGTH_MARGIN = 16
# Bounds are rounded up to a multiple of this so that sentences of similar length share a
# bound and a model call (texts with other bounds cannot): news sentences of 10 to 60 tokens
# fall in two or three classes. A looping output runs at most this much further.
_BOUND_STEP = 64


class Translator:
    """Translate text from ``source`` into ``lang`` with an engine (:mod:`briefly.models.engines`).

    A multilingual model's language codes are looked up here, before anything is generated,
    and passed with every call, so one loaded model serves every target.
    """

    def __init__(
        self,
        engine: TextGenerator,
        lang: str,
        *,
        source: str = "en",
        retries: bool = True,
        num_beams: int | None = None,
        deterministic: bool = False,
    ) -> None:
        self.engine = engine
        self.lang = lang
        # Whether outputs the guards reject are generated again (see briefly.stages.retry).
        self.retries = retries
        # The model's own decoding, with ``num_beams`` beams where given (a quality preset),
        # batch-invariant when asked (see GenerationSettings.batch_invariant).
        self.settings = with_beams(engine.settings, num_beams).with_limits(
            batch_invariant=deterministic
        )
        self._prefix = ""
        self._languages = Languages()
        tokens = language_tokens(engine.vocabulary())
        if tokens is not None and tokens.forced:
            self._languages = Languages(tokens.token(source), tokens.token(lang))
        elif tokens is not None:
            self._prefix = f"{tokens.token(lang)} "
        self._specials = engine.count_tokens([""])[0]
        self.budget = engine.max_input_tokens - engine.count_tokens([self._prefix])[0]

    def translate(self, texts: Sequence[str]) -> list[str]:
        """Translate several texts; paragraph breaks and sentence order are kept."""
        return [t.text for t in self.translate_checked(texts)]

    def translate_checked(self, texts: Sequence[str]) -> list[Translation]:
        """Translate several texts, with the output guards' findings.

        All sentences of all texts are translated together in length-sorted
        batches and put back in place. A sentence whose translation loops, has
        an abnormal length or is in the wrong language is retried once with
        stronger settings; what is still wrong is reported.
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
        outputs, problems = generate_checked(
            self.engine,
            [self._prefix + piece for piece in pieces],
            self.settings,
            self._check,
            max_new_tokens=self._bounds(pieces),
            languages=self._languages,
            retry=self.retries,
        )
        grouped: list[dict[int, list[str]]] = [{} for _ in texts]
        warnings: list[dict[GuardWarning, None]] = [{} for _ in texts]
        for (t, p), output, found in zip(places, outputs, problems, strict=True):
            grouped[t].setdefault(p, []).append(output.strip())
            warnings[t].update(dict.fromkeys(found))
        return [
            Translation("\n\n".join(" ".join(s) for s in paras.values()), tuple(found))
            for paras, found in zip(grouped, warnings, strict=True)
        ]

    def _check(self, source: str, output: str) -> list[GuardWarning]:
        return check_translation(source.removeprefix(self._prefix), output, self.lang)

    def _bounds(self, pieces: Sequence[str]) -> list[int]:
        bounds = []
        for length in self._count(pieces):
            bound = _LENGTH_RATIO * length + _LENGTH_MARGIN
            bounds.append(-(-bound // _BOUND_STEP) * _BOUND_STEP)
        return bounds

    def _count(self, texts: Sequence[str]) -> list[int]:
        return [n - self._specials for n in self.engine.count_tokens(texts)]
