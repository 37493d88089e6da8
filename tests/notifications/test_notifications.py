"""In-app notifications: who gets them, email for whistles and overdue, the list, read marks."""

from django.core import mail

from notifications.models import Notification
from workflows import services


def test_a_whistle_notifies_the_level_above_in_app_and_by_email(
    world, django_capture_on_commit_callbacks
):
    world.people["community1"].email = "community1@example.org"
    world.people["community1"].save()
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    with django_capture_on_commit_callbacks(execute=True):
        services.case_whistle(
            case=case, actor=world.people["grid1"], whistle_type="routine", reason="需要社区协调"
        )
    note = Notification.objects.get(kind="whistle")
    assert note.recipient.username == "community1" and case.number in note.text
    assert [m.to for m in mail.outbox] == [["community1@example.org"]]
    assert "需要社区协调" in mail.outbox[0].body


def test_an_alert_with_a_line_break_is_mailed_with_a_one_line_subject(
    world, django_capture_on_commit_callbacks
):
    world.people["community1"].email = "community1@example.org"
    world.people["community1"].save()
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    with django_capture_on_commit_callbacks(execute=True):
        services.case_whistle(
            case=case,
            actor=world.people["grid1"],
            whistle_type="routine",
            reason="第一行：楼道堆物\n第二行：需要物业配合",
        )
    assert len(mail.outbox) == 1  # not dropped by BadHeaderError
    subject = mail.outbox[0].subject
    assert "\n" not in subject and "第一行：楼道堆物 第二行" in subject
    assert "第一行：楼道堆物\n第二行：需要物业配合" in mail.outbox[0].body


def test_nothing_is_mailed_when_the_transaction_rolls_back(
    world, django_capture_on_commit_callbacks
):
    world.people["community1"].email = "community1@example.org"
    world.people["community1"].save()
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_whistle(
            case=case, actor=world.people["grid1"], whistle_type="routine", reason="r"
        )
    assert callbacks and mail.outbox == []  # mail waits for the commit


def test_queue_notifications_are_in_app_only(world, django_capture_on_commit_callbacks):
    world.people["cop1"].email = "cop1@example.org"
    world.people["cop1"].save()
    with django_capture_on_commit_callbacks(execute=True):
        world.dispatched("police")
    assert Notification.objects.filter(recipient=world.people["cop1"], kind="queue").exists()
    assert mail.outbox == []


def test_the_list_shows_only_mine_and_marks_read(client, world):
    world.report()  # grid1 and leader1 are told about the new case
    client.force_login(world.people["grid1"])
    page = client.get("/notifications/").content.decode()
    assert "新案件" in page and 'class="unread"' in page
    mine = Notification.objects.get(recipient=world.people["grid1"])
    theirs = Notification.objects.get(recipient=world.people["leader1"])
    response = client.post("/notifications/read/", {"id": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_mark_all_read(client, world):
    world.report()
    world.report()
    client.force_login(world.people["grid1"])
    client.post("/notifications/read/")
    assert not Notification.objects.filter(
        recipient=world.people["grid1"], read_at__isnull=True
    ).exists()


def test_the_top_bar_shows_the_unread_count(client, world):
    world.report()
    client.force_login(world.people["grid1"])
    page = client.get("/w/grid/").content.decode()
    assert "data-unread>1</span>" in page
    assert 'data-streams="' in page and "area:S-01-01" in page


def test_the_list_page_asks_to_be_refreshed_when_notifications_change(client, world):
    client.force_login(world.people["grid1"])
    assert "data-refresh-on-notifications" in client.get("/notifications/").content.decode()
    assert "data-refresh-on-notifications" not in client.get("/w/grid/").content.decode()
