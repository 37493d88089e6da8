"""Private answers are not cached; sessions end when idle and at an absolute age."""

import time_machine
from django.urls import reverse

from tests.factories import UserFactory


def test_pages_and_api_answers_are_private_and_not_stored(client, db):
    user = UserFactory(username="someone", password="pw-123456")
    client.force_login(user)
    for address in ("/notifications/", "/api/v1/categories/", "/track/", "/cases/"):
        response = client.get(address)
        assert "no-store" in response["Cache-Control"], address
        assert "private" in response["Cache-Control"], address
    static = client.get("/static/gridcase/site.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")


def test_an_idle_session_is_signed_out(client, db, settings):
    settings.GRIDCASE_SESSION_IDLE_SECONDS = 600
    settings.GRIDCASE_SESSION_MAX_SECONDS = None
    client.force_login(UserFactory())
    with time_machine.travel("2026-12-01 09:00:00+08:00", tick=False) as clock:
        assert client.get("/notifications/").status_code == 200
        clock.shift(599)
        assert client.get("/notifications/").status_code == 200  # activity restarts the clock
        clock.shift(599)
        assert client.get("/notifications/").status_code == 200
        clock.shift(601)
        response = client.get("/notifications/")
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert "_auth_user_id" not in client.session


def test_an_active_session_ends_at_its_absolute_age(client, db, settings):
    settings.GRIDCASE_SESSION_IDLE_SECONDS = 600
    settings.GRIDCASE_SESSION_MAX_SECONDS = 3600
    client.force_login(UserFactory())
    with time_machine.travel("2026-12-01 09:00:00+08:00", tick=False) as clock:
        for _ in range(8):  # never idle, at 0, 500, …, 3,500 s
            assert client.get("/notifications/").status_code == 200
            clock.shift(500)
        assert client.get("/notifications/").status_code == 302  # 4,000 s: past the hour


def test_prod_sets_both_limits():
    from tests.gridcase.test_settings import SECRET, manage

    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.GRIDCASE_SESSION_IDLE_SECONDS, s.GRIDCASE_SESSION_MAX_SECONDS, "
        "s.SESSION_COOKIE_AGE)",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="gridcase.example.org",
    )
    assert result.stdout.strip().splitlines()[-1] == f"{8 * 3600} {7 * 86400} {7 * 86400}"
