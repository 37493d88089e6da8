from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # the models cannot be imported before the app registry is ready
    from .models import Area, Department


def _drop_unit_grants(
    sender: "type[Area | Department]", instance: "Area | Department", **kwargs: Any
) -> None:
    from .services import unit_grants_delete

    unit_grants_delete(unit=instance)


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("Grids and departments")

    def ready(self) -> None:
        # Framework hook: guardian's generic permission rows have no FK to cascade with.
        from .models import Area, Department

        for model in (Area, Department):
            post_delete.connect(
                _drop_unit_grants, sender=model, dispatch_uid=f"grids.drop_grants.{model.__name__}"
            )
