"""Reads for the socket and the notification pages that the transport owns itself."""

from typing import TYPE_CHECKING

from .models import Notification

if TYPE_CHECKING:
    from grids.models import User


def unread_count(user: "User") -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
