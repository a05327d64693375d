"""Everything that changes a brief, in one frozen, validated object.

The CLI builds one :class:`BriefOptions` per command; the library, batch mode, Ray workers,
the HTTP service and the batch settings stamp all receive it whole. Validation here checks
values only (no model is looked up, nothing is imported): what needs the machine or the
hub (CUDA present, model available) is checked by :meth:`briefly.pipeline.Briefer.check`.
"""

from __future__ import annotations

import json
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from briefly.errors import UsageError

# The models a brief uses unless told otherwise; briefly.models.hub resolves them.
DEFAULT_SUMMARIZER = "sshleifer/distilbart-cnn-12-6"
DEFAULT_LANGUAGES = ("uk", "ru", "hi")
# One model for both East Slavic targets (>>ukr<<, >>rus<<), loaded once; other targets
# default to Helsinki-NLP/opus-mt-en-{lang}. Scores and sources: docs/models.md.
ZLE_TRANSLATOR = "Helsinki-NLP/opus-mt-tc-big-en-zle"
DEFAULT_TRANSLATORS = {"uk": ZLE_TRANSLATOR, "ru": ZLE_TRANSLATOR}

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
# The longest brief any summariser is asked for, in words: a brief, not an essay. A model's
# own window bounds it further (briefly.models.generation.check_max_words).
MAX_WORDS = 1000


@dataclass(frozen=True)
class Preset:
    """A documented set of models and decoding settings (docs/models.md gives the evidence)."""

    summarizer: str  # summarisation model
    translators: Mapping[str, str]  # target -> model, where not the default translator


QUALITIES = ("fast", "balanced", "best")
PRESETS = {
    # A laptop CPU: the smaller distilled summariser and base Marian models. Each keeps its own
    # beams (4), those its published scores were measured with: no published figure says what
    # fewer would cost (docs/models.md).
    "fast": Preset(
        "sshleifer/distilbart-cnn-6-6",
        {"uk": "Helsinki-NLP/opus-mt-en-uk", "ru": "Helsinki-NLP/opus-mt-en-ru"},
    ),
    "balanced": Preset(DEFAULT_SUMMARIZER, {}),
    # A GPU box: a 1.2B multilingual model (MIT) for Hindi as well.
    "best": Preset(DEFAULT_SUMMARIZER, {"hi": "facebook/m2m100_1.2B"}),
}
_EVERY_TARGET = ("*", "all")

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# --translator keys: a target ("uk"), a source into English ("ru-en"), a direct pair
# ("ru-uk"), or every target ("*" / "all").
_TRANSLATOR_KEY = re.compile(r"^([a-z]{2,3}(-[a-z]{2,3})?|\*|all)$")


@dataclass(frozen=True)
class BriefOptions:
    """How to brief: models, languages, hardware and length.

    >>> BriefOptions(languages=("uk",), summarizer="extractive")
    """

    # Summarisation model: hub id, local directory, or "extractive" (no model); "": the
    # quality preset's.
    summarizer: str = ""
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
    # Preset of models: "fast", "balanced" or "best" (see PRESETS); the summariser and
    # translators given here override its parts. Every preset decodes with each model's own
    # beams.
    quality: str = "balanced"
    # Beam width of every model; None: each model's own.
    num_beams: int | None = None
    # Batch only texts of equal token length, so that each output is what its text gets alone
    # whatever it shares a model call with (slower); by default texts of any length share
    # calls, and the same inputs with the same options still give the same outputs.
    deterministic: bool = False

    def __post_init__(self) -> None:
        check_fields(self)
        _one_of("quality", self.quality, QUALITIES)
        preset = PRESETS[self.quality]
        languages = tuple(dict.fromkeys(lang.strip().lower() for lang in self.languages))
        object.__setattr__(self, "languages", languages)
        translators = {k.strip().lower(): v.strip() for k, v in dict(self.translators).items()}
        # A model given for every target overrides the preset's per-target ones too.
        if not set(translators) & set(_EVERY_TARGET):
            translators = {**preset.translators, **translators}
        object.__setattr__(self, "translators", translators)
        if self.summarizer == "":
            object.__setattr__(self, "summarizer", preset.summarizer)
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
        if self.num_beams is not None and not 1 <= self.num_beams <= 64:
            raise UsageError(f"num_beams must be from 1 to 64, not {_shown(self.num_beams)}")
        if self.max_words is not None and not 1 <= self.max_words <= MAX_WORDS:
            raise UsageError(
                f"max_words must be a positive number of words up to {MAX_WORDS}, "
                f"not {_shown(self.max_words)}"
            )

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
        """A copy with ``changes`` applied and validated.

        A new ``quality`` brings its preset's models, except where they were given.
        """
        old = PRESETS[self.quality]
        if changes.get("quality", self.quality) != self.quality:
            if self.summarizer == old.summarizer:
                changes.setdefault("summarizer", "")
            given = {k: v for k, v in self.translators.items() if old.translators.get(k) != v}
            changes.setdefault("translators", given)
        return replace(self, **changes)


def _one_of(what: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise UsageError(f"Unknown {what} '{value}': use one of {', '.join(allowed)}")


def check_fields(options: Any) -> None:
    """Check every field of a frozen dataclass against its annotation, in ``__post_init__``.

    The options are the Python API's edge: a wrong type is a :class:`UsageError` naming the
    field, not a TypeError deep in a run (see :func:`checked` for what is taken).
    """
    hints = typing.get_type_hints(type(options))
    for f in fields(options):
        object.__setattr__(
            options, f.name, checked(f.name, getattr(options, f.name), hints[f.name])
        )


def checked(name: str, value: Any, hint: Any) -> Any:
    """``value`` as the type ``hint`` declares, or a UsageError that names ``name``.

    Where a ``str`` is declared, an ``os.PathLike`` (a ``Path``) is taken as its path; where a
    tuple is declared, any list or tuple; where a float, an int. A bool is never a number.
    """
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        members = [arg for arg in args if arg is not type(None)]
        if len(members) == 1:
            # Its own message says more than the list (which item of a tuple is wrong).
            return checked(name, value, members[0])
        for member in members:
            try:
                return checked(name, value, member)
            except UsageError:
                pass
        raise UsageError(f"{name} must be {_described(hint)}, not {_shown(value)}")
    if origin is Literal:
        if value in args:
            return value
        raise UsageError(f"{name} must be one of {', '.join(map(str, args))}, not {_shown(value)}")
    if origin is tuple and isinstance(value, list | tuple):
        return tuple(checked(f"{name}[{i}]", item, args[0]) for i, item in enumerate(value))
    if origin is not None and issubclass(origin, Mapping) and isinstance(value, Mapping):
        return {
            checked(f"{name} key", key, args[0]): checked(f"{name}[{key!r}]", item, args[1])
            for key, item in value.items()
        }
    if hint is str and isinstance(value, os.PathLike):
        value = os.fspath(value)
    # bool is an int to Python, never to a user: max_words=True is a mistake.
    number = hint in (int, float) and not isinstance(value, bool)
    if hint is float and number and isinstance(value, int):
        return float(value)
    if origin in (None, os.PathLike) and isinstance(value, origin or hint):
        if hint in (bool, type(None)) or number or not isinstance(value, bool):
            return value
    raise UsageError(f"{name} must be {_described(hint)}, not {_shown(value)}")


_DESCRIPTIONS = {
    str: "a str",
    bytes: "bytes",
    int: "a whole number",
    float: "a number",
    bool: "True or False",
    type(None): "None",
    os.PathLike: "a path",
}


def _described(hint: Any) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_described(arg) for arg in args)
    if origin is tuple:
        return f"a list or tuple of {args[0].__name__}"
    if origin is not None and issubclass(origin, Mapping):
        return f"a dict of {args[0].__name__} to {args[1].__name__}"
    return _DESCRIPTIONS.get(origin or hint, getattr(hint, "__name__", str(hint)))


def _shown(value: Any) -> str:
    """``value`` for a one-line message: its repr, shortened, with its type where that helps."""
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    plain = isinstance(value, str | int | float | type(None))
    return text if plain else f"{text} ({type(value).__name__})"
