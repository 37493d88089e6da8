"""The community's ledger for a period as CSV (UTF-8 with BOM, so Excel reads the Chinese)
or as an Excel workbook (openpyxl, write-only: rows streamed, not held)."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

from grids.models import Area

from .selectors import ledger_rows

HEADER = ["id", "time", "account", "person", "phone", "kind", "points", "cause", "note", "by"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(community: Area, start: datetime, end: datetime) -> Iterator[list[object]]:
    for entry in ledger_rows(community, start, end).iterator(chunk_size=2000):
        yield [
            entry.pk,
            timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
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
    writer.writerows(rows(community, start, end))
    return out.getvalue()


def ledger_xlsx(community: Area, start: datetime, end: datetime) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=community.code[:31])
    sheet.append(HEADER)
    for row in rows(community, start, end):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
