"""Furniture certain by its own shape, and the article's stoplist.

Furniture phrases and dump markers are "strong": they are furniture wherever they stand
(what is left is judged by the story model, :mod:`.model`). The stoplist, jusText's for the
article's language, feeds the model's stopword density.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from briefly.article.cleaning import lexicon
from briefly.article.cleaning.layout import SENTENCE_END

# jusText's length of a short paragraph, in characters.
LENGTH_LOW = 70
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
# A trail of sections: "Home > News > World", "当前位置：主页 > 股市 >". Its fields but the last
# (perhaps the headline itself) are a section's name each.
_CRUMB_SEPARATOR = re.compile(r"\s+[>›»](?:\s+|$)")
_MIN_CRUMB_FIELDS = 3
_MAX_CRUMB_FIELD_WORDS, _MAX_CRUMB_FIELD_CHARS = 4, 30
# Lines with several bullets in a row: lynx's and bs4's "* Home * News * Sport".
_INLINE_BULLETS = re.compile(r"(^|\s)[*•·|]\s+\S+.*\s[*•·|]\s+\S+")
_WORD = re.compile(r"\w+", re.UNICODE)
_EDGE_PUNCTUATION = " \t-–—•·*|:>»›→←<«‹.,!?()[]{}\"'“”"

GOOD, BAD = "good", "bad"


@dataclass(frozen=True)
class Verdict:
    """A unit's class and, for furniture, why."""

    # GOOD or BAD.
    label: str
    # Why a BAD unit is furniture ("menu", "model: story p=0.07 (short)"...), "" for story.
    reason: str = ""


def lower_words(text: str) -> list[str]:
    """The lower-cased words of ``text``, as stoplists hold them."""
    return _WORD.findall(text.lower())


def words_in_lower_case(texts: Iterable[str]) -> frozenset[str]:
    """The words ``texts`` write in lower case: common words of their language, not names.

    Words are what stands between spaces, less the punctuation at their edges, so that an
    address ("jane.doe@example.com") does not count the parts of a name as words.
    """
    words = (token.strip(_EDGE_PUNCTUATION) for text in texts for token in text.split())
    return frozenset(word for word in words if word[:1].islower())


def pick_stoplist(units: Sequence[list[str]]) -> frozenset[str]:
    """The jusText stoplist whose words are densest in ``units`` (each unit's :func:`lower_words`):
    the article's language."""
    sample: list[str] = []
    for unit in units:
        sample.extend(unit)
        if len(sample) > _LANGUAGE_SAMPLE_WORDS:
            break
    lists = list(lexicon.stoplists().values())
    if not lists:
        return frozenset()
    counts = Counter(sample)
    # Only the article's words that some list holds count: one intersection with all the
    # lists' words leaves a few hundred to meet each list.
    distinct = set(counts) & lexicon.all_stopwords()
    hits = [sum(counts[word] for word in stoplist & distinct) for stoplist in lists]
    # The first list of the most hits, as a scan of the lists in order would pick.
    return lists[hits.index(max(hits))]


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
    if (
        len(words) <= _MAX_LABEL_WORDS * 4
        and lexicon.PAGER.match(bare)
        and not SENTENCE_END.search(text)
    ):
        return "pager"
    sentence = bool(SENTENCE_END.search(text)) and not text.endswith((":", "..."))
    if len(words) <= _MAX_PROMPT_WORDS and lexicon.PROMPT.match(bare_lower) and not sentence:
        return "furniture phrase"
    crumb = _BREADCRUMB.match(text.strip())
    if crumb and crumb["item"].isupper() and len(crumb["item"].split()) <= _MAX_CRUMB_WORDS:
        return "breadcrumbs"
    if _is_trail(text) and not sentence:
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


def _is_trail(text: str) -> bool:
    fields = _CRUMB_SEPARATOR.split(text.strip())
    return len(fields) >= _MIN_CRUMB_FIELDS and all(
        len(field) <= _MAX_CRUMB_FIELD_CHARS and len(field.split()) <= _MAX_CRUMB_FIELD_WORDS
        for field in fields[:-1]
    )


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


def is_sentence(text: str) -> bool:
    """A finished sentence of a few words (story) rather than a label or a link.

    A colon ends a sentence that leads into a list ("The board set three conditions:"),
    not a label ("Related:").
    """
    words = len(text.split())
    if text.endswith(":"):
        return words >= _MIN_LEAD_IN_WORDS
    return words >= 3 and bool(SENTENCE_END.search(text))
