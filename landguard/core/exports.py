"""xlsx export, one helper for every list page: a title row naming the data scope and the export time
(Asia/Shanghai), a bold header row, the rows, column widths that fit Chinese text, frozen headers.

Callers pass rows already read through a selector with the user's scope; this module never queries.
`build_workbook` holds the sheet in memory (list pages); `write_workbook` streams the same layout to a file
(openpyxl write-only) for exports too large for that, which background jobs write (layers/exports.py).
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_DATA_ROWS = 1_048_576 - 2  # Excel's sheet limit, less the title and header rows
MAX_WIDTH = 60
MIN_WIDTH = 6
PORTRAIT_MAX_COLUMNS = 7  # wider sheets print landscape (as the Word tables do: core.documents)
WIDTH_SAMPLE_ROWS = 500

# Number formats as bureaus write the figures: counts whole, 公顷 and 万亩 to four places, 亩 and m² to two.
COUNT = "#,##0"
HECTARES = "#,##0.0000"
WAN_MU = "#,##0.0000"
MU = "#,##0.00"
SQUARE_METRES = "#,##0.00"
PERCENT = "0.0"


@dataclass(frozen=True)
class ExportColumn:
    header: str | Promise  # a lazy header is translated when the file is written, in the reader's language
    number_format: str | None = None  # e.g. "#,##0.0000" for 公顷


def display_width(value: Any) -> int:
    """Width in Excel character units: CJK (wide/fullwidth) characters take two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any) -> Any:
    # openpyxl refuses aware datetimes; show them as Shanghai wall-clock time like the pages do.
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):  # a number the reader can sum, not text (its column format shows the places)
        return float(value)
    if value is not None and not isinstance(value, (int, float, str, dt.date, dt.datetime)):
        return str(value)
    return value


def _with_serial(columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]]
                 ) -> tuple[Sequence[ExportColumn], Iterable[Sequence[Any]]]:
    """Every export counts its rows in a first 序号 column, as ledgers do — unless the caller's first column is
    already a 序号 (a layer's features keep their position in the source file)."""
    serial = str(_("序号"))
    if not columns or str(columns[0].header) != serial:
        columns = [ExportColumn(serial, COUNT), *columns]
        rows = ([number, *row] for number, row in enumerate(rows, start=1))
    return columns, rows


def _heading(title: str, scope_label: str) -> str:
    exported = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
    return _("%(title)s　数据范围：%(scope)s　导出时间：%(time)s（北京时间）") % {
        "title": title, "scope": scope_label, "time": exported}


_TITLE_FONT = Font(bold=True, size=13)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)


def print_setup(ws: Any, *, columns: int, title_rows: int = 2) -> None:
    """How a sheet prints: A4, landscape above PORTRAIT_MAX_COLUMNS columns, fitted to one page wide (any number
    of pages tall), the title and header rows repeated on every page. Works on write-only sheets too."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if columns > PORTRAIT_MAX_COLUMNS else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"1:{title_rows}"
    ws.print_options.horizontalCentered = True


def build_workbook(*, title: str, scope_label: str, columns: Sequence[ExportColumn],
                   rows: Iterable[Sequence[Any]]) -> bytes:
    columns, rows = _with_serial(columns, rows)
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]  # Excel's sheet-name limit
    ws.append([_heading(title, scope_label)])
    ws.cell(row=1, column=1).font = _TITLE_FONT
    if len(columns) > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws.row_dimensions[1].height = 24

    ws.append([str(c.header) for c in columns])
    for index in range(1, len(columns) + 1):
        cell = ws.cell(row=2, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGNMENT

    widths = [display_width(str(c.header)) for c in columns]
    for row in rows:
        values = [_cell(v) for v in row]
        ws.append(values)
        for index, value in enumerate(values):
            widths[index] = max(widths[index], display_width(value))
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, widths[index - 1] + 2))
        if column.number_format:
            for (cell,) in ws.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = column.number_format
    ws.freeze_panes = "A3"
    print_setup(ws, columns=len(columns))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_workbook(path: Path, *, title: str, scope_label: str, columns: Sequence[ExportColumn],
                   rows: Iterable[Sequence[Any]], widths: Sequence[int] | None = None) -> int:
    """`build_workbook`'s layout (title row, bold header, 序号, number formats, frozen headers) written row by
    row with openpyxl's write-only mode, so memory stays flat whatever the number of rows. Column widths must
    be set before the first row: the header's width or the caller's `widths` (display units, one per column
    after any added 序号; else measured on the first WIDTH_SAMPLE_ROWS rows), whichever is larger. Returns the
    number of data rows; refuses more than Excel holds."""
    columns, rows = _with_serial(columns, rows)
    if widths is None:  # measured on the first rows, since a streamed sheet fixes its widths before any row
        rows = iter(rows)
        sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
        widths = [max([display_width(_cell(row[i])) for row in sample], default=0) for i in range(len(columns))]
        rows = chain(sample, rows)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for index, column in enumerate(columns):
        wanted = max(display_width(str(column.header)), widths[index] if index < len(widths) else 0)
        ws.column_dimensions[get_column_letter(index + 1)].width = min(MAX_WIDTH, max(MIN_WIDTH, wanted + 2))
    ws.freeze_panes = "A3"
    print_setup(ws, columns=len(columns))
    if len(columns) > 1:
        ws.merged_cells.add(CellRange(min_col=1, min_row=1, max_col=len(columns), max_row=1))
    heading = WriteOnlyCell(ws, value=_heading(title, scope_label))
    heading.font = _TITLE_FONT
    ws.append([heading])
    ws.append([_header_cell(ws, column) for column in columns])
    formats = [column.number_format for column in columns]
    count = 0
    for count, row in enumerate(_formatted(ws, rows, formats), start=1):
        if count > XLSX_MAX_DATA_ROWS:
            raise ValueError(f"more than {XLSX_MAX_DATA_ROWS} rows: too many for one sheet")
        ws.append(row)
    wb.save(path)
    return count


def counting(rows: Iterable[Sequence[Any]], progress: Callable[[int, int], None] | None, total: int, *,
             every: int = 2_000) -> Iterator[Sequence[Any]]:
    """The rows unchanged, reporting `progress(done, total)` every `every` rows (a background export's progress)."""
    for done, row in enumerate(rows, start=1):
        if progress and done % every == 0:
            progress(done, total)
        yield row


def _header_cell(ws: Any, column: ExportColumn) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=str(column.header))
    cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGNMENT
    return cell


def _formatted(ws: Any, rows: Iterable[Sequence[Any]], formats: Sequence[str | None]) -> Iterator[list[Any]]:
    for row in rows:
        values: list[Any] = []
        for value, number_format in zip(row, formats, strict=True):
            value = _cell(value)
            if number_format and value is not None:
                value = WriteOnlyCell(ws, value=value)
                value.number_format = number_format
            values.append(value)
        yield values


def xlsx_response(*, title: str, scope_label: str, columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]],
                  filename: str) -> HttpResponse:
    """An attachment named `<filename>-<YYYYmmdd-HHMM>.xlsx` (Chinese file names are RFC 5987-encoded)."""
    return xlsx_file_response(build_workbook(title=title, scope_label=scope_label, columns=columns, rows=rows),
                              filename=filename)


def xlsx_file_response(content: bytes, *, filename: str) -> HttpResponse:
    """A written workbook as that attachment."""
    stamp = timezone.localtime(timezone.now()).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}-{stamp}.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response
