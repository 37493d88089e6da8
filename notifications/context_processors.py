"""The unread-notification count for the top bar (live updates keep it current)."""

from django.http import HttpRequest

from .selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
