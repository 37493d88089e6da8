"""Text messages (SMS): one function, a backend chosen by a setting, like Django's email.

    from notifications.sms import send_sms
    transaction.on_commit(lambda: send_sms(phone, text))   # after the write that needs it

`settings.GRIDCASE_SMS_BACKEND` is a dotted path to a class with `send(phone, text)`:

- `notifications.sms.ConsoleBackend` (the demo): writes the message to standard output;
- `notifications.sms.LocmemBackend` (the tests): appends `Message`s to `notifications.sms.outbox`;
- `notifications.sms.HttpGatewayBackend` (production): POSTs JSON `{"phone", "text"}` to
  `GRIDCASE_SMS_GATEWAY_URL` with `Authorization: Bearer GRIDCASE_SMS_GATEWAY_TOKEN`; most
  Chinese SMS providers' HTTP APIs (or a small relay in front of them) take this shape.
  A non-2xx answer or a network error raises `SmsError`.
"""

import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(RuntimeError):
    """The gateway did not take the message."""


@dataclass(frozen=True)
class Message:
    phone: str
    text: str


outbox: list[Message] = []


class Backend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {phone}] {text}\n")
        sys.stdout.flush()


class LocmemBackend:
    def send(self, phone: str, text: str) -> None:
        outbox.append(Message(phone=phone, text=text))


class HttpGatewayBackend:
    timeout = 10.0

    def send(self, phone: str, text: str) -> None:
        url = settings.GRIDCASE_SMS_GATEWAY_URL
        if not url.startswith(("https://", "http://")):
            raise SmsError("GRIDCASE_SMS_GATEWAY_URL is not set to an http(s) address.")
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.GRIDCASE_SMS_GATEWAY_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                status = answer.status
        except (urllib.error.URLError, TimeoutError) as error:
            raise SmsError(f"SMS gateway unreachable: {error}") from error
        if not 200 <= status < 300:
            raise SmsError(f"SMS gateway answered {status}.")


def backend() -> Backend:
    cls = import_string(settings.GRIDCASE_SMS_BACKEND)
    instance: Backend = cls()
    return instance


def send_sms(phone: str, text: str) -> None:
    """Send one text message now (call it after commit: a rolled-back write sends nothing)."""
    backend().send(phone, text)
