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
    # Web Push outbox: set in the writing transaction for a recipient with a subscription;
    # cleared by `push.push_work` (after commit, in the background or by the dispatcher)
    push_pending = models.BooleanField(_("push pending"), default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(
                fields=["id"], condition=models.Q(push_pending=True), name="notification_push_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.text}"


class PushSubscription(models.Model):
    """One browser's Web Push subscription (its push service's endpoint and the keys the
    payload is encrypted for); one row per endpoint, deleted when the service says 404/410."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key (p256dh)"), max_length=100)
    auth = models.CharField(_("authentication secret"), max_length=50)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"{self.user}: {self.endpoint[:60]}"

    def info(self) -> dict[str, object]:
        """The subscription as the browser's `PushSubscription.toJSON()` gave it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
