"""What the story model sees of each unit: its shape, its words, its place, its neighbours.

One row of numbers per unit (:data:`NAMES` names the columns). Lengths count words the way
the script writes them: Chinese and Japanese have no spaces, so two characters make a word
there, and a line of them is no "short line". Context comes from the neighbouring units
(±1, ±2) and from where the page's sentence-like text is densest, since a story is mostly
one run of paragraphs and furniture stands around it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from briefly.article.cleaning.layout import SENTENCE_END, Unit

_WORD = re.compile(r"\w+")
# Han, kana, Hangul: scripts written without spaces between words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CJK_CHARS_PER_WORD = 2
_CJK_SENTENCE_END = ("。", "！", "？", "」", "』")
# Chinese and Japanese function characters (particles, "of", "is"): CJK's stopwords, dense
# in prose and rare in menus and headlines.
_CJK_FUNCTION = re.compile(r"[的了是在和也就都而及与着或之这那有为をにがはでとのもへやから]")
# html2text keeps links as [text](address): the share of a unit's text that is linked.
_MD_LINK_TEXT = re.compile(r"\[([^\]]*)\]\(")
# What dumps leave of links, images, buttons and form fields.
_DUMP_MARK = re.compile(r"\[(IMG|BUTTON|INLINE|LINK|\d+)\]|\[[^\]]{0,40}\]\(|\(https?:|^\s*\[")
_SEPARATORS = re.compile(r"(^|\s)[|•·*›»/]\s")
_PUNCTUATION = re.compile(r"[,;()\"'“”«»、，]")
_DIGIT = re.compile(r"\d")
_MIN_SHOUT_CHARS = 3
_URL = re.compile(r"https?://|www\.|\.com\b|@\w")
# A unit is sentence-like (story-ish) with this many characters and stopword share.
_PROSE_CHARS = 60
_PROSE_STOPWORDS = 0.15
# Half-widths, in units, of the windows where story density is measured.
_NEAR, _FAR = 3, 10
_TITLE_WINDOW = 25

# Strong-furniture reasons, grouped: what is certain, what is about the article, what lists.
_METADATA = frozenset({"byline", "date line", "byline and date"})
_LISTS = frozenset({"menu", "link list", "comment rules", "recurs across the batch"})

# Column names; each is (name, what a low value says, what a high value says) for the
# explanations of dropped lines.
_OWN = (
    ("chars", "short", "long"),
    ("words", "few words", "many words"),
    ("stopwords", "few stopwords", "many stopwords"),
    ("sentence_end", "no sentence end", "ends a sentence"),
    ("colon_end", "", "ends in a colon"),
    ("punctuation", "little punctuation", "punctuated"),
    ("digits", "", "many digits"),
    ("capitals", "lower case", "capitalised words"),
    ("upper", "", "all capitals"),
    ("list_item", "", "list item"),
    ("separators", "", "menu separators"),
    ("dump_mark", "", "link or image marker"),
    ("url", "", "address"),
    ("heading", "", "heading"),
    ("outdented", "", "outdented"),
    ("strong", "", "furniture pattern"),
    ("metadata", "", "byline or date"),
    ("listed", "", "link list"),
    ("cjk", "", "CJK"),
    ("cjk_function", "few particles", "many particles"),
    ("linked", "", "link text"),
)
_CONTEXT = (
    ("position", "near the top", "near the bottom"),
    ("repeated", "", "repeated on the page"),
    ("title_like", "", "like the headline"),
    ("density_near", "far from the story", "in the story"),
    ("density_far", "far from the story", "in the story"),
    ("mass_before", "before the story", "after story text"),
    ("mass_after", "after the story", "before story text"),
    ("block_size", "", "in a block of lines"),
)
# The neighbours' own features that the model sees too.
_NEIGHBOUR_COLUMNS = ("chars", "stopwords", "sentence_end", "list_item", "strong", "dump_mark")
_OFFSETS = (-2, -1, 1, 2)
_OFFSET_NAMES = {-2: "line before last", -1: "previous line", 1: "next line", 2: "line after next"}

NAMES: tuple[str, ...] = (
    *(name for name, _, _ in _OWN),
    *(name for name, _, _ in _CONTEXT),
    *(f"{name}{offset:+d}" for offset in _OFFSETS for name in _NEIGHBOUR_COLUMNS),
    *(f"present{offset:+d}" for offset in _OFFSETS),
)
# Per column, the words for a low and a high value.
WORDS: tuple[tuple[str, str], ...] = (
    *((low, high) for _, low, high in _OWN),
    *((low, high) for _, low, high in _CONTEXT),
    *(
        (
            f"{_OFFSET_NAMES[offset]} {low}" if low else "",
            f"{_OFFSET_NAMES[offset]} {high}" if high else "",
        )
        for offset in _OFFSETS
        for name, low, high in _OWN
        if name in _NEIGHBOUR_COLUMNS
    ),
    *(("at the start" if offset < 0 else "at the end", "") for offset in _OFFSETS),
)


def unit_features(
    units: Sequence[Unit],
    words: Sequence[list[str]],
    strong: Sequence[str],
    stoplist: frozenset[str],
) -> np.ndarray:
    """The feature matrix of ``units``: one row per unit, columns as in :data:`NAMES`.

    ``words`` holds each unit's lower-cased words, ``strong`` its strong-furniture reason
    ("" when none), ``stoplist`` the article's jusText stoplist.
    """
    own = np.array(
        [
            _own(unit, unit_words, reason, stoplist)
            for unit, unit_words, reason in zip(units, words, strong, strict=True)
        ],
        dtype=np.float64,
    ).reshape(len(units), len(_OWN))
    context = _context(units, own)
    neighbours = _neighbours(own)
    return np.hstack([own, context, neighbours])


def _own(unit: Unit, words: list[str], reason: str, stoplist: frozenset[str]) -> tuple[float, ...]:
    text = unit.text
    chars = len(text)
    cjk = len(_CJK.findall(text)) if not text.isascii() else 0
    if cjk:
        # A run of CJK characters is one \w+ match: count it by its characters instead.
        spaced = _WORD.findall(_CJK.sub(" ", text))
        word_count = len(spaced) + cjk / _CJK_CHARS_PER_WORD
    else:
        word_count = len(words)
    stop = sum(map(stoplist.__contains__, words)) / len(words) if words else 0.0
    tokens = text.split()
    capitals = sum(1 for t in tokens if t[0].isupper()) / len(tokens) if tokens else 0.0
    ends = bool(SENTENCE_END.search(text)) or text.endswith(_CJK_SENTENCE_END)
    return (
        math.log1p(chars),
        math.log1p(word_count),
        stop,
        float(ends and not text.endswith(":")),
        float(text.endswith(":")),
        len(_PUNCTUATION.findall(text)) / (chars or 1),
        len(_DIGIT.findall(text)) / (chars or 1),
        capitals,
        float(text.isupper() and chars > _MIN_SHOUT_CHARS),
        float(unit.is_list_item),
        len(_SEPARATORS.findall(text)),
        float(bool(_DUMP_MARK.search(text))),
        float(bool(_URL.search(text))),
        float(unit.heading > 0),
        float(unit.outdented),
        float(bool(reason) and reason not in _METADATA),
        float(reason in _METADATA),
        float(reason in _LISTS),
        cjk / (chars or 1),
        len(_CJK_FUNCTION.findall(text)) / cjk if cjk else 0.0,
        _linked(unit) / (chars or 1),
    )


def _linked(unit: Unit) -> int:
    if "](" not in unit.raw:
        return 0
    return sum(len(text) for text in _MD_LINK_TEXT.findall(unit.raw))


def _column(name: str) -> int:
    return NAMES.index(name)


def _context(units: Sequence[Unit], own: np.ndarray) -> np.ndarray:
    n = len(units)
    if n == 0:
        return np.zeros((0, len(_CONTEXT)))
    position = np.arange(n) / max(1, n - 1)
    keys = [" ".join(unit.text.casefold().split()) for unit in units]
    counts = Counter(keys)
    repeated = np.array([counts[key] > 1 for key in keys], dtype=np.float64)
    # Sentence-like text, weighted by its length: where it is densest, the story is.
    chars = np.expm1(own[:, _column("chars")])
    prose = (
        (chars >= _PROSE_CHARS)
        & (own[:, _column("sentence_end")] > 0)
        & ((own[:, _column("stopwords")] >= _PROSE_STOPWORDS) | (own[:, _column("cjk")] > 0.5))
        & (own[:, _column("strong")] == 0)
    )
    mass = np.where(prose, chars, 0.0)
    total = mass.sum() or 1.0
    near = _window_share(mass, _NEAR)
    far = _window_share(mass, _FAR)
    before = (np.cumsum(mass) - mass) / total
    after = 1.0 - before - mass / total
    title = _title_likeness(units, prose)
    blocks = Counter(unit.block for unit in units)
    block_size = np.log([blocks[unit.block] for unit in units])
    return np.column_stack([position, repeated, title, near, far, before, after, block_size])


def _window_share(mass: np.ndarray, half: int) -> np.ndarray:
    """Each unit's window of ±``half`` units: its story text, as a share of the densest's."""
    sums = np.concatenate([[0.0], np.cumsum(mass)])
    index = np.arange(len(mass))
    high = np.minimum(index + half + 1, len(mass))
    window = sums[high] - sums[np.maximum(index - half, 0)]
    peak = window.max()
    return window / peak if peak > 0 else window


def _title_likeness(units: Sequence[Unit], prose: np.ndarray) -> np.ndarray:
    """Word overlap with the headline candidate: the first heading, or the first line."""
    first_prose = int(np.argmax(prose)) if prose.any() else 0
    candidates = [u for u in units[: max(1, first_prose)] if u.heading or u.outdented]
    reference = candidates[0] if candidates else units[0]
    wanted = set(_WORD.findall(reference.text.casefold()))
    if not wanted:
        return np.zeros(len(units))
    likeness = []
    for index, unit in enumerate(units):
        if index > first_prose + _TITLE_WINDOW or len(unit.text) > 4 * len(reference.text):
            likeness.append(0.0)
            continue
        words = set(_WORD.findall(unit.text.casefold()))
        likeness.append(len(words & wanted) / len(words | wanted) if words else 0.0)
    return np.array(likeness)


def _neighbours(own: np.ndarray) -> np.ndarray:
    """The neighbours' columns, then whether each neighbour exists.

    Beyond the page's edges the columns are zeros, which alone would read as a short
    line next to the unit: the presence columns tell the model it is the page's edge.
    """
    columns = [_column(name) for name in _NEIGHBOUR_COLUMNS]
    picked = np.hstack([own[:, columns], np.ones((len(own), 1))])
    n = len(own)
    shifted = []
    for offset in _OFFSETS:
        moved = np.zeros_like(picked)
        if offset < 0 and n > -offset:
            moved[-offset:] = picked[:offset]
        elif offset > 0 and n > offset:
            moved[:-offset] = picked[offset:]
        shifted.append(moved)
    values = [moved[:, :-1] for moved in shifted]
    present = [moved[:, -1:] for moved in shifted]
    return np.hstack([*values, *present])
