"""The board's .xlsx twin of its CSV export: the same figures, as numbers, with bold frozen
headings and dates as dates; refused and rejected like the CSV."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.workflows.test_views__board import close_in_grid, login


@pytest.mark.django_db
def test_the_xlsx_export_has_the_csvs_figures_as_numbers(client, world):
    login(client, world, "street")
    close_in_grid(world)
    close_in_grid(world, area="G2", by="grid2")
    world.report(area="G3", by="grid3")
    response = client.get("/w/board/S/export.xlsx?period=30d")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    areas, departments = book.worksheets
    assert isinstance(areas["B1"].value, dt.datetime) and areas["B1"].number_format == "yyyy-mm-dd"
    header = [c.value for c in areas[2]]
    assert all(c.font.b for c in areas[2]) and areas.freeze_panes == "A3"
    rows = {row[2]: row for row in areas.iter_rows(min_row=3, values_only=True)}  # rank, unit, code
    text = client.get("/w/board/S/export.csv?period=30d").content.decode("utf-8-sig")
    lines = [row for row in csv.reader(io.StringIO(text)) if len(row) > 3]
    csv_header = lines[0]  # the areas' table comes first, then the departments'
    csv_rows = {row[2]: row for row in lines[1 : 1 + len(rows)]}
    assert len(csv_header) == len(header) and set(csv_rows) == set(rows)
    for code in ("S", "S-01", "S-01-01", "S-02-01"):
        for index, value in enumerate(rows[code][4:], start=4):
            expected = csv_rows[code][index]
            if value is None:
                assert expected == ""
            elif "%" in csv_header[index]:
                assert isinstance(value, int | float) and f"{value * 100:.1f}" == expected
            elif isinstance(value, float):
                assert f"{value:.2f}" == expected
            else:
                assert isinstance(value, int) and str(value) == expected
    assert (
        rows["S"][header.index(next(h for h in header if h in ("Closed", "结案", "已结案")))] == 2
    )
    assert departments.max_row >= 3  # period, headings, the street's departments


@pytest.mark.django_db
def test_the_xlsx_export_is_refused_and_checked_like_the_csv(client, world):
    login(client, world, "community2")
    assert client.get("/w/board/S-01/export.xlsx").status_code == 403
    login(client, world, "street")
    assert client.get("/w/board/S/export.xlsx?period=week").status_code == 400
