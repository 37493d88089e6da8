"""The one place that writes spreadsheet downloads, .xlsx (openpyxl) and .csv, for every
app's exports.

A workbook is a list of `Sheet`s; each has a heading row (bold, frozen) and rows of cells.
Numbers stay numbers, dates and datetimes stay dates (in the site's time zone, as Excel has
no zone), everything else is text. Column widths follow the longest cell (CJK characters
count double). `xlsx_response` wraps a workbook as a download; `csv_response` writes the
same sheets as one CSV (UTF-8 with a BOM, so that Excel reads the Chinese; times in the
site's zone; a blank line between sheets).
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | Decimal | dt.date | dt.datetime | None
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CSV_DATETIME = "%Y-%m-%d %H:%M:%S"


@dataclass
class Sheet:
    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence[Cell]] = field(default_factory=list)
    # Rows written above the headings (a period, a title): plain text, not frozen.
    preamble: Sequence[Sequence[Cell]] = ()
    # Excel number formats per column ("0.0%" for a rate kept as 0..1, "0.00"), or None.
    formats: Sequence[str | None] = ()


def _value(cell: Cell) -> Cell:
    if isinstance(cell, dt.datetime):
        if timezone.is_aware(cell):
            cell = timezone.localtime(cell)
        return cell.replace(tzinfo=None)
    if isinstance(cell, Decimal):
        return float(cell)
    return cell


def _width(cell: Cell) -> int:
    if cell is None:
        return 0
    if isinstance(cell, dt.datetime):
        return 16
    if isinstance(cell, dt.date):
        return 10
    text = str(cell)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _format(sheet: Sheet, column: int, cell: Cell) -> str | None:
    if isinstance(cell, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(cell, dt.date):
        return DATE_FORMAT
    if isinstance(cell, int | float | Decimal) and column < len(sheet.formats):
        return sheet.formats[column]
    return None


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The .xlsx file of these sheets."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31] or "Sheet")
        widths: dict[int, int] = {}
        for line in sheet.preamble:
            ws.append([_value(cell) for cell in line])
        ws.append(list(sheet.headings))
        header_row = ws.max_row
        for index, heading in enumerate(sheet.headings, start=1):
            ws.cell(row=header_row, column=index).font = bold
            widths[index] = _width(heading)
        for row in sheet.rows:
            ws.append([_value(cell) for cell in row])
            current = ws.max_row
            for index, cell in enumerate(row, start=1):
                widths[index] = max(widths.get(index, 0), _width(cell))
                number_format = _format(sheet, index - 1, cell)
                if number_format:
                    ws.cell(row=current, column=index).number_format = number_format
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        for index, width in widths.items():
            ws.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(sheets: Sequence[Sheet], filename: str) -> HttpResponse:
    """A download of the workbook named `filename` (ASCII, ends in .xlsx)."""
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename={filename}"
    return response


def _csv_value(cell: Cell) -> Cell:
    if isinstance(cell, dt.datetime):
        return _value(cell).strftime(CSV_DATETIME)  # type: ignore[union-attr]
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return cell


def csv_response(sheets: Sequence[Sheet], filename: str) -> HttpResponse:
    """The sheets as one CSV download named `filename` (ASCII, ends in .csv)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename={filename}"
    response.write("\ufeff")
    out = csv.writer(response)
    for index, sheet in enumerate(sheets):
        if index:
            out.writerow([])
        for line in sheet.preamble:
            out.writerow([_csv_value(cell) for cell in line])
        out.writerow(sheet.headings)
        for row in sheet.rows:
            out.writerow([_csv_value(cell) for cell in row])
    return response
