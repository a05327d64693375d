"""The learned story model: a logistic regression on :mod:`.features`, smoothed by Viterbi.

The weights ship in ``story_model.json``, written by ``python -m benchmarks train-cleaner``
(see benchmarks/README.md, "Cleaning model"); inference needs numpy alone. A unit's
probability of being story comes from its features; then a two-state hidden Markov model
(story, furniture) with transition probabilities learnt from labelled pages picks the most
likely labelling of the whole page, since a story is mostly one run of units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from briefly.article.cleaning.features import NAMES, WORDS

_FILE = "story_model.json"
_EPSILON = 1e-6
# How many signals an explanation names.
_SIGNALS = 3


@dataclass(frozen=True)
class StoryModel:
    """Weights of the logistic regression and of the smoothing pass."""

    # Standardisation of each feature column: (x - mean) / scale.
    mean: np.ndarray
    scale: np.ndarray
    # One weight per standardised column, and the intercept.
    weights: np.ndarray
    intercept: float
    # log P(next state | state), states (furniture, story), weighted by ``smoothing``.
    transitions: np.ndarray
    # log P(first state).
    start: np.ndarray
    smoothing: float

    @classmethod
    def from_dict(cls, data: dict) -> StoryModel:
        if tuple(data["features"]) != NAMES:
            raise ValueError(
                f"{_FILE} was trained on other features: run python -m benchmarks train-cleaner"
            )
        return cls(
            mean=np.array(data["mean"]),
            scale=np.array(data["scale"]),
            weights=np.array(data["weights"]),
            intercept=float(data["intercept"]),
            transitions=np.array(data["transitions"]),
            start=np.array(data["start"]),
            smoothing=float(data["smoothing"]),
        )

    def to_dict(self) -> dict:
        return {
            "features": list(NAMES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "intercept": self.intercept,
            "transitions": self.transitions.tolist(),
            "start": self.start.tolist(),
            "smoothing": self.smoothing,
        }

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """Each feature's share of each unit's log-odds of being story."""
        return (features - self.mean) / self.scale * self.weights

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Each unit's probability of being story, on its own features."""
        logits = self.contributions(features).sum(axis=1) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def smooth(self, probabilities: np.ndarray) -> np.ndarray:
        """The most likely story/furniture labelling of the page (True for story)."""
        return viterbi(probabilities, self.transitions * self.smoothing, self.start)

    def signals(self, features: np.ndarray) -> list[str]:
        """The features that speak most against story for one unit, in words."""
        pulls = self.contributions(features[None, :])[0]
        high = features > self.mean
        named = []
        for index in np.argsort(pulls):
            if pulls[index] >= 0 or len(named) == _SIGNALS:
                break
            word = WORDS[index][1 if high[index] else 0]
            if word and word not in named:
                named.append(word)
        return named


def viterbi(probabilities: np.ndarray, transitions: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Two-state Viterbi on per-unit story probabilities (emissions), True for story."""
    n = len(probabilities)
    if n == 0:
        return np.zeros(0, dtype=bool)
    p = np.clip(probabilities, _EPSILON, 1 - _EPSILON)
    emissions = np.column_stack([np.log1p(-p), np.log(p)])
    score = start + emissions[0]
    back = np.zeros((n, 2), dtype=np.int64)
    for index in range(1, n):
        # candidates[i, j]: best path ending in state i, then moving to state j.
        candidates = score[:, None] + transitions
        back[index] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + emissions[index]
    states = np.zeros(n, dtype=np.int64)
    states[-1] = int(score.argmax())
    for index in range(n - 1, 0, -1):
        states[index - 1] = back[index, states[index]]
    return states.astype(bool)


@lru_cache(maxsize=1)
def load() -> StoryModel:
    """The shipped model (read once)."""
    text = resources.files("briefly.article.cleaning").joinpath(_FILE).read_text("utf-8")
    return StoryModel.from_dict(json.loads(text))
