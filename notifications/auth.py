"""Session authentication for the live-event socket, off the one sync thread.

channels' `AuthMiddleware` reads the session and its user on the sync thread that every
consumer's thread-sensitive database work queues on: after an outage, a thousand sockets
coming back at once logged in one by one there. This reads the same way (channels' own
`get_user`: session key, backend, session-hash check) on the consumer's reader threads.
"""

from channels.auth import AuthMiddleware, get_user
from channels.sessions import CookieMiddleware, SessionMiddleware

from .consumers import db_read


class PooledAuthMiddleware(AuthMiddleware):
    async def resolve_scope(self, scope) -> None:
        scope["user"]._wrapped = await db_read(get_user.func)(scope)


def events_auth_stack(inner):
    """Cookies, session and user for a websocket app, as `AuthMiddlewareStack` does."""
    return CookieMiddleware(SessionMiddleware(PooledAuthMiddleware(inner)))
