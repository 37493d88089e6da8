"""Session authentication for the live-event socket, off the one sync thread.

channels' `AuthMiddleware` reads the session and its user on the sync thread that every
consumer's thread-sensitive database work queues on: after an outage, a thousand sockets
coming back at once logged in one by one there. This reads the same way (channels' own
`get_user`: session key, backend, session-hash check) on the consumer's reader threads.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from asgiref.typing import ASGIApplication
from channels.auth import AuthMiddleware, get_user
from channels.security.websocket import WebsocketDenier
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

from .consumers import db_read

if TYPE_CHECKING:
    from channels.consumer import _ChannelScope  # channels' stubs name the scope type privately
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# The stubs declare `get_user` a coroutine function; it is `database_sync_to_async`'s wrapper,
# and `.func` the sync read inside, which runs here on the reader threads instead.
_get_user: "Callable[[_ChannelScope], AbstractBaseUser | AnonymousUser]"
_get_user = get_user.func  # type: ignore[attr-defined]


class PooledAuthMiddleware(AuthMiddleware):
    async def resolve_scope(self, scope: "_ChannelScope") -> None:
        user = scope["user"]
        assert user is not None  # populate_scope() put the lazy user there
        user._wrapped = await db_read(_get_user)(scope)


def events_auth_stack(inner: ASGIApplication) -> CookieMiddleware:
    """Cookies, session and user for a websocket app, as `AuthMiddlewareStack` does."""
    return CookieMiddleware(SessionMiddleware(PooledAuthMiddleware(inner)))


class SameOriginValidator:
    """Websockets only from the site's own pages, checked as Django's CSRF check checks a
    form's Origin: scheme, host and port must be the socket's own (its Host header, which
    must be in ALLOWED_HOSTS), or one of CSRF_TRUSTED_ORIGINS. channels' own validator
    compares host names only, so a page on another port of the same host got through."""

    def __init__(self, application: Callable[..., Any]) -> None:
        self.application = application

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket" and not same_origin(scope):
            await WebsocketDenier()(scope, receive, send)  # an HTTP 403 before the upgrade
            return
        await self.application(scope, receive, send)


def same_origin(scope: Any) -> bool:
    headers = {name: value.decode("latin-1") for name, value in scope.get("headers", [])}
    origin, host = headers.get(b"origin", ""), headers.get(b"host", "")
    if not origin or not host or not validate_host(split_domain_port(host)[0], _allowed()):
        return False
    secure = scope.get("scheme") == "wss" or _proxy_says_secure(headers)
    if origin == f"{'https' if secure else 'http'}://{host}":
        return True
    return any(_trusted(origin, pattern) for pattern in settings.CSRF_TRUSTED_ORIGINS)


def _allowed() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    return hosts or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])


def _proxy_says_secure(headers: dict[bytes, str]) -> bool:
    """SECURE_PROXY_SSL_HEADER, as `request.is_secure()` reads it behind a TLS proxy."""
    setting = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not setting:
        return False
    name, value = str(setting[0]), str(setting[1])
    header = name.removeprefix("HTTP_").replace("_", "-").lower().encode()
    return headers.get(header, "").split(",")[0].strip() == value


def _trusted(origin: str, pattern: str) -> bool:
    """A CSRF_TRUSTED_ORIGINS entry: exact, or `scheme://*.domain` for its subdomains."""
    if origin == pattern:
        return True
    scheme, _, rest = pattern.partition("://")
    if not rest.startswith("*."):
        return False
    parsed = urlsplit(origin)
    return parsed.scheme == scheme and bool(is_same_domain(parsed.netloc, rest[1:]))
