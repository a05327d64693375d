"""The training report: cross-validated figures by fold, input kind and language, in Markdown."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from benchmarks.cleaner_training.pages import CLEAN, MIN_DUMP_RECALL
from benchmarks.cleaner_training.validate import (
    MODELS,
    SMOOTHINGS,
    Example,
    LineScores,
    Outcome,
    _f1,
)
from benchmarks.extraction.sources import SOURCES

# Each corpus's kind of gold, as the tables name it.
GOLD = {source.corpus: source.gold_kind for source in SOURCES}


def markdown(
    items: Sequence[Example],
    outcomes: Sequence[Outcome],
    lines: LineScores,
    smoothing: float,
    left_out: Counter[str],
    unseen: Sequence[Outcome],
) -> str:
    labels = np.concatenate([item.labels for item in items])
    pages = {item.dump.page for item in items}
    sites = {item.dump.site for item in items}
    out = [
        f"{len(pages)} pages from {len(sites)} sites, {len(items)} dumps; units labelled "
        f"story {int((labels == 1).sum())}, furniture {int((labels == 0).sum())}, "
        f"left out as unsure {int((labels == -1).sum())}. Folds grouped by site "
        f"({len({o.fold for o in outcomes})} folds, no site in two).",
        "",
        "Left out of training and scoring: "
        + (", ".join(f"dumps because {why}: {n}" for why, n in sorted(left_out.items())) or "none")
        + f" (a dump holding less than {MIN_DUMP_RECALL:.0%} of the gold's 4-shingles lost the "
        "story before any cleaning).",
        "",
        "Line-level F1 of story over all folds (the model's labels, before the hand rules), "
        "by model and smoothing weight; the shipped model is the boosted trees "
        f"(numpy inference) with smoothing {smoothing}:",
        "",
        "| model | " + " | ".join(f"smoothing {w}" for w in SMOOTHINGS) + " |",
        "|---|" + "---|" * len(SMOOTHINGS),
    ]
    for name in MODELS:
        cells = " | ".join(f"{lines.f1[name, w]:.3f}" for w in SMOOTHINGS)
        out.append(f"| {name} | {cells} |")
    clean = [o for o in outcomes if o.dump.kind == CLEAN]
    outcomes = [o for o in outcomes if o.dump.kind != CLEAN]
    out += ["", "Whole cleaner (`clean_text`) on held-out sites, token 4-shingles, per fold:", ""]
    out += _table(outcomes, lambda o: f"fold {o.fold}", spread=False)
    out += ["", "Per input kind (mean over pages; ± the spread of fold means):", ""]
    out += _table(outcomes, lambda o: o.dump.kind, spread=True)
    out += [
        "",
        "Per corpus (its gold: people's marking, or trafilatura's extraction of the HTML as "
        "teacher, whose own misses and furniture count against the cleaner):",
        "",
    ]
    out += _table(outcomes, lambda o: f"{o.dump.corpus} ({GOLD[o.dump.corpus]})", spread=True)
    out += ["", "Per language:", ""]
    out += _table(outcomes, lambda o: o.dump.lang, spread=True)
    emptied = sum(o.emptied for o in outcomes)
    out += ["", f"Dumps emptied: {emptied} of {len(outcomes)}."]
    unseen = [o for o in unseen if o.dump.kind != CLEAN]
    if unseen:
        corpora = ", ".join(sorted({o.dump.corpus for o in unseen}))
        out += [
            "",
            f"Corpora whose licence keeps them out of the weights ({corpora}), cleaned with the "
            "shipped model, which never saw them, per input kind:",
            "",
            *_table(unseen, lambda o: o.dump.kind, spread=False),
            "",
            f"Dumps emptied: {sum(o.emptied for o in unseen)} of {len(unseen)}.",
        ]
    if clean:
        out += [
            "",
            f"Clean texts (a page's headline and gold story alone, {len(clean)}): recall "
            f"{np.mean([o.recall for o in clean]):.3f}, F1 {np.mean([o.f1 for o in clean]):.3f}, "
            f"emptied {sum(o.emptied for o in clean)}; they are left out of the tables above.",
        ]
    return "\n".join(out) + "\n"


def _table(outcomes: Sequence[Outcome], key: Callable[[Outcome], str], spread: bool) -> list[str]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[key(outcome)].append(outcome)
    groups["all"] = list(outcomes)
    rows = ["| | dumps | line F1 | P | R | F1 |", "|---|---|---|---|---|---|"]
    for name, group in sorted(groups.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        line = _f1(
            sum(o.true_story for o in group),
            sum(o.false_story for o in group),
            sum(o.lost_story for o in group),
        )
        cells = [_cell(group, metric, spread) for metric in ("precision", "recall", "f1")]
        rows.append(f"| {name} | {len(group)} | {line:.3f} | " + " | ".join(cells) + " |")
    return rows


def _cell(group: Sequence[Outcome], metric: str, spread: bool) -> str:
    mean = np.mean([getattr(o, metric) for o in group])
    if not spread:
        return f"{mean:.3f}"
    by_fold: dict[int, list[float]] = defaultdict(list)
    for outcome in group:
        by_fold[outcome.fold].append(getattr(outcome, metric))
    folds = [np.mean(values) for values in by_fold.values()]
    return f"{mean:.3f} ± {np.std(folds):.3f}"
