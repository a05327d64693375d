"""Story or furniture, unit by unit, with jusText's signals as they survive in text dumps.

jusText (Pomikálek, 2011) classifies an HTML page's blocks by length, stopword density and
link density, then lets short blocks take the class of their neighbours. A dump has no
links left, so their place is taken by what menus look like in text: runs of short lines,
bullets, several items on one line, dump markers. Furniture phrases and markers are
"strong": they are furniture wherever they stand.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from briefly.article.cleaning import lexicon
from briefly.article.cleaning.layout import SENTENCE_END, Unit

# jusText's defaults (length in characters, stopword density as a share of words).
LENGTH_LOW = 70
LENGTH_HIGH = 200
STOPWORDS_LOW = 0.30
STOPWORDS_HIGH = 0.32
# A run of this many short lines that are not sentences is a menu or a link list.
MENU_RUN = 3
# A label line is short; furniture prompts are one short sentence at most.
_MAX_LABEL_WORDS = 6
_MAX_PROMPT_WORDS = 20
_MAX_COPYRIGHT_WORDS = 25
_MAX_CALL_WORDS = 40
_MAX_NOTICE_WORDS = 120
_MIN_NOTICE_WORDS = 3
_CALL_TAIL_CHARS = 300
# Where one sentence ends and the next starts: "storm? Please", 'said." The'.
_SENTENCE_BREAK = re.compile(r"[.!?…।][\"'”’»)\]]*\s+")
# Enough words to tell the language by its stopwords.
_LANGUAGE_SAMPLE_WORDS = 3000
_MIN_LEAD_IN_WORDS = 5
# Numbered navigation: "1. HOME", "2. WORLD".
_BREADCRUMB = re.compile(r"^\d{1,2}[.)]\s+(?P<item>[^a-z]{2,30})$")
_MAX_CRUMB_WORDS = 3
# Lines with several bullets in a row: lynx's and bs4's "* Home * News * Sport".
_INLINE_BULLETS = re.compile(r"(^|\s)[*•·|]\s+\S+.*\s[*•·|]\s+\S+")
_WORD = re.compile(r"\w+", re.UNICODE)
_EDGE_PUNCTUATION = " \t-–—•·*|:>»›→←<«‹.,!?()[]{}\"'“”"

GOOD, NEARGOOD, SHORT, BAD = "good", "neargood", "short", "bad"


@dataclass(frozen=True)
class Verdict:
    """A unit's class and, for furniture, why."""

    # GOOD or BAD after the context pass (SHORT and NEARGOOD before it).
    label: str
    # Why a BAD unit is furniture ("menu", "few stopwords"...), "" for story.
    reason: str = ""


def pick_stoplist(texts: Sequence[str]) -> frozenset[str]:
    """The jusText stoplist whose words are densest in ``texts`` (the article's language)."""
    words = []
    for text in texts:
        words.extend(_WORD.findall(text.lower()))
        if len(words) > _LANGUAGE_SAMPLE_WORDS:
            break
    # Each distinct word is looked up once per stoplist, not once per occurrence.
    counts = Counter(words)
    best: frozenset[str] = frozenset()
    best_hits = -1
    for stoplist in lexicon.stoplists().values():
        hits = sum(n for w, n in counts.items() if w in stoplist)
        if hits > best_hits:
            best, best_hits = stoplist, hits
    return best


# Pages repeat their menus and footers, and a batch its site's: each line is judged once.
@lru_cache(maxsize=1 << 14)
def strong_furniture(text: str) -> str:
    """Why ``text`` is furniture wherever it stands ("" when it may be story)."""
    bare = text.strip(_EDGE_PUNCTUATION)
    words = bare.split()
    lower, bare_lower = text.lower(), bare.lower()
    if not bare or lexicon.MARKER.match(text.strip()):
        return "dump marker"
    if len(words) <= _MAX_NOTICE_WORDS and lexicon.NOTICE_START.match(text.strip()):
        # A paragraph that opens with "©" is the site's legal notice, however long.
        return "copyright"
    if len(words) > _MAX_CALL_WORDS:
        return ""  # a paragraph: no furniture pattern is that long
    if len(words) <= _MAX_PROMPT_WORDS and lexicon.INLINE_MARKER.search(text):
        return "dump marker"
    if len(words) <= _MAX_LABEL_WORDS and lexicon.LABEL.match(bare_lower):
        return "furniture label"
    if lexicon.COUNTER.match(bare_lower):
        return "counter"
    sentence = bool(SENTENCE_END.search(text)) and not text.endswith((":", "..."))
    if len(words) <= _MAX_PROMPT_WORDS and lexicon.PROMPT.match(bare_lower) and not sentence:
        return "furniture phrase"
    crumb = _BREADCRUMB.match(text.strip())
    if crumb and crumb["item"].isupper() and len(crumb["item"].split()) <= _MAX_CRUMB_WORDS:
        return "breadcrumbs"
    if lexicon.SLUG.match(bare):
        return "dump marker"
    if len(words) >= _MIN_NOTICE_WORDS and lexicon.SITE_NOTICE.search(lower):
        return "site notice"
    if lexicon.CALL_TO_ACTION.match(bare) and len(words) <= _MAX_CALL_WORDS:
        return "call to action"
    if len(words) <= _MAX_COPYRIGHT_WORDS and lexicon.COPYRIGHT.search(lower):
        # Only a notice of its own: a story sentence ending in "©2015 …" is no such line.
        if lexicon.COPYRIGHT.match(lower.strip()) or len(words) <= _MAX_LABEL_WORDS * 2:
            return "copyright"
    if len(words) <= _MAX_LABEL_WORDS * 2 and lexicon.CREDIT.search(bare_lower):
        return "photo credit"
    if _INLINE_BULLETS.search(text) and not sentence:
        return "menu"
    return ""


def trailing_call(text: str) -> int | None:
    """Where the sentences of a call to action that ends a story line start.

    "… storm? Please share …" is cut after the question mark; "… launch Royal News, a weekly
    newsletter …" at the start of its sentence; a call in the line's first sentence makes
    the whole line a call (0), never half of one.
    """
    # Only the end of a line can hold one: searching whole paragraphs would be slow.
    offset = max(0, len(text) - _CALL_TAIL_CHARS)
    if not lexicon.CALL_TO_ACTION_LOWER.search(text.lower(), offset):
        return None
    call = lexicon.CALL_TO_ACTION.search(text, offset)
    if call is None:
        return None
    ends = [0] + [end.end() for end in _SENTENCE_BREAK.finditer(text, 0, call.start() + 2)]
    if len(text[ends[-1] :].split()) > _MAX_CALL_WORDS:
        return None
    return ends[-1]


def first_pass(unit: Unit, stoplist: frozenset[str]) -> str:
    """jusText's context-free class of a unit that is not strong furniture."""
    words = _WORD.findall(unit.text.lower())
    length = len(unit.text)
    if not words:
        return BAD
    density = sum(w in stoplist for w in words) / len(words)
    if length < LENGTH_LOW:
        return SHORT
    if density >= STOPWORDS_HIGH and length > LENGTH_HIGH:
        return GOOD
    if density >= STOPWORDS_LOW:
        return NEARGOOD
    # Long lines with few stopwords are lists of names and headlines, or another language.
    return NEARGOOD if is_sentence(unit.text) and density > 0 else BAD


def is_sentence(text: str) -> bool:
    """A finished sentence of a few words (story) rather than a label or a link.

    A colon ends a sentence that leads into a list ("The board set three conditions:"),
    not a label ("Related:").
    """
    words = len(text.split())
    if text.endswith(":"):
        return words >= _MIN_LEAD_IN_WORDS
    return words >= 3 and bool(SENTENCE_END.search(text))


def is_menu_item(unit: Unit) -> bool:
    """A short line that is not a sentence: a menu entry, a link, a tag."""
    numbered = unit.text[:1].isdigit() and not unit.text.isupper()
    short = len(unit.text.split()) <= 4 and not unit.heading
    return short and not is_sentence(unit.text) and not numbered


def classify(
    units: Sequence[Unit], strong: Sequence[str], stoplist: frozenset[str], *, lenient: bool = False
) -> list[Verdict]:
    """Classify every unit GOOD or BAD; ``strong`` holds each unit's strong-furniture reason.

    ``lenient`` takes every sentence for story, for articles too short to have a paragraph
    of jusText's length.
    """
    labels = [
        BAD if reason else first_pass(unit, stoplist)
        for unit, reason in zip(units, strong, strict=True)
    ]
    if lenient:
        labels = [
            GOOD if label == NEARGOOD or (label == SHORT and is_sentence(unit.text)) else label
            for unit, label in zip(units, labels, strict=True)
        ]
    reasons = list(strong)
    _mark_menu_runs(units, labels, reasons)
    labels = _keep_lists(units, labels)
    labels = _promote_headings(units, labels)
    labels = _resolve_short(units, labels)
    labels = _resolve_neargood(labels)
    verdicts = []
    for label, reason in zip(labels, reasons, strict=True):
        if label == GOOD:
            verdicts.append(Verdict(GOOD))
        else:
            verdicts.append(Verdict(BAD, reason or "between furniture"))
    return verdicts


def _mark_menu_runs(units: Sequence[Unit], labels: list[str], reasons: list[str]) -> None:
    start = 0
    while start < len(units):
        end = start
        while end < len(units) and labels[end] in (SHORT, BAD) and is_menu_item(units[end]):
            end += 1
        if end - start >= MENU_RUN:
            for index in range(start, end):
                labels[index] = BAD
                reasons[index] = reasons[index] or "run of short lines"
        start = max(end, start + 1)


def _neighbour(labels: Sequence[str], index: int, step: int, ignore_neargood: bool) -> str:
    index += step
    skip = {SHORT, NEARGOOD} if ignore_neargood else {SHORT}
    while 0 <= index < len(labels):
        if labels[index] not in skip:
            return labels[index]
        index += step
    return BAD


def _resolve_short(units: Sequence[Unit], labels: list[str]) -> list[str]:
    resolved = list(labels)
    for index, label in enumerate(labels):
        if label != SHORT:
            continue
        before = _neighbour(labels, index, -1, True)
        after = _neighbour(labels, index, 1, True)
        touching = {labels[i] for i in (index - 1, index + 1) if 0 <= i < len(labels)}
        if is_sentence(units[index].text) and touching & {GOOD, NEARGOOD}:
            # A short sentence next to the story ("Brazil went dark.") is story.
            resolved[index] = GOOD
        elif before == after:
            resolved[index] = before
        elif NEARGOOD in (
            _neighbour(labels, index, -1, False) if before == BAD else None,
            _neighbour(labels, index, 1, False) if after == BAD else None,
        ):
            resolved[index] = GOOD
        else:
            resolved[index] = BAD
    return resolved


def _resolve_neargood(labels: list[str]) -> list[str]:
    resolved = list(labels)
    for index, label in enumerate(labels):
        if label != NEARGOOD:
            continue
        before = _neighbour(labels, index, -1, True)
        after = _neighbour(labels, index, 1, True)
        # Unlike jusText, a run of medium paragraphs is story too: menus are short.
        in_run = NEARGOOD in (
            _neighbour(labels, index, -1, False),
            _neighbour(labels, index, 1, False),
        )
        resolved[index] = BAD if before == after == BAD and not in_run else GOOD
    return resolved


def _keep_lists(units: Sequence[Unit], labels: list[str]) -> list[str]:
    """A short list that leads into or follows the story is part of it (key points, steps)."""
    kept = list(labels)
    index = 0
    while index < len(units):
        end = index
        while end < len(units) and labels[end] == SHORT and units[end].is_list_item:
            end += 1
        if end > index:
            before = _outside_headings(units, labels, index, -1)
            after = _outside_headings(units, labels, end - 1, 1)
            if {before, after} & {GOOD, NEARGOOD}:
                kept[index:end] = [GOOD] * (end - index)
        index = end + 1
    return kept


def _outside_headings(units: Sequence[Unit], labels: Sequence[str], index: int, step: int) -> str:
    """The label next to ``index``, looking past short headings."""
    index += step
    while 0 <= index < len(labels) and labels[index] == SHORT and units[index].heading:
        index += step
    return labels[index] if 0 <= index < len(labels) else BAD


def _promote_headings(units: Sequence[Unit], labels: list[str]) -> list[str]:
    """jusText's heading rule: a short heading inside the story, just before more of it."""
    promoted = list(labels)
    seen_story = False
    for index, label in enumerate(labels):
        if label in (GOOD, NEARGOOD):
            seen_story = True
        elif label == SHORT and seen_story and _heading_shaped(units[index]):
            following = labels[index + 1] if index + 1 < len(labels) else BAD
            if following in (GOOD, NEARGOOD):
                promoted[index] = GOOD
    return promoted


def _heading_shaped(unit: Unit) -> bool:
    words = unit.text.split()
    fewest = 1 if unit.heading else 2
    return (
        fewest <= len(words) <= 15
        and not unit.text.endswith((":", ","))
        and unit.text[:1].isupper()
    )
