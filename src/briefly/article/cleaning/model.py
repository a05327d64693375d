"""The learned story model: gradient-boosted trees on :mod:`.features`, smoothed by Viterbi.

The trees ship in ``story_model.json``, written by ``python -m benchmarks train-cleaner``
(see docs/benchmarks.md, "Cleaning model"); inference needs numpy alone. A unit's
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
class Trees:
    """Boosted regression trees, all in flat arrays: node ``i`` of the forest.

    An inner node sends a unit left when its feature is at most the threshold; a leaf's
    value is its tree's share of the log-odds. Every node has a value (what the tree would
    say had it stopped there), so each split's change of value is its feature's doing.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    leaf: np.ndarray
    # The root node of each tree; the log-odds before any tree.
    roots: np.ndarray
    baseline: float

    def _walk(self, features: np.ndarray, explain: bool) -> tuple[np.ndarray, np.ndarray]:
        """Each unit's leaf in each tree and, if ``explain``, each feature's share of its
        log-odds (else an empty array)."""
        n, width = features.shape
        rows = np.arange(n)[:, None]
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        shares = np.zeros(n * width if explain else 0)
        while not self.leaf[node].all():
            inner = ~self.leaf[node]
            split = self.feature[node]
            goes_left = features[rows, split] <= self.threshold[node]
            child = np.where(inner, np.where(goes_left, self.left[node], self.right[node]), node)
            if explain:
                change = np.where(inner, self.value[child] - self.value[node], 0.0)
                shares += np.bincount(
                    (rows * width + split).ravel(), weights=change.ravel(), minlength=n * width
                )
            node = child
        return node, shares.reshape(n, width) if explain else shares

    @classmethod
    def from_dict(cls, data: dict) -> Trees:
        nodes = data["nodes"]
        return cls(
            feature=np.array(nodes["feature"], dtype=np.int64),
            threshold=np.array(nodes["threshold"], dtype=np.float64),
            left=np.array(nodes["left"], dtype=np.int64),
            right=np.array(nodes["right"], dtype=np.int64),
            value=np.array(nodes["value"], dtype=np.float64),
            leaf=np.array(nodes["leaf"], dtype=bool),
            roots=np.array(data["roots"], dtype=np.int64),
            baseline=float(data["baseline"]),
        )

    def to_dict(self) -> dict:
        return {
            "baseline": self.baseline,
            "roots": self.roots.tolist(),
            "nodes": {
                "feature": self.feature.tolist(),
                "threshold": self.threshold.tolist(),
                "left": self.left.tolist(),
                "right": self.right.tolist(),
                "value": [round(float(v), 6) for v in self.value],
                "leaf": [int(leaf) for leaf in self.leaf],
            },
        }

    def logits(self, features: np.ndarray) -> np.ndarray:
        leaves, _ = self._walk(features, explain=False)
        return self.baseline + self.value[leaves].sum(axis=1)

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """Each feature's share of each unit's log-odds, along the paths it took."""
        return self._walk(features, explain=True)[1]


@dataclass(frozen=True)
class StoryModel:
    """The trees and the smoothing pass."""

    trees: Trees
    # Each feature's mean over the training units: above it, a feature's value is "high".
    mean: np.ndarray
    # log P(next state | state), states (furniture, story), weighted by ``smoothing``.
    transitions: np.ndarray
    smoothing: float

    @classmethod
    def from_dict(cls, data: dict) -> StoryModel:
        if tuple(data["features"]) != NAMES:
            raise ValueError(
                f"{_FILE} was trained on other features: run python -m benchmarks train-cleaner"
            )
        trees = Trees.from_dict(data)
        return cls(
            trees, np.array(data["mean"]), np.array(data["transitions"]), float(data["smoothing"])
        )

    def to_dict(self) -> dict:
        return {
            "features": list(NAMES),
            "mean": [round(float(m), 6) for m in self.mean],
            **self.trees.to_dict(),
            "transitions": self.transitions.tolist(),
            "smoothing": self.smoothing,
        }

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Each unit's probability of being story, on its own features."""
        if len(features) == 0:
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-self.trees.logits(features)))

    def smooth(self, probabilities: np.ndarray) -> np.ndarray:
        """The most likely story/furniture labelling of the page (True for story)."""
        return viterbi(probabilities, self.transitions * self.smoothing)

    def explained(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each unit's probability of being story and each feature's share of its log-odds."""
        pulls = self.trees.contributions(features)
        return 1.0 / (1.0 + np.exp(-(self.trees.baseline + pulls.sum(axis=1)))), pulls

    def signals(self, features: np.ndarray, pulls: np.ndarray) -> list[list[str]]:
        """For each unit, the features that speak most against story (``pulls`` from
        :meth:`explained`), in words."""
        high = features > self.mean
        named: list[list[str]] = []
        for row, unit_pulls in enumerate(pulls):
            words: list[str] = []
            for index in np.argsort(unit_pulls)[: 2 * _SIGNALS]:
                word = WORDS[index][1 if high[row, index] else 0]
                if unit_pulls[index] < 0 and word and word not in words:
                    words.append(word)
            named.append(words[:_SIGNALS])
        return named


def viterbi(probabilities: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """Two-state Viterbi on per-unit story probabilities (emissions), True for story.

    No prior on the first state: most pages open with furniture, but a text a user cleaned
    opens with story, and the unit's own probability already weighs its place on the page.
    """
    n = len(probabilities)
    if n == 0:
        return np.zeros(0, dtype=bool)
    p = np.clip(probabilities, _EPSILON, 1 - _EPSILON)
    emissions = np.column_stack([np.log1p(-p), np.log(p)])
    score = emissions[0]
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
