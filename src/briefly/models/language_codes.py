"""Language codes: ISO 639-1 (``uk``) to the tokens each multilingual translation family uses.

Each family names languages its own way: NLLB-200 ``ukr_Cyrl``, mBART-50 ``uk_UA``, M2M100
``__uk__`` and multilingual OPUS-MT ``>>ukr<<``. Codes are always looked up in the model's own
vocabulary, so a model is asked only for languages it has; the family is recognised from the
vocabulary too, which works the same for a hub model, a local folder and a CTranslate2
conversion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from briefly.errors import UsageError

# ISO 639-3 for the ISO 639-1 codes whose 639-3 form does not start with the 639-1 code.
ISO_639_3 = {
    "uk": "ukr", "ru": "rus", "hi": "hin", "be": "bel", "de": "deu", "fr": "fra",
    "es": "spa", "pt": "por", "it": "ita", "nl": "nld", "pl": "pol", "cs": "ces",
    "sk": "slk", "bg": "bul", "sr": "srp", "hr": "hrv", "sl": "slv", "ro": "ron",
    "el": "ell", "zh": "zho", "ja": "jpn", "ko": "kor", "ar": "ara", "fa": "fas",
    "he": "heb", "tr": "tur", "bn": "ben", "ur": "urd", "mr": "mar", "ta": "tam",
    "te": "tel", "sv": "swe", "da": "dan", "fi": "fin", "et": "est", "lt": "lit",
    "lv": "lav", "hu": "hun", "ka": "kat", "hy": "hye", "kk": "kaz", "vi": "vie",
    "en": "eng", "cy": "cym", "ga": "gle", "sq": "sqi", "mk": "mkd", "ms": "msa",
    "id": "ind", "th": "tha", "sw": "swa", "af": "afr", "az": "aze", "gu": "guj",
}  # fmt: skip
# NLLB-200 names some macrolanguages by one member; where a language has several scripts,
# the one its news is mostly written in.
_NLLB_PREFERRED = {
    "ar": "arb_Arab", "fa": "pes_Arab", "zh": "zho_Hans", "lv": "lvs_Latn", "et": "est_Latn",
    "ms": "zsm_Latn", "sq": "als_Latn", "az": "azj_Latn", "sw": "swh_Latn", "sr": "srp_Cyrl",
}  # fmt: skip
# Summariser architectures pre-trained on many languages (mT5, mBART, umT5): such a model briefs
# an article in its own language instead of reading an English translation of it.
MULTILINGUAL_MODEL_TYPES = ("mt5", "umt5", "mbart")
_NLLB = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")
_MBART = re.compile(r"^[a-z]{2}_[A-Z]{2}$")
_M2M = re.compile(r"^__[a-z]{2,3}__$")
_OPUS = re.compile(r"^>>[a-z_A-Z]{2,8}<<$")


@dataclass(frozen=True)
class LanguageTokens:
    """How a multilingual model selects languages, and the codes it has."""

    family: str  # "nllb", "mbart50", "m2m100" or "opus-mt"
    codes: tuple[str, ...]  # the language tokens in the model's vocabulary
    # True where the target is the decoder's first token (forced BOS on torch, a target prefix
    # on CTranslate2) and the source language is the input's first token; False where a
    # ``>>xxx<<`` token in front of the input selects the target (OPUS-MT).
    forced: bool

    def has(self, lang: str) -> bool:
        """Whether the model knows ISO 639-1 ``lang``."""
        return self._find(lang) is not None

    def token(self, lang: str) -> str:
        """The token for ISO 639-1 ``lang``; a UsageError naming the known codes otherwise."""
        found = self._find(lang)
        if found is None:
            shown = ", ".join(self.codes[:12]) + ("…" if len(self.codes) > 12 else "")
            raise UsageError(
                f"This {self.family} model has no language code for '{lang}': it knows "
                f"{shown}; pick another --translator or --to"
            )
        return found

    def _find(self, lang: str) -> str | None:
        return next((c for c in self._candidates(lang) if c in self.codes), None)

    def _candidates(self, lang: str) -> list[str]:
        iso3 = ISO_639_3.get(lang, lang)
        if self.family == "nllb":
            preferred = [_NLLB_PREFERRED[lang]] if lang in _NLLB_PREFERRED else []
            return preferred + [c for c in self.codes if c.split("_")[0] in (lang, iso3)]
        if self.family == "mbart50":
            return [c for c in self.codes if c.split("_")[0] == lang]
        if self.family == "m2m100":
            return [f"__{lang}__"]
        return [f">>{lang}<<", f">>{iso3}<<"]


def language_tokens(vocabulary: Mapping[str, int]) -> LanguageTokens | None:
    """The language tokens of a multilingual model, or None for a one-language-pair model."""
    # A family's codes are many; a stray piece that happens to match a pattern is not.
    for family, pattern, forced in (
        ("nllb", _NLLB, True),
        ("mbart50", _MBART, True),
        ("m2m100", _M2M, True),
        ("opus-mt", _OPUS, False),
    ):
        codes = tuple(sorted(t for t in vocabulary if pattern.match(t)))
        if len(codes) >= 2:
            return LanguageTokens(family, codes, forced)
    return None
