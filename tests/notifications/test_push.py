"""Web Push against a real local HTTP server playing the push service: it checks the VAPID
signature with the server's public key and decrypts the aes128gcm payload with the private
key of the subscription (made here, as a browser makes it)."""

import io
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.exceptions import ValidationError
from django.core.management import call_command

from notifications import push
from notifications.models import Notification, PushSubscription
from workflows import services
from workflows.models import CaseDispatch


class PushService(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 201

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        PushService.received.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )
        self.send_response(PushService.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class Browser:
    """A browser's side of a subscription: its P-256 key pair and auth secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.p256dh = push.b64url(point)

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def vapid_claims(authorization: str, public_key: str) -> dict:
    """Check `vapid t=<JWT>,k=<key>` (RFC 8292) as a push service does: the key is the
    server's, and the JWT's ES256 signature verifies with it. Returns the claims."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    parts = dict(item.split("=", 1) for item in params.split(","))
    assert parts["k"] == public_key
    header, claims, signature = parts["t"].split(".")
    raw = push.b64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), push.b64url_decode(public_key)
    )
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if bad
    assert json.loads(push.b64url_decode(header)) == {"typ": "JWT", "alg": "ES256"}
    return json.loads(push.b64url_decode(claims))


@pytest.fixture
def service(settings):
    server = HTTPServer(("127.0.0.1", 0), PushService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    PushService.received, PushService.status = [], 201
    keys = push.keys_generate()
    settings.GRIDCASE_WEBPUSH_PRIVATE_KEY = keys.private
    settings.GRIDCASE_WEBPUSH_ALLOW_HTTP = True
    settings.GRIDCASE_WEBPUSH_SUBJECT = "mailto:ops@gridcase.example.org"
    PushService.url, PushService.keys = f"http://127.0.0.1:{server.server_port}", keys
    yield PushService
    push._worker.stop()
    server.shutdown()
    server.server_close()


def subscribe(service, user, name: str = "a") -> Browser:
    browser = Browser()
    push.push_subscribe(
        user=user,
        endpoint=f"{service.url}/wpush/{name}",
        p256dh=browser.p256dh,
        auth=push.b64url(browser.auth),
    )
    return browser


def whistle(world, reason: str = "需要社区协调"):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    return services.case_whistle(
        case=case, actor=world.people["grid1"], whistle_type="routine", reason=reason
    )


def test_a_whistle_is_queued_then_sent_signed_and_encrypted(world, service):
    browser = subscribe(service, world.people["community1"])
    case = whistle(world)
    note = Notification.objects.get(kind="whistle", recipient=world.people["community1"])
    assert note.push_pending and service.received == []  # queued, nothing sent in the request
    assert push.push_work() is False
    (request,) = service.received
    assert request["path"] == "/wpush/a"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert int(request["headers"]["ttl"]) == 24 * 3600
    claims = vapid_claims(request["headers"]["authorization"], service.keys.public)
    assert claims["aud"] == service.url and claims["sub"] == "mailto:ops@gridcase.example.org"
    assert claims["exp"] > time.time()
    message = browser.decrypt(request["body"])
    assert case.number in message["body"] and message["url"] == f"/cases/{case.number}/"
    assert message["title"].endswith("Whistle to your level") or "吹哨" in message["title"]
    note.refresh_from_db()
    assert not note.push_pending
    subscription = PushSubscription.objects.get()
    assert subscription.last_success_at is not None and subscription.failures == 0
    assert push.push_work() is False and len(service.received) == 1  # sent once


def test_the_signature_check_refuses_another_key(world, service):
    subscribe(service, world.people["community1"])
    whistle(world)
    push.push_work()
    other = push.keys_generate().public
    with pytest.raises(AssertionError):
        vapid_claims(service.received[0]["headers"]["authorization"], other)
    forged = service.received[0]["headers"]["authorization"].replace(
        f"k={service.keys.public}", f"k={other}"
    )
    with pytest.raises(InvalidSignature):
        vapid_claims(forged, other)


def test_dispatches_and_returns_are_pushed_updates_are_not(world, service):
    cop = world.people["cop1"]
    browser = subscribe(service, cop)
    case = world.dispatched("police")  # a queue notification for the police station
    push.push_work()
    texts = [browser.decrypt(r["body"])["body"] for r in service.received]
    assert len(texts) == 1 and case.number in texts[0] and "请报到" in texts[0]
    police = CaseDispatch.objects.get(case=case).department
    services.case_claim(case=case, department=police, actor=cop)
    push.push_work()
    assert len(service.received) == 1  # "claimed" is an in-app update only
    dispatcher = subscribe(service, world.people["community1"], "community")
    services.case_return(case=case, department=police, actor=cop, reason="不属于本所职责")
    push.push_work()
    returned = [
        dispatcher.decrypt(r["body"]) for r in service.received if r["path"] == "/wpush/community"
    ]
    assert [m["body"] for m in returned] == [f"{police} 退回 {case.number}：不属于本所职责"]


def test_the_timer_dispatcher_sends_what_is_left_queued(world, service):
    """Rows whose process stopped before its push thread sent them: the next sweep of
    `run_timers` sends them (its periodic work)."""
    browser = subscribe(service, world.people["community1"])
    case = whistle(world)
    call_command("run_timers", "--once", stdout=io.StringIO())
    (request,) = service.received
    assert case.number in browser.decrypt(request["body"])["body"]
    assert not Notification.objects.filter(push_pending=True).exists()


def test_an_overdue_alert_is_pushed(world, service):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    browser = subscribe(service, world.people["grid1"])
    services.case_mark_overdue(case=case, what="resolve")
    push.push_work()
    (request,) = service.received
    assert browser.decrypt(request["body"])["body"] == f"超期 {case.number}：{case.title}"


def test_a_gone_subscription_is_deleted_and_a_failing_service_breaks_nothing(world, service):
    subscribe(service, world.people["community1"])
    service.status = 410
    whistle(world)
    push.push_work()
    assert len(service.received) == 1 and not PushSubscription.objects.exists()
    subscribe(service, world.people["community1"], "b")
    service.status = 500
    case = whistle(world)
    push.push_work()
    assert PushSubscription.objects.get().failures == 1
    assert case.status == "handling" and not Notification.objects.filter(push_pending=True)


def test_an_unreachable_push_service_is_counted_not_raised(world, service, settings):
    browser = Browser()
    push.push_subscribe(
        user=world.people["community1"],
        endpoint="http://127.0.0.1:1/wpush/x",  # nothing listens there
        p256dh=browser.p256dh,
        auth=push.b64url(browser.auth),
    )
    whistle(world)
    assert push.push_work() is False
    assert PushSubscription.objects.get().failures == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_commit_the_background_thread_sends_without_the_request_waiting(world, service):
    """The real path: the whistle commits, its on-commit callback wakes the push thread,
    which sends while the service call has already returned."""
    browser = subscribe(service, world.people["community1"])
    whistle(world, reason="第一行\n第二行")
    deadline = time.monotonic() + 20
    while not service.received and time.monotonic() < deadline:
        time.sleep(0.05)
    (request,) = service.received
    assert "第一行\n第二行" in browser.decrypt(request["body"])["body"]
    assert not Notification.objects.filter(push_pending=True).exists()


def test_nothing_is_queued_without_keys_or_without_a_subscription(world, service, settings):
    whistle(world)  # nobody subscribed
    assert not Notification.objects.filter(push_pending=True).exists()
    subscribe(service, world.people["community1"])
    settings.GRIDCASE_WEBPUSH_PRIVATE_KEY = ""  # and no keys file (test settings)
    whistle(world)
    assert not Notification.objects.filter(push_pending=True).exists()
    assert push.push_work() is False and service.received == []


def test_subscriptions_are_checked_one_per_endpoint_and_kept_per_person(world, service):
    community1, leader = world.people["community1"], world.people["leader1"]
    browser = subscribe(service, community1)
    subscribe(service, community1, "b")
    assert PushSubscription.objects.filter(user=community1).count() == 2
    push.push_subscribe(
        user=leader, endpoint=f"{service.url}/wpush/a", p256dh=browser.p256dh, auth="A" * 22
    )
    assert PushSubscription.objects.get(endpoint__endswith="/a").user == leader  # moved
    for endpoint, p256dh in (
        ("ftp://x/y", browser.p256dh),
        (f"{service.url}/c", "AAAA"),
        (f"{service.url}/c", browser.p256dh[:-4]),
    ):
        with pytest.raises(ValidationError):
            push.push_subscribe(user=leader, endpoint=endpoint, p256dh=p256dh, auth="A" * 22)
    assert push.push_unsubscribe(user=community1, endpoint=f"{service.url}/wpush/a") == 0
    assert push.push_unsubscribe(user=leader, endpoint=f"{service.url}/wpush/a") == 1


def test_https_is_required_unless_allowed(world, settings):
    settings.GRIDCASE_WEBPUSH_ALLOW_HTTP = False
    with pytest.raises(ValidationError, match="https"):
        push.push_subscribe(
            user=world.people["grid1"], endpoint="http://127.0.0.1/x", p256dh="", auth=""
        )


def test_the_page_endpoint_subscribes_and_unsubscribes(client, world, service):
    client.force_login(world.people["grid1"])
    browser = Browser()
    body = {
        "action": "subscribe",
        "endpoint": f"{service.url}/wpush/page",
        "keys": {"p256dh": browser.p256dh, "auth": push.b64url(browser.auth)},
    }
    answer = client.post("/notifications/push/", body, content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"subscriptions": 1}
    bad = client.post(
        "/notifications/push/", {**body, "keys": {"p256dh": 1}}, content_type="application/json"
    )
    assert bad.status_code == 400 and "error" in bad.json()
    assert (
        client.post("/notifications/push/", "x", content_type="application/json").status_code == 400
    )
    page = client.get("/notifications/").content.decode()
    assert f'data-key="{service.keys.public}"' in page and "notifications/push.js" in page
    off = {"action": "unsubscribe", "endpoint": body["endpoint"]}
    answer = client.post("/notifications/push/", off, content_type="application/json")
    assert answer.json() == {"subscriptions": 0}


def test_without_keys_the_page_offers_no_push(client, world):
    client.force_login(world.people["grid1"])
    page = client.get("/notifications/").content.decode()
    assert "push-settings" not in page and "push.js" not in page


def test_the_service_worker_is_served_from_the_root(client, db):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/" and answer["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in answer["Content-Security-Policy"]
    text = answer.content.decode()
    assert 'addEventListener("push"' in text and "showNotification" in text


def test_the_keys_command_writes_once_and_replaces_on_request(settings, tmp_path):
    settings.GRIDCASE_WEBPUSH_KEYS_FILE = tmp_path / "keys.json"
    call_command("webpush_keys")
    first = push.vapid_keys()
    assert first is not None and (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600
    call_command("webpush_keys", "--if-missing")
    assert push.vapid_keys() == first
    with pytest.raises(Exception, match="--replace"):
        call_command("webpush_keys")
    call_command("webpush_keys", "--replace")
    second = push.vapid_keys()
    assert second is not None and second != first
    assert len(push.b64url_decode(second.public)) == 65


def test_a_broken_key_means_no_push_not_a_failed_action(world, service, settings, tmp_path):
    subscribe(service, world.people["community1"])
    settings.GRIDCASE_WEBPUSH_PRIVATE_KEY = ""
    settings.GRIDCASE_WEBPUSH_KEYS_FILE = tmp_path / "keys.json"
    (tmp_path / "keys.json").write_text("{not json")
    case = whistle(world)
    assert case.status == "handling" and push.vapid_keys() is None
    assert not Notification.objects.filter(push_pending=True).exists()
