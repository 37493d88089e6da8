from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # the models cannot be imported before the app registry is ready
    from grids.models import User


def _access_changed(sender: object, user: "User", **kwargs: Any) -> None:
    from .broadcasts import user_signal_on_commit

    user_signal_on_commit(user.pk, {"type": "access.changed"})


def _account_saved(sender: "type[User]", instance: "User", **kwargs: Any) -> None:
    if not instance.is_active:  # a disabled account loses its sockets
        _access_changed(sender, instance)


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Framework hooks: revocation must reach open sockets, whoever changed the access.
        from gridcase.periodic import periodic_register
        from grids.signals import access_changed

        from .push import push_work

        periodic_register("notifications.push", push_work)  # what a stopped process left

        access_changed.connect(_access_changed, dispatch_uid="notifications.access_changed")
        post_save.connect(
            _account_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="notifications.account_saved",
        )
