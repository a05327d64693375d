"""ROUGE of one summariser next to the lead-N baselines, on articles with human summaries.

Each article is cleaned and briefed as ``briefly brief --to none`` briefs it. Lead-N is the
first N sentences of the same cleaned text, split by the same splitter as the extractive
summariser, so the rows differ only in which sentences a summariser chose.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import metrics, testsets
from briefly.options import BriefOptions
from briefly.stages.extractive import sentence_units
from briefly.stages.summarizer import EXTRACTIVE_SENTENCES

_LEADS = (1, 3)


def lead(text: str, n: int) -> str:
    """The first ``n`` sentences of ``text`` the extractive summariser chooses among."""
    return " ".join(sentence_units(text)[:n])


def main(summaries: Path, options: BriefOptions, limit: int | None = None) -> str:
    """A Markdown table of ROUGE-1/2/L F1 for ``options.summarizer`` and lead-N."""
    from briefly.article.loader import parse_article
    from briefly.pipeline import Briefer

    examples = testsets.read_summaries(summaries, limit)
    articles = [
        parse_article(e.article, source=f"{summaries.name}:{i}") for i, e in enumerate(examples)
    ]
    references = [e.reference for e in examples]
    briefs = [b.text for b in Briefer(options).brief_many(articles)]
    # The lead as long as an extractive brief of this length, and the usual baselines.
    sentences = EXTRACTIVE_SENTENCES[options.length]
    rows = {options.summarizer: briefs}
    for n in sorted({*_LEADS, sentences}):
        rows[f"lead-{n}"] = [lead(a.body, n) for a in articles]
    same = sum(b == t for b, t in zip(briefs, rows[f"lead-{sentences}"], strict=True))
    lines = [
        f"{len(examples)} articles from {summaries}, --length {options.length}",
        "",
        "| summariser | ROUGE-1 | ROUGE-2 | ROUGE-L | mean words |",
        "|---|---|---|---|---|",
    ]
    for name, texts in rows.items():
        scores = metrics.rouge_scores(texts, references)
        words = sum(len(t.split()) for t in texts) / len(texts)
        lines.append(
            f"| {name} | {scores['rouge1']:.4f} | {scores['rouge2']:.4f} "
            f"| {scores['rougeL']:.4f} | {words:.1f} |"
        )
    equal = f"{options.summarizer} equals lead-{sentences} on {same} of {len(examples)} briefs"
    lines += ["", equal]
    return "\n".join(lines)
