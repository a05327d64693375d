"""The learned story model: its shipped weights, its smoothing, its features, its reasons."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from benchmarks.cleaner_training import fit
from benchmarks.cleaner_training.pages import Dump, unusable
from briefly.article.cleaning import clean_text
from briefly.article.cleaning.clean import story_features
from briefly.article.cleaning.features import NAMES, WORDS
from briefly.article.cleaning.model import StoryModel, load, viterbi

STORY = [
    "The regional water board said on Monday that the reservoir above Tallin Creek had "
    "reached its lowest level since records began, after the driest spring in sixty years.",
    "Engineers will start pumping water from the river next week, a measure the board last "
    "used in 1976, and households have been asked to avoid watering their gardens.",
    "Farmers in the valley said the restrictions came too late for this year's harvest, "
    "which they expect to be a third smaller than usual because of the drought.",
    "The board will meet again at the end of the month to decide whether a ban on using "
    "hoses is needed, and it has promised to publish the reservoir's level every day.",
]
MENU = ["Home", "News", "Local", "Weather", "Sport", "Opinion", "Contact us"]
SHARE = ["Share on Facebook", "Share on Twitter", "Email this article", "Print"]
RELATED = [
    "Related stories",
    "* Council approves new bus lanes on High Street",
    "* Three injured in crash on the ring road",
    "* School meals to cost more from September",
]


def page(story: list[str]) -> str:
    lines = ["Valley Gazette", *[f"* {item}" for item in MENU], ""]
    lines += ["Reservoir falls to lowest level on record", "", *SHARE, ""]
    lines += [line for paragraph in story for line in (paragraph, "")]
    lines += [*SHARE, "", *RELATED, "", "Advertise with us", "Terms of use"]
    return "\n".join(lines)


def test_shipped_weights_load_and_score() -> None:
    model = load()
    found, features = story_features(page(STORY))
    assert features.shape == (len(found), len(NAMES))
    assert len(WORDS) == len(NAMES)
    story = model.probabilities(features)
    assert np.all((story > 0) & (story < 1))
    by_text = dict(zip((unit.text for unit in found), story, strict=True))
    assert min(by_text[p] for p in STORY) > max(by_text[f"* {item}"] for item in MENU)


# log P(next | state) of (furniture, story): staying is likelier than switching.
STICKY = np.log(np.array([[0.9, 0.1], [0.1, 0.9]]))


def test_smoothing_keeps_a_weak_line_inside_the_story() -> None:
    story = np.array([0.05, 0.05, 0.95, 0.9, 0.35, 0.95, 0.9, 0.05, 0.05])
    kept = viterbi(story, STICKY)
    assert kept.tolist() == [False, False, True, True, True, True, True, False, False]


def test_smoothing_drops_a_line_that_is_surely_furniture() -> None:
    story = np.array([0.05, 0.95, 0.9, 0.95, 1e-4, 0.95, 0.9, 0.05])
    kept = viterbi(story, STICKY)
    assert kept.tolist() == [False, True, True, True, False, True, True, False]


def test_a_text_that_opens_with_story_keeps_its_first_line() -> None:
    # Most pages open with furniture; the smoothing must not hold that against a user's text.
    kept = viterbi(np.array([0.7, 0.6, 0.9]), STICKY)
    assert kept.tolist() == [True, True, True]


def test_viterbi_finds_the_likeliest_labelling() -> None:
    rng = np.random.default_rng(1)
    for _ in range(30):
        story = rng.uniform(0.01, 0.99, size=6)
        moves = np.log(rng.dirichlet([1, 1], size=2))
        best = max(
            itertools.product((0, 1), repeat=6),
            key=lambda path: (
                sum(np.log(story[i] if s else 1 - story[i]) for i, s in enumerate(path))
                + sum(moves[a, b] for a, b in itertools.pairwise(path))
            ),
        )
        assert viterbi(story, moves).tolist() == [bool(s) for s in best]


@pytest.mark.parametrize(("leaves", "rounds"), [(7, 20), (40, 5), (2, 3)])
def test_exported_trees_score_as_scikit_learn_does(leaves: int, rounds: int) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(NAMES)))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    boosted = HistGradientBoostingClassifier(
        max_iter=rounds, max_leaf_nodes=leaves, min_samples_leaf=5, random_state=0
    )
    trees = fit.export(boosted.fit(x, y))
    assert np.allclose(trees.logits(x), boosted.decision_function(x))
    # Each unit's feature shares add up to its log-odds beyond the baseline.
    shares = trees.contributions(x).sum(axis=1)
    assert np.allclose(shares, trees.logits(x) - trees.baseline)
    model = StoryModel(trees, x.mean(axis=0), STICKY, 0.0)
    assert np.allclose(
        StoryModel.from_dict(model.to_dict()).probabilities(x), model.probabilities(x), atol=1e-5
    )


def test_a_cjk_line_without_spaces_is_not_short() -> None:
    japanese = (
        "東京都は月曜日、来年の春から市内のすべての公立図書館で夜十時まで開館すると発表した。"
    )
    english = "Read more"
    _, features = story_features(f"{japanese}\n\n{english}")
    words = NAMES.index("words")
    assert features[0, words] > np.log1p(15)
    assert features[1, words] < np.log1p(3)
    assert features[0, NAMES.index("cjk")] > 0.9


def test_story_kept_and_furniture_gone_around_a_four_paragraph_story() -> None:
    cleaned = clean_text(page(STORY))
    assert list(cleaned.paragraphs) == STORY
    gone = {line for line, _ in cleaned.removed}
    assert {*MENU, "Related stories", "Terms of use"} <= {line.lstrip("* ") for line in gone}


def test_reasons_name_the_models_signals() -> None:
    cleaned = clean_text(page(STORY))
    reasons = [reason for _, reason in cleaned.removed if reason.startswith("model:")]
    assert reasons
    signals = {word for pair in WORDS for word in pair if word}
    for reason in reasons:
        probability, _, named = reason.removeprefix("model: story p=").partition(" (")
        assert 0 <= float(probability) < 0.5
        assert named.rstrip(")").split(", ")[0] in signals


def test_dumps_that_cannot_teach_a_cleaner_are_left_out() -> None:
    gold = "\n".join(STORY)
    dump = Dump("p", "corpus", "site", "en", "lynx", page(STORY), gold)
    assert unusable(dump) == ""
    assert unusable(replace(dump, gold="Valley Gazette")) == "the page has no story marked"
    # html2text failing on a page leaves a blank dump: the story was lost before cleaning.
    assert unusable(replace(dump, text="\n\n")) == "the dump lost the story"
    assert unusable(replace(dump, text=page(STORY[:1]))) == "the dump lost the story"
