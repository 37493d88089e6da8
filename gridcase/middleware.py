"""Answers carrying personal data are not stored by browsers or proxies, and sessions end
after a time without activity and after an absolute age (both set in `prod`)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

STARTED, SEEN = "gridcase_session_started", "gridcase_session_seen"
SEEN_RESOLUTION = 60  # seconds: the last-seen time is written at most once a minute


class PrivateByDefaultMiddleware:
    """`Cache-Control: private, no-store` on every answer that does not say otherwise (pages,
    API answers, the tracking pages with a resident's case): names, phones and cases must not
    stay in a shared cache or the browser's back-forward history. Static files (whitenoise)
    and answers that set their own Cache-Control keep theirs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class SessionTimeoutMiddleware:
    """Sign out a session idle for GRIDCASE_SESSION_IDLE_SECONDS or older than
    GRIDCASE_SESSION_MAX_SECONDS (either None: no such limit). After AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        idle = getattr(settings, "GRIDCASE_SESSION_IDLE_SECONDS", None)
        longest = getattr(settings, "GRIDCASE_SESSION_MAX_SECONDS", None)
        if (idle or longest) and request.user.is_authenticated:
            self._check(request, idle, longest)
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest, idle: int | None, longest: int | None) -> None:
        now = int(time.time())
        session = request.session
        started, seen = session.get(STARTED, now), session.get(SEEN, now)
        if (idle and now - seen > idle) or (longest and now - started > longest):
            logout(request)
            messages.info(request, _("You were signed out: please sign in again."))
            return
        if STARTED not in session:
            session[STARTED] = now
        if now - seen >= SEEN_RESOLUTION or SEEN not in session:
            session[SEEN] = now
