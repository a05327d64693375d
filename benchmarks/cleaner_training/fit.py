"""Fitting the story model: boosted trees on the features, an HMM on the labels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from benchmarks.cleaner_training.labels import UNSURE
from briefly.article.cleaning.model import StoryModel, Trees

SEED = 0
# The forest's size: enough trees of few leaves that the shipped file stays small (about
# 150 kB) and a page's units walk it in a few milliseconds.
TREES = 150
LEAVES = 15
RATE = 0.1
MIN_LEAF = 50
# Add-one counts, so that no transition is impossible.
_PRIOR_COUNT = 1.0


def known(
    features: Sequence[np.ndarray], labels: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """The training rows and their labels, unsure units left out."""
    x = np.vstack(features)
    y = np.concatenate(labels)
    keep = y != UNSURE
    return x[keep], y[keep]


def fit(
    features: Sequence[np.ndarray], labels: Sequence[np.ndarray], smoothing: float
) -> StoryModel:
    """The model fitted on pages' ``features`` and ``labels``."""
    x, y = known(features, labels)
    trees = boost(x, y, trees=TREES, leaves=LEAVES, min_leaf=MIN_LEAF)
    return StoryModel(trees, x.mean(axis=0), hmm(labels), smoothing)


def boost(x: np.ndarray, y: np.ndarray, *, trees: int, leaves: int, min_leaf: int) -> Trees:
    """Boosted trees of the given size fitted on rows ``x`` and labels ``y``, seeded."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    boosted = HistGradientBoostingClassifier(
        max_iter=trees,
        max_leaf_nodes=leaves,
        learning_rate=RATE,
        min_samples_leaf=min_leaf,
        early_stopping=False,
        random_state=SEED,
    ).fit(x, y)
    return export(boosted)


def export(boosted) -> Trees:
    """scikit-learn's fitted trees as flat arrays (its predictors' node tables)."""
    # A binary classifier has one predictor per iteration; their node tables are private
    # to scikit-learn but stable, and the test of the shipped file checks the export.
    tables = [predictors[0].nodes for predictors in boosted._predictors]
    starts = np.cumsum([0, *(len(table) for table in tables[:-1])])
    nodes = np.concatenate(tables)
    shift = np.repeat(starts, [len(table) for table in tables])
    return Trees(
        feature=nodes["feature_idx"].astype(np.int64),
        threshold=nodes["num_threshold"].astype(np.float64),
        left=(nodes["left"] + shift).astype(np.int64),
        right=(nodes["right"] + shift).astype(np.int64),
        value=nodes["value"].astype(np.float64),
        leaf=nodes["is_leaf"].astype(bool),
        roots=starts.astype(np.int64),
        baseline=float(np.ravel(boosted._baseline_prediction)[0]),
    )


def hmm(labels: Sequence[np.ndarray]) -> np.ndarray:
    """Log transition probabilities of (furniture, story), unsure units skipped."""
    moves = np.full((2, 2), _PRIOR_COUNT)
    for page in labels:
        page_known = page[page != UNSURE]
        np.add.at(moves, (page_known[:-1], page_known[1:]), 1)
    return np.log(moves / moves.sum(axis=1, keepdims=True))
