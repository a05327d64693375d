"""``python -m benchmarks train-headline``: the headline model, validated by site, fitted, written.

Each dump of a page whose corpus labels its title goes through the cleaner up to the headline
(:func:`briefly.article.cleaning.clean.judge_text`); each of its candidate lines is labelled
right when its text as a headline is the title the benchmark expects (``benchmarks.cleaning``:
the labelled title, or the page's first ``<h1>`` on inputs that show only that). Boosted
trees score the candidates; the best-scored one is the headline. Validation is 5-fold
``GroupKFold`` on the site, and the report gives, per dump kind, titles right held out, the
ceiling (dumps with a right candidate; dumps that hold the title as a line at all).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.cleaner_training import fit
from benchmarks.cleaning import comparable, expected_title, first_heading
from benchmarks.extraction.dumps import DUMP_KINDS
from benchmarks.extraction.folder import Meta, read_pages
from benchmarks.extraction.sources import TEST_ONLY
from briefly.article.cleaning import clean, metadata
from briefly.article.cleaning.headline import story_start, title_candidates
from briefly.article.cleaning.headline_features import NAMES, candidate_features, page_context
from briefly.article.cleaning.model import Trees

DEFAULT_OUT = Path("src/briefly/article/cleaning/headline_model.json")
DEFAULT_REPORT = Path("benchmarks/results/headline-model.md")
FOLDS = 5
# Few small trees: a page has a dozen candidates, the labelled dumps a few thousand.
TREES = 60
LEAVES = 8
MIN_LEAF = 20


@dataclass(frozen=True)
class Example:
    """One dump's candidates: features, which are right, and whether any line is."""

    page: str
    corpus: str
    site: str
    lang: str
    kind: str
    features: np.ndarray
    right: np.ndarray
    # Whether the title expected stands as a line of the dump at all.
    in_dump: bool


@dataclass(frozen=True)
class Judged:
    """One dump judged by the cleaner, with the title it should give."""

    page: Meta
    kind: str
    judged: clean.Judged
    wanted: str


def judged_dumps(data: Path, say: Callable[[str], None]) -> Iterator[Judged]:
    """Every dump under ``data`` whose page's corpus labels the title the dump shows."""
    for number, page in enumerate(read_pages(data), 1):
        if page.meta.labelled is not None and "title" not in page.meta.labelled:
            continue
        headline = first_heading(page.html)
        for kind in DUMP_KINDS:
            text = page.text(kind)
            wanted = None if text is None else expected_title(page, headline, comparable(text))
            if text is not None and wanted is not None:
                yield Judged(page.meta, kind, clean.judge_text(text), wanted)
        if number % 200 == 0:
            say(f"{number} pages read")


def example(item: Judged) -> Example:
    judged = item.judged
    found, verdicts, strong = judged.found, judged.verdicts, judged.strong
    lines = {comparable(metadata.strip_site_name(unit.text)) for unit in found}
    start = story_start(verdicts)
    candidates = [] if start is None else title_candidates(found, verdicts, strong, start)
    if candidates:
        context = page_context(found, verdicts, strong, judged.story, start or 0)
        features = candidate_features(found, verdicts, strong, context, candidates)
    else:
        features = np.zeros((0, len(NAMES)))
    right = np.array(
        [comparable(metadata.strip_site_name(text)) == item.wanted for _, text in candidates],
        dtype=bool,
    )
    page, shown = item.page, item.wanted in lines
    return Example(page.name, page.corpus, page.site, page.lang, item.kind, features, right, shown)


def _fit(items: Sequence[Example]) -> Trees:
    x = np.vstack([i.features for i in items])
    y = np.concatenate([i.right for i in items])
    return fit.boost(x, y, trees=TREES, leaves=LEAVES, min_leaf=MIN_LEAF)


def cross_validate(items: Sequence[Example]) -> list[bool]:
    """Whether each dump's best-scored candidate is right, by a model of the other sites."""
    from sklearn.model_selection import GroupKFold

    right = [False] * len(items)
    sites = [item.site for item in items]
    splitter = GroupKFold(n_splits=FOLDS)
    for train, test in splitter.split(np.zeros(len(items)), groups=sites):
        trees = _fit([items[i] for i in train if len(items[i].features)])
        for index in test:
            right[index] = _picked_right(trees, items[index])
    return right


def _picked_right(trees: Trees, item: Example) -> bool:
    if not len(item.features):
        return False
    return bool(item.right[int(np.argmax(trees.logits(item.features)))])


def report(items: Sequence[Example], right: Sequence[bool]) -> str:
    """Titles right held out, per dump kind and language, with the ceilings."""
    lines = [
        "| dump | dumps | held out % | a candidate right % | title a line % |",
        "|---|---|---|---|---|",
    ]
    by_kind: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_kind[item.kind].append(index)
    for kind in [*DUMP_KINDS, "all"]:
        rows = by_kind[kind] if kind != "all" else list(range(len(items)))
        if rows:
            lines.append(_row(kind, rows, items, right))
    lines += ["", "| language | dumps | held out % |", "|---|---|---|"]
    by_lang: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_lang[item.lang].append(index)
    for lang, rows in sorted(by_lang.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"| {lang} | {len(rows)} | {_share(right[i] for i in rows)} |")
    return "\n".join(lines)


def _row(kind: str, rows: list[int], items: Sequence[Example], right: Sequence[bool]) -> str:
    reachable = _share(bool(items[i].right.any()) for i in rows)
    in_dump = _share(items[i].in_dump for i in rows)
    return f"| {kind} | {len(rows)} | {_share(right[i] for i in rows)} | {reachable} | {in_dump} |"


def _share(flags: Iterable[bool]) -> str:
    values = list(flags)
    return f"{100 * sum(values) / len(values):.1f}"


def main(data: Path, out: Path, report_file: Path, say: Callable[[str], None]) -> str:
    """Validate by site on the pages under ``data`` whose licence lets the weights ship, fit on
    all of them, write the model to ``out``, test it on the other pages; write the report to
    ``report_file`` and return it."""
    items = [example(item) for item in judged_dumps(data, say)]
    learnt = [item for item in items if item.corpus not in TEST_ONLY]
    tested = [item for item in items if item.corpus in TEST_ONLY]
    say(f"{len(items)} dumps with a title to find ({len(tested)} for testing only); validating")
    text = report(learnt, cross_validate(learnt))
    trees = _fit([i for i in learnt if len(i.features)])
    model = {"features": list(NAMES), **trees.to_dict()}
    out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    if tested:
        corpora = ", ".join(sorted({item.corpus for item in tested}))
        text += (
            f"\n\nCorpora whose licence keeps them out of the weights ({corpora}), by the "
            "shipped model, which never saw them:\n\n"
            + report(tested, [_picked_right(trees, item) for item in tested])
        )
    report_file.write_text(text + "\n", encoding="utf-8")
    return text
