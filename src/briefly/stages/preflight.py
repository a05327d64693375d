"""Checking brief options against this machine and the models before anything loads.

:class:`~briefly.options.BriefOptions` checks values alone; what depends on the machine
(CUDA, CTranslate2 installed, the compute types it supports) and on the hub (models that
can be had) is checked here, in well under a second, so that a bad setting never costs a
model load.
"""

from __future__ import annotations

import logging
import shlex

from briefly.errors import ModelError, UsageError
from briefly.models.engines import ct2_available
from briefly.models.generation import check_max_words, output_token_bound
from briefly.models.hub import cached_config, check_available, resolve_device, translator_name
from briefly.options import DEFAULT_LANGUAGES, PRESETS, BriefOptions

logger = logging.getLogger("briefly")

# Compute types CTranslate2 accepts on any device besides those it lists as supported.
_ALWAYS = ("default", "auto")


def check_options(options: BriefOptions, article_language: str | None = None) -> None:
    """Raise the UsageError or ModelError that loading with ``options`` would raise.

    Targets need a translator from English, except English itself (the brief, or a
    translation from the article's language, known only once it is read) and
    ``article_language``, the language of every article to brief where known (the extract
    or the brief itself).
    """
    backend = _backend(options)
    device = resolve_device(options.device, backend)
    if options.compute_type is not None:
        _check_compute_type(options.compute_type, backend, device, options.backend)
    if options.extractive and options.prompt is not None:
        logger.warning("the prompt is ignored: the extractive summariser takes no prompt")
    needed = {} if options.extractive else {"summarizer": options.summarizer}
    for lang in sorted(set(options.languages) - {"en", article_language}):
        needed[f"translator:{lang}"] = translator_name(lang, options.translators)
    missing: dict[str, ModelError] = {}
    for role, name in needed.items():
        try:
            check_available(name, role=role)
        except ModelError as e:
            missing.setdefault(name, e)
    if len(missing) == 1:
        raise next(iter(missing.values()))
    if missing:
        # Following one model's advice at a time would meet the next missing one.
        extractive = (
            ", or use --summarizer extractive, which needs no model"
            if options.summarizer in missing
            else ""
        )
        raise ModelError(
            f"{len(missing)} models are not available here: {', '.join(missing)}. Fetch them "
            f"all with `{download_command(options)}` where huggingface.co is reachable "
            f"(HF_HUB_OFFLINE unset){extractive}"
        )
    if not options.extractive:
        # A model not yet downloaded is checked once it is loaded (Briefer._summarizer).
        bound = output_token_bound(cached_config(options.summarizer))
        check_max_words(options.max_words, bound, options.summarizer)


def download_command(options: BriefOptions) -> str:
    """The one ``briefly models download`` line that fetches every model ``options`` use."""
    preset = PRESETS[options.quality]
    words = ["briefly models download", f"--quality {options.quality}"]
    if options.languages != DEFAULT_LANGUAGES:
        words.append(f"--to {','.join(options.languages) or 'none'}")
    if options.summarizer != preset.summarizer:
        words.append(f"--summarizer {shlex.quote(options.summarizer)}")
    for key, name in options.translators.items():
        if preset.translators.get(key) != name:
            words.append(f"--translator {shlex.quote(f'{key}={name}')}")
    return " ".join(words)


def _backend(options: BriefOptions) -> str:
    """The backend that will run ("ct2" or "torch"); auto picks ct2 wherever installed."""
    if options.backend == "ct2" and not ct2_available():
        raise UsageError(
            "The ct2 backend needs CTranslate2: pip install 'briefly[fast]' (or ctranslate2)"
        )
    if options.backend == "auto":
        return "ct2" if ct2_available() else "torch"
    return options.backend


def _check_compute_type(compute_type: str, backend: str, device: str, asked: str) -> None:
    if backend != "ct2":
        fix = "pip install 'briefly[fast]'" if asked == "auto" else "use the ct2 backend"
        raise UsageError(
            f"Compute type '{compute_type}' applies to the ct2 backend only: drop it, or {fix}"
        )
    import ctranslate2

    supported = ctranslate2.get_supported_compute_types(device)
    if compute_type not in supported and compute_type not in _ALWAYS:
        raise UsageError(
            f"Compute type '{compute_type}' is not supported on {device}: use one of "
            f"{', '.join(sorted(supported))}"
        )
