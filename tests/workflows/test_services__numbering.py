"""Case numbers: per street and day, unique under concurrent intake, readable.

The race test uses real threads, each with its own database connection, released together
by a barrier; the suite runs on SQLite (file database, IMMEDIATE transactions) and again on
PostgreSQL, so this proves both. The number is taken in its own short transaction before the
report's (see `case_number_next`), so these tests also pin what happens around it.
"""

import re
import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.threads import all_at_once
from workflows.models import Case, CaseNumberSequence
from workflows.services import intake
from workflows.services.common import case_number_next

REPORTERS = 8
PER_REPORTER = 3


def report_all_at_once(world, people: list[tuple[str, str]]) -> list[object]:
    """Each (grid, person) reports PER_REPORTER cases, all starting together: every number,
    and every exception raised."""

    def reports(grid: str, person: str):
        return lambda: [world.report(area=grid, by=person).number for _ in range(PER_REPORTER)]

    outcomes: list[object] = []
    for result in all_at_once([reports(grid, person) for grid, person in people]):
        outcomes += result if isinstance(result, list) else [result]
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_reports_in_one_street_get_distinct_numbers(world):
    grids = [("G1", "grid1"), ("G2", "grid2"), ("G3", "grid3"), ("G1", "leader1")]
    people = [grids[i % len(grids)] for i in range(REPORTERS)]  # several threads per person

    outcomes = report_all_at_once(world, people)

    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert not failures, failures
    numbers = sorted(outcomes)
    assert len(numbers) == REPORTERS * PER_REPORTER == len(set(numbers))
    today = timezone.localdate()
    assert all(re.fullmatch(rf"S-{today:%Y%m%d}-\d{{4}}", n) for n in numbers), numbers
    # nothing failed, so nothing was skipped: 0001 … 0024 exactly
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, len(numbers) + 1))
    assert CaseNumberSequence.objects.get(street=world.areas["S"], day=today).last == len(numbers)
    assert Case.objects.filter(number__in=numbers).count() == len(numbers)


@pytest.mark.django_db
def test_numbers_count_per_street_and_day(world):
    first, second = world.report(), world.report(area="G3", by="grid3")
    today = f"{timezone.localdate():%Y%m%d}"
    assert (first.number, second.number) == (f"S-{today}-0001", f"S-{today}-0002")
    assert case_number_next(world.areas["M1"], date(2030, 1, 2)) == "S-20300102-0001"
    assert case_number_next(world.areas["G2"], date(2030, 1, 2)) == "S-20300102-0002"


@pytest.mark.django_db
def test_a_report_failing_after_its_number_leaves_a_gap_never_a_duplicate(world, monkeypatch):
    first = world.report(submission_key=uuid.uuid4())
    with pytest.raises(ValidationError):  # a photo that is no image: refused before numbering
        world.report(photos=[SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")])
    # A retry racing its first sending passes the early lookup before the first one commits;
    # the database's unique key then refuses it inside the report's transaction, after the
    # number was taken: the case is rolled back, its number is not.
    monkeypatch.setattr(intake, "_earlier_submission", lambda *_args: None)
    with pytest.raises(IntegrityError):
        world.report(submission_key=first.submission_key)
    monkeypatch.undo()
    after = world.report()
    today = f"{timezone.localdate():%Y%m%d}"
    assert first.number == f"S-{today}-0001"
    assert after.number == f"S-{today}-0003"  # 0002 went to the refused report
    assert not Case.objects.filter(number=f"S-{today}-0002").exists()
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_inside_a_callers_transaction_a_rolled_back_report_returns_its_number(world):
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        world.report()
        raise Undo
    today = f"{timezone.localdate():%Y%m%d}"
    assert world.report().number == f"S-{today}-0001"
