"""Abuse limits: 429 with Retry-After per client address (login, the REST token, any view
decorated with `rate_limited`), and 413 for bodies above the configured size."""

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from gridcase.limits import hit, parse_rate, rate_limited
from tests.factories import UserFactory


@pytest.fixture
def small_limits(settings, minute_window):
    settings.GRIDCASE_RATE_LIMITS = {
        "login": "3/minute",
        "login_account": "5/15minute",
        "report": "2/hour",
        "ws_connect": "2/minute",
    }


def test_parse_rate():
    assert parse_rate("30/hour") == (30, 3600)
    assert parse_rate("10/minutes") == (10, 60)
    assert parse_rate("5/15minute") == (5, 900)


def test_windows_reset(small_limits):
    with time_machine.travel("2026-11-21 10:00:10+00:00", tick=False):
        assert [hit("report", "ip:a") for _ in range(2)] == [None, None]
        assert hit("report", "ip:a") == pytest.approx(3600 - 10)
        assert hit("report", "ip:b") is None  # another address has its own count
    with time_machine.travel("2026-11-21 11:00:01+00:00", tick=False):
        assert hit("report", "ip:a") is None


def test_login_posts_are_limited_per_address(client, db, small_limits):
    UserFactory(username="someone")
    login = reverse("login")
    for name in ("someone", "nobody", "other"):
        assert client.post(login, {"username": name, "password": "no"}).status_code == 200
    refused = client.post(login, {"username": "fresh", "password": "no"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"].startswith("text/html")
    assert 'data-refused="429"' in refused.content.decode()  # a page in the site's layout
    english = client.post(login, {"username": "x", "password": "no"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign-in is locked; try again in 1 minute" in english.content.decode()
    assert client.get(login).status_code == 200  # the form itself stays reachable
    other = client.post(login, {"username": "fresh", "password": "no"}, REMOTE_ADDR="10.1.1.1")
    assert other.status_code == 200


def test_an_account_is_locked_whatever_the_address(client, db, small_limits):
    UserFactory(username="target", password="right-password")
    login = reverse("login")
    for n in range(5):
        wrong = client.post(
            login, {"username": "Target", "password": "no"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
        assert wrong.status_code == 200
    right = {"username": "target", "password": "right-password"}
    refused = client.post(login, right, REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "_auth_user_id" not in client.session
    other = Client()
    UserFactory(username="bystander", password="right-password")
    signed_in = other.post(login, {"username": "bystander", "password": "right-password"})
    assert signed_in.status_code == 302  # another account is not locked


def test_the_admin_login_is_limited_too(client, db, small_limits):
    UserFactory(username="boss", is_staff=True)
    admin_login = reverse("admin:login")
    for _ in range(3):
        assert client.post(admin_login, {"username": "boss", "password": "no"}).status_code == 200
    refused = client.post(admin_login, {"username": "boss", "password": "no"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert 'data-refused="429"' in refused.content.decode()


def test_the_api_token_shares_the_login_limit(client, db, small_limits):
    UserFactory(username="someone")
    for _ in range(3):
        response = client.post("/api/v1/auth/token/", {"username": "someone", "password": "no"})
        assert response.status_code == 400
    refused = client.post(
        "/api/v1/auth/token/", {"username": "someone", "password": "pw"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert "Sign-in is locked" in refused.json()["detail"]
    assert int(refused["Retry-After"]) >= 1
    # the page login from the same address is locked as well: one count for every way in
    assert client.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 429


def test_wrong_open311_keys_lock_the_address(client, db, small_limits):
    for _ in range(3):
        response = client.post("/open311/v2/requests.json", {"api_key": "guess", "lat": "1"})
        assert response.status_code == 403
    refused = client.post(
        "/open311/v2/requests.json", {"api_key": "guess2", "lat": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()[0]["description"].startswith("api_key: Too many failed sign-ins")


def test_forwarded_for_is_believed_from_trusted_proxies_only(settings, rf):
    from gridcase.limits import client_address

    forwarded = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.0.0.7", "REMOTE_ADDR": "10.0.0.9"}
    assert client_address(rf.get("/", **forwarded)) == "10.0.0.9"  # no trusted proxies
    settings.GRIDCASE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(rf.get("/", **forwarded)) == "1.2.3.4"
    # a client cannot pass itself off as another by writing the header itself
    spoofed = {"HTTP_X_FORWARDED_FOR": "8.8.8.8, 5.6.7.8", "REMOTE_ADDR": "10.0.0.9"}
    assert client_address(rf.get("/", **spoofed)) == "5.6.7.8"
    direct = {"HTTP_X_FORWARDED_FOR": "8.8.8.8", "REMOTE_ADDR": "5.6.7.8"}
    assert client_address(rf.get("/", **direct)) == "5.6.7.8"  # not through the proxy
    garbage = {"HTTP_X_FORWARDED_FOR": "<script>", "REMOTE_ADDR": "10.0.0.9"}
    assert client_address(rf.get("/", **garbage)) == "10.0.0.9"


def test_the_decorator_for_plain_views(small_limits):
    @rate_limited("report", api_key=lambda request: request.POST.get("key", ""))
    def report(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    assert report(factory.post("/", {"key": "k1"})).status_code == 200
    assert report(factory.post("/", {"key": "k1"}, REMOTE_ADDR="10.0.0.2")).status_code == 200
    # a third request with key k1, from a third address: the key is over its limit
    assert report(factory.post("/", {"key": "k1"}, REMOTE_ADDR="10.0.0.3")).status_code == 429
    assert report(factory.get("/")).status_code == 200  # only POSTs count


def test_bodies_over_the_limit_get_413(client, db, settings):
    settings.GRIDCASE_MAX_REQUEST_BYTES = 2000
    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "p"})
    assert response.status_code == 413 and 'data-refused="413"' in response.content.decode()
    settings.GRIDCASE_MAX_REQUEST_BYTES = 10**8
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "p"})
    assert response.status_code == 413  # found by the view reading the form
    strict = Client(enforce_csrf_checks=True)  # found by the CSRF check, before any view
    strict.get(reverse("login"))  # the CSRF cookie, so the check goes on to read the form
    response = strict.post(
        reverse("login"), {"username": "x" * 5000, "password": "p"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 413 and response.json()["code"] == "too_large"
