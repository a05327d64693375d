"""Prompt templates that tell instruction-following summarisers what to write.

BART-style summarisers take the article as it is. T5 wants a task prefix, and
FLAN-T5 and chat models an instruction: the article is wrapped in a template
before it reaches the model. Templates are plain text files in the top-level
``prompts/`` folder, shipped inside the package as ``briefly.prompt_templates``;
prompts/README.md describes their format.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypedDict

from briefly.errors import BrieflyError, UsageError, first_line

# Everything a template may ask for; every template must place {article}.
PLACEHOLDERS = ("article", "max_words", "language")
DEFAULT_MAX_WORDS = 80
DEFAULT_LANGUAGE = "English"


# How a chat model's template renders the one user turn that asks for a brief. Qwen3's
# templates let the model reason at length in <think> before it answers unless told not to;
# a brief is the answer alone. Templates without the variable ignore it.
class ChatTurn(TypedDict):
    """apply_chat_template's keywords for one user turn rendered as text."""

    add_generation_prompt: bool
    tokenize: bool
    enable_thinking: bool


CHAT_TURN: ChatTurn = {"add_generation_prompt": True, "tokenize": False, "enable_thinking": False}

# The template each model family (see model_family) gets unless told otherwise.
DEFAULT_PROMPTS: dict[str, str | None] = {
    "seq2seq": None,  # summarisers fine-tuned on bare articles (BART, Pegasus) need none
    "t5": "t5",
    "flan-t5": "flan",
    "causal": "brief",
}

_TEMPLATES = "briefly.prompt_templates"
_SUFFIX = ".txt"
_T5_TYPES = frozenset({"t5", "mt5", "umt5", "longt5"})


@dataclass(frozen=True)
class Prompt:
    """A template that wraps an article in an instruction."""

    name: str  # the template's name, or its file's stem when loaded from a path
    text: str  # the template without its header comments; {placeholders} in str.format style
    placeholders: tuple[str, ...]  # placeholders the template uses, in order of first use
    # The template as (literal text, placeholder or None) pieces, as parse_prompt checked it.
    pieces: tuple[tuple[str, str | None], ...]

    def render(
        self,
        article: str,
        *,
        max_words: int = DEFAULT_MAX_WORDS,
        language: str = DEFAULT_LANGUAGE,
    ) -> str:
        """The model input for ``article``; values the template does not use are ignored.

        Placeholders are substituted from the checked pieces, never by ``str.format``, so
        no template can pad, convert or index a value.
        """
        values = {"article": article, "max_words": str(max_words), "language": language}
        return "".join(literal + (values[field] if field else "") for literal, field in self.pieces)


def available_prompts() -> tuple[str, ...]:
    """Names of the templates that ship with briefly."""
    return tuple(
        sorted(
            entry.name.removesuffix(_SUFFIX)
            for entry in _template_dir().iterdir()
            if entry.name.endswith(_SUFFIX)
        )
    )


def load_prompt(name_or_file: str) -> Prompt:
    """A shipped template by name (``brief``) or a template file by path (``my-prompt.txt``).

    Shipped names win over files of the same name in the working directory; write
    ``./brief`` for such a file.
    """
    names = available_prompts()
    if name_or_file in names:
        source = (_template_dir() / f"{name_or_file}{_SUFFIX}").read_text(encoding="utf-8")
        return parse_prompt(name_or_file, source)
    path = Path(name_or_file)
    if not path.is_file() and (os.sep in name_or_file or name_or_file.endswith(_SUFFIX)):
        raise UsageError(
            f"No prompt file at {name_or_file}: check the path, or use one of {', '.join(names)}"
        )
    if not path.is_file():
        raise UsageError(
            f"Unknown prompt '{name_or_file}': use one of {', '.join(names)}, "
            "or the path of a template file"
        )
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(
            f"Cannot read prompt file '{path}' ({first_line(e)}): pass a UTF-8 text file"
        ) from e
    return parse_prompt(path.stem, source)


def parse_prompt(name: str, source: str) -> Prompt:
    """A template from a file's text: leading ``#`` lines are comments, the rest is the template."""
    lines = source.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    text = "\n".join(lines).strip()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as e:
        raise UsageError(
            f"Prompt '{name}' is not a valid template ({e}): write literal braces as {{{{ and }}}}"
        ) from e
    used = [field for _, field, _, _ in parsed if field is not None]
    styled = next((p for p in parsed if p[1] is not None and (p[2] or p[3])), None)
    if styled is not None:
        _, field, spec, conversion = styled
        shown = f"{field}" + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        raise UsageError(
            f"Prompt '{name}' has a format spec or conversion in {{{shown}}}: write plain "
            f"{{{field}}}, and literal braces as {{{{ and }}}}"
        )
    unknown = [field for field in used if field not in PLACEHOLDERS]
    if unknown:
        known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
        raise UsageError(
            f"Prompt '{name}' has an unknown placeholder {{{unknown[0]}}}: use {known}, "
            "and write literal braces as {{ and }}"
        )
    if "article" not in used:
        raise UsageError(
            f"Prompt '{name}' has no {{article}} placeholder: add it where the article goes"
        )
    return Prompt(
        name=name,
        text=text,
        placeholders=tuple(dict.fromkeys(used)),
        pieces=tuple((literal, field) for literal, field, _, _ in parsed),
    )


def model_family(config) -> str:
    """Which kind of summariser a transformers config describes, for prompts and engines.

    ``"causal"`` for decoder-only models, ``"t5"`` or ``"flan-t5"`` for the T5 family,
    ``"seq2seq"`` for other encoder-decoders (BART, Marian, Pegasus).
    """
    if not config.is_encoder_decoder:
        return "causal"
    if config.model_type in _T5_TYPES:
        # FLAN-T5's config is T5's, so only its name or path tells them apart. Plain T5
        # and its many fine-tunes were trained on the "summarize:" prefix, which FLAN-T5
        # also understands, so an unrecognised FLAN-T5 still gets a workable prompt.
        return "flan-t5" if "flan" in config.name_or_path.lower() else "t5"
    return "seq2seq"


def default_prompt(family: str) -> str | None:
    """The template name a model family gets when ``--prompt`` is not given; None for none."""
    return DEFAULT_PROMPTS[family]


def _template_dir():
    try:
        return resources.files(_TEMPLATES)
    except ModuleNotFoundError as e:
        # An editable install made before the templates were packaged lacks the mapping.
        raise BrieflyError(
            "briefly's prompt templates are not installed: reinstall briefly "
            "(pip install -e . in a source checkout)"
        ) from e
