"""The Word files bureaus exchange (the overlay report, the weekly report, the daily digest): one page layout for all.

A4 (python-docx's template is US Letter), 公文-like margins, 宋体 body and 黑体 headings (Word picks CJK glyphs from
the w:eastAsia font, so both are set), the title and author in the file's properties, tables with a repeated header
row, and a table too wide for a portrait page (more than `PORTRAIT_MAX_COLUMNS` columns: the weekly 责任清单 has 11,
whose names wrapped over 8–9 lines) on landscape pages with its heading; the next heading returns to portrait."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt

A4_WIDTH, A4_HEIGHT = Cm(21.0), Cm(29.7)
MARGINS = {"top": Cm(3.7), "bottom": Cm(3.5), "left": Cm(2.8), "right": Cm(2.6)}  # GB/T 9704 公文 page
LANDSCAPE_MARGINS = {"top": Cm(2.0), "bottom": Cm(2.0), "left": Cm(2.0), "right": Cm(2.0)}
PORTRAIT_MAX_COLUMNS = 7
AUTHOR = "LandGuard"


def _page(section: Any, *, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (A4_HEIGHT, A4_WIDTH) if landscape else (A4_WIDTH, A4_HEIGHT)
    for side, value in (LANDSCAPE_MARGINS if landscape else MARGINS).items():
        setattr(section, f"{side}_margin", value)


def new_document(*, title: str, author: str = "", subject: str = "") -> DocumentType:
    """An empty A4 document with the bureaus' fonts and `title`/`author` in its properties (no heading yet)."""
    document = Document()
    _page(document.sections[0], landscape=False)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "SimSun", Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for name in ("Title", "Heading 1", "Heading 2"):
        document.styles[name].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "黑体")
    properties = document.core_properties
    properties.title, properties.subject = title, subject
    properties.author = properties.last_modified_by = author or AUTHOR
    properties.comments = AUTHOR
    return document


def add_title(document: DocumentType, title: str) -> None:
    heading = document.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _orient(document: DocumentType, *, landscape: bool) -> None:
    """Continue on a page of this orientation: a new section when the current one differs."""
    current = document.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    if current != landscape:
        _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=landscape)


def add_heading(document: DocumentType, text: str, level: int = 1) -> None:
    """A heading on a portrait page (after a wide table's landscape pages, a new portrait section starts)."""
    _orient(document, landscape=False)
    document.add_heading(text, level=level)


def add_table(document: DocumentType, headers: Sequence[Any], rows: Sequence[Sequence[Any]], *,
              heading: str | None = None, level: int = 1, empty: str | None = None) -> None:
    """A bordered table under its heading, the header row bold and repeated on every page; heading and table on
    landscape pages of their own when the table has more than PORTRAIT_MAX_COLUMNS columns. With no rows and an
    `empty` text, that text instead of an empty table."""
    _orient(document, landscape=len(headers) > PORTRAIT_MAX_COLUMNS)
    if heading:
        document.add_heading(heading, level=level)
    if not rows and empty is not None:
        document.add_paragraph(empty)
        return
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    for cell, header in zip(grid.rows[0].cells, headers, strict=True):
        cell.text = str(header)
        cell.paragraphs[0].runs[0].bold = True
    _repeat_header(grid.rows[0])
    for row in rows:
        for column, (cell, value) in enumerate(zip(grid.add_row().cells, row, strict=False)):
            cell.text = str(value)
            if column and _is_figure(cell.text):  # figures align right, labels (the first column) left
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _is_figure(text: str) -> bool:
    return text.lstrip("-").replace(",", "").replace(".", "", 1).isdigit()


def add_figure(document: DocumentType, png: bytes | None, caption: str) -> None:
    """A figure across the text width with its caption under it; nothing when there is no figure."""
    if not png:
        return
    section = document.sections[-1]
    width = Emu(int(section.page_width or A4_WIDTH) - int(section.left_margin or 0) - int(section.right_margin or 0))
    document.add_picture(io.BytesIO(png), width=width)
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    note = document.add_paragraph(caption)
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note.runs[0].font.size = Pt(9)


def to_bytes(document: DocumentType) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
