"""Reading a hotline export: .xlsx (first sheet) or .csv in UTF-8 (with or without BOM) or
GBK/GB18030, as the city's systems write it. Every cell comes back as text."""

import csv
import datetime as dt
import io
from collections.abc import Iterator
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
Table = tuple[list[str], list[tuple[int, list[str]]]]  # headings, (line, cells) per data row


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads every GBK file
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor GBK text."))


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _csv_text(content)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    for row in csv.reader(io.StringIO(text), dialect):
        yield [cell.strip() for cell in row]


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(_("The file is not a readable .xlsx workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        book.close()


def table_read(filename: str, content: bytes) -> Table:
    """The headings (first non-empty row) and the data rows with their line numbers in the
    file; empty rows are left out. Refuses other formats, empty and oversized files."""
    if len(content) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _csv_rows(content)
    else:
        raise ValidationError(_("Upload an .xlsx or .csv file."))
    headings: list[str] | None = None
    data: list[tuple[int, list[str]]] = []
    for line, cells in enumerate(rows, start=1):
        if not any(cells):
            continue
        if headings is None:
            headings = cells
            continue
        data.append((line, cells))
        if len(data) > MAX_ROWS:
            raise ValidationError(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
    if headings is None:
        raise ValidationError(_("The file is empty."))
    return headings, data


def headings_read(filename: str, content: bytes) -> list[str]:
    return table_read(filename, content)[0]
