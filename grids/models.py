"""The organisation tree (Area), functional departments and who holds which role where."""

import uuid
from collections.abc import Collection
from typing import Any, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from .roles import AREA_ROLE_LEVELS, DEPARTMENT_ROLES, LEVEL_RANK, AreaLevel, Role

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]*$", _("Use capital letters, digits and hyphens, e.g. QG-03-12.")
)


class User(AbstractUser):
    """A person: resident, grid member, official or department staff (roles via Membership)."""

    name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_verified_at = models.DateTimeField(
        _("phone verified at"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the person confirmed a code sent to this phone; "
            "cleared when the phone changes."
        ),
    )

    def __str__(self) -> str:
        return self.name or self.username

    _loaded_phone: str | None = None  # the phone as read, to notice a change
    _phone_just_verified = False  # set by phone_code_confirm for its own save

    @classmethod
    def from_db(  # type: ignore[override]  # the stubs add Django 6's fetch_mode
        cls, db: str | None, field_names: Collection[str], values: Collection[Any]
    ) -> Self:
        user = super().from_db(db, field_names, values)
        user._loaded_phone = user.__dict__.get("phone")
        return user

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A changed phone is no longer verified (whoever changed it: admin, import, code)."""
        changed = self._loaded_phone is not None and self._loaded_phone != self.phone
        if changed and self.phone_verified_at and not self._phone_just_verified:
            self.phone_verified_at = None
            if (update_fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*update_fields, "phone_verified_at"}
        super().save(*args, **kwargs)
        self._loaded_phone = self.phone
        self._phone_just_verified = False


class Area(models.Model):
    """A node of the street → community → grid → micro-grid (→ building) tree.

    `path` is the materialized path of primary keys ("1/4/17/"), so "this area and everything
    below it" is one indexed `path__startswith` lookup. It is maintained by `save()`.
    """

    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices, db_index=True)
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent area"),
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    boundary = models.JSONField(_("boundary (GeoJSON polygon)"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        permissions = [
            ("view_area_cases", _("Can view cases in this area and below")),
            ("report_area_cases", _("Can report cases in this area and below")),
            ("handle_area_cases", _("Can handle cases in this area and below")),
            ("verify_area_cases", _("Can verify results in this area and below")),
            ("dispatch_area_cases", _("Can whistle cases up to departments")),
            ("assign_area_cases", _("Can assign cases to people in this area")),
            ("view_area_board", _("Can view the area's board")),
            ("rate_departments", _("Can rate departments' responses")),
            ("manage_area", _("Can manage the area's people and settings")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @transaction.atomic
    def save(self, *args: Any, **kwargs: Any) -> None:
        old_path = self.path
        if self.pk is None:
            self.path = f"new-{uuid.uuid4().hex}/"  # placeholder until the pk is known
            super().save(*args, **kwargs)
            kwargs = {}
        parent = self.parent if self.parent_id else None
        new_path = f"{parent.path if parent else ''}{self.pk}/"
        if new_path == self.path:
            super().save(*args, **kwargs)
            return
        self.path = new_path
        super().save(*args, **{k: v for k, v in kwargs.items() if k != "force_insert"})
        if old_path:  # a move: rewrite the materialized path of the whole subtree
            Area.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1))
            )

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to and including this area."""
        return [int(part) for part in self.path.split("/") if part]

    def clean(self) -> None:
        if self.parent_id is None:
            if self.level != AreaLevel.STREET:
                raise ValidationError({"parent": _("Only a street may have no parent area.")})
            return
        parent = self.parent
        assert parent is not None  # parent_id is set: the row is read, or DoesNotExist raised
        if LEVEL_RANK[parent.level] >= LEVEL_RANK.get(self.level, -1):
            raise ValidationError(
                {
                    "level": _("A %(level)s cannot lie under a %(parent)s.")
                    % {"level": self.get_level_display(), "parent": parent.get_level_display()}
                }
            )
        if self.pk and self.pk in parent.ancestor_ids:
            raise ValidationError({"parent": _("An area cannot be moved below itself.")})


class Department(models.Model):
    """A functional department (police station, urban management, …) serving streets."""

    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        URBAN_MANAGEMENT = "urban_management", _("Urban management")
        MARKET_REGULATION = "market_regulation", _("Market regulation")
        ENVIRONMENT = "environment", _("Ecology and environment")
        HOUSING = "housing", _("Housing and property")
        WATER = "water", _("Water affairs")
        COMPREHENSIVE_ENFORCEMENT = "comprehensive_enforcement", _("Comprehensive enforcement")
        JUSTICE = "justice", _("Justice and mediation")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    streets = models.ManyToManyField(
        Area,
        related_name="departments",
        blank=True,
        verbose_name=_("streets served"),
        limit_choices_to={"level": AreaLevel.STREET},
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
        permissions = [
            ("view_department_cases", _("Can view the department's cases")),
            ("claim_department_cases", _("Can claim (report for duty on) dispatched cases")),
            ("assign_department_cases", _("Can assign cases inside the department")),
            ("view_department_board", _("Can view the department's board")),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user holding a role on one Area or one Department. Change only through services."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        Area,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("area"),
    )
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("department"),
    )
    part_time = models.BooleanField(_("part-time"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area__isnull=False, department__isnull=True)
                | models.Q(area__isnull=True, department__isnull=False),
                name="membership_one_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "area", "role"],
                condition=models.Q(area__isnull=False),
                name="membership_unique_area_role",
            ),
            models.UniqueConstraint(
                fields=["user", "department", "role"],
                condition=models.Q(department__isnull=False),
                name="membership_unique_department_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def unit(self) -> Area | Department | None:
        return self.area if self.area_id else self.department

    def clean(self) -> None:
        if bool(self.area_id) == bool(self.department_id):
            raise ValidationError(_("Choose either an area or a department, not both."))
        if self.department_id and self.role not in DEPARTMENT_ROLES:
            raise ValidationError({"role": _("This role is held on an area, not a department.")})
        if self.area_id:
            levels = AREA_ROLE_LEVELS.get(self.role)
            if levels is None:
                raise ValidationError(
                    {"role": _("This role is held on a department, not an area.")}
                )
            area = self.area
            assert area is not None  # area_id is set: the row is read, or DoesNotExist raised
            if area.level not in levels:
                raise ValidationError(
                    {
                        "area": _("A %(role)s cannot be held on a %(level)s.")
                        % {"role": self.get_role_display(), "level": area.get_level_display()}
                    }
                )
        if self.part_time and self.role != Role.GRID_MEMBER:
            raise ValidationError({"part_time": _("Only grid members can be part-time.")})


class PhoneCode(models.Model):
    """A code sent by SMS to prove that a person holds a phone (only its keyed hash is kept)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="phone_codes", verbose_name=_("user")
    )
    phone = models.CharField(_("phone"), max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.phone}"
