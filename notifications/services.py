"""Writing notifications. Called by workflows services inside their transaction."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from .broadcasts import user_signal_on_commit, users_signal_on_commit
from .models import Notification
from .push import push_kick, push_mark

if TYPE_CHECKING:
    from grids.models import User

EMAILED_KINDS = (Notification.Kind.WHISTLE, Notification.Kind.OVERDUE)


def notify(
    *,
    recipients: Iterable["User | None"],
    kind: str,
    text: str,
    case: Model | None = None,
    event: Model | None = None,
    push: bool | None = None,
) -> int:
    """One unread notification per distinct active recipient; returns how many were written.

    Whistles and overdue alerts also go by email (Django's mail backend), after commit.
    Whistles, queue work (dispatches, reworks, refused returns) and overdue alerts — or any
    kind with `push=True` (a department's return) — go by Web Push to the recipients'
    subscribed browsers, queued in these rows and sent after commit in the background.
    `case` and `event` are the publishing app's rows the notification links to (by key: the
    transport knows no domain model)."""
    seen: set[int] = set()
    rows: list[Notification] = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                text=text[:300],
                case_id=case.pk if case else None,
                event_id=event.pk if event else None,
            )
        )
    pushing = push_mark(rows, kind, push)
    Notification.objects.bulk_create(rows)
    if pushing:
        transaction.on_commit(push_kick, robust=True)
    users_signal_on_commit(list(seen), {"type": "notifications.changed"})
    if kind in EMAILED_KINDS:
        addresses = [row.recipient.email for row in rows if row.recipient.email]
        # one line: a header with a line break raises BadHeaderError and the alert is lost
        subject = f"[网格通] {' '.join(text.split())[:60]}"
        if addresses:
            transaction.on_commit(
                lambda: send_mass_mail([(subject, text, None, [a]) for a in addresses]),
                robust=True,
            )
    return len(rows)


@transaction.atomic
def notifications_mark_read(*, user: "User", ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them, or those in `ids`); push the count."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    count = unread.update(read_at=timezone.now())
    if count:
        user_signal_on_commit(user.pk, {"type": "notifications.changed"})
    return count
