"""PDF and Word articles made at test time: fpdf2 writes the PDFs, python-docx the DOCX files."""

from __future__ import annotations

import functools
import io

STORY = (
    "The city council approved a new budget on Tuesday after a long debate about public "
    "transport, schools and the repair of old bridges across the river."
)
HEADLINE = "Council approves budget after long debate"
RUNNING_HEADER = "City Gazette - Press release"


@functools.cache
def pdf_article(paragraphs: int = 8, *, running: bool = True) -> bytes:
    """A PDF of several pages; ``running`` puts a header and "Page N" on each."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=20)
    if running:

        def header() -> None:
            pdf.set_y(8)
            pdf.set_font("Helvetica", size=8)
            pdf.cell(0, 5, RUNNING_HEADER, align="C")
            pdf.set_y(20)

        def footer() -> None:
            pdf.set_y(-15)
            pdf.set_font("Helvetica", size=8)
            pdf.cell(0, 5, f"Page {pdf.page_no()}", align="C")

        pdf.header = header  # type: ignore[method-assign]
        pdf.footer = footer  # type: ignore[method-assign]
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, HEADLINE)
    pdf.ln(4)
    for i in range(paragraphs):
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, f"Paragraph {i}: {STORY} " * 3)
        pdf.ln(3)
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A page with a drawing and no text, as a scan without OCR has."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def encrypted_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@functools.cache
def docx_article(paragraphs: int = 3) -> bytes:
    """A Word document with a title, a running header and footer, a list and a table."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEADER
    section.footer.paragraphs[0].text = "Page 1"
    document.add_heading(HEADLINE, level=0)
    for i in range(paragraphs):
        document.add_paragraph(f"Paragraph {i}: {STORY}")
    document.add_paragraph("Buses run every ten minutes", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Schools"
    table.rows[0].cells[1].text = "12 million"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
