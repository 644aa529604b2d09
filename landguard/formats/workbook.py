"""Spreadsheets: an uploaded .xlsx opened by openpyxl only after the archive checks (an .xlsx is a zip of XML, so
the same zip-bomb and size checks apply before anything is inflated). Coordinate tables and the projects' ledger
and responsibility-list imports read their sheets through `open_workbook`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from landguard.formats.archives import check_zip, open_zip
from landguard.formats.base import LayerReadError, PathLike
from landguard.formats.uploads import upload_limit_bytes

XLSX_MAX_RATIO = 1000  # spreadsheet XML compresses far better than geometry; the total-size limit still applies


@contextmanager
def open_workbook(path: PathLike, *, max_bytes: int | None = None) -> Iterator[Any]:
    """The workbook, read-only with cell values (not formulas), closed when the `with` block ends.
    LayerReadError when the file is not a safe, readable .xlsx."""
    import openpyxl  # imported here: only spreadsheet uploads need it

    path = Path(path)
    with open_zip(path) as archive:
        check_zip(archive, label=path.name, max_bytes=max_bytes or upload_limit_bytes(), max_ratio=XLSX_MAX_RATIO)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError/InvalidFileException/zip errors for broken files
        raise LayerReadError(_("无法读取 Excel 文件 %(name)s：%(error)s") % {"name": path.name, "error": exc}) from None
    try:
        yield book
    finally:
        book.close()
