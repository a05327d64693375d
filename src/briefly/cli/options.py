"""The brief options of the command line, declared once for every command that takes them.

:func:`brief_options` adds the chosen options of :data:`OPTIONS` to a command and hands
it one :class:`~briefly.options.BriefOptions` built from them, so ``brief``, ``batch``,
``translate`` and ``models`` share names, help and defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import typer

from briefly.cli.params import options_as
from briefly.options import (
    BACKENDS,
    COMPUTE_TYPES,
    DEVICES,
    LENGTHS,
    LONG_STRATEGIES,
    MAX_WORDS,
    QUALITIES,
    BriefOptions,
)


@dataclass(frozen=True)
class _Option:
    """One command-line option and the BriefOptions field it sets."""

    annotation: Any  # Annotated[type, typer.Option(...)]
    default: Any  # the value when the option is not given


def choice(values: tuple[str, ...]) -> Any:
    """The type of an option that takes one of ``values`` (help lists them)."""
    return Literal[values]


OPTIONS: dict[str, _Option] = {
    "to": _Option(
        Annotated[
            str,
            typer.Option(
                "--to",
                metavar="LANGS",
                help="Target languages, comma-separated (any opus-mt code), or 'none'.",
            ),
        ],
        "uk,ru,hi",
    ),
    "summarizer": _Option(
        Annotated[
            str,
            typer.Option(
                "--summarizer",
                metavar="MODEL",
                help="Summarisation model: hub id, local directory, or 'extractive' (no model). "
                "Default: the --quality preset's.",
                show_default=False,
            ),
        ],
        "",
    ),
    "quality": _Option(
        Annotated[
            choice(QUALITIES),
            typer.Option(
                "--quality",
                help="Models: fast (a laptop CPU), balanced, best (a GPU box); "
                "--summarizer and --translator override its parts (docs/models.md).",
            ),
        ],
        "balanced",
    ),
    "translator": _Option(
        Annotated[
            list[str] | None,
            typer.Option(
                "--translator",
                metavar="LANG=MODEL",
                help="Another translation model for one language (repeatable); "
                "ru-en=MODEL for Russian articles into English.",
                show_default=False,
            ),
        ],
        None,
    ),
    "length": _Option(
        Annotated[choice(LENGTHS), typer.Option("--length", help="Brief length.")],
        "medium",
    ),
    "max_words": _Option(
        Annotated[
            int | None,
            typer.Option(
                "--max-words",
                min=5,
                max=MAX_WORDS,
                metavar="N",
                help="At most about N words in the brief.",
                show_default=False,
            ),
        ],
        None,
    ),
    "long_strategy": _Option(
        Annotated[
            choice(LONG_STRATEGIES),
            typer.Option(
                "--long-strategy",
                help="Articles longer than the model's window: summarise chunks, then their "
                "summaries (map-reduce), or keep the most central sentences that fit (extract).",
            ),
        ],
        "map-reduce",
    ),
    "translate_source": _Option(
        Annotated[
            bool,
            typer.Option(
                "--translate-source/--no-translate-source",
                help="Translate non-English articles into English before summarising "
                "(turn off for a multilingual summariser).",
            ),
        ],
        True,
    ),
    "prompt": _Option(
        Annotated[
            str | None,
            typer.Option(
                "--prompt",
                metavar="NAME|FILE",
                help="Prompt template for T5/FLAN-T5 and chat summarisers: a shipped name "
                "(brief, headline-brief, t5, flan) or a file. Default: the model family's.",
                show_default=False,
            ),
        ],
        None,
    ),
    "device": _Option(
        Annotated[choice(DEVICES), typer.Option("--device", help="auto uses CUDA when present.")],
        "auto",
    ),
    "backend": _Option(
        Annotated[
            choice(BACKENDS),
            typer.Option(
                "--backend",
                help="auto: ct2 where installed and the model supports it, else torch.",
            ),
        ],
        "auto",
    ),
    "compute_type": _Option(
        Annotated[
            choice(COMPUTE_TYPES) | None,
            typer.Option(
                "--compute-type",
                help="ct2 precision. Default: int8 on CPU, int8_float16 on CUDA.",
                show_default=False,
            ),
        ],
        None,
    ),
    "deterministic": _Option(
        Annotated[
            bool,
            typer.Option(
                "--deterministic",
                help="Give each text the output it gets alone, whatever shares its model call: "
                "only texts of equal token length are batched (slower).",
            ),
        ],
        False,
    ),
}

# Every option, for the commands that brief.
ALL = tuple(OPTIONS)


def brief_options(
    *names: str, to: Any = None
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Add the options ``names`` to a command, which gets ``options: BriefOptions`` instead.

    ``to`` replaces the ``--to`` option's declaration (``translate`` has no 'none').
    """

    added = {
        name: (
            to if name == "to" and to is not None else OPTIONS[name].annotation,
            OPTIONS[name].default,
        )
        for name in names
    }
    return options_as("options", added, build_options)


def build_options(**given: Any) -> BriefOptions:
    """The BriefOptions for the values of the command-line options given."""
    from briefly.models.hub import parse_languages, parse_translator_overrides

    values = dict(given)
    if "to" in values:
        values["languages"] = parse_languages(values.pop("to"))
    if "translator" in values:
        values["translators"] = parse_translator_overrides(values.pop("translator"))
    return BriefOptions(**values)
