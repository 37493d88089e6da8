"""The monthly 考核 report: the board's figures for the month (held equal to the board's JSON
for the same dates), composite scores, competition ranks with a minimum base, 环比, 红黑榜,
the printable page and the .xlsx."""

import io
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from tests.workflows.test_views__board import close_in_grid
from workflows import services
from workflows.boards.report import competition_ranks, monthly_report, previous_month
from workflows.models import ReportSettings


def test_competition_ranks_share_and_skip():
    assert competition_ranks([90.0, 90.004, 80.0, None, 70.0]) == [1, 1, 3, None, 4]
    assert competition_ranks([]) == []
    assert competition_ranks([None, 50.0]) == [None, 1]


def test_previous_month_wraps_the_year():
    assert previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert previous_month(date(2026, 12, 1)) == date(2026, 11, 1)


def _month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


@pytest.mark.django_db
def test_the_report_has_the_boards_figures_for_the_month(client, world):
    close_in_grid(world, "G1", "grid1")
    close_in_grid(world, "G2", "grid2")
    services.case_accept(case=world.report(area="G3", by="grid3"), actor=world.people["grid3"])
    world.dispatched("police")
    ReportSettings.objects.create(street=world.areas["S"], min_base=1)
    today = timezone.localdate()
    first, last = _month_bounds(today)
    client.force_login(world.people["street"])
    query = {"period": "range", "start": first.isoformat(), "end": last.isoformat()}
    board = client.get("/w/board/S/data/", query).json()
    report = monthly_report(street=world.areas["S"], month=today, now=timezone.now())
    communities, grids, departments = report.sections
    by_code = {row["code"]: row["values"] for row in board["communities"] + board["grids"]}
    for section in (communities, grids):
        assert section.lines
        for line in section.lines:
            for name, value in line.figures.items():
                assert value == by_code[line.code][name], (line.code, name)
    board_departments = {row["code"]: row["values"] for row in board["departments"]}
    for line in departments.lines:
        for name, value in line.figures.items():
            assert value == board_departments[line.code][name]
    assert report.total.figures == {n: board["total"]["values"][n] for n in report.total.figures}
    g1, g2 = (
        next(line for line in grids.lines if line.code == code) for code in ("S-01-01", "S-01-02")
    )
    assert g1.score == g2.score and g1.rank == g2.rank == 1  # a tie shares first place


@pytest.mark.django_db
def test_minimum_base_environ_change_and_the_lists(world):
    mid_last_month = previous_month(timezone.localdate()).replace(day=15)
    when = timezone.make_aware(datetime.combine(mid_last_month, time(12)))
    with time_machine.travel(when, tick=False):
        world.report(area="G1", by="grid1")  # last month: reported, never answered in time
    close_in_grid(world, "G1", "grid1")
    close_in_grid(world, "G1", "grid1")
    close_in_grid(world, "G2", "grid2")
    ReportSettings.objects.create(street=world.areas["S"], min_base=2)
    now = timezone.now() + timedelta(days=1)  # last month's deadline has passed
    report = monthly_report(street=world.areas["S"], month=timezone.localdate(), now=now)
    grids = {line.code: line for line in report.sections[1].lines}
    assert grids["S-01-01"].base == 2 and grids["S-01-01"].rank == 1
    assert grids["S-01-02"].base == 1 and grids["S-01-02"].rank is None  # under the base
    assert grids["S-01-01"].score == pytest.approx(100.0)
    assert grids["S-01-01"].previous_score == pytest.approx(0.0)  # its answer came too late
    assert grids["S-01-01"].change == pytest.approx(100.0)
    assert report.sections[1].red == report.sections[1].black == []  # one ranked: no lists


@pytest.mark.django_db
def test_the_page_and_xlsx(client, world):
    close_in_grid(world, "G1", "grid1")
    client.force_login(world.people["street"])
    month = f"{timezone.localdate():%Y-%m}"
    page = client.get("/w/report/S/", {"month": month})
    assert page.status_code == 200 and 'data-unit="S-01-01"' in page.content.decode()
    assert "report.css" in page.content.decode()
    assert client.get("/w/report/S/", {"month": "2026-13"}).status_code == 400
    response = client.get("/w/report/S/export.xlsx", {"month": month})
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 3 and book.worksheets[1]["B2"].value in (
        "S-01-01",
        "S-01-02",
        "S-02-01",
    )
    client.force_login(world.people["community2"])
    assert client.get("/w/report/S/", {"month": month}).status_code == 403
    assert client.get("/w/report/", {"month": month}).status_code == 400  # a community's board


def test_red_and_black_lists_are_the_best_and_worst_three_ranked():
    from workflows.boards.board import Row
    from workflows.boards.metrics import AREA_METRICS
    from workflows.boards.report import AREA_FIGURES, Weights, _section, area_score

    def row(code: str, rate: float | None, reported: int) -> Row:
        figures = dict.fromkeys(AREA_FIGURES) | {"response_rate": rate, "reported": reported}
        return Row(code, code, "grid", figures, AREA_METRICS)

    rates = [0.9, 0.5, 0.7, 0.9, 0.1, 0.3, 0.8, None]
    rows = [row(f"G{i}", rate, 5) for i, rate in enumerate(rates)] + [row("small", 1.0, 1)]
    weights = Weights(min_base=2)
    section = _section(
        "grid", rows, {}, AREA_FIGURES, lambda f: area_score(f, weights), "reported", 2
    )
    assert [(line.code, line.rank) for line in section.lines] == [
        ("G0", 1), ("G3", 1), ("G6", 3), ("G2", 4), ("G1", 5), ("G5", 6), ("G4", 7),
        ("G7", None), ("small", None),
    ]  # fmt: skip
    assert [line.code for line in section.red] == ["G0", "G3", "G6"]
    assert [line.code for line in section.black] == ["G4", "G5", "G1"]


@pytest.mark.django_db
def test_extensions_suspensions_and_upheld_appeals_per_unit_agree_with_the_board(client, world):
    """延期 granted, 挂起 and 申诉 upheld: counted for the case's grid and community and for
    the department, equal to the board's for the month, on the page and in the .xlsx."""
    from tests.workflows.test_services__appeal import appeal, rated

    police = world.departments["police"]
    case = rated(world, score=1)  # the police claimed it (case in G1, dispatched by C1)
    services.case_extension_ask(
        case=case, actor=world.people["cop1"], due=case.resolve_due + timedelta(days=2),
        reason="需协调",
    )  # fmt: skip
    services.case_extension_approve(
        case=case, actor=world.people["community1"], due=case.resolve_due + timedelta(days=2)
    )
    services.case_suspend(
        case=case, actor=world.people["community1"], reason="court",
        resume_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    appeal(world, case)
    services.case_appeal_uphold(
        case=case, actor=world.people["street"], department=police, reason="成立"
    )
    today = timezone.localdate()
    report = monthly_report(street=world.areas["S"], month=today, now=timezone.now())
    communities, grids, departments = report.sections
    operations = ("extended", "suspended", "appeals_upheld")
    line = {ln.code: ln for ln in grids.lines}["S-01-01"]
    assert [line.figures[n] for n in operations] == [1, 1, 1]
    line = {ln.code: ln for ln in communities.lines}["S-02"]
    assert [line.figures[n] for n in operations] == [0, 0, 0]
    line = {ln.code: ln for ln in departments.lines}["PCS"]
    assert [line.figures[n] for n in operations] == [1, 1, 1]
    assert line.figures["avg_rating"] is None  # the upheld appeal took its rating out
    first, last = _month_bounds(today)
    client.force_login(world.people["street"])
    query = {"period": "range", "start": first.isoformat(), "end": last.isoformat()}
    board = client.get("/w/board/S/data/", query).json()
    values = {row["code"]: row["values"] for row in board["grids"] + board["departments"]}
    for code in ("S-01-01", "PCS"):
        assert [values[code][n] for n in operations] == [1, 1, 1]
    page = client.get("/w/report/S/", {"month": f"{today:%Y-%m}"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Upheld appeals" in page.content.decode()
    response = client.get(
        "/w/report/S/export.xlsx", {"month": f"{today:%Y-%m}"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[2]  # departments
    headings = [c.value for c in sheet[1]]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    for label in ("Extensions granted", "Suspensions", "Upheld appeals"):
        assert rows["PCS"][headings.index(label)] == 1
