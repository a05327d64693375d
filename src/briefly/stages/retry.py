"""Generating with output guards: a flagged output is retried once, then reported.

A retry uses stronger settings chosen by what went wrong: repetition
penalties for loops and runaway lengths, a wider beam for a translation that
came out in the wrong language (opus-mt-en-uk sometimes answers in Russian).
It asks for the n-best list rather than one output and takes the best-scored
hypothesis that passes every check: a wrong number is often only the top
hypothesis's, with the right one a little lower. Where none passes, the output
with the fewest problems is kept (on a tie, the output before the retry) and its problems
reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from briefly.models.generation import GenerationSettings, Languages, TextGenerator
from briefly.results import GuardWarning

Check = Callable[[str, str], list[GuardWarning]]

# Hypotheses a retry re-ranks; its beam is at least this wide to hold them.
HYPOTHESES = 4


def stronger(settings: GenerationSettings, problems: Sequence[GuardWarning]) -> GenerationSettings:
    """Settings for a second try at an output with ``problems``."""
    codes = {p.code for p in problems}
    changes: dict[str, Any] = {}
    if codes & {"repetition", "length_ratio"}:
        changes["no_repeat_ngram_size"] = settings.no_repeat_ngram_size or 3
        changes["repetition_penalty"] = max(settings.repetition_penalty, 1.3)
    if "wrong_language" in codes:
        changes["num_beams"] = max(6, 2 * settings.num_beams)
    changes["num_beams"] = max(changes.get("num_beams", settings.num_beams), HYPOTHESES)
    return replace(settings, **changes, num_hypotheses=HYPOTHESES)


def generate_checked(
    engine: TextGenerator,
    texts: Sequence[str],
    settings: GenerationSettings,
    check: Check,
    max_new_tokens: Sequence[int] | None = None,
    languages: Languages | None = None,
    *,
    retry: bool = True,
) -> tuple[list[str], list[list[GuardWarning]]]:
    """Outputs for ``texts`` and, per output, the problems left after one retry.

    With ``retry=False`` problems are reported without a second try (to measure raw speed).
    """
    outputs = engine.generate(texts, settings, max_new_tokens, languages)
    problems = [check(text, out) for text, out in zip(texts, outputs, strict=True)]
    if not retry:
        return outputs, problems
    retries: dict[GenerationSettings, list[int]] = {}
    for i, found in enumerate(problems):
        if found:
            retries.setdefault(stronger(settings, found), []).append(i)
    for retry_settings, indices in retries.items():
        bounds = None if max_new_tokens is None else [max_new_tokens[i] for i in indices]
        again = engine.generate_hypotheses(
            [texts[i] for i in indices], retry_settings, bounds, languages
        )
        for i, hypotheses in zip(indices, again, strict=True):
            outputs[i], problems[i] = _best(texts[i], hypotheses, check, outputs[i], problems[i])
    return outputs, problems


def _best(
    text: str, hypotheses: Sequence[str], check: Check, first: str, found: list[GuardWarning]
) -> tuple[str, list[GuardWarning]]:
    """The best-scored hypothesis that passes ``check``, else of all outputs the one with
    the fewest problems, ``first`` (the output before the retry) on a tie."""
    best = (first, found)
    for hypothesis in hypotheses:
        problems = check(text, hypothesis)
        if not problems:
            return hypothesis, problems
        if len(problems) < len(best[1]):
            best = (hypothesis, problems)
    return best
