"""The boards' metrics (workflows/boards/metrics.py) on hand-built cases, reached through services.

Normal priority: respond within 2 h, resolve within 7 days, departments claim within 30 min.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.workflows.world import photo
from workflows import services
from workflows.boards.metrics import Period, Tally, roll_up
from workflows.boards.readers import area_tallies, department_tallies, spread
from workflows.models import Case

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 2, 0, 0, tzinfo=SHANGHAI)  # a local midnight
BASE = MONDAY + timedelta(hours=9)


def at(hours: float):
    """Travel to BASE + `hours` (frozen)."""
    return time_machine.travel(BASE + timedelta(hours=hours), tick=False)


def week(now_hours: float = 24 * 7 - 1) -> Period:
    """Monday to Sunday, looked at from BASE + now_hours."""
    return Period(MONDAY, MONDAY + timedelta(days=7), BASE + timedelta(hours=now_hours))


def figures(world, period: Period, unit: str = "S") -> dict:
    area = world.areas[unit]
    return roll_up(area_tallies(path=world.areas["S"].path, period=period), [area.pk])[
        area.pk
    ].figures()


def close_at_grid(world, case: Case) -> Case:
    case = services.case_accept(case=case, actor=world.people["grid1"])
    case = services.case_resolve(case=case, actor=world.people["grid1"], result="已清理")
    return services.case_verify(case=case, actor=world.people["leader1"])


def test_no_cases_gives_no_rates_and_no_error(world):
    assert area_tallies(path=world.areas["S"].path, period=week()) == {}
    result = figures(world, week())
    rates = [name for name in result if name.endswith("_rate") or name == "avg_close_hours"]
    assert rates and all(result[name] is None for name in rates)
    assert (result["reported"], result["overdue_now"], result["open_now"]) == (0, 0, 0)
    assert department_tallies(path=world.areas["S"].path, period=week()) == {}
    assert Tally().figures()["resolution_rate"] is None


def test_response_rate_counts_answers_by_the_deadline(world):
    with at(0):
        on_time, late, never, rejected = (world.report() for _ in range(4))
    with at(1):
        services.case_accept(case=on_time, actor=world.people["grid1"])
        services.case_reject(case=rejected, actor=world.people["grid1"], reason="不属实")
    with at(3):
        services.case_accept(case=late, actor=world.people["grid1"])
        not_yet_due = world.report()
    assert not_yet_due.respond_due > BASE + timedelta(hours=3)
    result = figures(world, week(now_hours=3))
    assert result["response_rate"] == pytest.approx(2 / 4)  # on_time, rejected of 4 due
    assert result["reported"] == 5


def test_resolution_rework_and_level_rates_over_cases_closed_in_the_period(world):
    with at(0):
        in_grid = close_at_grid(world, world.report())
        at_community = world.at_community()
        rejected = world.report()
        unhappy = close_at_grid(world, world.report())
    with at(1):
        services.case_reject(case=rejected, actor=world.people["grid1"], reason="不属实")
        duplicate = world.report()
        services.case_mark_duplicate(case=duplicate, actor=world.people["grid1"], original=in_grid)
        community1 = world.people["community1"]
        case = services.case_resolve(case=at_community, actor=community1, result="已协调")
        case = services.case_rework(case=case, actor=world.people["grid1"], reason="没修好")
    with at(10):
        case = services.case_resolve(case=case, actor=community1, result="修好了")
        services.case_verify(case=case, actor=world.people["grid1"])
    with at(24 * 8):  # after the 7-day feedback window: recorded, not reopened
        services.case_rate(case=unhappy, rating="dissatisfied", actor=world.people["grid1"])
    result = figures(world, Period(MONDAY, MONDAY + timedelta(days=14), BASE + timedelta(days=9)))
    assert result["closed"] == 3  # rejected and duplicate are not closed cases
    assert result["resolution_rate"] == pytest.approx(2 / 3)
    assert result["rework_rate"] == pytest.approx(1 / 3)
    assert result["in_grid_rate"] == pytest.approx(2 / 3)
    assert result["in_community_rate"] == pytest.approx(3 / 3)
    assert result["avg_close_hours"] == pytest.approx((0 + 0 + 10) / 3, abs=0.01)


def test_satisfaction_counts_ratings_given_even_when_they_reopen_the_case(world):
    with at(0):
        cases = [close_at_grid(world, world.report()) for _ in range(3)]
    with at(2):
        for case, rating in zip(cases, ("satisfied", "basically", "dissatisfied"), strict=True):
            services.case_rate(case=case, rating=rating, actor=world.people["grid1"])
    assert Case.objects.filter(rating="").count() == 1  # the 不满意 reopened its case
    assert figures(world, week())["satisfaction_rate"] == pytest.approx(2 / 3)
    next_week = Period(MONDAY + timedelta(days=7), MONDAY + timedelta(days=14), BASE)
    assert figures(world, next_week)["satisfaction_rate"] is None


def test_closure_rates_over_cases_due_to_close(world):
    with at(0):
        on_time, late, still_open, rejected = (world.report() for _ in range(4))
        close_at_grid(world, on_time)
        services.case_accept(case=late, actor=world.people["grid1"])
        services.case_accept(case=still_open, actor=world.people["grid1"])
        services.case_reject(case=rejected, actor=world.people["grid1"], reason="不属实")
    with at(24 * 8):
        late = services.case_resolve(case=late, actor=world.people["grid1"], result="迟了")
        services.case_verify(case=late, actor=world.people["leader1"])
        not_due = world.report()
        services.case_accept(case=not_due, actor=world.people["grid1"])
    two_weeks = Period(MONDAY, MONDAY + timedelta(days=14), BASE + timedelta(days=8, hours=1))
    result = figures(world, two_weeks)
    # due: on_time (closed in the period), late and still_open (deadline passed); not_due's
    # deadline is ahead, the rejected case never counts
    assert result["closure_rate"] == pytest.approx(2 / 3)
    assert result["on_time_closure_rate"] == pytest.approx(1 / 3)


def test_the_period_bounds_are_respected(world):
    with at(-24):  # Sunday before
        world.report()
    with at(0):
        world.report()
    result = figures(world, week())
    assert (result["reported"], result["open_now"]) == (1, 2)


def test_communities_and_grids_roll_up_from_deeper_areas(world):
    with at(0):
        world.report(area="M1")
        world.report(area="G1")
        world.report(area="G2", by="grid2")
        world.report(area="G3", by="grid3")
    units = [world.areas[code] for code in ("S", "C1", "C2", "G1", "G2", "G3")]
    rolled = roll_up(area_tallies(path=world.areas["S"].path, period=week()), [a.pk for a in units])
    assert [rolled[a.pk].reported for a in units] == [4, 3, 1, 2, 1, 1]
    scoped = area_tallies(path=world.areas["C2"].path, period=week())
    assert sum(t.reported for t in scoped.values()) == 1


def test_departments_are_ranked_on_whistle_blowers_ratings_and_claims(world):
    police, city = world.departments["police"], world.departments["city"]
    with at(0):
        quick, slow, ignored = (world.dispatched("police") for _ in range(3))
        services.case_claim(case=quick, department=police, actor=world.people["cop1"])
    with at(1):
        services.case_claim(case=slow, department=police, actor=world.people["cop2"])
        both = world.dispatched("city")
        services.case_claim(case=both, department=city, actor=world.people["city1"])
    community1 = world.people["community1"]
    services.dispatch_rate(case=quick, department=police, actor=community1, score=5)
    services.dispatch_rate(case=slow, department=police, actor=community1, score=2)
    services.case_dispatch_resolve(
        case=both, department=city, actor=world.people["city1"], result="好", photos=[photo()]
    )
    tallies = department_tallies(path=world.areas["S"].path, period=week(now_hours=2))
    police_figures = tallies[police.pk].figures()
    assert police_figures["avg_rating"] == pytest.approx(3.5)
    assert police_figures["rated"] == 2
    assert police_figures["response_rate"] == pytest.approx(1 / 3)
    assert police_figures["overdue_now"] == 1  # `ignored` is unclaimed past its 30 minutes
    city_figures = tallies[city.pk].figures()
    assert (city_figures["response_rate"], city_figures["avg_rating"]) == (1.0, None)
    assert ignored.dispatches.get().claimed_at is None


def test_trend_counts_local_days(world):
    with at(14.5):  # Monday 23:30 in Shanghai is 15:30 UTC
        late_monday = world.report()
    with at(24 + 1):
        close_at_grid(world, late_monday)
    trend = spread(path=world.areas["S"].path, period=week()).trend(week())
    assert len(trend) == 7
    assert trend[0] == (MONDAY.date(), 1, 0)
    assert trend[1] == (MONDAY.date() + timedelta(days=1), 0, 1)


def test_distribution_by_level_and_category(world):
    from workflows.models import Category

    with at(0):
        world.report()
        world.at_community()
        world.report(category=Category.objects.get(code="parking"))
    result = spread(path=world.areas["S"].path, period=week())
    assert result.by_level == {"grid": 2, "community": 1}
    assert {code: n for (code, _name), n in result.by_category.items()} == {
        "corridor": 2,
        "parking": 1,
    }
