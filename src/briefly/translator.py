"""Translating text sentence by sentence with a MarianMT-style model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from briefly.errors import UsageError
from briefly.generation import TextGenerator
from briefly.guards import check_translation
from briefly.results import GuardWarning, Translation
from briefly.retry import generate_checked
from briefly.text import paragraphs, sentences, split_to_fit

# A translation is rarely more than twice as long as its source in tokens; the
# bound stops a model that loops on a fragment from running to 512 tokens.
_LENGTH_RATIO = 2
_LENGTH_MARGIN = 16
# Bounds are rounded up to a multiple of this so that sentences of similar
# length share a bound and can be batched together.
_BOUND_STEP = 16
# Multilingual opus-mt models name targets by ISO 639-3 code (>>ukr<<); codes
# whose 639-3 form does not start with the 639-1 code need this table.
_ISO_639_3 = {
    "uk": "ukr", "ru": "rus", "hi": "hin", "be": "bel", "de": "deu", "fr": "fra",
    "es": "spa", "pt": "por", "it": "ita", "nl": "nld", "pl": "pol", "cs": "ces",
    "sk": "slk", "bg": "bul", "sr": "srp", "hr": "hrv", "sl": "slv", "ro": "ron",
    "el": "ell", "zh": "zho", "ja": "jpn", "ko": "kor", "ar": "ara", "fa": "fas",
    "he": "heb", "tr": "tur", "bn": "ben", "ur": "urd", "mr": "mar", "ta": "tam",
    "te": "tel", "sv": "swe", "da": "dan", "fi": "fin", "et": "est", "lt": "lit",
    "lv": "lav", "hu": "hun", "ka": "kat", "hy": "hye", "kk": "kaz", "vi": "vie",
}  # fmt: skip


def target_token(vocab: Mapping[str, int], lang: str) -> str | None:
    """The ``>>xxx<<`` token that selects ``lang`` in a multilingual model, or None.

    The token is looked up in the model's own vocabulary; a model without such
    tokens translates into one language only.
    """
    if not any(t.startswith(">>") and t.endswith("<<") for t in vocab):
        return None
    for code in (lang, _ISO_639_3.get(lang)):
        if code and f">>{code}<<" in vocab:
            return f">>{code}<<"
    known = sorted(t for t in vocab if t.startswith(">>") and t.endswith("<<"))
    raise UsageError(
        f"This multilingual model has no target token for '{lang}': it knows "
        f"{', '.join(known[:12])}{'…' if len(known) > 12 else ''}; pick another --translator"
    )


class Translator:
    """Translate text into one language with an engine (see :mod:`briefly.engines`)."""

    def __init__(self, engine: TextGenerator, lang: str, *, retries: bool = True) -> None:
        self.engine = engine
        self.lang = lang
        # Whether outputs the guards reject are generated again (see briefly.retry).
        self.retries = retries
        token = target_token(engine.vocabulary(), lang)
        self._prefix = f"{token} " if token else ""
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
            self.engine.settings,
            self._check,
            max_new_tokens=self._bounds(pieces),
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
