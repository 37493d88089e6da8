"""Abuse limits: request rates per client address and per API key (429), body size (413).

One counter implementation for plain Django views (the `rate_limited` decorator) and for the
REST API (`RateLimitThrottle`). Counters live in the default cache, which is Redis when
`REDIS_URL` is set, so every worker counts against the same limit. Rates come from
`settings.GRIDCASE_RATE_LIMITS` (scope → "<count>/<second|minute|hour|day>"), read at request
time so tests can override them.

Usage on a plain view (only POSTs count; the form page itself stays reachable)::

    from gridcase.limits import rate_limited

    @rate_limited("report")
    def resident_report(request): ...
"""

import hashlib
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/hour" → (30, 3600)."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip().rstrip("s")]


def client_address(request: HttpRequest) -> str:
    """The peer address (a proxy in front must set REMOTE_ADDR, e.g. via its own module)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(scope: str, identity: str) -> float | None:
    """Count one request of `identity` in `scope`; seconds to wait if over the limit, else None."""
    rate = settings.GRIDCASE_RATE_LIMITS.get(scope)
    if not rate:
        return None
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    # hashed: an api_key is client input (any characters, any length)
    digest = hashlib.sha256(identity.encode("utf-8", "replace")).hexdigest()[:32]
    key = f"limit:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count <= limit:
        return None
    return max((window + 1) * period - now, 1.0)


def identities(request: HttpRequest, api_key: str = "") -> list[str]:
    """What a request is counted against: its client address and, if given, its API key."""
    keys = [f"ip:{client_address(request)}"]
    if api_key:
        keys.append(f"key:{api_key}")
    return keys


def check(request: HttpRequest, scope: str, api_key: str = "") -> float | None:
    """Count the request against each identity; the longest wait if any is over its limit."""
    waits = [wait for who in identities(request, api_key) if (wait := hit(scope, who))]
    return max(waits) if waits else None


def too_many(wait: float) -> HttpResponse:
    """429 with Retry-After (whole seconds, rounded up) and a machine-readable reason."""
    response = JsonResponse(
        {"code": "rate_limited", "detail": _("Too many requests: try again later.")}, status=429
    )
    response["Retry-After"] = str(math.ceil(wait))
    return response


def rate_limited(
    scope: str,
    *,
    methods: tuple[str, ...] = ("POST",),
    api_key: Callable[[HttpRequest], str] | None = None,
    respond: Callable[[HttpRequest, float], HttpResponse] | None = None,
) -> Callable[[View[P]], View[P]]:
    """Decorator for plain Django views: refuse requests of `methods` over the scope's rate.

    `api_key(request)` may name the key a request is made with; it is counted separately.
    `respond(request, wait)` builds the 429 (default: JSON {"code", "detail"}); the
    Retry-After header must be set by it.
    """

    def decorate(view: View[P]) -> View[P]:
        @wraps(view)
        def limited(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if request.method in methods:
                wait = check(request, scope, api_key(request) if api_key else "")
                if wait:
                    return respond(request, wait) if respond else too_many(wait)
            return view(request, *args, **kwargs)

        return limited

    return decorate


class RateLimitThrottle(BaseThrottle):
    """DRF throttle with the same counters; set `rate_limit_scope` on the view."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        scope = getattr(view, "rate_limit_scope", "")
        self.wait_seconds: float | None = check(request._request, scope) if scope else None
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds


class RequestSizeMiddleware:
    """413 for bodies above GRIDCASE_MAX_REQUEST_BYTES (announced or found while reading)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.GRIDCASE_MAX_REQUEST_BYTES:
            return self.too_large()
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return self.too_large()
        return None

    @staticmethod
    def too_large() -> HttpResponse:
        return too_large()


def too_large() -> HttpResponse:
    return JsonResponse(
        {"code": "too_large", "detail": _("The request body is too large.")}, status=413
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: Django turns a body over DATA_UPLOAD_MAX_MEMORY_SIZE read outside a view
    (e.g. by the CSRF check) into a 400; it is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return too_large()
    from django.views.defaults import bad_request as default

    return default(request, exception)
