"""Session authentication for the live-event socket, off the one sync thread.

channels' `AuthMiddleware` reads the session and its user on the sync thread that every
consumer's thread-sensitive database work queues on: after an outage, a thousand sockets
coming back at once logged in one by one there. This reads the same way (channels' own
`get_user`: session key, backend, session-hash check) on the consumer's reader threads.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from asgiref.typing import ASGIApplication
from channels.auth import AuthMiddleware, get_user
from channels.sessions import CookieMiddleware, SessionMiddleware

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
