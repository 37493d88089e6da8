"""The board counters (workflows/boards/counters.py) against the cases themselves.

Random histories driven through the services (the stateful machine of test_flows__stateful,
with clock jumps across local midnights): after every step, the figures the board reads from
the counters equal those counted from the cases (tests/workflows/metrics_oracle.py, the
previous production code) for several periods, for the street and each of its areas; and the
counters kept event by event equal a set-based rebuild from scratch.
"""

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule
from viewflow.workflow.timers import fire_due_timers

from tests.threads import all_at_once
from tests.workflows import metrics_oracle
from tests.workflows.test_flows__stateful import CaseMachine
from workflows import services
from workflows.appeals import appeal_subjects
from workflows.boards.board import board_build
from workflows.boards.counter_models import (
    AreaCloseCount,
    AreaDayCount,
    AreaDayMix,
    DepartmentDayCount,
)
from workflows.boards.counters import counts_apply
from workflows.boards.metrics import TALLY_FIELDS, DepartmentTally, Period, roll_up
from workflows.boards.readers import area_tallies, department_tallies, spread
from workflows.boards.rebuild import counters_rebuild
from workflows.models import Case, CaseDispatch, CaseEvent

TABLES = (AreaDayCount, AreaDayMix, AreaCloseCount, DepartmentDayCount)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def periods(now: datetime) -> list[Period]:
    """Today; the last 2, 7 and 30 days; a past week; a range ending yesterday; tomorrow."""
    today = timezone.localdate(now)
    spans = [(0, 0), (-1, 0), (-6, 0), (-29, 0), (-14, -8), (-3, -1), (1, 1)]
    return [
        Period(_midnight(today + timedelta(a)), _midnight(today + timedelta(b + 1)), now)
        for a, b in spans
    ]


def tally_rows(tallies: dict, area_ids: list[int]) -> dict:
    rolled = roll_up(tallies, area_ids)
    return {
        pk: {name: round(getattr(tally, name), 3) for name in TALLY_FIELDS}
        for pk, tally in rolled.items()
    }


def assert_counters_match_cases(street, area_ids: list[int], now: datetime) -> None:
    for period in periods(now):
        expected = tally_rows(
            metrics_oracle.area_tallies(path=street.path, period=period), area_ids
        )
        got = tally_rows(area_tallies(path=street.path, period=period), area_ids)
        assert got == expected, period
        want, have = (f(path=street.path, period=period) for f in (metrics_oracle.spread, spread))
        assert have.trend(period) == want.trend(period), period
        assert (have.by_level, have.by_category) == (want.by_level, want.by_category), period
        want, have = (
            department_figures(f(path=street.path, period=period))
            for f in (metrics_oracle.department_tallies, department_tallies)
        )
        assert have == want, period


def department_figures(tallies: dict) -> dict:
    """Figures per department, leaving out those with nothing at all (the board shows them
    as zeros either way)."""
    empty = DepartmentTally().figures()
    figures = {pk: tally.figures() for pk, tally in tallies.items()}
    return {pk: f for pk, f in figures.items() if f != empty}


def counter_rows() -> dict:
    """Every counter row, without its id and without rows that sum to nothing."""
    rows = {}
    for model in TABLES:
        values = model.objects.values()
        rows[model.__name__] = sorted(
            tuple(sorted((k, v) for k, v in row.items() if k != "id"))
            for row in values
            if any(v for k, v in row.items() if k in COUNT_COLUMNS)
        )
    return rows


COUNT_COLUMNS = {
    f.name
    for model in TABLES
    for f in model._meta.concrete_fields
    if f.get_internal_type() in ("IntegerField", "BigIntegerField")
}


class CounterMachine(CaseMachine):
    """CaseMachine, checking the counters after every step."""

    @rule(hours=st.sampled_from([5, 11, 17]))
    def hours_pass(self, hours):
        """Jumps that land on either side of local midnight."""
        self.traveller.shift(timedelta(hours=hours))
        fire_due_timers()
        services.cases_resume_due()

    @rule(
        case=CaseMachine.cases,
        department=st.sampled_from(["police", "city"]),
        score=st.integers(1, 5),
    )
    def rate_department(self, case, department, score):
        """评价权: the whistle-blowing level rates a department (again, sometimes)."""
        fresh = Case.objects.get(pk=case.pk)
        actor = self.person(None, plausible_for=(fresh.verifier_area or fresh.area).code)
        dept = self.world.departments[department]
        call = lambda: services.dispatch_rate(case=fresh, department=dept, actor=actor, score=score)  # noqa: E731
        self.attempt(case, call)

    @rule(
        case=CaseMachine.cases,
        department=st.sampled_from(["police", "city"]),
        upheld=st.booleans(),
    )
    def appeal(self, case, department, upheld):
        """申诉 by the department of what it may appeal, then decided by the street."""
        fresh = Case.objects.get(pk=case.pk)
        dept = self.world.departments[department]
        part = fresh.dispatches.filter(department=dept).order_by("-active", "-pk").first()
        if part is None:
            return
        subjects, _why = appeal_subjects(fresh, part)
        kind = subjects[0].kind if subjects else "rating"
        by = self.world.people["police_head" if department == "police" else "city1"]
        file = lambda: services.case_appeal(  # noqa: E731
            case=fresh, actor=by, department=dept, kind=kind, reason="申诉"
        )
        self.attempt(case, file)
        fresh = Case.objects.get(pk=case.pk)
        decide = services.case_appeal_uphold if upheld else services.case_appeal_dismiss
        street = self.world.people["street"]
        self.attempt(case, lambda: decide(case=fresh, actor=street, department=dept, reason="裁定"))

    @invariant()
    def counters_equal_the_cases(self):
        street = self.world.areas["S"]
        area_ids = [area.pk for area in self.world.areas.values()]
        assert_counters_match_cases(street, area_ids, timezone.now())
        kept = counter_rows()
        with transaction.atomic():
            counters_rebuild()
            assert counter_rows() == kept
            transaction.set_rollback(True)


@pytest.mark.slow  # random histories, the counters rebuilt after every step
class CounterMachineTest(TestCase):
    def test_random_histories_give_the_same_figures_from_counters_and_cases(self):
        from hypothesis.stateful import run_state_machine_as_test

        run_state_machine_as_test(
            CounterMachine,
            settings=settings(
                max_examples=5,
                stateful_step_count=20,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )


@pytest.mark.django_db
def test_seeded_histories_reach_every_kind_of_step_and_keep_the_counters_right():
    """Longer walks than hypothesis reaches: 8 cases pushed down random branches (rework,
    whistles, dispatches, claims, returns, ratings) with clock jumps across midnight."""
    seen = set()
    for seed in range(5):
        rng = random.Random(seed)
        machine = CounterMachine()
        try:
            cases = [
                machine.report(
                    area=rng.choice(["G1", "G2", "G3"]),
                    by=rng.choice(["grid1", "resident"]),
                    priority="normal",
                )
                for _ in range(8)
            ]
            for step in range(120):
                roll = rng.random()
                if roll < 0.7:
                    machine.advance(rng.choice(cases), rng.randrange(12))
                elif roll < 0.75:  # a department that has claimed, so it can be rated
                    names = {d.pk: name for name, d in machine.world.departments.items()}
                    claimed = list(
                        CaseDispatch.objects.filter(claimed_at__isnull=False).order_by("pk")
                    )
                    if claimed:
                        dispatch = rng.choice(claimed)
                        name = names[dispatch.department_id]
                        machine.rate_department(dispatch.case, name, rng.randint(1, 5))
                elif roll < 0.78:  # 延期 asked and decided
                    decision = rng.choice(["grant", "shorter", "refuse"])
                    machine.extension(rng.choice(cases), decision, rng.randint(1, 5))
                elif roll < 0.8:  # 挂起, resumed by hand or at the date
                    machine.suspension(rng.choice(cases), rng.randint(1, 2), rng.random() < 0.5)
                elif roll < 0.81:  # 挂起 asked by the handler, approved or refused
                    decision = rng.choice(["approve", "refuse"])
                    machine.suspension_asked(rng.choice(cases), rng.randint(1, 2), decision)
                elif roll < 0.83:  # 督办, ending when the case closes (on time or late)
                    machine.supervise(rng.choice(cases), rng.choice([6, 30, 200]))
                elif roll < 0.85:  # soon after closing, so a 不满意 can still reopen
                    rating = rng.choice(["satisfied", "basically", "dissatisfied"])
                    machine.rate(rng.choice(cases), rating, True)
                elif roll < 0.88:  # 申诉 of a poor rating or a rework, upheld or dismissed
                    names = {d.pk: name for name, d in machine.world.departments.items()}
                    poor = CaseDispatch.objects.filter(response_rating__lte=2).order_by("pk")
                    reworked = CaseDispatch.objects.filter(case__rework_count__gte=1)
                    parts = list(poor) + list(reworked.order_by("pk"))
                    if parts:
                        part = rng.choice(parts)
                        name = names[part.department_id]
                        machine.appeal(part.case, name, rng.random() < 0.7)
                else:
                    machine.hours_pass(rng.choice([5, 11, 17]))
                if step % 30 == 29:
                    machine.counters_equal_the_cases()
            seen |= set(CaseEvent.objects.values_list("kind", flat=True))
            if Case.objects.filter(status="closed", rework_count__gte=1).exists():
                seen.add("closed after rework")
        finally:
            machine.teardown()
    wanted = {"case.reworked", "case.whistled", "case.claimed", "case.rated", "case.reopened"}
    wanted |= {"case.returned", "dispatch.rated"}
    wanted |= {"case.return_accepted", "case.return_refused", "case.reassigned"}
    wanted |= {"case.extension_approved", "case.extension_refused"}
    wanted |= {"case.suspended", "case.resumed", "case.suspension_asked"}
    wanted |= {"case.supervised", "case.supervision_ended"}
    wanted |= {"case.appealed", "case.appeal_upheld"}
    assert wanted | {"closed after rework"} <= seen, seen


def test_rebuild_is_idempotent_and_counts_whistles_claims_ratings(world):
    case = world.dispatched("police")
    services.case_claim(
        case=case, department=world.departments["police"], actor=world.people["cop1"]
    )
    closed = services.case_accept(case=world.report(), actor=world.people["grid1"])
    closed = services.case_resolve(case=closed, actor=world.people["grid1"], result="已清理")
    closed = services.case_verify(case=closed, actor=world.people["leader1"])
    services.case_rate(case=closed, rating="dissatisfied", actor=world.people["grid1"])
    kept = counter_rows()
    assert kept["AreaDayCount"] and kept["AreaDayMix"]
    counters_rebuild()
    counters_rebuild()
    assert counter_rows() == kept
    street = world.areas["S"]
    assert_counters_match_cases(street, [a.pk for a in world.areas.values()], timezone.now())


def test_the_board_costs_the_same_queries_whatever_the_data(world):
    def build_queries() -> int:
        now = timezone.now()
        today = timezone.localdate(now)
        period = Period(_midnight(today - timedelta(29)), _midnight(today + timedelta(1)), now)
        with CaptureQueriesContext(connection) as queries:
            board_build(scope=world.areas["S"], period=period, sort="reported", dsort="rated")
        return len(queries)

    world.report()
    few = build_queries()
    grid1 = world.people["grid1"]
    for _ in range(3):
        case = services.case_accept(case=world.report(), actor=grid1)
        case = services.case_resolve(case=case, actor=grid1, result="已处理")
        services.case_verify(case=case, actor=world.people["leader1"])
    world.at_community()
    world.dispatched("police", "city")
    assert build_queries() == few


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_increments_of_one_row_are_all_kept(world):
    """Threads with their own connections add to one new counter row at once (the insert
    race and the update race): nothing is lost, one row."""
    threads_count, each = 6, 15
    day = timezone.localdate()

    def add() -> None:
        for _ in range(each):
            with transaction.atomic():
                counts_apply({("day", "9/9/", day): {"reported": 1, "due": 2}})

    errors = [o for o in all_at_once([add] * threads_count) if isinstance(o, Exception)]
    assert errors == []
    row = AreaDayCount.objects.get(area_path="9/9/", day=day)
    assert (row.reported, row.due) == (threads_count * each, 2 * threads_count * each)
