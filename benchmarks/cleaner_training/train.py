"""``python -m benchmarks train-cleaner``: validate by site, fit on all pages, write the model."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from benchmarks.cleaner_training import fit, report, validate
from benchmarks.cleaner_training.pages import read_dumps, unusable
from benchmarks.extraction.sources import TEST_ONLY

DEFAULT_OUT = Path("src/briefly/article/cleaning/story_model.json")
DEFAULT_REPORT = Path("benchmarks/results/cleaning-model.md")


def main(data: Path, out: Path, report_file: Path, say: Callable[[str], None]) -> str:
    """Train on the pages under ``data``; write the weights to ``out``, the report to
    ``report_file``, and return the report."""
    dumps = [(dump, unusable(dump)) for dump in read_dumps(data)]
    left_out = Counter(reason for _, reason in dumps if reason)
    items = validate.examples(dump for dump, reason in dumps if not reason)
    learnt = [item for item in items if item.dump.corpus not in TEST_ONLY]
    tested = [item for item in items if item.dump.corpus in TEST_ONLY]
    say(
        f"{len(items)} dumps read and labelled ({len(tested)} for testing only), "
        f"{left_out.total()} left out; validating by site"
    )
    outcomes, lines, smoothing = validate.cross_validate(learnt)
    model = fit.fit([i.features for i in learnt], [i.labels for i in learnt], smoothing)
    out.write_text(json.dumps(model.to_dict(), separators=(",", ":")) + "\n", encoding="utf-8")
    unseen = [validate.outcome(item, model, fold=-1) for item in tested]
    text = report.markdown(learnt, outcomes, lines, smoothing, left_out, unseen)
    report_file.write_text(text, encoding="utf-8")
    return text
