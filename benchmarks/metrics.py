"""Scores: ROUGE of summaries, chrF++ and BLEU of translations, agreement between backends,
and the rates of the faithfulness warnings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def rouge_scores(predictions: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE-1, ROUGE-2 and ROUGE-L F1 (0..1), Porter-stemmed as in the CNN/DM papers."""
    from rouge_score import rouge_scorer

    names = ("rouge1", "rouge2", "rougeL")
    scorer = rouge_scorer.RougeScorer(list(names), use_stemmer=True)
    totals = dict.fromkeys(names, 0.0)
    for prediction, reference in zip(predictions, references, strict=True):
        scores = scorer.score(reference, prediction)  # target first, then prediction
        for name in names:
            totals[name] += scores[name].fmeasure
    return {name: total / len(predictions) for name, total in totals.items()}


def translation_scores(
    hypotheses: Sequence[str], reference_streams: Sequence[Sequence[str]]
) -> tuple[dict[str, float], dict[str, str]]:
    """Corpus chrF++ and BLEU (0..100) and their sacreBLEU signatures.

    ``reference_streams`` is sacreBLEU's layout: one list per set of references, each as long
    as ``hypotheses``.
    """
    from sacrebleu.metrics import BLEU, CHRF

    metrics = {"chrf++": CHRF(word_order=2), "bleu": BLEU()}
    scores = {
        name: m.corpus_score(hypotheses, reference_streams).score for name, m in metrics.items()
    }
    return scores, {name: str(m.get_signature()) for name, m in metrics.items()}


def agreement_scores(
    candidates: Sequence[str], references: Sequence[str]
) -> tuple[dict[str, float], dict[str, str]]:
    """chrF of one backend's outputs against another's, and the share of identical outputs."""
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    score = chrf.corpus_score(list(candidates), [list(references)]).score
    same = sum(c == r for c, r in zip(candidates, references, strict=True))
    return (
        {"chrf": score, "identical_pct": 100 * same / len(candidates)},
        {"chrf": str(chrf.get_signature())},
    )


def warning_rates(
    sources: Sequence[str], outputs: Sequence[str], lang: str | None
) -> dict[str, float]:
    """Per cent of ``outputs`` with each faithfulness warning: briefs of their articles
    (``lang`` None) or translations into ``lang`` of their sources."""
    from briefly.stages.faithfulness import check_brief, check_numbers

    brief = ("unsupported_number", "unsupported_name")
    codes = brief if lang is None else ("number_lost", "unsupported_number")
    counts: Counter[str] = Counter()
    for source, output in zip(sources, outputs, strict=True):
        found = check_brief(source, output) if lang is None else check_numbers(source, output, lang)
        counts.update({w.code for w in found})
    return {f"{code}_pct": 100 * counts[code] / max(len(outputs), 1) for code in codes}
