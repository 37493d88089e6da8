"""In-app notifications: one row per person per thing they should know about."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        QUEUE = "queue", _("New work in your queue")
        WHISTLE = "whistle", _("Whistle to your level")
        OVERDUE = "overdue", _("Overdue")
        CASE_UPDATE = "case_update", _("Your case changed")
        RATING = "rating", _("Rating received")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        "workflows.Case", models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    event = models.ForeignKey(
        "workflows.CaseEvent", models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.text}"
