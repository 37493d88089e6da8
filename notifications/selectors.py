"""Reads for the socket and the notification pages that the transport owns itself."""

from .models import Notification


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
