"""Web Push: notifications that reach a person whose page is closed (pywebpush).

A browser subscribes on the notifications page (`static/notifications/push.js`, the service
worker at `/sw.js`); its push service's endpoint and keys are a `PushSubscription`. The sending
follows the SMS pattern (after commit, never inside the request's transaction) and does not
block the request either:

- `notify` marks the rows of pushed kinds `push_pending` for recipients with a subscription,
  in the writing transaction (the outbox is the notification rows themselves);
- on commit, `push_kick` wakes this process's push thread, which works the pending rows
  (`push_work`); the timer dispatcher (`run_timers`) works them too between its sweeps
  (`gridcase.periodic`), so rows left by a process that stopped are sent by the next sweep;
- each row is claimed by a compare-and-set update before it is sent (at most once: a push is
  a prompt to look, the notification list has the whole story), encrypted (aes128gcm) for each
  of the recipient's subscriptions and signed with the VAPID key; a 404 or 410 from the push
  service deletes the subscription, other failures are counted (`MAX_FAILURES` in a row
  delete it too).

Keys: `manage.py webpush_keys` writes `GRIDCASE_WEBPUSH_KEYS_FILE`; the settings
`GRIDCASE_WEBPUSH_PRIVATE_KEY` (and `_PUBLIC_KEY`) take precedence.
"""

import base64
import binascii
import contextlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from .models import Notification, PushSubscription

if TYPE_CHECKING:
    from grids.models import User

logger = logging.getLogger(__name__)

PUSHED_KINDS = (Notification.Kind.WHISTLE, Notification.Kind.QUEUE, Notification.Kind.OVERDUE)
MAX_FAILURES = 20  # failed sends in a row before a subscription is given up
MAX_PER_USER = 10  # browsers one person may subscribe; the oldest goes first
SLICE = 20  # notifications one `push_work` call sends
TIMEOUT = 10.0  # seconds for one push service


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class VapidKeys:
    private: str  # base64url of the raw 32-byte P-256 private value
    public: str  # base64url of the uncompressed point: the browsers' applicationServerKey


def _public_of(private: str) -> str:
    vapid = Vapid.from_string(private)
    point = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def keys_generate() -> VapidKeys:
    vapid = Vapid()
    vapid.generate_keys()
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return VapidKeys(private=b64url(private), public=_public_of(b64url(private)))


def keys_write(path: Path, keys: VapidKeys) -> None:
    """Write the key pair as JSON, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump({"private_key": keys.private, "public_key": keys.public}, file)


def vapid_keys() -> VapidKeys | None:
    """The server's key pair (settings first, then the keys file), or None: no push. Never
    raises (it is asked inside every notifying transaction): a broken key is logged."""
    try:
        private = settings.GRIDCASE_WEBPUSH_PRIVATE_KEY
        if not private:
            path = Path(settings.GRIDCASE_WEBPUSH_KEYS_FILE)
            if not path.is_file():
                return None
            private = json.loads(path.read_text())["private_key"]
        public = _public_of(private)
    except Exception:
        logger.exception("the Web Push key is unreadable: no push")
        return None
    if settings.GRIDCASE_WEBPUSH_PUBLIC_KEY not in ("", public):
        logger.error("GRIDCASE_WEBPUSH_PUBLIC_KEY is not the private key's: using the latter's")
    return VapidKeys(private=private, public=public)


# --- subscriptions ---------------------------------------------------------------------------


def _endpoint_check(endpoint: str) -> str:
    endpoint = endpoint.strip()
    secure = endpoint.startswith("https://")
    if not (secure or (settings.GRIDCASE_WEBPUSH_ALLOW_HTTP and endpoint.startswith("http://"))):
        raise ValidationError(_("A push endpoint must be an https address."))
    if len(endpoint) > 1000:
        raise ValidationError(_("The push endpoint is too long."))
    return endpoint


def _key_check(text: str, size: int, first: bytes = b"") -> str:
    try:
        raw = b64url_decode(text)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("The subscription's keys are not valid.")) from exc
    if len(raw) != size or not raw.startswith(first):
        raise ValidationError(_("The subscription's keys are not valid."))
    return text


@transaction.atomic
def push_subscribe(
    *, user: "User", endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Keep this browser's subscription for `user` (one row per endpoint: a browser that
    another account used moves to this one)."""
    endpoint = _endpoint_check(endpoint)
    p256dh = _key_check(p256dh, 65, b"\x04")  # an uncompressed P-256 point
    auth = _key_check(auth, 16)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": user_agent[:200],
            "failures": 0,
        },
    )
    older = PushSubscription.objects.filter(user=user).order_by("-created_at", "-pk")
    stale = list(older.values_list("pk", flat=True)[MAX_PER_USER:])
    PushSubscription.objects.filter(pk__in=stale).delete()
    return subscription


def push_unsubscribe(*, user: "User", endpoint: str) -> int:
    """Forget the user's subscription at `endpoint` (someone else's is left alone)."""
    deleted, _by_model = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted


# --- queueing and sending --------------------------------------------------------------------


def push_mark(rows: list[Notification], kind: str, push: bool | None) -> bool:
    """In the writing transaction: mark the rows to push (pushed kinds, or `push=True`) whose
    recipient has a subscription; True when any was marked (then kick after commit)."""
    if not rows or not (push if push is not None else kind in PUSHED_KINDS):
        return False
    if vapid_keys() is None:
        return False
    users = {row.recipient_id for row in rows}
    subscribed = set(
        PushSubscription.objects.filter(user_id__in=users).values_list("user_id", flat=True)
    )
    for row in rows:
        row.push_pending = row.recipient_id in subscribed
    return bool(subscribed)


def push_kick() -> None:
    """After commit: wake the push thread (started on first use, ends when idle)."""
    _worker.kick()


def _payload(note: Notification) -> str:
    url = reverse("notification_list")
    if note.case_id is not None and note.case is not None:
        with contextlib.suppress(NoReverseMatch):
            url = reverse("case_detail", args=[note.case.number])
    with translation.override(settings.LANGUAGE_CODE):
        title = f"{_('GridCase')} · {note.get_kind_display()}"
    body = {"title": title, "body": note.text, "url": url, "tag": f"notification-{note.pk}"}
    return json.dumps(body, ensure_ascii=False)


def _deliver(subscription: PushSubscription, data: str, keys: VapidKeys) -> None:
    status: int | None = None
    try:
        webpush(
            subscription.info(),
            data=data,
            vapid_private_key=keys.private,
            vapid_claims={"sub": settings.GRIDCASE_WEBPUSH_SUBJECT},
            ttl=settings.GRIDCASE_WEBPUSH_TTL,
            timeout=TIMEOUT,
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        logger.warning("push to %s failed: %s", subscription.endpoint[:60], status or exc)
    except (requests.RequestException, OSError) as exc:
        logger.warning("push service %s unreachable: %s", subscription.endpoint[:60], exc)
    else:
        PushSubscription.objects.filter(pk=subscription.pk).update(
            last_success_at=timezone.now(), failures=0
        )
        return
    row = PushSubscription.objects.filter(pk=subscription.pk)
    if status in (404, 410) or subscription.failures + 1 >= MAX_FAILURES:
        row.delete()  # the browser unsubscribed or the subscription expired
    else:
        row.update(failures=subscription.failures + 1)


def push_work(limit: int = SLICE) -> bool:
    """Send up to `limit` pending notifications; True when more are waiting. Called by the
    push thread after commits and by the timer dispatcher between its sweeps."""
    keys = vapid_keys()
    if keys is None:
        return False
    due = Notification.objects.filter(push_pending=True).order_by("pk")
    ids = list(due.values_list("pk", flat=True)[:limit])
    for pk in ids:
        if not Notification.objects.filter(pk=pk, push_pending=True).update(push_pending=False):
            continue  # another worker took it
        note = Notification.objects.select_related("case").get(pk=pk)
        data = _payload(note)
        for subscription in PushSubscription.objects.filter(user_id=note.recipient_id):
            _deliver(subscription, data, keys)
    return len(ids) == limit


class _Worker:
    """One push thread per process: woken after commits, it works the outbox until it is
    empty, waits a while for more, then ends (and closes its database connection)."""

    IDLE = 30.0  # seconds without work before the thread ends

    def __init__(self) -> None:
        self.lock, self.wake = threading.Lock(), threading.Event()
        self.thread: threading.Thread | None = None
        self.pid: int | None = None
        self.stopping = False

    def kick(self) -> None:
        with self.lock:
            self.wake.set()
            if self.thread is None or self.pid != os.getpid():  # a forked child needs its own
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="gridcase-push", daemon=True)
                self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread after its current slice (the rows it did not reach stay queued for
        the timer dispatcher) and wait for it."""
        with self.lock:
            thread, self.stopping = self.thread, True
            self.wake.set()
        if thread is not None:
            thread.join(timeout)
        self.stopping = False

    def _run(self) -> None:
        while True:
            self.wake.clear()
            more = False
            if not self.stopping:
                try:
                    more = push_work()
                except Exception:
                    logger.exception("push work failed")
            if not self.stopping and (more or self.wake.wait(self.IDLE)) and not self.stopping:
                continue
            with self.lock:  # a kick either sees no thread (and starts one) or wakes this one
                if self.stopping or not self.wake.is_set():
                    self.thread = None
                    break
        connections.close_all()


_worker = _Worker()


def push_info(user: Any) -> dict[str, object]:
    """What the notifications page needs: the public key (None: push not configured) and
    how many browsers the user has subscribed."""
    keys = vapid_keys()
    return {
        "public_key": keys.public if keys else None,
        "subscriptions": PushSubscription.objects.filter(user=user).count(),
    }
