"""PDF and Word articles: their text, without running lines, through every way a file comes in."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefly.article.loader import load_article, parse_article
from briefly.batch.sources import list_articles
from briefly.cli.app import app
from briefly.errors import InputError
from tests.support.asgi import asgi_post, multipart
from tests.support.documents import (
    HEADLINE,
    RUNNING_HEADER,
    docx_article,
    encrypted_pdf,
    pdf_article,
    scanned_pdf,
)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return pdf_article()


def test_a_pdf_is_read_without_its_running_lines(pdf: bytes) -> None:
    article = parse_article(pdf, source="release.pdf")
    assert article.title == HEADLINE
    assert RUNNING_HEADER not in article.body
    assert "Page " not in article.body
    paragraphs = article.body.split("\n\n")
    assert [p.split(":")[0] for p in paragraphs] == [f"Paragraph {i}" for i in range(8)]
    # Each paragraph's wrapped lines are one paragraph again, across page breaks too.
    assert all(p.count("The city council") == 3 for p in paragraphs)
    reasons = {removed.reason for removed in article.removed}
    assert {"running header or footer", "page number"} <= reasons


def test_a_one_page_pdf_keeps_the_lines_at_its_edges() -> None:
    article = parse_article(pdf_article(2, running=False), source="short.pdf")
    assert article.title == HEADLINE
    assert article.body.startswith("Paragraph 0:")
    assert article.body.endswith("across the river.")


def test_a_scanned_pdf_says_it_has_no_text_layer() -> None:
    with pytest.raises(InputError, match="without a text layer.*OCR") as caught:
        parse_article(scanned_pdf(), source="scan.pdf")
    assert caught.value.kind == "no_text_layer"


def test_an_encrypted_pdf_fails_in_one_line(pdf: bytes) -> None:
    with pytest.raises(InputError, match="encrypted PDF: save a copy without") as caught:
        parse_article(encrypted_pdf(pdf), source="locked.pdf")
    assert caught.value.kind == "encrypted"


def test_a_damaged_pdf_fails_in_one_line(pdf: bytes) -> None:
    with pytest.raises(InputError, match="damaged PDF") as caught:
        parse_article(pdf[: len(pdf) // 3] + b"\x00garbage", source="cut.pdf")
    assert caught.value.kind == "broken_document"
    assert "\n" not in str(caught.value)


def test_a_word_document_is_read_without_its_header_and_footer() -> None:
    article = parse_article(docx_article(), source="release.docx")
    assert article.title == HEADLINE
    assert RUNNING_HEADER not in article.body and "Page 1" not in article.body
    assert "Paragraph 2: The city council" in article.body
    assert "- Buses run every ten minutes" in article.body
    assert "Schools | 12 million" in article.body


def test_a_damaged_word_document_fails_in_one_line() -> None:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<not xml")
    with pytest.raises(InputError, match="damaged Word document") as caught:
        parse_article(out.getvalue(), source="bad.docx")
    assert caught.value.kind == "broken_document"


def test_documents_are_read_from_files_and_listed_by_batch(pdf: bytes, tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(pdf)
    (tmp_path / "b.docx").write_bytes(docx_article())
    assert load_article(tmp_path / "a.pdf").title == HEADLINE
    assert load_article(str(tmp_path / "b.docx")).title == HEADLINE
    listing = list_articles([str(tmp_path)])
    assert [item.name for item in listing.items] == ["a", "b"]


def test_extract_reads_a_pdf_and_names_a_scan_in_one_line(pdf: bytes, tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(pdf)
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf())
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "a.pdf"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"] == HEADLINE
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "scan.pdf")])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "without a text layer" in result.stderr


@pytest.mark.parametrize("name", ["release.pdf", "release.docx"])
def test_the_service_reads_an_uploaded_document(pdf: bytes, name: str) -> None:
    pytest.importorskip("fastapi")
    data = pdf if name.endswith(".pdf") else docx_article()
    status, answer = asgi_post("/extract", *multipart("file", name, data))
    assert status == 200, answer
    assert answer["title"] == HEADLINE


def test_the_service_says_an_uploaded_scan_has_no_text() -> None:
    pytest.importorskip("fastapi")
    status, answer = asgi_post("/extract", *multipart("file", "scan.pdf", scanned_pdf()))
    assert status == 422
    assert "without a text layer" in answer["error"]
