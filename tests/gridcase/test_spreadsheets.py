"""The one spreadsheet writer: the same sheets as .xlsx and as .csv."""

import csv
import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from gridcase.spreadsheets import Sheet, csv_response, xlsx_response

UTC = dt.UTC


def sheets():
    when = dt.datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 2026-03-02 00:30 in Shanghai
    return [
        Sheet(
            "区域",
            ["名称", "件数", "时间"],
            [["青山社区", 3, when]],
            preamble=[["期间", dt.date(2026, 3, 1)]],
        ),
        Sheet("部门", ["名称", "比率"], [["派出所", Decimal("0.5")]], formats=[None, "0.0%"]),
    ]


def test_csv_has_a_bom_local_times_and_a_blank_line_between_sheets(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    response = csv_response(sheets(), "out.csv")
    assert response["Content-Disposition"] == "attachment; filename=out.csv"
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:])))
    assert rows == [
        ["期间", "2026-03-01"],
        ["名称", "件数", "时间"],
        ["青山社区", "3", "2026-03-02 00:30:00"],
        [],
        ["名称", "比率"],
        ["派出所", "0.5"],
    ]


def test_xlsx_keeps_numbers_and_dates_and_freezes_the_headings(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    book = load_workbook(io.BytesIO(xlsx_response(sheets(), "out.xlsx").content))
    areas, departments = book["区域"], book["部门"]
    assert areas.freeze_panes == "A3"  # the preamble row, then the headings
    assert areas["A2"].font.bold
    assert areas["B3"].value == 3
    assert areas["C3"].value == dt.datetime(2026, 3, 2, 0, 30)
    assert departments["B2"].value == 0.5 and departments["B2"].number_format == "0.0%"
