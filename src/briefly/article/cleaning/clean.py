"""Cleaning an article: units classified, metadata read, furniture dropped, never all of it.

Every dropped line is kept with its reason (:class:`Removed`), so a user can audit the
cleaning. When the rules would leave no story, they back off step by step: first short
articles are judged leniently, then only strong furniture goes, then nothing does.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from briefly.article.cleaning import lexicon, metadata, model
from briefly.article.cleaning.classify import (
    BAD,
    GOOD,
    LENGTH_LOW,
    Verdict,
    is_sentence,
    lower_words,
    pick_stoplist,
    trailing_call,
    words_in_lower_case,
)
from briefly.article.cleaning.classify import strong_furniture as _strong_furniture
from briefly.article.cleaning.features import unit_features
from briefly.article.cleaning.headline import (
    BYLINE_REACH,
    MAX_TITLE_WORDS,
    TITLE_WINDOW,
    pick_title,
    title_text,
)
from briefly.article.cleaning.layout import (
    LIST_ITEM,
    SENTENCE_END,
    Unit,
    comparable,
    front_matter,
    looks_like_markdown,
    units,
)
from briefly.article.cleaning.metadata import BYLINE_REASONS, METADATA_REASONS

_MAX_SITE_SUFFIX_CHARS = 80
# Story text this many furniture units away from the rest, and this much smaller, is not
# part of the story.
_CLUSTER_GAP = 8
_INSIDE_STORY = frozenset(
    {
        "dump marker",
        "furniture label",
        "counter",
        "photo credit",
        "byline",
        "date line",
        "byline and date",
        "call to action",
        "furniture phrase",
    }
)
_MIN_CLUSTER_SHARE = 0.3
# The story model is confident of story at this probability: no context rule drops it.
_CONFIDENT = 0.9
# Without smoothing, a unit is story at this probability.
_ALONE = 0.5
# Strong-furniture reasons that come from a line's company, not from what it says.
_CONTEXT_REASONS = frozenset({"menu", "link list", "comment rules", "recurs across the batch"})
# Furniture that stands between a story's paragraphs without ending the story: an ad's
# label, a photo credit ("Photo: …"), a short list of related links.
_AMID_STORY = frozenset(
    {
        "dump marker",
        "furniture label",
        "furniture phrase",
        "counter",
        "photo credit",
        "call to action",
        "link list",
    }
)
_BYLINE_WEIGHT = 3
# A story's own list (key points, steps, a ranking) holds this many items.
_MIN_LIST, _MAX_LIST = 2, 12
# Lines above a story's opening list: its headline, perhaps a kicker ("WORLD").
_ABOVE_LIST = 2
# A sentence of this many words is no button, even in a script that spells words short.
_MIN_MATE_WORDS = 6
_MIN_STANDFIRST_WORDS = 12
# Units between the headline and the story where its byline may stand without a "By".
_NAME_REACH = 8
_MIN_LINK_LIST = 2
_MIN_TEASER_WORDS = 4
_MIN_RULES = 3
# No byline or date line, even "By X | date | 3 min read", runs longer.
_MAX_METADATA_WORDS = 40
# "Jane Doe is a senior writer for …", "Jane Doe, a professor at …, is the author of …".
_BIO = re.compile(
    r"^(?P<name>[^,.;:]{3,60}?)(\s+(?P<verb>is|was|has been|writes|covers|reports)\b|,)"
)
_BIO_VERBS = frozenset({"writes", "covers", "reports"})
_BIO_ROLE = re.compile(
    r"\s*(an?|the)?\s*([\w-]+\s+){0,4}?(writer|reporter|correspondent|editor|contributor|"
    r"columnist|journalist|professor|fellow|author|analyst|producer|researcher|lecturer)\b",
    re.IGNORECASE,
)
_MAX_BIO_WORDS = 60
_BIO_AT_END = 2
# A line recurs in a batch when this many articles (and this share of them) have it.
_MIN_RECURRING = 3
_RECURRING_SHARE = 0.05
# Articles whose long lines are mostly the same are copies of one story; a line this long
# and worded as a sentence is story, even when several articles share it.
_MIN_FINGERPRINT_WORDS = 8
_NEAR_DUPLICATE = 0.5
_MIN_STORY_WORDS = 20
# Menus run their items together with these between them.
_SEPARATORS = frozenset("| • · * › » /".split())


class Removed(NamedTuple):
    """A line cleaning dropped, and why."""

    line: str
    reason: str


@dataclass(frozen=True)
class CleanedText:
    """An article's text with page furniture removed."""

    # The headline, when one was found (or given), else None.
    title: str | None
    # The author from a byline or "Author:" line, else None.
    author: str | None
    # ISO date (YYYY-MM-DD) from a metadata line, else None.
    published: str | None
    # Body paragraphs in order; list items share a paragraph, one per line.
    paragraphs: tuple[str, ...]
    # Every line dropped from the text, with its reason, in order.
    removed: tuple[Removed, ...] = field(default=())


@dataclass
class _Meta:
    """Metadata picked up from furniture lines while they are removed."""

    author: str | None = None
    published: str | None = None
    updated: str | None = None


def clean_text(
    text: str,
    *,
    markdown: bool | None = None,
    furniture: frozenset[str] = frozenset(),
    story_model: model.StoryModel | None = None,
) -> CleanedText:
    """Clean a plain-text or Markdown article (``markdown=None`` tells them apart).

    ``furniture`` holds lines known to be furniture, such as :func:`recurring_lines` of
    the article's batch; ``story_model`` is the shipped one unless given.
    """
    found, fields = _read_units(text, markdown)
    cleaned = _clean(
        found,
        furniture,
        title=fields.get("title"),
        find_title=True,
        story_model=story_model or model.load(),
    )
    return CleanedText(
        title=cleaned.title,
        author=fields.get("author") or cleaned.author,
        published=metadata.parse_date(fields.get("date", "")) or cleaned.published,
        paragraphs=cleaned.paragraphs,
        removed=cleaned.removed,
    )


def story_features(text: str, *, markdown: bool | None = None) -> tuple[list[Unit], np.ndarray]:
    """The units of ``text`` and their features, as :func:`clean_text` scores them."""
    found, _ = _read_units(text, markdown)
    found, _ = _trim_calls(found)
    return found, _features(found, _strong(found, frozenset(), _Meta()))


def _read_units(text: str, markdown: bool | None) -> tuple[list[Unit], dict[str, str]]:
    text, fields = front_matter(text)
    if markdown is None:
        markdown = bool(fields) or looks_like_markdown(text)
    return units(text, markdown=markdown), fields


def _features(found: Sequence[Unit], strong: Sequence[str]) -> np.ndarray:
    lower = [lower_words(unit.text) for unit in found]
    return unit_features(found, lower, strong, pick_stoplist(lower))


def clean_paragraphs(
    paragraphs: Iterable[str],
    *,
    title: str | None = None,
    author: str | None = None,
    furniture: frozenset[str] = frozenset(),
    site_heading: str | None = None,
) -> CleanedText:
    """Clean paragraphs an extractor already cut from a page, dropping repeats of ``title``
    and of ``site_heading`` (a heading that names the site or the section).

    The extractor judged the story already, so only furniture by its own shape goes, and
    the note on ``author`` (the extractor's) under the story.
    """
    found = [
        Unit(text=" ".join(line.split()), block=block, raw=line)
        for block, paragraph in enumerate(paragraphs)
        for line in paragraph.split("\n")
        if line.strip()
    ]
    return _clean(
        found,
        furniture,
        title=title,
        find_title=False,
        author=author,
        site_heading=site_heading,
    )


def recurring_lines(texts: Iterable[str]) -> frozenset[str]:
    """Lines that recur across many different ``texts`` (a site's footer, its newsletter box).

    Copies of one article (a page saved twice, a wire story several outlets ran, a JSONL
    export with repeats) count once, and a long sentence is never counted: stories that
    share a paragraph keep it. Pass the result as ``furniture`` to :func:`clean_text`.
    """
    articles: list[set[str]] = []
    counts: Counter[str] = Counter()
    for text in texts:
        lines = {comparable(line) for line in text.split("\n") if line.strip()}
        lines.discard("")
        story = _story_lines(lines)
        if any(_near_duplicates(story, seen) for seen in articles):
            continue
        articles.append(story)
        counts.update(line for line in lines if not _long_sentence(line))
    needed = max(_MIN_RECURRING, math.ceil(_RECURRING_SHARE * len(articles)))
    return frozenset(line for line, count in counts.items() if count >= needed)


def _story_lines(lines: set[str]) -> set[str]:
    """What tells an article from another: its long lines (menus and labels are short)."""
    long = {line for line in lines if len(line.split()) >= _MIN_FINGERPRINT_WORDS}
    return long or lines


def _near_duplicates(story: set[str], other: set[str]) -> bool:
    shared = len(story & other)
    return shared > 0 and shared >= _NEAR_DUPLICATE * len(story | other)


def _long_sentence(line: str) -> bool:
    """Prose of a story's length; a menu of as many words has separators between its items."""
    return len(line.split()) >= _MIN_STORY_WORDS and not _separated(line)


def _separated(text: str) -> bool:
    return any(word in _SEPARATORS for word in text.split())


@dataclass(frozen=True)
class Judged:
    """A text's units as the cleaner judged them, before its headline is picked."""

    found: list[Unit]
    # Calls to action cut off story lines.
    trimmed: list[Removed]
    strong: list[str]
    verdicts: list[Verdict]
    # Each unit's probability of being story (None where no model judged them).
    story: np.ndarray | None
    author: str | None
    published: str | None


def _clean(
    found: Sequence[Unit],
    furniture: frozenset[str],
    *,
    title: str | None,
    find_title: bool,
    author: str | None = None,
    story_model: model.StoryModel | None = None,
    site_heading: str | None = None,
) -> CleanedText:
    judged = _judge(found, furniture, author=author, story_model=story_model)
    found, verdicts, strong = judged.found, judged.verdicts, judged.strong
    named = None
    if title is None and find_title:
        index = pick_title(found, verdicts, strong, judged.story)
        if index is not None:
            title = metadata.strip_site_name(title_text(found, index) or "")
            # The <title> can stand far above the <h1>; the standfirst is under the latter.
            wanted = comparable(title)
            repeats = range(index, min(len(found), index + TITLE_WINDOW))
            under = max(i for i in repeats if i == index or _is_title(found[i].text, wanted))
            verdicts = _keep_standfirst(found, verdicts, strong, under)
            if judged.author is None:
                verdicts, named = _name_under_headline(found, verdicts, strong, under)
    if title is not None:
        verdicts = _drop_title(found, verdicts, title)
    if site_heading is not None:
        verdicts = _drop_title(found, verdicts, site_heading, "site's or section's name")
    removed = tuple(
        Removed(unit.text, verdict.reason)
        for unit, verdict in zip(found, verdicts, strict=True)
        if verdict.label != GOOD
    ) + tuple(judged.trimmed)
    return CleanedText(
        title=title,
        author=judged.author or named,
        published=judged.published,
        paragraphs=tuple(_paragraphs(found, verdicts)),
        removed=removed,
    )


def judge_text(
    text: str, *, markdown: bool | None = None, story_model: model.StoryModel | None = None
) -> Judged:
    """``text``'s units judged as :func:`clean_text` judges them before it picks the
    headline (what the headline model is trained on)."""
    found, _ = _read_units(text, markdown)
    return _judge(found, frozenset(), author=None, story_model=story_model or model.load())


def _judge(
    found: Sequence[Unit],
    furniture: frozenset[str],
    *,
    author: str | None,
    story_model: model.StoryModel | None,
) -> Judged:
    meta = _Meta()
    units, trimmed = _trim_calls(found)
    strong = _strong(units, furniture, meta)
    story = None
    if story_model is None:
        # The extractor kept these as story: only strong furniture goes.
        verdicts = [Verdict(BAD, reason) if reason else Verdict(GOOD) for reason in strong]
    else:
        verdicts, story = _classify(units, strong, story_model)
    if furniture and not any(v.label == GOOD for v in verdicts):
        # What the batch's articles share is all this one has: its own story, repeated.
        return _judge(found, frozenset(), author=author, story_model=story_model)
    if story is not None:
        verdicts = _keep_lede(units, verdicts, strong)
        verdicts = _keep_sentences_amid_furniture(units, verdicts, strong)
        verdicts = _keep_lists_in_story(units, verdicts, strong)
        verdicts = _keep_block_mates(units, verdicts, strong)
        verdicts = _keep_story_region(units, verdicts, story >= _CONFIDENT)
    verdicts = _drop_author_bio(units, verdicts, meta.author or author)
    return Judged(
        units, trimmed, strong, verdicts, story, meta.author, meta.published or meta.updated
    )


def _trim_calls(found: Sequence[Unit]) -> tuple[list[Unit], list[Removed]]:
    """Cut calls to action off the story lines they end, keeping the story sentences."""
    kept, trimmed = [], []
    for unit in found:
        cut = trailing_call(unit.text)
        # A line that is furniture before its call too goes whole, with its own reason.
        if cut is None or _strong_furniture(unit.text[:cut] or unit.text):
            kept.append(unit)
            continue
        head, tail = unit.text[:cut].rstrip(), unit.text[cut:].strip()
        if head:
            kept.append(replace(unit, text=head))
        trimmed.append(Removed(tail, "call to action"))
    return kept, trimmed


def _strong(found: Sequence[Unit], furniture: frozenset[str], meta: _Meta) -> list[str]:
    """Each unit's strong-furniture reason (metadata lines are recorded as they go)."""
    reasons = []
    after_bare_by = False
    names: list[str] = []  # of the bare byline being read
    for unit in found:
        text = LIST_ITEM.sub("", unit.text)
        reason = _strong_furniture(unit.text)
        # "By" / "David Brand and" / "Ramsey Khalifeh": names one to a line, joined.
        name, joined = metadata.strip_connector(text)
        bare_by = metadata.is_bare_by(text)
        if after_bare_by and not reason and name and metadata.person_name(name) == name:
            if meta.author in (None, ", ".join(names)):
                meta.author = ", ".join([*names, name])
            names.append(name)
            reason = "byline"
        elif bare_by:
            names = []
            reason = "byline"
        elif not reason or reason in ("furniture phrase", "menu"):
            found_reason = _metadata_reason(text, meta)
            if not found_reason and text != unit.text:
                # "3. Mai 2024" reads as a numbered item: its number is the day.
                found_reason = _metadata_reason(unit.text, meta)
            reason = found_reason or reason
        if not reason and furniture and comparable(text) in furniture:
            reason = "recurs across the batch"
        after_bare_by = bare_by or (reason == "byline" and joined)
        reasons.append(reason)
    _mark_names_over_dates(found, reasons, meta)
    _mark_link_lists(found, reasons)
    _mark_comment_rules(found, reasons)
    if meta.author is None:
        # A Chinese story names its reporter inside a line ("（记者 王小明）", "…记者 李华"):
        # the name is read, the line is left as it is.
        meta.author = next(filter(None, (metadata.reporter(unit.text) for unit in found)), None)
    return reasons


def _mark_names_over_dates(found: Sequence[Unit], reasons: list[str], meta: _Meta) -> None:
    """A name alone over the date line is the byline without its "By" ("Kyle Wiggers" /
    "7 hours ago", "Jennifer Pahlke" / "30.01.2024")."""
    for index in range(len(found) - 1):
        name = metadata.named_over_date(found[index].text, found[index + 1].text)
        if name and not reasons[index]:
            reasons[index] = "byline"
            meta.author = meta.author or name


def _metadata_reason(text: str, meta: _Meta) -> str:
    if len(text.split()) > _MAX_METADATA_WORDS:
        return ""  # a paragraph, not a byline or a date line
    name = metadata.byline(text)
    if name:
        meta.author = meta.author or name
        meta.published = meta.published or metadata.parse_date(text)
        return "byline"
    fields = metadata.TITLE_SEPARATORS.split(text)
    dated = metadata.date_line(text)
    if dated is None and len(fields) > 1:
        # "By Jane Doe | 25 November 2026 · 3 min read": furniture if every field is.
        parts = fields[::2]
        if all(metadata.byline(p) or metadata.date_line(p) or _strong_furniture(p) for p in parts):
            for part in parts:
                _metadata_reason(part, meta)
            # "03:29 - Source: CNN" under a video is dated, but no byline.
            return "byline and date" if any(metadata.byline(p) for p in parts) else "date line"
        return ""
    if dated is None:
        return ""
    kind, date = dated
    if kind == "updated":
        meta.updated = meta.updated or date
    else:
        meta.published = meta.published or date
    return "date line"


def _mark_link_lists(found: Sequence[Unit], reasons: list[str]) -> None:
    """A "More from …" heading with the list of links under it."""
    for index, unit in enumerate(found):
        heading = unit.text.rstrip(":")
        is_heading = len(heading.split()) <= 6 and not unit.text.endswith((".", "!", "?"))
        if not (is_heading and lexicon.LIST_HEADING.match(heading)):
            continue
        end = index + 1
        while (
            end < len(found)
            and found[end].is_list_item
            and found[end].block == found[index + 1].block
        ):
            end += 1
        if end - index - 1 < _MIN_LINK_LIST:
            # "Related Coverage" over one headline, the story going on below it (the lines
            # after that may be the story's own subheadings).
            end = index + 2
            if end > len(found) or not _teaser_shaped(found[index + 1].text):
                continue
        for covered in range(index, end):
            reasons[covered] = reasons[covered] or "link list"


def _mark_comment_rules(found: Sequence[Unit], reasons: list[str]) -> None:
    """A list most of whose items are about comments is the site's rules for them."""
    start = 0
    while start < len(found):
        end = start
        while (
            end < len(found) and found[end].is_list_item and found[end].block == found[start].block
        ):
            end += 1
        items = range(start, end)
        about = sum(bool(lexicon.COMMENTS.search(found[i].text)) for i in items)
        if len(items) >= _MIN_RULES and 2 * about >= len(items):
            for index in items:
                reasons[index] = reasons[index] or "comment rules"
        start = max(end, start + 1)


def _drop_author_bio(
    found: Sequence[Unit], verdicts: Sequence[Verdict], author: str | None
) -> list[Verdict]:
    """The note on the author under the story: "Jane Doe is a senior writer for …".

    It starts with the byline's name; without a byline, only the story's last units are
    read as such a note, and only when they name a person and a writer's job.
    """
    good = [i for i, v in enumerate(verdicts) if v.label == GOOD]
    kept = list(verdicts)
    for rank, index in enumerate(good[1:], start=1):
        text = found[index].text
        if len(text.split()) > _MAX_BIO_WORDS:
            continue
        bio = _BIO.match(text)
        if bio is None:
            continue
        name = bio["name"].strip(" .,")
        by_author = author is not None and comparable(name) == comparable(author)
        # "Jane Doe writes about …" says enough by its verb; "Jane Doe is …" needs a job.
        job = bio["verb"] in _BIO_VERBS or _BIO_ROLE.match(text, bio.end())
        at_end = rank >= len(good) - _BIO_AT_END and job
        if by_author or (at_end and metadata.person_name(name) == name):
            kept[index] = Verdict(BAD, "about the author")
    return kept


def _teaser_shaped(text: str) -> bool:
    """Another story's headline: a line of words with no sentence end."""
    words = len(text.split())
    return _MIN_TEASER_WORDS <= words <= MAX_TITLE_WORDS and not SENTENCE_END.search(text)


def _classify(
    found: Sequence[Unit], strong: Sequence[str], story_model: model.StoryModel
) -> tuple[list[Verdict], np.ndarray]:
    """Story or furniture by the model, backing off so that some story is always left.

    Returns the verdicts and each unit's probability of being story. Strong furniture goes
    whatever the model says, except what only its context made furniture (a list, a line
    the batch repeats) when the model is confident it is story.
    """
    features = _features(found, strong)
    leaves = story_model.trees.leaves(features)
    story = story_model.probabilities(features, leaves)
    overruled = np.array(
        [
            bool(reason) and not (reason in _CONTEXT_REASONS and p >= _CONFIDENT)
            for reason, p in zip(strong, story, strict=True)
        ],
        dtype=bool,
    )
    # The smoothed labelling; failing that, each unit on its own; failing that, only strong
    # furniture goes (a text of nothing else has no article in it).
    for kept in (story_model.smooth(story), story >= _ALONE, np.ones(len(found), dtype=bool)):
        if (kept & ~overruled).any():
            break
    dropped = np.flatnonzero(~kept & ~overruled)
    # Only the units the model drops need its reasons.
    pulls = story_model.trees.contributions(features[dropped], leaves[dropped])
    explained = _model_reasons(story_model, features[dropped], pulls, story[dropped])
    reasons = dict(zip(dropped.tolist(), explained, strict=True))
    verdicts = [
        Verdict(BAD, reason)
        if overruled[index]
        else Verdict(BAD, reasons[index])
        if index in reasons
        else Verdict(GOOD)
        for index, reason in enumerate(strong)
    ]
    return verdicts, story


def _model_reasons(
    story_model: model.StoryModel, features: np.ndarray, pulls: np.ndarray, story: np.ndarray
) -> list[str]:
    """Why the model dropped units: their probability of story and its strongest signals."""
    return [
        f"model: story p={p:.2f}" + (f" ({', '.join(words)})" if words else "")
        for p, words in zip(story, story_model.signals(features, pulls), strict=True)
    ]


def _keep_lede(
    found: Sequence[Unit], verdicts: Sequence[Verdict], strong: Sequence[str]
) -> list[Verdict]:
    """The sentence under the story's byline is its first, whatever surrounds it.

    Share buttons often stand between the byline and the lede, and a sidebar after it, so
    the context pass leaves a lone lede among furniture. Only the first byline counts:
    teasers in sidebars have bylines and dates of their own.
    """
    kept = list(verdicts)
    byline = next((i for i, reason in enumerate(strong) if reason in BYLINE_REASONS), None)
    if byline is None:
        return kept
    after = byline + 1
    while after < len(found) and strong[after] in _INSIDE_STORY:
        after += 1
    if after == len(found) or strong[after] or verdicts[after].label == GOOD:
        return kept
    text = found[after].text
    if is_sentence(text) and len(text) >= LENGTH_LOW and not found[after].is_list_item:
        kept[after] = Verdict(GOOD)
    return kept


def _keep_sentences_amid_furniture(
    found: Sequence[Unit], verdicts: Sequence[Verdict], strong: Sequence[str]
) -> list[Verdict]:
    """A sentence that only an ad's label, a credit or related links part from the story is story.

    The context pass reads such furniture as the story's end, and so dropped the
    paragraphs after it, short ones above all. Comment sections start with a label too:
    what follows one is left to the other rules.
    """
    kept = list(verdicts)
    after_story = False
    for index, (unit, reason) in enumerate(zip(found, strong, strict=True)):
        if kept[index].label == GOOD:
            after_story = True
        elif reason in _AMID_STORY and not lexicon.COMMENTS.search(unit.text):
            continue
        elif after_story and not reason and _sentence_like(unit):
            kept[index] = Verdict(GOOD)
        else:
            after_story = False
    return kept


def _keep_lists_in_story(
    found: Sequence[Unit], verdicts: Sequence[Verdict], strong: Sequence[str]
) -> list[Verdict]:
    """A plain list the story continues after is the story's: key points, steps, a ranking.

    Lists look like menus line by line, so the model doubts them; what settles it is the
    story on both sides (or the story's end, or its headline, on one). Menus and link lists
    stand before the headline or after the story with more furniture around them.
    """
    kept = list(verdicts)
    for run in _list_runs(found, strong):
        first, last = run[0], run[-1]
        after = last + 1
        before = first - 1
        story_after = after < len(found) and verdicts[after].label == GOOD
        story_before = before >= 0 and verdicts[before].label == GOOD
        at_end = all(strong[i] for i in range(after, len(found)))
        # Above the story, only the headline (and perhaps a kicker) stands over the list.
        under_headline = (
            not any(v.label == GOOD for v in verdicts[:first])
            and 0 < sum(not reason for reason in strong[:first]) <= _ABOVE_LIST
            and not found[before].is_list_item
        )
        if (story_after and (story_before or under_headline)) or (story_before and at_end):
            for index in run:
                kept[index] = Verdict(GOOD)
    return kept


def _keep_block_mates(
    found: Sequence[Unit], verdicts: Sequence[Verdict], strong: Sequence[str]
) -> list[Verdict]:
    """A sentence in the same block (no blank line between) as story is story too, and so
    is a line that the story line under it continues.

    Lines of one block were one paragraph or one run of lines on the page; the model judges
    them one by one and doubts an opening line with nothing above it.
    """
    kept = list(verdicts)
    story_blocks = {unit.block for unit, v in zip(found, verdicts, strict=True) if v.label == GOOD}
    for index in range(len(found) - 1, -1, -1):
        unit = found[index]
        if kept[index].label == GOOD or strong[index] or unit.block not in story_blocks:
            continue
        long = len(unit.text) >= LENGTH_LOW or len(unit.text.split()) >= _MIN_MATE_WORDS
        following = found[index + 1] if index + 1 < len(found) else None
        continued = (
            following is not None
            and following.block == unit.block
            and kept[index + 1].label == GOOD
            and not SENTENCE_END.search(unit.text)
            and not unit.is_list_item
        )
        if long and (_sentence_like(unit) or continued):
            kept[index] = Verdict(GOOD)
    return kept


def _list_runs(found: Sequence[Unit], strong: Sequence[str]) -> Iterable[list[int]]:
    """Runs of list items of one block, none of them furniture by its own shape."""
    runs: list[list[int]] = []
    for index, unit in enumerate(found):
        if not unit.is_list_item or strong[index] or _separated(LIST_ITEM.sub("", unit.text)):
            continue
        previous = runs[-1][-1] if runs else None
        if previous == index - 1 and found[previous].block == unit.block:
            runs[-1].append(index)
        else:
            runs.append([index])
    return (run for run in runs if _MIN_LIST <= len(run) <= _MAX_LIST)


def _sentence_like(unit: Unit) -> bool:
    return is_sentence(unit.text) and not unit.is_list_item and not unit.text.endswith(":")


def _keep_story_region(
    found: Sequence[Unit], verdicts: list[Verdict], confident: np.ndarray
) -> list[Verdict]:
    """Drop story-like text far from the story: sidebars, teasers, the site's "about" box.

    Story units separated by a long run of furniture form clusters; the cluster with the
    most text is the story, and clusters much smaller than it are furniture. Buttons,
    counters, credits and bylines stand inside stories too, so only menus, link lists and
    other text-like furniture make a gap. Units the model is ``confident`` are story stay.
    """
    clusters: list[list[int]] = []
    gap = _CLUSTER_GAP
    for index, verdict in enumerate(verdicts):
        if verdict.label != GOOD:
            gap += verdict.reason not in _INSIDE_STORY
            continue
        if gap >= _CLUSTER_GAP:
            clusters.append([])
        clusters[-1].append(index)
        gap = 0
    if len(clusters) < 2:
        return verdicts
    mass = [sum(len(found[i].text) for i in cluster) for cluster in clusters]
    # The story starts under its byline and date; sidebars and comments have none.
    dated = [i for i, v in enumerate(verdicts) if v.reason in METADATA_REASONS]
    weight = [
        _BYLINE_WEIGHT if any(c[0] - TITLE_WINDOW <= i < c[0] for i in dated) else 1
        for c in clusters
    ]
    # The weight picks the story; sizes are then compared with its own.
    main = max(zip(mass, weight, strict=True), key=lambda mw: mw[0] * mw[1])[0]
    # The first text under the byline starts the story, however long a table or list parts
    # it from the rest; comments, with dates of their own, come after it.
    opening = next((k for k, w in enumerate(weight) if w > 1), None)
    if opening is not None and not any(
        is_sentence(found[i].text) and len(found[i].text) >= LENGTH_LOW for i in clusters[opening]
    ):
        opening = None
    pruned = list(verdicts)
    for k, (cluster, size) in enumerate(zip(clusters, mass, strict=True)):
        if size < _MIN_CLUSTER_SHARE * main and k != opening:
            for index in cluster:
                if not confident[index]:
                    pruned[index] = Verdict(BAD, "away from the story")
    return pruned


def _keep_standfirst(
    found: Sequence[Unit], verdicts: list[Verdict], strong: Sequence[str], title: int
) -> list[Verdict]:
    """The sentence under the headline, before the byline, is the story's standfirst."""
    kept = list(verdicts)
    for index in range(title + 1, min(len(found), title + 1 + BYLINE_REACH)):
        if verdicts[index].label == GOOD:
            break
        text = found[index].text
        if not strong[index] and _standfirst_shaped(text) and len(text) >= LENGTH_LOW:
            kept[index] = Verdict(GOOD)
            break
    return kept


def _name_under_headline(
    found: Sequence[Unit], verdicts: list[Verdict], strong: Sequence[str], title: int
) -> tuple[list[Verdict], str | None]:
    """A name alone between the headline and the story is its byline without a "By"."""
    shaped = []
    for index in range(title + 1, min(len(found), title + 1 + _NAME_REACH)):
        unit = found[index]
        if verdicts[index].label == GOOD and len(unit.text) >= LENGTH_LOW:
            break  # the story has begun
        line = LIST_ITEM.sub("", unit.text)
        if strong[index] in ("", *_CONTEXT_REASONS) and metadata.name_under_headline(line):
            shaped.append((index, line))
    if not shaped:
        return verdicts, None
    # Only a line shaped like a name needs the page's words, to be told from a heading.
    texts = [unit.text for unit in found]
    common = pick_stoplist([lower_words(text) for text in texts]) | words_in_lower_case(texts)
    for index, line in shaped:
        name = metadata.name_under_headline(line, common)
        if name:
            kept = list(verdicts)
            kept[index] = Verdict(BAD, "byline")
            return kept, name
    return verdicts, None


def _standfirst_shaped(text: str) -> bool:
    """A sentence; many sites print the standfirst without its full stop, but in prose case."""
    words = text.split()
    lower = sum(word[:1].islower() for word in words)
    return is_sentence(text) or (len(words) >= _MIN_STANDFIRST_WORDS and 3 * lower >= len(words))


def _drop_title(
    found: Sequence[Unit], verdicts: Sequence[Verdict], title: str, reason: str = "headline"
) -> list[Verdict]:
    wanted = comparable(title)
    dropped = [
        Verdict(BAD, reason) if _is_title(unit.text, wanted) else verdict
        for unit, verdict in zip(found, verdicts, strict=True)
    ]
    # A text of one short line is the story itself, not a headline.
    return dropped if any(v.label == GOOD for v in dropped) else list(verdicts)


def _is_title(text: str, wanted: str) -> bool:
    # A repeat is as long as the headline, or longer by a site name.
    if not len(wanted) <= len(text) <= len(wanted) + _MAX_SITE_SUFFIX_CHARS:
        return False
    return wanted in (comparable(text), comparable(metadata.strip_site_name(text)))


def _paragraphs(found: Sequence[Unit], verdicts: Sequence[Verdict]) -> Iterable[str]:
    """Kept units as paragraphs; list items of one block share a paragraph."""
    items: list[str] = []
    block = -1
    for unit, verdict in zip(found, verdicts, strict=True):
        if verdict.label != GOOD:
            continue
        if unit.is_list_item and (not items or unit.block == block):
            items.append(unit.text)
            block = unit.block
            continue
        if items:
            yield "\n".join(items)
            items = []
        if unit.is_list_item:
            items, block = [unit.text], unit.block
        else:
            yield unit.text
    if items:
        yield "\n".join(items)
