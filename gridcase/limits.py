"""Abuse limits, the one module: request rates (429), sign-in lockouts, body size (413).

Counters live in the default cache, which is Redis when `REDIS_URL` is set, so every worker
counts against the same limit. Rates come from `settings.GRIDCASE_RATE_LIMITS` (scope →
"<count>/<period>", a period being second, minute, hour or day, optionally with a multiple:
"5/15minute"), read at request time so tests can override them.

Who a request is: its client address (`client_address`: `X-Forwarded-For` is believed only
when the peer is one of `GRIDCASE_TRUSTED_PROXIES`), its account where there is one, and for
the public forms its phone number with its address, so that a community office or a carrier
NAT sharing one address does not lock out every resident behind it.

Sign-ins (`auth_check` before checking a credential, `auth_failed` after a wrong one) are
limited per client address and per account, for every way in: the login page and the admin
login (through `LockoutModelBackend`, in place of Django's ModelBackend), the API token (the
same backend), Open311 api_keys and websocket connections (their own calls). A locked
sign-in raises `LockedOut`; `LimitsMiddleware` and DRF turn it into a 429 with Retry-After
and a notice saying when to try again.

Plain views use the `rate_limited` decorator, DRF views `RateLimitThrottle`.
"""

import hashlib
import ipaddress
import json
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from .inputs import strict_int

if TYPE_CHECKING:
    from grids.models import User

PERIODS = {"second": 1, "minute": 60, "min": 60, "hour": 3600, "day": 86400}

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/hour" → (30, 3600); "5/15minute" → (5, 900)."""
    count, _slash, period = rate.partition("/")
    period = period.strip().rstrip("s")
    digits = "".join(ch for ch in period if ch in "0123456789")
    multiple = int(digits) if digits and period.startswith(digits) else 1
    return int(count), multiple * PERIODS[period[len(digits) :] if digits else period]


# --- who is asking --------------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trusted_proxies() -> list[Network]:
    raw: Iterable[str] = getattr(settings, "GRIDCASE_TRUSTED_PROXIES", ())
    return [ipaddress.ip_network(item.strip(), strict=False) for item in raw if item.strip()]


def _trusted(address: str, proxies: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def address_from(peer: str, forwarded_for: str) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the nearest
    address in `X-Forwarded-For` (read from the right) that is not a trusted proxy itself.
    A client can write anything on the left of that header, so nothing left of the first
    untrusted hop is believed."""
    peer = peer or "unknown"
    proxies = _trusted_proxies()
    if not forwarded_for or not _trusted(peer, proxies):
        return peer
    client = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage: keep the last hop a trusted proxy vouched for
        client = hop
        if not _trusted(hop, proxies):
            break
    return client


def client_address(request: HttpRequest) -> str:
    return address_from(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", "")
    )


def scope_address(scope: dict[str, Any] | Any) -> str:
    """`client_address` for an ASGI scope (the websocket)."""
    client = scope.get("client") or ("", 0)
    forwarded = b",".join(
        value for name, value in scope.get("headers", []) if name == b"x-forwarded-for"
    )
    return address_from(str(client[0]), forwarded.decode("latin-1"))


def phone_digits(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())[:20]


# --- counters -------------------------------------------------------------------------------


def _key(scope: str, identity: str, window: int) -> str:
    # hashed: identities are client input (any characters, any length)
    digest = hashlib.sha256(identity.encode("utf-8", "replace")).hexdigest()[:32]
    return f"limit:{scope}:{digest}:{window}"


def _window(scope: str) -> tuple[int, int, int, float] | None:
    rate = settings.GRIDCASE_RATE_LIMITS.get(scope)
    if not rate:
        return None
    limit, period = parse_rate(rate)
    now = time.time()
    return limit, period, int(now // period), now


def hit(scope: str, identity: str) -> float | None:
    """Count one request of `identity` in `scope`; seconds to wait if over the limit, else None."""
    window = _window(scope)
    if window is None:
        return None
    limit, period, number, now = window
    key = _key(scope, identity, number)
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count <= limit:
        return None
    return max((number + 1) * period - now, 1.0)


def peek(scope: str, identity: str) -> float | None:
    """Seconds to wait if `identity` has used up `scope` in this window (counts nothing)."""
    window = _window(scope)
    if window is None:
        return None
    limit, period, number, now = window
    if (cache.get(_key(scope, identity, number)) or 0) < limit:
        return None
    return max((number + 1) * period - now, 1.0)


def identities(request: HttpRequest, api_key: str = "") -> list[str]:
    """What a request is counted against: its client address and, if given, its API key."""
    keys = [f"ip:{client_address(request)}"]
    if api_key:
        keys.append(f"key:{api_key}")
    return keys


def check(request: HttpRequest, scope: str, api_key: str = "") -> float | None:
    """Count the request against each identity; the longest wait if any is over its limit."""
    return _longest(hit(scope, who) for who in identities(request, api_key))


def failures_wait(scope: str, identities: Iterable[str]) -> float | None:
    """For limits on failures (not on tries): the wait if any identity has used up `scope`."""
    return _longest(peek(scope, who) for who in identities)


def failed(scope: str, identities: Iterable[str]) -> None:
    """Count one failure against each identity."""
    for who in identities:
        hit(scope, who)


def _longest(waits: Iterable[float | None]) -> float | None:
    found = [wait for wait in waits if wait]
    return max(found) if found else None


# --- sign-ins -------------------------------------------------------------------------------


class LockedOut(Throttled):
    """Too many failed sign-ins from this address or for this account. A DRF `Throttled`
    (so the API answers 429 by itself), and not a PermissionDenied, which `authenticate()`
    would swallow as a plain failure."""

    default_code = "locked_out"

    def __init__(self, wait: float) -> None:
        self.seconds = math.ceil(wait)
        super().__init__(wait=self.seconds, detail=lockout_notice(wait))


def lockout_notice(wait: float) -> str:
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "Too many failed sign-ins. Sign-in is locked; try again in %(minutes)d minute.",
        "Too many failed sign-ins. Sign-in is locked; try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def _account(account: str) -> str:
    return account.strip().lower()[:150]


def auth_wait(address: str, account: str = "") -> float | None:
    """Seconds until `address` (and `account`, if named) may try to sign in again."""
    waits = [peek("login", f"ip:{address}")]
    if account:
        waits.append(peek("login_account", f"acct:{_account(account)}"))
    return _longest(waits)


def auth_check(address: str, account: str = "") -> None:
    """Before checking a credential: raise `LockedOut` if the address or account is locked."""
    wait = auth_wait(address, account)
    if wait:
        raise LockedOut(wait)


def auth_failed(address: str, account: str = "") -> None:
    """After a wrong credential: count it against the address and the account."""
    hit("login", f"ip:{address}")
    if account:
        hit("login_account", f"acct:{_account(account)}")


class LockoutModelBackend(ModelBackend):
    """Django's ModelBackend that first refuses to check a password for a locked address or
    account (page login, admin login, API token). Failures are counted by
    `count_failed_login` (Django's `user_login_failed` signal)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> "User | None":
        if request is not None:
            auth_check(client_address(request), username or "")
        return super().authenticate(request, username=username, password=password, **kwargs)


def count_failed_login(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    if request is not None:
        auth_failed(client_address(request), str(credentials.get("username") or ""))


# --- answers --------------------------------------------------------------------------------


def too_many(request: HttpRequest, wait: float, detail: str = "") -> HttpResponse:
    """429 with Retry-After (whole seconds, rounded up): a page in the site's layout, or
    {"code", "detail", "retry_after"} for scripts and API clients."""
    from .refusals import refusal

    seconds = math.ceil(wait)
    response = refusal(
        request, 429, "rate_limited", detail or retry_notice(seconds), retry_after=seconds
    )
    response["Retry-After"] = str(seconds)
    return response


def retry_notice(seconds: int) -> str:
    if seconds < 120:
        return ngettext(
            "Too many requests. Please try again in %(count)d second.",
            "Too many requests. Please try again in %(count)d seconds.",
            seconds,
        ) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many requests. Please try again in %(count)d minute.",
        "Too many requests. Please try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def rate_limited(
    scope: str,
    *,
    methods: tuple[str, ...] = ("POST",),
    api_key: Callable[[HttpRequest], str] | None = None,
    identity: Callable[[HttpRequest], str] | None = None,
    respond: Callable[[HttpRequest, float], HttpResponse] | None = None,
) -> Callable[[View[P]], View[P]]:
    """Decorator for plain Django views: refuse requests of `methods` over the scope's rate.

    Counted per client address, or per `identity(request)` when given (e.g. phone + address);
    `api_key(request)` names a key that is counted as well. `respond(request, wait)` builds the
    429 (default: `too_many`); the Retry-After header must be set by it.
    """

    def decorate(view: View[P]) -> View[P]:
        @wraps(view)
        def limited(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if request.method in methods:
                if identity is not None:
                    wait = hit(scope, identity(request))
                else:
                    wait = check(request, scope, api_key(request) if api_key else "")
                if wait:
                    return respond(request, wait) if respond else too_many(request, wait)
            return view(request, *args, **kwargs)

        return limited

    return decorate


def phone_and_address(field: str) -> Callable[[HttpRequest], str]:
    """`identity` for public forms: the phone typed in `field` together with the address."""

    def identity(request: HttpRequest) -> str:
        try:
            phone = phone_digits(request.POST.get(field, ""))
        except RequestDataTooBig:
            phone = ""
        return f"ip:{client_address(request)}|phone:{phone}"

    return identity


class RateLimitThrottle(BaseThrottle):
    """DRF throttle with the same counters; set `rate_limit_scope` on the view."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        scope = getattr(view, "rate_limit_scope", "")
        self.wait_seconds: float | None = check(request._request, scope) if scope else None
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds


class LimitsMiddleware:
    """413 for bodies above GRIDCASE_MAX_REQUEST_BYTES (announced, or found while reading;
    `gridcase.asgi`'s body limit refuses them before Django under a real server), and the
    429 lockout page for a sign-in refused by `LockoutModelBackend`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = strict_int(request.META.get("CONTENT_LENGTH") or "0", high=2**62) or 0
        refused = getattr(request, "scope", {}).get(BODY_REFUSED, False)  # by `BodyLimit`
        if refused or length > settings.GRIDCASE_MAX_REQUEST_BYTES:
            return too_large(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return too_large(request)
        if isinstance(exception, LockedOut):
            return too_many(request, exception.seconds, str(exception.detail))
        return None


def too_large(request: HttpRequest) -> HttpResponse:
    from .refusals import refusal

    return refusal(request, 413, "too_large", _("The request body is too large."))


# --- JSON from clients ------------------------------------------------------------------------

JSON_MAX_DEPTH = 32  # arrays and objects inside each other; our payloads need 4


class JSONRefused(ValueError):
    """Client JSON that is not valid, too deep or too large; `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def json_loads(text: str | bytes, *, max_bytes: int | None = None) -> Any:
    """`json.loads` for client input: a `JSONRefused` instead of a RecursionError (50,000
    nested brackets) or a value nested deeper than JSON_MAX_DEPTH that later code would
    walk recursively."""
    if max_bytes is not None and len(text) > max_bytes:
        raise JSONRefused("too_large", f"JSON larger than {max_bytes} bytes.")
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSONRefused("too_deep", f"JSON nested deeper than {JSON_MAX_DEPTH}.") from None
    except ValueError as exc:  # JSONDecodeError, and undecodable bytes
        raise JSONRefused("invalid_json", f"Not valid JSON: {exc}") from None
    if _depth_over(value, JSON_MAX_DEPTH):
        raise JSONRefused("too_deep", f"JSON nested deeper than {JSON_MAX_DEPTH}.")
    return value


def _depth_over(value: Any, limit: int) -> bool:
    """Whether lists/dicts nest more than `limit` deep in `value` (iterative: no recursion)."""
    level = [value] if isinstance(value, list | dict) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, list | dict)
        ]
    return False


# --- request bodies, before Django reads them ------------------------------------------------

BODY_REFUSED = "gridcase.body_refused"  # scope key: the body was over the limit and not read
ASGIApp = Callable[..., Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


def _announced_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            return strict_int(value.strip().decode("latin-1"), high=2**62)
    return None


class BodyLimit:
    """ASGI middleware ahead of Django: a body announced above GRIDCASE_MAX_REQUEST_BYTES is
    never read, and a streamed one (no Content-Length) is read only until it passes the
    limit. Django then sees an empty body and `LimitsMiddleware` answers the 413 page.

    uvicorn hands the body to the application as it arrives, so this is all it needs.
    daphne (twisted) receives the whole body before it calls the application: for it,
    `daphne_body_limit` applies the same limit while the body arrives."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: ASGIApp) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = settings.GRIDCASE_MAX_REQUEST_BYTES
        length = _announced_length(scope.get("headers", []))
        if length is not None and length > limit:
            scope = {**scope, BODY_REFUSED: True}
        received, ended = 0, False
        end = {"type": "http.request", "body": b"", "more_body": False}

        async def counted() -> dict[str, Any]:
            nonlocal received, ended
            if ended:  # after a refusal: wait for the disconnect, dropping what still comes
                while True:
                    message: dict[str, Any] = await receive()
                    if message["type"] != "http.request":
                        return message
            if scope.get(BODY_REFUSED):
                ended = True
                return end
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    scope[BODY_REFUSED] = ended = True
                    return end
            return message

        await self.app(scope, counted, send)


def daphne_body_limit() -> None:
    """Under daphne: refuse a body above the limit as it arrives, with a 413 and a closed
    connection, instead of letting twisted receive all of it (to a temporary file) and
    daphne queue all of it in memory for the application. Safe to call more than once."""
    from daphne.http_protocol import WebRequest  # type: ignore[import-untyped]

    if getattr(WebRequest, "gridcase_body_limit", False):
        return
    got_length, content_chunk = WebRequest.gotLength, WebRequest.handleContentChunk

    def gotLength(self: Any, length: int | None) -> None:  # noqa: N802 (twisted's name)
        self.gridcase_received = 0
        if length is not None and length > settings.GRIDCASE_MAX_REQUEST_BYTES:
            _daphne_refuse(self)
            length = 0  # nothing will be kept
        got_length(self, length)

    def handleContentChunk(self: Any, data: bytes) -> None:  # noqa: N802
        if getattr(self, "gridcase_refused", False):
            return
        self.gridcase_received = getattr(self, "gridcase_received", 0) + len(data)
        if self.gridcase_received > settings.GRIDCASE_MAX_REQUEST_BYTES:
            _daphne_refuse(self)
            return
        content_chunk(self, data)

    WebRequest.gotLength = gotLength
    WebRequest.handleContentChunk = handleContentChunk
    WebRequest.gridcase_body_limit = True


def _daphne_refuse(request: Any) -> None:
    request.gridcase_refused = True
    body = (
        '{"code": "too_large", "detail": "The request body is too large. 请求内容过大。"}'
    ).encode()
    head = (
        "HTTP/1.1 413 Content Too Large\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    request.channel.transport.write(head + body)
    request.channel.transport.loseConnection()
