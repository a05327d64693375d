"""PDF and Word (DOCX) articles: their text layer, told from other data by its first bytes.

A press release or a report comes as a document more often than as a page. Its text goes
into the same cleaning as a plain-text article; a PDF's running headers, footers and page
numbers are taken out first (:mod:`.pdf`), and a Word file's live in parts of their own
that are never read (:mod:`.word`). A scanned PDF has no text to read (briefly does no OCR);
an encrypted or damaged file fails with one line.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Literal

from briefly.article.cleaning import CleanedText
from briefly.errors import InputError

logger = logging.getLogger("briefly")

Kind = Literal["pdf", "docx"]

# The PDF header may follow up to 1,024 bytes of other data (PDF 1.7, annex H).
_PDF_MAGIC = b"%PDF-"
_PDF_HEADER_WITHIN = 1024
_ZIP_MAGIC = b"PK\x03\x04"
_DOCX_PART = "word/document.xml"


def document_kind(data: bytes) -> Kind | None:
    """ "pdf" or "docx" when ``data`` is such a document, else None."""
    if _PDF_MAGIC in data[:_PDF_HEADER_WITHIN]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        return "docx" if _DOCX_PART in names else None
    return None


def read_document(
    data: bytes,
    kind: Kind,
    source: str,
    *,
    clean: bool = True,
    furniture: frozenset[str] = frozenset(),
) -> CleanedText:
    """The cleaned text of a ``kind`` document; :class:`InputError` when it has none to give."""
    if kind == "pdf":
        from briefly.article.documents.pdf import read_pdf

        return read_pdf(data, source, clean=clean, furniture=furniture)
    from briefly.article.documents.word import read_docx

    return read_docx(data, source, clean=clean, furniture=furniture)


@contextmanager
def damaged_as_input_error(shown: str, what: str) -> Iterator[None]:
    """Turn any error of a document library reading ``shown`` into one InputError line.

    Damaged files reach the libraries' parsers with many kinds of error (their own,
    ValueError, KeyError, zipfile's, lxml's, struct.error, RecursionError...); whichever it
    is, this one article cannot be read.
    """
    try:
        yield
    except InputError:
        raise
    except Exception as e:
        logger.debug("could not read %s", shown, exc_info=True)
        raise InputError(
            f"{shown} is a damaged {what} that cannot be read ({type(e).__name__}): open and "
            "save it again, or pass its text",
            "broken_document",
        ) from e
