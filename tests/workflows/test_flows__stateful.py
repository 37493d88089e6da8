"""Random actions by random people, with the clock moving, and invariants after every step.

A hypothesis RuleBasedStateMachine drives the services; refused actions must change nothing
and accepted ones must be logged; after each step every case's status and level are legal, its
open viewflow tasks match its status, no task has more than one owner, event ids increase, and
the rework count equals the number of rework events. Across the examples, actions must have
been accepted (past intake too): walks in which everything is refused would check nothing.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, precondition, rule
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.models import Task
from viewflow.workflow.timers import fire_due_timers

from tests.workflows.world import WorldMachine, photo
from workflows import services
from workflows.choices import Level, Status
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.integrity import case_problems
from workflows.models import Case, CaseEvent
from workflows.permissions import extension_approver_area

PEOPLE = [
    "grid1",
    "grid2",
    "leader1",
    "community1",
    "community2",
    "street",
    "cop1",
    "cop2",
    "police_head",
    "city1",
    "water1",
    "resident",
]
REFUSALS = (CaseActionDenied, CaseConflict, ValidationError, TransitionNotAllowed)
OPEN = ("NEW", "ASSIGNED", "STARTED")
AREA_LEVELS = (Level.GRID, Level.COMMUNITY, Level.STREET)
# Who would plausibly act, by area code or department: a random walk through random people
# alone almost never gets past intake, so half the time the right person is tried.
PLAUSIBLE = {
    "S": "street",
    "S-01": "community1",
    "S-02": "community2",
    "S-01-01": "grid1",
    "S-01-02": "grid2",
    "S-02-01": "grid3",
    "police": "cop1",
    "city": "city1",
}
anyone = st.one_of(st.none(), st.sampled_from(PEOPLE))  # None: the plausible person


def snapshot(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.level,
        case.updated_at,
        case.events.count(),
        tuple(case.dispatches.values_list("claimed_by", "returned_at", "resolved_at")),
        tuple(case.extensions.values_list("state", "granted_due")),
        case.suspended_at,
        tuple(case.suspension_requests.values_list("state", "decided_at")),
        tuple(case.supervisions.values_list("due", "ended_at")),
        case.supervised_due,
    )


class CaseMachine(WorldMachine):
    cases = Bundle("cases")

    def __init__(self, outcomes: Counter | None = None):
        super().__init__()
        self.outcomes = Counter() if outcomes is None else outcomes  # shared across runs

    def person(self, name, *, plausible_for: str):
        return self.world.people[name or PLAUSIBLE[plausible_for]]

    def attempt(self, case: Case, call) -> None:
        """Run an action; a refusal must leave the case exactly as it was, an accepted action
        must be logged. Both are counted in `outcomes`: refusals as "refused", accepted actions
        by the kinds of event they logged."""
        before = snapshot(case)
        last = case.events.aggregate(last=Max("pk"))["last"]
        try:
            call()
        except REFUSALS:
            assert snapshot(case) == before
            self.outcomes["refused"] += 1
        else:
            logged = list(case.events.filter(pk__gt=last).values_list("kind", flat=True))
            assert logged, "an accepted action logged no event"
            self.outcomes.update(logged)

    @precondition(lambda self: Case.objects.count() < 3)
    @rule(
        target=cases,
        area=st.sampled_from(["G1", "G2", "G3", "M1"]),
        by=st.sampled_from(["grid1", "grid2", "grid3", "community1", "resident"]),
        priority=st.sampled_from(["emergency", "urgent", "normal"]),
    )
    def report(self, area, by, priority):
        source = "resident" if by == "resident" else "grid_patrol"
        try:
            return self.world.report(
                area=area, by=by, source=source, priority=priority, contact_phone="13800000000"
            )
        except CaseActionDenied:
            return self.world.report(area="G1", by="grid1", priority=priority)

    @rule(
        case=cases,
        who=anyone,
        action=st.sampled_from(["accept", "reject", "whistle", "resolve", "verify", "rework"]),
    )
    def area_action(self, case, who, action):
        fresh = Case.objects.get(pk=case.pk)
        area = fresh.verifier_area if action in ("verify", "rework") else fresh.handling_area
        actor = self.person(who, plausible_for=area.code)
        calls = {
            "accept": lambda: services.case_accept(case=fresh, actor=actor),
            "reject": lambda: services.case_reject(case=fresh, actor=actor, reason="不受理"),
            "whistle": lambda: services.case_whistle(
                case=fresh, actor=actor, whistle_type="routine", reason="上报"
            ),
            "resolve": lambda: services.case_resolve(case=fresh, actor=actor, result="已处理"),
            "verify": lambda: services.case_verify(case=fresh, actor=actor),
            "rework": lambda: services.case_rework(case=fresh, actor=actor, reason="返工"),
        }
        self.attempt(case, calls[action])

    @rule(
        case=cases,
        who=anyone,
        departments=st.sets(st.sampled_from(["police", "city", "elsewhere"]), min_size=1),
    )
    def dispatch(self, case, who, departments):
        fresh = Case.objects.get(pk=case.pk)
        chosen = [self.world.departments[d] for d in sorted(departments)]
        actor = self.person(who, plausible_for=fresh.handling_area.code)
        self.attempt(
            case,
            lambda: services.case_dispatch(
                case=fresh,
                actor=actor,
                departments=chosen,
                lead=chosen[0],
                whistle_type="hard",
                reason="派遣",
            ),
        )

    @rule(
        case=cases,
        who=anyone,
        department=st.sampled_from(["police", "city"]),
        action=st.sampled_from(["claim", "return", "resolve"]),
    )
    def department_action(self, case, who, department, action):
        actor = self.person(who, plausible_for=department)
        dept, fresh = self.world.departments[department], case
        calls = {
            "claim": lambda: services.case_claim(case=fresh, department=dept, actor=actor),
            "return": lambda: services.case_return(
                case=fresh, department=dept, actor=actor, reason="退回"
            ),
            "resolve": lambda: services.case_dispatch_resolve(
                case=fresh, department=dept, actor=actor, result="已办结", photos=[photo()]
            ),
        }
        self.attempt(case, calls[action])

    @rule(
        case=cases,
        who=anyone,
        department=st.sampled_from(["police", "city"]),
        action=st.sampled_from(["accept_return", "refuse_return", "reassign", "move_on_return"]),
    )
    def dispatcher_action(self, case, who, department, action):
        """退单审核 and 改派 by the dispatching level (or whoever else tries)."""
        fresh = Case.objects.get(pk=case.pk)
        actor = self.person(who, plausible_for=fresh.handling_area.code)
        dept = self.world.departments[department]
        other = self.world.departments["city" if department == "police" else "police"]
        common = {"case": fresh, "department": dept, "actor": actor, "reason": "审核"}
        calls = {
            "accept_return": lambda: services.case_return_accept(**common),
            "move_on_return": lambda: services.case_return_accept(**common, to_department=other),
            "refuse_return": lambda: services.case_return_refuse(**common),
            "reassign": lambda: services.case_reassign(**common, to_department=other),
        }
        self.attempt(case, calls[action])

    @rule(
        case=cases, decision=st.sampled_from(["grant", "shorter", "refuse"]), days=st.integers(1, 5)
    )
    def extension(self, case, decision, days):
        """延期 asked by whoever handles the case, then decided by the approving level."""
        fresh = Case.objects.get(pk=case.pk)
        if fresh.level == Level.DEPARTMENT:
            part = fresh.dispatches.filter(active=True, claimed_by__isnull=False).first()
            asker = part.claimed_by if part else self.world.people["police_head"]
        else:
            asker = self.person(None, plausible_for=fresh.handling_area.code)
        due = (fresh.resolve_due or timezone.now()) + timedelta(days=days)
        self.attempt(
            case,
            lambda: services.case_extension_ask(case=fresh, actor=asker, due=due, reason="延期"),
        )
        fresh = Case.objects.get(pk=case.pk)
        approver = self.person(None, plausible_for=extension_approver_area(fresh).code)
        if decision == "refuse":
            call = lambda: services.case_extension_refuse(  # noqa: E731
                case=fresh, actor=approver, reason="不予延期"
            )
        else:
            granted = due - timedelta(hours=12) if decision == "shorter" else due
            call = lambda: services.case_extension_approve(  # noqa: E731
                case=fresh, actor=approver, due=granted
            )
        self.attempt(case, call)

    @rule(case=cases, days=st.integers(1, 3), by_hand=st.booleans())
    def suspension(self, case, days, by_hand):
        """挂起 by the supervising level, resumed by hand now or by the dispatcher at the date."""
        fresh = Case.objects.get(pk=case.pk)
        approver = self.person(None, plausible_for=extension_approver_area(fresh).code)
        resume_at = timezone.now() + timedelta(days=days)
        self.attempt(
            case,
            lambda: services.case_suspend(
                case=fresh, actor=approver, reason="weather", resume_at=resume_at
            ),
        )
        if by_hand:
            fresh = Case.objects.get(pk=case.pk)
            self.attempt(case, lambda: services.case_resume(case=fresh, actor=approver))

    @rule(case=cases, days=st.integers(1, 3), decision=st.sampled_from(["approve", "refuse"]))
    def suspension_asked(self, case, days, decision):
        """挂起 asked by whoever handles the case, approved or refused by the level above."""
        fresh = Case.objects.get(pk=case.pk)
        if fresh.level == Level.DEPARTMENT:
            part = fresh.dispatches.filter(active=True, claimed_by__isnull=False).first()
            asker = part.claimed_by if part else self.world.people["police_head"]
        else:
            asker = self.person(None, plausible_for=fresh.handling_area.code)
        resume_at = timezone.now() + timedelta(days=days)
        self.attempt(
            case,
            lambda: services.case_suspension_ask(
                case=fresh, actor=asker, reason="unreachable", resume_at=resume_at
            ),
        )
        fresh = Case.objects.get(pk=case.pk)
        approver = self.person(None, plausible_for=extension_approver_area(fresh).code)
        if decision == "refuse":
            call = lambda: services.case_suspension_refuse(  # noqa: E731
                case=fresh, actor=approver, reason="不予挂起"
            )
        else:
            call = lambda: services.case_suspension_approve(case=fresh, actor=approver)  # noqa: E731
        self.attempt(case, call)

    @rule(case=cases, hours=st.sampled_from([6, 30, 200]))
    def supervise(self, case, hours):
        """督办 by the street, due in a few hours or days (ends when the case closes)."""
        fresh = Case.objects.get(pk=case.pk)
        due = timezone.now() + timedelta(hours=hours)
        self.attempt(
            case,
            lambda: services.case_supervise(
                case=fresh, actor=self.world.people["street"], instruction="督办", due=due
            ),
        )

    @rule(
        case=cases,
        rating=st.sampled_from(["satisfied", "basically", "dissatisfied"]),
        by_phone=st.booleans(),
    )
    def rate(self, case, rating, by_phone):
        fresh = Case.objects.get(pk=case.pk)
        kwargs = {"phone": "13800000000"} if by_phone else {"actor": fresh.reporter}
        self.attempt(case, lambda: services.case_rate(case=fresh, rating=rating, **kwargs))

    @rule(case=cases, choice=st.integers(0, 11))
    def advance(self, case, choice):
        """The natural next step, by the right person, down a randomly chosen branch."""
        case = Case.objects.get(pk=case.pk)
        if case.status in (Status.REJECTED, Status.DUPLICATE):
            return  # no next step: attempting nothing is neither accepted nor refused
        self.attempt(case, lambda: self.next_step(case, choice))

    def next_step(self, case: Case, choice: int) -> None:
        handler = self.person(None, plausible_for=case.handling_area.code)
        if case.status == Status.REPORTED:
            if choice == 0:
                services.case_reject(case=case, actor=handler, reason="不受理")
            else:
                services.case_accept(case=case, actor=handler)
        elif case.status == Status.HANDLING and case.level in AREA_LEVELS:
            self.handle_step(case, handler, choice)
        elif case.status in (Status.DISPATCHED, Status.HANDLING):
            self.department_step(case, choice)
        elif case.status == Status.RESOLVED:
            verifier = self.person(None, plausible_for=case.verifier_area.code)
            if choice % 3 == 0:
                services.case_rework(case=case, actor=verifier, reason="返工")
            else:
                services.case_verify(case=case, actor=verifier)
        elif case.status == Status.CLOSED:
            rating = ["dissatisfied", "basically", "satisfied"][choice % 3]
            services.case_rate(case=case, rating=rating, phone="13800000000")

    def handle_step(self, case: Case, handler, choice: int) -> None:
        departments = [
            self.world.departments[d]
            for d in (["police"], ["police", "city"], ["city"])[choice % 3]
        ]
        if choice % 4 == 0 or (choice % 4 == 1 and case.level == Level.STREET):
            services.case_resolve(case=case, actor=handler, result="已处理")
        elif choice % 4 == 1 or case.level == Level.GRID:
            services.case_whistle(case=case, actor=handler, whistle_type="routine", reason="上报")
        else:
            services.case_dispatch(
                case=case,
                actor=handler,
                departments=departments,
                lead=departments[0],
                whistle_type="hard",
                reason="派遣",
            )

    def department_step(self, case: Case, choice: int) -> None:
        in_review = case.dispatches.filter(
            active=True, returned_at__isnull=False, return_accepted_at__isnull=True
        ).first()
        working = case.dispatches.filter(
            active=True, returned_at__isnull=True, resolved_at__isnull=True
        ).first()
        if in_review is not None:
            self.review_step(case, in_review.department, choice)
            return
        assert working is not None, "a case with its departments has a part to work on"
        dispatch = working
        department = dispatch.department
        if choice == 7:  # 改派 now and then, to the other department if it has no part
            other = self.world.departments["city" if department.code == "PCS" else "police"]
            dispatcher = self.person(None, plausible_for=case.handling_area.code)
            services.case_reassign(
                case=case,
                department=department,
                actor=dispatcher,
                to_department=other,
                reason="改派",
            )
            return
        name = "police" if department == self.world.departments["police"] else "city"
        actor = self.person(None, plausible_for=name)
        if choice % 5 == 0:
            services.case_return(case=case, department=department, actor=actor, reason="退回")
        elif dispatch.claimed_by_id is None:
            services.case_claim(case=case, department=department, actor=actor)
        else:
            services.case_dispatch_resolve(
                case=case, department=department, actor=actor, result="已办结", photos=[photo()]
            )

    def review_step(self, case: Case, department, choice: int) -> None:
        """退单审核 by the dispatching level: accept, accept and 改派, or refuse."""
        dispatcher = self.person(None, plausible_for=case.handling_area.code)
        common = {"case": case, "department": department, "actor": dispatcher, "reason": "审核"}
        other = self.world.departments["city" if department.code == "PCS" else "police"]
        if choice % 3 == 0:
            services.case_return_refuse(**common)
        elif choice % 3 == 1 and not case.dispatches.filter(active=True, department=other):
            services.case_return_accept(**common, to_department=other)
        else:
            services.case_return_accept(**common)

    @rule(minutes=st.sampled_from([3, 10, 40, 180, 60 * 24 * 8]))
    def time_passes(self, minutes):
        self.traveller.shift(timedelta(minutes=minutes))
        fire_due_timers()
        services.cases_resume_due()

    @invariant()
    def cases_are_consistent(self):
        assert not Task.objects.filter(status="ERROR").exists()
        for case in Case.objects.prefetch_related("dispatches"):
            self.check_case(case)
            event(f"{case.status}/{case.level}")  # --hypothesis-show-statistics shows coverage

    def check_case(self, case: Case) -> None:
        """The one checker of a whole case (workflows.integrity), on every case after every
        step: status, open steps, departments' parts and events agree."""
        tasks = list(Task.objects.filter(process_id=case.process_id, status__in=OPEN))
        events = list(CaseEvent.objects.filter(case=case).order_by("pk"))
        assert case_problems(case, events, tasks, list(case.dispatches.all())) == []


@pytest.mark.slow  # 20 random walks of 35 steps
class CaseMachineTest(TestCase):
    def test_random_walks_keep_every_invariant(self):
        from hypothesis.stateful import run_state_machine_as_test

        outcomes = Counter()
        run_state_machine_as_test(
            lambda: CaseMachine(outcomes),
            settings=settings(
                max_examples=20,
                stateful_step_count=35,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
        # Refusals leave nothing to check: walks in which everything is refused would pass
        # every invariant. Across the examples, actions must be accepted, past intake too.
        accepted = {kind for kind, count in outcomes.items() if kind != "refused" and count}
        assert accepted, f"all {outcomes['refused']} actions were refused"
        assert "case.accepted" in accepted, outcomes
        assert accepted & {"case.whistled", "case.dispatched", "case.resolved"}, outcomes
