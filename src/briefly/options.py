"""Everything that changes a brief, in one frozen, validated object.

The CLI builds one :class:`BriefOptions` per command; the library, batch mode, Ray workers,
the HTTP service and the batch settings stamp all receive it whole. Validation here checks
values only (no model is looked up, nothing is imported): what needs the machine or the
hub (CUDA present, model available) is checked by :meth:`briefly.pipeline.Briefer.check`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from briefly.errors import UsageError

# The models a brief uses unless told otherwise; briefly.models.hub resolves them.
DEFAULT_SUMMARIZER = "sshleifer/distilbart-cnn-12-6"
DEFAULT_LANGUAGES = ("uk", "ru", "hi")

DEVICES = ("auto", "cpu", "cuda")
BACKENDS = ("auto", "torch", "ct2")
# CTranslate2's quantizations, and the torch dtypes of the same names.
COMPUTE_TYPES = (
    "default",
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
LENGTHS = ("short", "medium", "long")
LONG_STRATEGIES = ("map-reduce", "extract")
EXTRACTIVE = "extractive"

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# --translator keys: a target ("uk"), a source into English ("ru-en"), a direct pair
# ("ru-uk"), or every target ("*" / "all").
_TRANSLATOR_KEY = re.compile(r"^([a-z]{2,3}(-[a-z]{2,3})?|\*|all)$")


@dataclass(frozen=True)
class BriefOptions:
    """How to brief: models, languages, hardware and length.

    >>> BriefOptions(languages=("uk",), summarizer="extractive")
    """

    # Summarisation model: hub id, local directory, or "extractive" (no model).
    summarizer: str = DEFAULT_SUMMARIZER
    # Target languages of the translations, in order; () for the English brief only.
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    # Model overrides by key: "uk" (English into uk), "ru-en" (Russian into English),
    # "ru-uk" (a direct pair), "*" or "all" (every target).
    translators: Mapping[str, str] = field(default_factory=dict)
    # "auto" (CUDA when present), "cpu" or "cuda".
    device: str = "auto"
    # "auto" (CTranslate2 where installed and the model's family is supported), "torch", "ct2".
    backend: str = "auto"
    # Precision (see COMPUTE_TYPES); None: the backend's default for the device.
    compute_type: str | None = None
    # Brief length: "short", "medium" (the model's own) or "long".
    length: str = "medium"
    # At most about this many words in the brief; None: no bound beyond ``length``.
    max_words: int | None = None
    # Articles longer than the model's window: "map-reduce" or "extract".
    long_strategy: str = "map-reduce"
    # Translate a non-English article into English before an English-only summariser.
    translate_source: bool = True
    # Prompt template name or file for instruction models; None: the model family's default.
    prompt: str | None = None
    # Retry outputs the guards reject (loops, wrong language); off only to measure raw speed.
    guard_retries: bool = True

    def __post_init__(self) -> None:
        languages = tuple(dict.fromkeys(lang.strip().lower() for lang in self.languages))
        object.__setattr__(self, "languages", languages)
        translators = {k.strip().lower(): v.strip() for k, v in dict(self.translators).items()}
        object.__setattr__(self, "translators", translators)
        _one_of("device", self.device, DEVICES)
        _one_of("backend", self.backend, BACKENDS)
        if self.compute_type is not None:
            _one_of("compute type", self.compute_type, COMPUTE_TYPES)
        _one_of("length", self.length, LENGTHS)
        _one_of("long-article strategy", self.long_strategy, LONG_STRATEGIES)
        if not self.summarizer.strip():
            raise UsageError("No summariser given: pass a hub id, a local directory or extractive")
        bad = [lang for lang in languages if not _LANGUAGE_CODE.match(lang)]
        if bad:
            raise UsageError(
                f"'{bad[0]}' is not a language code: use two- or three-letter codes such as "
                "uk,ru,hi, or no languages for the English brief only"
            )
        for key, name in translators.items():
            if not _TRANSLATOR_KEY.match(key) or not name:
                raise UsageError(
                    f"Translator override '{key}={name}' is not LANG=MODEL: use e.g. "
                    "uk=Helsinki-NLP/opus-mt-en-uk, ru-en=MODEL, ru-uk=MODEL or '*=MODEL'"
                )
        if self.max_words is not None and self.max_words < 1:
            raise UsageError(f"max_words must be a positive number of words, not {self.max_words}")

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    @property
    def extractive(self) -> bool:
        """Whether the brief comes from the built-in extractive summariser (no model)."""
        return self.summarizer == EXTRACTIVE

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values: what Ray ships to workers and the batch stamp hashes."""
        data = asdict(self)
        data["languages"] = list(self.languages)
        data["translators"] = dict(sorted(self.translators.items()))
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BriefOptions:
        """The inverse of :meth:`to_dict`; unknown keys are a usage error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise UsageError(f"Unknown brief option '{unknown[0]}': use one of {sorted(known)}")
        values = dict(data)
        if "languages" in values:
            values["languages"] = tuple(values["languages"])
        return cls(**values)

    def replace(self, **changes: Any) -> BriefOptions:
        """A copy with ``changes`` applied and validated."""
        return replace(self, **changes)


def _one_of(what: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise UsageError(f"Unknown {what} '{value}': use one of {', '.join(allowed)}")
