"""The model work the service batches: briefing articles and translating texts.

Everything here runs on the batcher's model thread. A key is ``(kind, options)``: jobs share
a call only when they want the same thing done with the same :class:`BriefOptions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from briefly.options import BriefOptions

BRIEF = "brief"
TRANSLATE = "translate"

# Subword vocabularies average about four characters per token: close enough to size a
# batch without running a tokenizer on the event loop.
_CHARS_PER_TOKEN = 4


def make_briefer(options: BriefOptions):
    """A Briefer for ``options``; the models behind it are loaded once per process."""
    from briefly.pipeline import Briefer

    return Briefer(options)


def estimate_tokens(texts: Sequence[str]) -> int:
    return sum(len(text) // _CHARS_PER_TOKEN + 1 for text in texts)


# The kind of work (BRIEF or TRANSLATE) and the options it runs with.
WorkKey = tuple[str, BriefOptions]


def run_batch(key: WorkKey, items: Sequence[Any]) -> list[Any]:
    """One model call for every item: a Brief per article, or per text list a translation."""
    kind, options = key
    briefer = make_briefer(options)
    if kind == BRIEF:
        return briefer.brief_many(items)
    texts = [text for item in items for text in item]
    translated = [t.text for t in briefer.translate_many(texts)[options.languages[0]]]
    results, start = [], 0
    for item in items:
        results.append(translated[start : start + len(item)])
        start += len(item)
    return results


def loaded_models(options: BriefOptions) -> dict:
    """The device, and per role the model, backend and compute type (for /models)."""
    from briefly.models.engines import load_engine

    roles, devices = {}, set()
    for role, name in make_briefer(options).models.items():
        if name == "extractive":
            roles[role] = {"model": name, "backend": None, "compute_type": None}
            continue
        # The same arguments as the Briefer's own call: the cached engine, not a second load.
        engine = load_engine(
            name,
            device=options.device,
            backend=options.backend,
            compute_type=options.compute_type,
        )
        roles[role] = {
            "model": name,
            "backend": engine.backend,
            "compute_type": engine.compute_type,
        }
        devices.add(engine.device)
    # The engines' own device: asking torch here would import it on the torch-free ct2 path.
    return {"device": ",".join(sorted(devices)) or "cpu", "models": roles}
