"""The model work the service batches: briefing articles and translating texts.

Everything here runs on the batcher's model thread. A key is ``(kind, options)``: jobs share
a call only when they want the same thing done with the same :class:`BriefOptions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from briefly.options import BriefOptions
from briefly.results import Translation
from briefly.serve.batcher import Abandoned

if TYPE_CHECKING:
    from briefly.pipeline import Briefer

T = TypeVar("T")

BRIEF = "brief"
TRANSLATE = "translate"

# Subword vocabularies average about four characters per token: close enough to size a
# batch without running a tokenizer on the event loop.
_CHARS_PER_TOKEN = 4


def make_briefer(options: BriefOptions) -> Briefer:
    """A Briefer for ``options``; the models behind it are loaded once per process."""
    from briefly.pipeline import Briefer

    return Briefer(options)


def estimate_tokens(texts: Sequence[str]) -> int:
    return sum(len(text) // _CHARS_PER_TOKEN + 1 for text in texts)


# The kind of work (BRIEF or TRANSLATE) and the options it runs with.
WorkKey = tuple[str, BriefOptions]


def run_batch(
    key: WorkKey, items: Sequence[Any], stopped: Callable[[], bool], *, chunk_tokens: int
) -> list[Any]:
    """A Brief per article, or per text list its Translations.

    The work goes to the models in chunks of about ``chunk_tokens``, and ``stopped`` is
    checked before each: a request that asked for much stops soon after its client gives up.
    """
    kind, options = key
    briefer = make_briefer(options)
    if kind == BRIEF:
        briefs = []
        for chunk in _chunks(items, lambda article: article.body, chunk_tokens, stopped):
            briefs.extend(briefer.brief_many(chunk))
        return briefs
    texts = [text for item in items for text in item]
    translated: list[Translation] = []
    for chunk in _chunks(texts, lambda text: text, chunk_tokens, stopped):
        translated.extend(briefer.translate_many(chunk)[options.languages[0]])
    results, start = [], 0
    for item in items:
        results.append(translated[start : start + len(item)])
        start += len(item)
    return results


def _chunks(
    items: Sequence[T], text: Callable[[T], str], budget: int, stopped: Callable[[], bool]
) -> Iterator[list[T]]:
    """``items`` in runs of at most ``budget`` estimated tokens (at least one item each)."""
    chunk: list[T] = []
    cost = 0
    for item in items:
        size = estimate_tokens([text(item)])
        if chunk and cost + size > budget:
            yield _checked(chunk, stopped)
            chunk, cost = [], 0
        chunk.append(item)
        cost += size
    if chunk:
        yield _checked(chunk, stopped)


def _checked(chunk: list[T], stopped: Callable[[], bool]) -> list[T]:
    if stopped():
        raise Abandoned
    return chunk


def loaded_engines(briefer: Briefer) -> dict:
    """Per role the engine ``briefer`` runs (None for the extractive summariser)."""
    from briefly.models.engines import load_engine

    options = briefer.options
    return {
        # The same arguments as the Briefer's own call: the cached engine, not a second load.
        role: None
        if name == "extractive"
        else load_engine(
            name,
            device=options.device,
            backend=options.backend,
            compute_type=options.compute_type,
        )
        for role, name in briefer.models.items()
    }


def loaded_models(briefer: Briefer, engines: dict) -> dict:
    """The device, and per role the model, backend and compute type (for /models), from the
    ``engines`` of :func:`loaded_engines`."""
    roles, devices = {}, set()
    for role, engine in engines.items():
        roles[role] = {
            "model": briefer.models[role],
            "backend": engine and engine.backend,
            "compute_type": engine and engine.compute_type,
        }
        if engine is not None:
            devices.add(engine.device)
    # The engines' own device: asking torch here would import it on the torch-free ct2 path.
    return {"device": ",".join(sorted(devices)) or "cpu", "models": roles}
