"""Fitting the story model: a logistic regression on the features, an HMM on the labels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from benchmarks.cleaner_training.labels import UNSURE
from briefly.article.cleaning.model import StoryModel

SEED = 0
# Inverse regularisation strength of the logistic regression.
C = 1.0
_MAX_ITER = 2000
# Add-one counts, so that no transition is impossible.
_PRIOR_COUNT = 1.0


def fit(
    features: Sequence[np.ndarray], labels: Sequence[np.ndarray], smoothing: float
) -> StoryModel:
    """The model fitted on pages' ``features`` and ``labels`` (UNSURE units left out)."""
    from sklearn.linear_model import LogisticRegression

    x = np.vstack(features)
    y = np.concatenate(labels)
    known = y != UNSURE
    x, y = x[known], y[known]
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    regression = LogisticRegression(C=C, max_iter=_MAX_ITER, random_state=SEED)
    regression.fit((x - mean) / scale, y)
    transitions, start = hmm(labels)
    return StoryModel(
        mean=mean,
        scale=scale,
        weights=regression.coef_[0],
        intercept=float(regression.intercept_[0]),
        transitions=transitions,
        start=start,
        smoothing=smoothing,
    )


def hmm(labels: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Log transition and start probabilities of (furniture, story), unsure units skipped."""
    moves = np.full((2, 2), _PRIOR_COUNT)
    starts = np.full(2, _PRIOR_COUNT)
    for page in labels:
        known = page[page != UNSURE]
        if len(known) == 0:
            continue
        starts[known[0]] += 1
        np.add.at(moves, (known[:-1], known[1:]), 1)
    return np.log(moves / moves.sum(axis=1, keepdims=True)), np.log(starts / starts.sum())
