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
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np

from briefly.article.cleaning.features import NAMES, WORDS

_FILE = "story_model.json"
_EPSILON = 1e-6
# How many signals an explanation names.
_SIGNALS = 3
# Leaves of a tree as the bits of one word.
_MAX_LEAVES = 64
# Units explained at once.
_BLOCK = 64


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

    def leaves(self, features: np.ndarray) -> np.ndarray:
        """Each unit's leaf in each tree, all trees at once (QuickScorer's method).

        Every inner node whose test a unit fails (its feature above the threshold) rules
        out the leaves of its left subtree; of the leaves left, the leftmost is the one the
        unit reaches. So one comparison per inner node and a bitwise AND per tree replace a
        walk down each tree, level by level.
        """
        plan = self._plan
        fails = features[:, plan.feature] > plan.threshold
        everyone = np.iinfo(plan.left_leaves.dtype).max
        ruled_out = np.where(fails, plan.left_leaves, everyone)
        alive = np.bitwise_and.reduce(ruled_out.reshape(len(features), *plan.shape), axis=2)
        lowest = alive & (~alive + alive.dtype.type(1))
        return plan.leaf_ids[np.arange(len(self.roots)), np.log2(lowest).astype(np.int64)]

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

    def logits(self, features: np.ndarray, leaves: np.ndarray | None = None) -> np.ndarray:
        """Each unit's log-odds; ``leaves`` are its leaves where :meth:`leaves` found them."""
        if leaves is None:
            leaves = self.leaves(features)
        return self.baseline + self.value[leaves].sum(axis=1)

    def contributions(self, features: np.ndarray, leaves: np.ndarray | None = None) -> np.ndarray:
        """Each feature's share of each unit's log-odds, along the paths it took (``leaves``
        as in :meth:`logits`)."""
        if leaves is None:
            leaves = self.leaves(features)
        paths = self._paths
        found = np.zeros(features.shape)
        # A block of units at a time: all of a long page's rows at once would take tens of
        # megabytes (units x trees x features). No matrix product: BLAS would start threads
        # that spin on every core.
        for start in range(0, len(leaves), _BLOCK):
            block = leaves[start : start + _BLOCK]
            found[start : start + _BLOCK, : paths.shape[1]] = paths[block].sum(axis=1)
        return found

    @cached_property
    def _paths(self) -> np.ndarray:
        """Per node, each feature's change of value on the way from its root to the node.

        A forest has a few thousand nodes, so the table is small, and adding up a unit's
        rows of it explains the unit in about the time walking it takes. It is filled a
        level of the trees at a time, each child from its parent's row.
        """
        inner = ~self.leaf
        table = np.zeros((len(self.feature), int(self.feature[inner].max(initial=0)) + 1))
        parents = self.roots[inner[self.roots]]
        while len(parents):
            for children in (self.left[parents], self.right[parents]):
                table[children] = table[parents]
                change = self.value[children] - self.value[parents]
                table[children, self.feature[parents]] += change
            below = np.concatenate([self.left[parents], self.right[parents]])
            parents = below[inner[below]]
        return table

    @cached_property
    def _plan(self) -> _Plan:
        """Each tree's inner nodes' tests, and the bits of the leaves left of each."""
        feature, threshold = self.feature.tolist(), self.threshold.tolist()
        left, right, leaf = self.left.tolist(), self.right.tolist(), self.leaf.tolist()
        trees: list[tuple[list[int], list[tuple[int, float, int]]]] = []

        def walk(node: int, order: list[int], tests: list[tuple[int, float, int]]) -> int:
            """The bits of the leaves under ``node``, numbered from the left."""
            if leaf[node]:
                order.append(node)
                return 1 << (len(order) - 1)
            on_left = walk(left[node], order, tests)
            under = on_left | walk(right[node], order, tests)
            tests.append((feature[node], threshold[node], on_left))
            return under

        for root in self.roots.tolist():
            order: list[int] = []
            tests: list[tuple[int, float, int]] = []
            walk(root, order, tests)
            trees.append((order, tests))
        most = max([1, *(len(order) for order, _ in trees)])
        if most > _MAX_LEAVES:
            raise ValueError(f"a tree has {most} leaves; at most {_MAX_LEAVES} fit")
        # The narrowest word that holds a tree's leaves as bits: a page's tests are units x
        # tests such words.
        bits = next(np.dtype(f"uint{size}") for size in (16, 32, 64) if most <= size)
        everyone = int(np.iinfo(bits).max)
        # Trees are padded to the same number of tests with one no unit fails.
        width = max([1, *(len(tests) for _, tests in trees)])
        padding = (0, np.inf, 0)
        rows = [tests + [padding] * (width - len(tests)) for _, tests in trees]
        flat = [test for row in rows for test in row]
        leaf_ids = np.zeros((len(trees), _MAX_LEAVES), dtype=np.int64)
        for tree, (order, _) in enumerate(trees):
            leaf_ids[tree, : len(order)] = order
        return _Plan(
            np.array([f for f, _, _ in flat], dtype=np.int64),
            np.array([t for _, t, _ in flat], dtype=np.float64),
            np.array([everyone & ~on_left for _, _, on_left in flat], dtype=bits),
            (len(trees), width),
            leaf_ids,
        )


@dataclass(frozen=True)
class _Plan:
    """:class:`Trees` laid out for :meth:`Trees.leaves`."""

    feature: np.ndarray
    threshold: np.ndarray
    # Per inner node: all bits set but those of the leaves of its left subtree.
    left_leaves: np.ndarray
    # (trees, tests per tree): how the flat arrays fold.
    shape: tuple[int, int]
    # Per tree, its leaves' node numbers from left to right.
    leaf_ids: np.ndarray


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

    def probabilities(self, features: np.ndarray, leaves: np.ndarray | None = None) -> np.ndarray:
        """Each unit's probability of being story, on its own features (``leaves`` as in
        :meth:`Trees.logits`)."""
        if len(features) == 0:
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-self.trees.logits(features, leaves)))

    def smooth(self, probabilities: np.ndarray) -> np.ndarray:
        """The most likely story/furniture labelling of the page (True for story)."""
        return viterbi(probabilities, self.transitions * self.smoothing)

    def signals(self, features: np.ndarray, pulls: np.ndarray) -> list[list[str]]:
        """For each unit, the features that speak most against story (``pulls`` from
        :meth:`Trees.contributions`), in words."""
        strongest = np.argsort(pulls, axis=1)[:, : 2 * _SIGNALS]
        rows = np.arange(len(pulls))[:, None]
        high = (features[rows, strongest] > self.mean[strongest]).tolist()
        against = (pulls[rows, strongest] < 0).tolist()
        named: list[list[str]] = []
        for columns, highs, negatives in zip(strongest.tolist(), high, against, strict=True):
            words: list[str] = []
            for index, is_high, negative in zip(columns, highs, negatives, strict=True):
                word = WORDS[index][is_high]
                if negative and word and word not in words:
                    words.append(word)
            named.append(words[:_SIGNALS])
        return named


def viterbi(probabilities: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """Two-state Viterbi on per-unit story probabilities (emissions), True for story.

    No prior on the first state: most pages open with furniture, but a text a user cleaned
    opens with story, and the unit's own probability already weighs its place on the page.
    Two states make numpy's per-call cost the whole cost, so the pass runs on floats.
    """
    n = len(probabilities)
    if n == 0:
        return np.zeros(0, dtype=bool)
    p = np.clip(probabilities, _EPSILON, 1 - _EPSILON)
    furniture_scores, story_scores = np.log1p(-p).tolist(), np.log(p).tolist()
    (ff, fs), (sf, ss) = transitions.tolist()
    furniture, story = furniture_scores[0], story_scores[0]
    # back[i]: the better previous state for (furniture, story) at unit i; ties go to
    # furniture, as argmax would.
    back: list[tuple[bool, bool]] = [(False, False)]
    for index in range(1, n):
        to_furniture = (furniture + ff, story + sf)
        to_story = (furniture + fs, story + ss)
        back.append((to_furniture[1] > to_furniture[0], to_story[1] > to_story[0]))
        furniture = max(to_furniture) + furniture_scores[index]
        story = max(to_story) + story_scores[index]
    state = story > furniture
    states = [state]
    for index in range(n - 1, 0, -1):
        state = back[index][state]
        states.append(state)
    return np.array(states[::-1], dtype=bool)


@lru_cache(maxsize=1)
def load() -> StoryModel:
    """The shipped model (read once)."""
    text = resources.files("briefly.article.cleaning").joinpath(_FILE).read_text("utf-8")
    return StoryModel.from_dict(json.loads(text))
