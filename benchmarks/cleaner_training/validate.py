"""Cross-validation grouped by site: no site's pages in both the training and the test folds.

Each held-out dump is cleaned by the whole of ``clean_text`` with the fold's model, and its
text scored against the gold with token 4-shingles (precision, recall, F1 per page, as the
public article-extraction benchmarks do); the model's own labels are scored line by line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from benchmarks.cleaner_training import fit
from benchmarks.cleaner_training.labels import UNSURE, labels
from benchmarks.cleaner_training.pages import Dump
from benchmarks.extraction import metric
from briefly.article.cleaning import clean_text
from briefly.article.cleaning.clean import story_features
from briefly.article.cleaning.model import StoryModel

FOLDS = 5
# The shipped model and the linear one it is compared with.
MODELS = ("trees", "logistic")
# Weights of the transition log-probabilities tried for smoothing (0: none).
SMOOTHINGS = (0.0, 0.25, 0.5, 1.0)


@dataclass(frozen=True)
class Example:
    """A dump with its units' features and labels."""

    dump: Dump
    features: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True)
class Outcome:
    """How one held-out dump came out."""

    dump: Dump
    fold: int
    # Token 4-shingle precision, recall and F1 of the cleaned text against the gold.
    precision: float
    recall: float
    f1: float
    emptied: bool
    # Labelled units: story kept, furniture kept, story dropped (the model's labels).
    true_story: int
    false_story: int
    lost_story: int


@dataclass(frozen=True)
class LineScores:
    """Line-level F1 of story, per candidate (model kind, smoothing), over all folds."""

    f1: dict[tuple[str, float], float]


def examples(dumps: Iterable[Dump]) -> list[Example]:
    made = []
    for dump in dumps:
        found, features = story_features(dump.text)
        made.append(Example(dump, features, np.array(labels(found, dump.gold), dtype=np.int64)))
    return made


def folds(items: Sequence[Example]) -> list[np.ndarray]:
    """Each fold's test indices: sites spread over FOLDS folds, none split."""
    from sklearn.model_selection import GroupKFold

    sites = [item.dump.site for item in items]
    splitter = GroupKFold(n_splits=min(FOLDS, len(set(sites))))
    return [test for _, test in splitter.split(np.zeros(len(items)), groups=sites)]


def cross_validate(items: Sequence[Example]) -> tuple[list[Outcome], LineScores, float]:
    """Held-out outcomes, line scores of each candidate, and the smoothing chosen."""
    tests = folds(items)
    models = []
    line_counts: Counter[tuple[str, float, str]] = Counter()
    for test in tests:
        train = np.setdiff1d(np.arange(len(items)), test)
        model = fit.fit([items[i].features for i in train], [items[i].labels for i in train], 1.0)
        linear = _linear([items[i] for i in train])
        models.append(model)
        for index in test:
            item = items[index]
            boosted = model.probabilities(item.features)
            plain = linear.predict_proba(item.features)[:, 1] if len(item.features) else boosted
            for name, story in (("trees", boosted), ("logistic", plain)):
                for weight in SMOOTHINGS:
                    kept = replace(model, smoothing=weight).smooth(story)
                    for key, value in _line_counts(kept, item.labels).items():
                        line_counts[name, weight, key] += value
    scores = LineScores(
        {
            (name, weight): _f1(*(line_counts[name, weight, k] for k in ("tp", "fp", "fn")))
            for name in MODELS
            for weight in SMOOTHINGS
        }
    )
    chosen = max(SMOOTHINGS, key=lambda weight: scores.f1["trees", weight])
    outcomes = [
        outcome(items[index], replace(model, smoothing=chosen), fold)
        for fold, (test, model) in enumerate(zip(tests, models, strict=True))
        for index in test
    ]
    return outcomes, scores, chosen


def _linear(train: Sequence[Example]):
    """A logistic regression on the same data, for comparison with the trees."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = fit.known([item.features for item in train], [item.labels for item in train])
    regression = LogisticRegression(max_iter=2000, random_state=fit.SEED)
    return make_pipeline(StandardScaler(), regression).fit(x, y)


def _line_counts(kept: np.ndarray, truth: np.ndarray) -> dict[str, int]:
    known = truth != UNSURE
    story = truth[known] == 1
    kept = kept[known]
    return {
        "tp": int((kept & story).sum()),
        "fp": int((kept & ~story).sum()),
        "fn": int((~kept & story).sum()),
    }


def outcome(item: Example, model: StoryModel, fold: int) -> Outcome:
    """How ``model`` (with the whole cleaner) does on ``item``'s dump."""
    cleaned = clean_text(item.dump.text, story_model=model)
    text = "\n".join(cleaned.paragraphs)
    score = metric.score(text, item.dump.gold)
    kept = model.smooth(model.probabilities(item.features))
    counts = _line_counts(kept, item.labels)
    return Outcome(
        item.dump,
        fold,
        score.precision,
        score.recall,
        score.f1,
        emptied=not text.strip(),
        true_story=counts["tp"],
        false_story=counts["fp"],
        lost_story=counts["fn"],
    )


def _f1(tp: int, fp: int, fn: int) -> float:
    return _harmonic(tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0)


def _harmonic(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
