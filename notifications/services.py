"""Writing notifications. Called by workflows services inside their transaction."""

from collections.abc import Iterable

from .broadcasts import user_signal_on_commit
from .models import Notification


def notify(*, recipients: Iterable, kind: str, text: str, case=None, event=None) -> int:
    """One unread notification per distinct active recipient; returns how many were written."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(recipient=user, kind=kind, text=text[:300], case=case, event=event)
        )
    Notification.objects.bulk_create(rows)
    for pk in seen:
        user_signal_on_commit(pk, {"type": "notifications.changed"})
    return len(rows)
