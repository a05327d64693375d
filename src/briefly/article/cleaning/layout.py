"""Undoing the layout of text dumps: whitespace, hard wraps, split inline elements, Markdown.

The result is a list of :class:`Unit`: one paragraph, list item or short line each, in
order, with the blank-line block it came from, so that list items can be put back together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

# Zero-width space, word joiner, BOM and soft hyphen; C1 controls (U+009B starts a terminal
# escape); bidi embeddings, overrides and isolates, which can make text read other than it
# is stored. ZWJ/ZWNJ carry meaning in some scripts and stay, and so do LRM/RLM; NEL
# (U+0085) ends a line.
_INVISIBLE = re.compile(
    "[\u200b\u2060\ufeff\u00ad\u0080-\u0084\u0086-\u009f\u202a-\u202e\u2066-\u2069]"
)
_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_LINE_EDGE = re.compile(r" *\n *")
_BLANK_RUN = re.compile(r"\n{3,}")

LIST_ITEM = re.compile(r"^([•·▪►●*+\-–—]|\d{1,3}[.)])\s+")
# Lines that start a unit of their own even inside a block: list items and headings.
_STARTS_UNIT = re.compile(r"^\s*([•·▪►●*+\-–—]\s|\d{1,3}[.)]\s|#{1,6}\s|>)")
# Terminal punctuation in the scripts briefly reads (Devanagari's danda too).
SENTENCE_END = re.compile(r"[.!?…:;\"”»'’)\]।]$")

# Dumps wrap prose at a fixed width (lynx and w3m at 78-80, html2text at 78, e-mail at 72,
# editors and scrapers up to 200 and more); a width is trusted when enough lines end close
# to it, within the longest words of the script (a tenth of a wide line).
_MIN_WRAP, _MAX_WRAP = 50, 240
_WRAP_SLACK = 15
_WIDE_SLACK_SHARE = 0.1
_MIN_WRAPPED_SHARE = 0.3
_MIN_WRAPPED_LINES = 2
_LONG_LINE = 30
# A line ending in one of these words stops mid-sentence, where a link or emphasis began:
# "Last month, researchers at" / "OpenAI revealed …", "профессора медицины в" / "Университете".
_OPEN_ENDING = re.compile(
    r"\s(the|a|an|of|at|to|with|from|and|or|for|into|than|via|"
    r"в|во|на|с|со|к|ко|по|из|от|до|для|о|об|у|за|и|при|через|з|із|від|про|і|й|та|"
    r"के|की|का|में|से|को|ने|पर|और|तथा)$"
)
_MIN_OPEN_ENDING_WORDS = 3
_MD_WRAPPED = 40

_MD_FRONT_MATTER = re.compile(r"\A---\n(?P<fields>.*?)\n---\n", re.DOTALL)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(\s+#+)?$")
_MD_RULE = re.compile(r"^([-*_=])(\s*\1){2,}$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
# html2text wraps long URLs too: a line break inside one goes on with the rest of it.
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\n(?=[^\s()])|\([^)]*\))*(\s+\"[^\"]*\")?\)")
_MD_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_MD_REF_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(\S.*?\S|\S)\1|(?<![\w*])[*_](\S.*?\S|\S)[*_](?![\w*])")
_MD_QUOTE = re.compile(r"^>\s?")
_MD_CODE = re.compile(r"`([^`]+)`")
_MD_SIGNS = re.compile(r"\]\(|^#{1,6}\s|^\s*[*+-]\s+\[|\*\*\S", re.MULTILINE)
# A few links or headings make a text Markdown; prose rarely has "](" or "**".
_MIN_MD_SIGNS = 3


# Han and kana: scripts written without spaces between words, about two characters a word.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_UNSPACED_CHARS_PER_WORD = 2
# What a line of Chinese or Japanese wraps between: Han, kana, their punctuation.
_UNSPACED_RUN = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Characters a terminal gives two columns (w3m wraps Chinese and Japanese at 80 of them,
# 40 characters; lynx at 80 characters): CJK, Hangul, full-width forms and punctuation.
_WIDE = re.compile(
    r"[\u1100-\u115f\u2e80-\u303e\u3040-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
    r"\uff00-\uff60\uffe0-\uffe6]"
)


@dataclass(frozen=True)
class Unit:
    """One paragraph, list item or line of an article after layout is undone."""

    # The text, on one line.
    text: str
    # Which blank-line-separated block of the input it came from.
    block: int
    # The original line(s), as the audit trail shows them.
    raw: str
    # Markdown heading level (1-6), 0 when not a heading.
    heading: int = 0
    # Whether it began at column 0 in a dump that indents its text (lynx's headings).
    outdented: bool = False

    # Every pass over a page asks each unit this: it is worked out once.
    @cached_property
    def is_list_item(self) -> bool:
        return bool(LIST_ITEM.match(self.text))


def normalize_text(text: str) -> str:
    """Return ``text`` in NFC with tidy whitespace and at most one blank line in a row."""
    text = _normalize_chars(text)
    text = _CONTROL.sub("", _SPACES.sub(" ", text))
    return _BLANK_RUN.sub("\n\n", _LINE_EDGE.sub("\n", text)).strip()


def _normalize_chars(text: str) -> str:
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = text.replace("\u2029", "\n\n").replace("\u2028", "\n").replace("\u0085", "\n")
    return text.replace("\u00a0", " ")


def looks_like_markdown(text: str) -> bool:
    return len(_MD_SIGNS.findall(text, 0, 200_000)) >= _MIN_MD_SIGNS


def front_matter(text: str) -> tuple[str, dict[str, str]]:
    """Split YAML-ish front matter (``---`` fields ``---``) off a Markdown text."""
    match = _MD_FRONT_MATTER.match(text.lstrip("\n") + "\n")
    if not match:
        return text, {}
    fields: dict[str, str] = {}
    for field in match["fields"].split("\n"):
        key, _, value = field.partition(":")
        if value.strip():
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return text.lstrip("\n")[match.end() :], fields


def units(text: str, *, markdown: bool = False) -> list[Unit]:
    """Split text into units: hard-wrapped lines re-flowed, split inline elements rejoined."""
    text = _normalize_chars(text)
    if markdown:
        # Links and images may be wrapped mid-way: take them out before lines are read.
        text = _MD_REF_DEFINITION.sub("", _MD_IMAGE.sub("", text))
        text = _MD_REF_LINK.sub(r"\1", _MD_LINK.sub(r"\1", text))
    lines = [line.rstrip() for line in text.split("\n")]
    if _CONTROL.search(text):
        lines = [_CONTROL.sub("", line) for line in lines]
    width, measure = _wrap(lines)
    indented = _indents_text(lines)
    found: list[Unit] = []
    block = 0
    pending: list[str] = []
    after_blank = False
    for line in lines:
        if not line.strip():
            after_blank = True
            continue
        if pending:
            # BeautifulSoup puts each inline element on a line of its own, blank lines between.
            if after_blank:
                joins = width is None and _is_split_sentence(pending[-1], line)
            else:
                # Markdown wraps long lines (html2text at 78 columns, links inside, so
                # widths vary): a long line goes on into the next unless that starts a unit.
                if markdown:
                    joins = len(pending[-1]) >= _MD_WRAPPED and not _STARTS_UNIT.match(line)
                else:
                    joins = _continues(pending[-1], line, width, measure)
            if joins:
                pending.append(line)
                after_blank = False
                continue
            found.append(_unit(pending, block, markdown, indented))
            block += after_blank
        pending, after_blank = [line], False
    if pending:
        found.append(_unit(pending, block, markdown, indented))
    return [unit for unit in found if unit.text]


def _unit(lines: list[str], block: int, markdown: bool, indented: bool) -> Unit:
    text = lines[0].strip()
    for line in lines[1:]:
        line = line.strip()
        if text.endswith("-") and text[-2:-1].isalpha() and line[:1].isalpha():
            text += line  # a word broken at its hyphen
        elif line[:1] in ",.;:)!?" or (
            _UNSPACED_RUN.match(line) and _UNSPACED_RUN.match(text[-1:])
        ):
            text += line  # no space before punctuation, nor inside a run of Han or kana
        else:
            text += " " + line
    text = _SPACES.sub(" ", text)
    heading = 0
    if markdown:
        match = _MD_HEADING.match(text)
        if match:
            heading, text = len(match[1]), match[2]
        text = "" if _MD_RULE.match(text) else _strip_markdown(text)
    outdented = indented and not lines[0][:1].isspace()
    return Unit(
        text=text.strip(), block=block, raw="\n".join(lines), heading=heading, outdented=outdented
    )


def _strip_markdown(text: str) -> str:
    text = _MD_EMPHASIS.sub(lambda m: m[2] or m[3], text)
    return _MD_CODE.sub(r"\1", _MD_QUOTE.sub("", text))


def _continues(
    previous: str, line: str, width: int | None, measure: Callable[[str], int] = len
) -> bool:
    """Whether ``line`` goes on from ``previous`` (same paragraph, broken by the layout)."""
    if _STARTS_UNIT.match(line):
        return False
    if _is_fragment(previous, line):
        return True
    first_word = line.strip().split(" ", 1)[0]
    if width is None:
        return False
    # Wrapped: the next word would not have fitted on the line.
    fits = measure(previous) >= width - 2 * _slack(width)
    return measure(previous) + 1 + measure(first_word) > width and fits


def _is_fragment(previous: str, line: str) -> bool:
    """Text split around a link or an emphasised word: ", said the mayor" / "and then"."""
    stripped = line.strip()
    if _STARTS_UNIT.match(line):
        return False
    if stripped[:1] in ",.;:)!?":
        return True
    if SENTENCE_END.search(previous):
        return False
    open_ending = bool(_OPEN_ENDING.search(previous)) and (
        len(previous.split()) >= _MIN_OPEN_ENDING_WORDS
    )
    return stripped[:1].islower() or (
        open_ending and (stripped[:1].isalnum() or stripped[:1] in "\"“'‘")
    )


def _is_split_sentence(previous: str, line: str) -> bool:
    """A sentence BeautifulSoup cut at a link, blank lines between: not a heading and a tag."""
    return (
        len(previous) >= _LONG_LINE
        and len(line.split()) >= 2 - (line.strip()[:1] in ",.;:)!?")
        and _is_fragment(previous, line)
    )


def _wrap(lines: list[str]) -> tuple[int | None, Callable[[str], int]]:
    """The width a dump was wrapped at, in characters or else in terminal columns, and the
    measure it is in; None when its lines were not wrapped."""
    for measure in (len, columns):
        width = _wrap_width(lines, measure)
        if width is not None:
            return width, measure
    return None, len


def columns(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide characters take two."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def _wrap_width(lines: list[str], measure: Callable[[str], int]) -> int | None:
    lengths = sorted(measure(line) for line in lines if measure(line.strip()) >= _LONG_LINE)
    if len(lengths) < _MIN_WRAPPED_LINES:
        return None
    width = lengths[min(len(lengths) - 1, int(len(lengths) * 0.95))]
    if not _MIN_WRAP <= width <= _MAX_WRAP:
        return None
    near = sum(width - _slack(width) <= length <= width for length in lengths)
    enough = near >= max(_MIN_WRAPPED_LINES, _MIN_WRAPPED_SHARE * len(lengths))
    return width if enough else None


def _slack(width: int) -> int:
    return max(_WRAP_SLACK, int(width * _WIDE_SLACK_SHARE))


def _indents_text(lines: list[str]) -> bool:
    """Whether most text lines are indented (lynx indents all but headings)."""
    text_lines = [line for line in lines if line.strip()]
    indented = sum(line[:1].isspace() for line in text_lines)
    return bool(text_lines) and indented > 0.6 * len(text_lines)


def comparable(text: str) -> str:
    """Equal up to case, spacing and final punctuation (repeated headlines, recurring lines)."""
    return " ".join(LIST_ITEM.sub("", text).casefold().split()).strip(".!?:;…*•·|-– ")


def word_count(text: str) -> int:
    """Words in ``text``, counted as its script writes them (Chinese and Japanese unspaced)."""
    unspaced = len(_UNSPACED.findall(text))
    return len(_UNSPACED.sub(" ", text).split()) + -(-unspaced // _UNSPACED_CHARS_PER_WORD)
