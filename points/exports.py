"""The community's ledger for a period as CSV (UTF-8 with BOM, so Excel reads the Chinese)
or as an Excel workbook (the project's one writer, `gridcase.spreadsheets`: bold frozen
headings, numbers as numbers, times as dates)."""

from collections.abc import Iterator
from datetime import datetime

from django.http import HttpResponse

from gridcase.spreadsheets import Cell, Sheet, csv_response, xlsx_response
from grids.models import Area

from .selectors import ledger_rows

HEADER = ["id", "time", "account", "person", "phone", "kind", "points", "cause", "note", "by"]


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


def ledger_download(community: Area, start: datetime, end: datetime, fmt: str) -> HttpResponse:
    """The ledger as `points-<community>.csv` or `.xlsx` (fmt "csv" or "xlsx")."""
    sheet = Sheet(title=community.code, headings=HEADER, rows=rows(community, start, end))
    name = f"points-{community.code}.{fmt}"
    return xlsx_response([sheet], name) if fmt == "xlsx" else csv_response([sheet], name)
