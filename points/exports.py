"""The community's ledger for a period as CSV (UTF-8 with BOM, so Excel reads the Chinese)
or as an Excel workbook (the project's one writer, `gridcase.spreadsheets`: bold frozen
headings, numbers as numbers, times as dates)."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

from gridcase.spreadsheets import XLSX, Cell, Sheet, workbook_bytes
from grids.models import Area

from .selectors import ledger_rows

HEADER = ["id", "time", "account", "person", "phone", "kind", "points", "cause", "note", "by"]
XLSX_TYPE = XLSX


def rows(community: Area, start: datetime, end: datetime) -> Iterator[list[Cell]]:
    for entry in ledger_rows(community, start, end).iterator(chunk_size=2000):
        yield [
            entry.pk,
            entry.created_at,
            entry.account.code,
            entry.account.display_name,
            entry.account.phone,
            entry.kind,
            entry.points,
            entry.cause,
            entry.note,
            str(entry.actor or ""),
        ]


def ledger_csv(community: Area, start: datetime, end: datetime) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows(community, start, end):
        when = row[1]
        assert isinstance(when, datetime)
        row[1] = timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow(row)
    return out.getvalue()


def ledger_xlsx(community: Area, start: datetime, end: datetime) -> bytes:
    sheet = Sheet(title=community.code, headings=HEADER, rows=rows(community, start, end))
    return workbook_bytes([sheet])
