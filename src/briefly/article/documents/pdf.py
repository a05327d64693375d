"""A PDF's text layer (pypdf), without the lines every page repeats, in paragraphs.

A PDF places lines, not paragraphs: a paragraph's lines are joined again where a line runs
to the text's width, and a short line or one ending a sentence closes it. Running headers
and footers (a title or a date at the top of each page, "Page 3 of 12" at the bottom) are
the lines at the pages' edges that recur, up to their numbers, on most pages; a bare page
number at a page's edge goes too.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from io import BytesIO

from briefly.article.cleaning import CleanedText, Removed, clean_text, normalize_text
from briefly.article.documents import damaged_as_input_error
from briefly.article.reading import label
from briefly.errors import InputError

# Lines at each end of a page where running headers and footers stand.
_EDGE_LINES = 2
# A line is running when it stands at the edges of this share of the pages (and of two).
_RUNNING_SHARE = 0.5
_NUMBER = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^[-–—(\[]?\s*(page|p\.|pg\.?|стр\.?|страница|сторінка|с\.|पृष्ठ)?\s*\d{1,4}"
    r"(\s*(of|/|из|з|में से)\s*\d{1,4})?\s*[-–—)\]]?$",
    re.IGNORECASE,
)
# A line this much shorter than the text's width ends its paragraph, as one ending a
# sentence does when it falls short of the width by more than a word.
_SHORT_LINE = 0.6
_FULL_LINE = 0.85
_WIDTH_PERCENTILE = 0.9
_SENTENCE_END = re.compile(r"[.!?…:;\"”»'’)\]।]$")
_HYPHENATED = re.compile(r"\w-$")


def read_pdf(
    data: bytes, source: str, *, clean: bool = True, furniture: frozenset[str] = frozenset()
) -> CleanedText:
    """The cleaned text of a PDF; :class:`InputError` for a scanned, encrypted or broken one."""
    pages = [[line.strip() for line in page.splitlines()] for page in _page_texts(data, source)]
    if not any(line for page in pages for line in page):
        raise InputError(
            f"{label(source)} is a PDF without a text layer (a scan?): briefly does not read "
            "text in images; run it through OCR first (for example ocrmypdf), or pass its text",
            "no_text_layer",
        )
    pages, removed = _without_running_lines(pages)
    text = "\n\n".join(_paragraphs([line for page in pages for line in page]))
    if not clean:
        return CleanedText(None, None, None, tuple(normalize_text(text).split("\n\n")))
    cleaned = clean_text(text, markdown=False, furniture=furniture)
    return CleanedText(
        title=cleaned.title,
        author=cleaned.author,
        published=cleaned.published,
        paragraphs=cleaned.paragraphs,
        removed=(*removed, *cleaned.removed),
    )


def _page_texts(data: bytes, source: str) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    shown = label(source)
    with damaged_as_input_error(shown, "PDF"):
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            try:
                # Many PDFs are encrypted only against editing, with an empty password to read.
                readable = bool(reader.decrypt(""))
            except (DependencyError, PyPdfError, NotImplementedError):
                readable = False
            if not readable:
                raise InputError(
                    f"{shown} is an encrypted PDF: save a copy without a password (or its "
                    "text) and pass that",
                    "encrypted",
                )
        return [page.extract_text() or "" for page in reader.pages]


def _edges(page: list[str]) -> list[str]:
    filled = [line for line in page if line]
    return filled[:_EDGE_LINES] + filled[_EDGE_LINES:][-_EDGE_LINES:]


def _shape(line: str) -> str:
    """A line with its numbers blanked: "Page 3 of 12" and "Page 4 of 12" are one line."""
    return _NUMBER.sub("#", " ".join(line.casefold().split()))


def _without_running_lines(
    pages: list[list[str]],
) -> tuple[list[list[str]], list[Removed]]:
    """``pages`` without their running headers, footers and page numbers; and those lines."""
    counts = Counter(shape for page in pages for shape in {_shape(line) for line in _edges(page)})
    needed = max(2, math.ceil(_RUNNING_SHARE * len(pages)))
    running = {shape for shape, count in counts.items() if count >= needed}
    kept: list[list[str]] = []
    removed: list[Removed] = []
    for page in pages:
        edges = set(_edges(page))
        lines = []
        for line in page:
            if line in edges and _PAGE_NUMBER.match(line):
                removed.append(Removed(line, "page number"))
            elif line in edges and _shape(line) in running:
                removed.append(Removed(line, "running header or footer"))
            else:
                lines.append(line)
        kept.append(lines)
    return kept, removed


def _paragraphs(lines: list[str]) -> list[str]:
    """Join the lines of each paragraph again: see the module docstring."""
    filled = sorted(len(line) for line in lines if len(line.split()) > 2)
    width = filled[int(_WIDTH_PERCENTILE * (len(filled) - 1))] if filled else 0
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if not current:
            current = line
        elif _HYPHENATED.search(current):
            current += line
        else:
            current += " " + line
        short = len(line) < _SHORT_LINE * width
        ends = _SENTENCE_END.search(line) and len(line) < _FULL_LINE * width
        if short or ends:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
