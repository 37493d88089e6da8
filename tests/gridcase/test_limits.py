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
def small_limits(settings):
    settings.GRIDCASE_RATE_LIMITS = {"login": "3/minute", "report": "2/hour"}


def test_parse_rate():
    assert parse_rate("30/hour") == (30, 3600)
    assert parse_rate("10/minutes") == (10, 60)


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
    for _ in range(3):
        assert client.post(login, {"username": "someone", "password": "no"}).status_code == 200
    refused = client.post(login, {"username": "someone", "password": "no"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "rate_limited"
    assert client.get(login).status_code == 200  # the form itself stays reachable
    other = client.post(login, {"username": "someone", "password": "no"}, REMOTE_ADDR="10.1.1.1")
    assert other.status_code == 200


def test_the_api_token_shares_the_login_limit(client, db, small_limits):
    UserFactory(username="someone")
    for _ in range(3):
        response = client.post("/api/v1/auth/token/", {"username": "someone", "password": "no"})
        assert response.status_code == 400
    refused = client.post("/api/v1/auth/token/", {"username": "someone", "password": "pw"})
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) >= 1


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
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    settings.GRIDCASE_MAX_REQUEST_BYTES = 10**8
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "p"})
    assert response.status_code == 413  # found by the view reading the form
    strict = Client(enforce_csrf_checks=True)  # found by the CSRF check, before any view
    strict.get(reverse("login"))  # the CSRF cookie, so the check goes on to read the form
    response = strict.post(reverse("login"), {"username": "x" * 5000, "password": "p"})
    assert response.status_code == 413 and response.json()["code"] == "too_large"
