"""Checking brief options against this machine and the models before anything loads.

:class:`~briefly.options.BriefOptions` checks values alone; what depends on the machine
(CUDA, CTranslate2 installed, the compute types it supports) and on the hub (models that
can be had) is checked here, in well under a second, so that a bad setting never costs a
model load.
"""

from __future__ import annotations

import logging

from briefly.errors import UsageError
from briefly.models.engines import ct2_available
from briefly.models.generation import check_max_words, output_token_bound
from briefly.models.hub import cached_config, check_available, resolve_device, translator_name
from briefly.options import BriefOptions

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
    if not options.extractive:
        check_available(options.summarizer, role="summarizer")
        # A model not yet downloaded is checked once it is loaded (Briefer._summarizer).
        bound = output_token_bound(cached_config(options.summarizer))
        check_max_words(options.max_words, bound, options.summarizer)
    for lang in set(options.languages) - {"en", article_language}:
        check_available(translator_name(lang, options.translators), role=f"translator:{lang}")


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
