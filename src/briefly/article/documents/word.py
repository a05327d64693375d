"""A Word (DOCX) document's text (python-docx): its paragraphs and tables, in order.

Running headers and footers live in parts of their own, which are never read; a paragraph
styled as the title is the headline. A DOCX is a zip archive, whose parts are unpacked whole:
one that would unpack to far more than any article is refused before it is opened.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

from briefly.article.cleaning import CleanedText, clean_paragraphs, clean_text
from briefly.article.documents import damaged_as_input_error
from briefly.article.reading import label
from briefly.errors import InputError

# Unpacked bytes of all a DOCX's parts; long reports with pictures stay far below it.
_MAX_UNPACKED = 200_000_000
_TITLE_STYLES = frozenset({"title", "heading 1"})


def read_docx(
    data: bytes, source: str, *, clean: bool = True, furniture: frozenset[str] = frozenset()
) -> CleanedText:
    """The cleaned text of a DOCX; :class:`InputError` when it is damaged or holds no text."""
    title, blocks = _blocks(data, label(source))
    if not blocks:
        raise InputError(f"{label(source)} has no text: give a document with some", "empty")
    if not clean:
        return CleanedText(title, None, None, tuple(blocks))
    if title is not None:
        return clean_paragraphs(blocks, title=title, furniture=furniture)
    return clean_text("\n\n".join(blocks), markdown=False, furniture=furniture)


def _blocks(data: bytes, shown: str) -> tuple[str | None, list[str]]:
    """The title-styled first paragraph (None where there is none) and the text blocks."""
    import docx
    from docx.table import Table

    with damaged_as_input_error(shown, "Word document"):
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > _MAX_UNPACKED:
            raise InputError(
                f"{shown} would unpack to {unpacked:,} bytes, more than the {_MAX_UNPACKED:,} "
                "briefly reads: pass the article's text instead",
                "too_large",
            )
        document = docx.Document(BytesIO(data))
        title: str | None = None
        blocks: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                rows = (" | ".join(cell.text.strip() for cell in row.cells) for row in block.rows)
                text = "\n".join(row for row in rows if row.strip(" |"))
            else:
                text = block.text.strip()
                style = (block.style.name if block.style is not None else "").casefold()
                if text and title is None and not blocks and style in _TITLE_STYLES:
                    title = text
                    continue
                if text and style.startswith("list"):
                    text = f"- {text}"
            if text:
                blocks.append(text)
        return title, blocks
