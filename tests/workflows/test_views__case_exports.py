"""The case list's exports: the list's filters and visibility, CSV and .xlsx alike."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from workflows import services


@pytest.mark.django_db
def test_exports_follow_the_filters_and_visibility(client, world):
    mine = world.report(area="G1", by="grid1")
    accepted = services.case_accept(
        case=world.report(area="G1", by="grid1"), actor=world.people["grid1"]
    )
    other = world.report(area="G3", by="grid3")
    client.force_login(world.people["grid1"])
    text = client.get("/cases/export.csv").content.decode("utf-8-sig")
    numbers = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert set(numbers) == {mine.number, accepted.number}  # not G3's
    book = load_workbook(io.BytesIO(client.get("/cases/export.xlsx?status=handling").content))
    sheet = book.active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [accepted.number]
    assert isinstance(rows[0][8], dt.datetime) and sheet["A1"].font.b and sheet.freeze_panes == "A2"
    client.force_login(world.people["street"])
    text = client.get("/cases/export.csv?area=S-02").content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))][1:] == [other.number]
    page = client.get("/cases/?area=S-02").content.decode()
    assert "/cases/export.xlsx?area=S-02" in page
