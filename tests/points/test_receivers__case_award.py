"""The closing award: the reporter earns the community's 随手拍 rule once per case, on the
closing event, in the same transaction; rejected or duplicate reports and staff earn nothing."""

import pytest
from django.db import transaction

from points.models import Account, Entry
from tests.points.conftest import closed
from workflows import services as case_services
from workflows.models import CaseEvent


def test_a_residents_closed_report_earns_once(points_world):
    case = points_world.report(area="M1", by="resident", source="resident")
    assert not Entry.objects.exists()  # nothing on report or acceptance
    case = closed(points_world, case)
    entry = Entry.objects.get()
    account = entry.account
    assert (entry.kind, entry.points, entry.case_id, entry.actor) == ("earn", 5, case.pk, None)
    assert (account.user.username, account.community.code, account.kind) == (
        "resident",
        "S-01",
        "resident",
    )
    assert account.balance == 5
    assert entry.created_at >= CaseEvent.objects.get(case=case, kind="case.closed").created_at


def test_a_reopened_case_closing_again_does_not_pay_twice(points_world):
    case = closed(points_world, points_world.report(area="M1", by="resident", source="resident"))
    case = case_services.case_rate(
        case=case, rating="dissatisfied", actor=points_world.people["resident"]
    )
    assert case.status == "handling" and case.reopen_count == 1
    actor = points_world.people["grid1"]
    case = case_services.case_resolve(case=case, actor=actor, result="再次清理")
    case = case_services.case_verify(case=case, actor=actor)
    assert CaseEvent.objects.filter(case=case, kind="case.closed").count() == 2
    assert Entry.objects.count() == 1
    assert Account.objects.get(user__username="resident").balance == 5


def test_a_part_time_grid_member_earns_as_a_rider(points_world):
    case = points_world.report(area="G2", by="rider", source="snapshot")
    closed(points_world, case, by="grid2")
    account = Entry.objects.get().account
    assert (account.user.username, account.kind) == ("rider", "rider")


def test_staff_reporting_in_their_work_earn_nothing(points_world):
    closed(points_world, points_world.report(area="G1", by="grid1"))
    assert not Entry.objects.exists()


def test_rejected_and_duplicate_reports_earn_nothing(points_world):
    actor = points_world.people["grid1"]
    first = points_world.report(area="M1", by="resident", source="resident")
    case_services.case_reject(case=first, actor=actor, reason="不属于受理范围")
    original = closed(points_world, points_world.report(area="G1", by="grid1"))
    second = points_world.report(area="M1", by="resident", source="resident")
    case_services.case_mark_duplicate(case=second, actor=actor, original=original)
    assert not Entry.objects.exists()


def test_a_resident_without_login_earns_by_phone(points_world, django_capture_on_commit_callbacks):
    from notifications import sms

    sms.outbox.clear()
    case = case_services.case_report(
        title="路灯不亮",
        description="3栋门口路灯坏了",
        category=points_world.report().category,
        area=points_world.areas["G1"],
        source="resident",
        contact_name="王先生",
        contact_phone="13800138000",
    )
    with django_capture_on_commit_callbacks(execute=True):
        closed(points_world, case)
    account = Entry.objects.get(case=case).account
    texts = [m for m in sms.outbox if m.phone == "13800138000" and "积分" in m.text]
    assert len(texts) == 1 and case.number in texts[0].text and "5 积分" in texts[0].text
    assert (account.user, account.phone, account.name, account.balance) == (
        None,
        "13800138000",
        "王先生",
        5,
    )


def test_no_rule_no_award(points_world):
    points_world.rules["case"].active = False
    points_world.rules["case"].save()
    closed(points_world, points_world.report(area="M1", by="resident", source="resident"))
    assert not Entry.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_award_rolls_back_with_the_closing(points_world):
    case = points_world.report(area="M1", by="resident", source="resident")
    actor = points_world.people["grid1"]
    case = case_services.case_accept(case=case, actor=actor)
    case = case_services.case_resolve(case=case, actor=actor, result="已清理")
    with pytest.raises(RuntimeError), transaction.atomic():
        case_services.case_verify(case=case, actor=actor)
        assert Entry.objects.filter(case=case).count() == 1  # written inside the closing
        raise RuntimeError("the closing fails after the signal")
    assert not Entry.objects.exists()
    case.refresh_from_db()
    assert case.status == "resolved"
