"""Cases, their categories and time limits, department dispatches, photos and the event log.

Cases change only through `workflows.services`; the event log is append-only.
"""

from collections.abc import Collection
from datetime import timedelta
from typing import Any, Self

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grids.models import Area, Department

from .boards.counter_models import (  # noqa: F401 (Django finds models through this module)
    AreaCloseCount,
    AreaDayCount,
    AreaDayMix,
    DepartmentDayCount,
)
from .choices import (
    AppealKind,
    EventKind,
    Level,
    PhotoKind,
    Priority,
    Rating,
    Source,
    Status,
    SuspendReason,
    VerifyMethod,
    WhistleType,
)
from .photos import photo_upload_to

User = settings.AUTH_USER_MODEL


class Category(models.Model):
    """What a case is about (环境卫生, 物业纠纷 …), with who usually handles it and how urgently."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    default_department_kind = models.CharField(
        _("default department kind"),
        max_length=32,
        choices=Department.Kind.choices,
        blank=True,
    )
    default_priority = models.CharField(
        _("default priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Responsibility(models.Model):
    """One line of a street's 权责清单: a category of case and a department that handles it
    there, in order. Suggested first when a case of the category is whistled to departments
    (after these, departments of the category's default kind)."""

    street = models.ForeignKey(
        Area, models.CASCADE, related_name="responsibilities", limit_choices_to={"level": "street"}
    )
    category = models.ForeignKey(Category, models.CASCADE, related_name="responsibilities")
    department = models.ForeignKey(Department, models.CASCADE, related_name="responsibilities")
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("responsibility list entry (权责清单)")
        verbose_name_plural = _("responsibility list (权责清单)")
        ordering = ["street", "category", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "category", "department"], name="one_responsibility_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.street} · {self.category} → {self.department}"


class TimeLimitPolicy(models.Model):
    """How long a level has to respond (accept/claim) and to resolve, per category and priority.

    A row without a category is the default for every category at that priority and level.
    """

    category = models.ForeignKey(
        Category,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="time_limits",
        verbose_name=_("category"),
    )
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    respond_minutes = models.PositiveIntegerField(_("respond/claim within (minutes)"))
    resolve_minutes = models.PositiveIntegerField(_("resolve within (minutes)"))

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "priority", "level"],
                name="time_limit_unique",
                condition=models.Q(category__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["priority", "level"],
                name="time_limit_default_unique",
                condition=models.Q(category__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        category = self.category or _("every category")
        return f"{category} · {self.get_priority_display()} · {self.get_level_display()}"

    @property
    def respond(self) -> timedelta:
        return timedelta(minutes=self.respond_minutes)

    @property
    def resolve(self) -> timedelta:
        return timedelta(minutes=self.resolve_minutes)


class Case(models.Model):
    """One complaint or finding, from report to rating. Status and level are separate."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000)
    category = models.ForeignKey(Category, models.PROTECT, verbose_name=_("category"))
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    reporter = models.ForeignKey(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name=_("reporter"),
    )
    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # A link to a picture held elsewhere (Open311's media_url); never fetched by the server.
    # A CharField with the URL check: a model URLField's form field warns about Django 6.
    media_url = models.CharField(
        _("media URL"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
    )
    area = models.ForeignKey(Area, models.PROTECT, related_name="cases", verbose_name=_("area"))
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.REPORTED,
        db_index=True,
    )
    level = models.CharField(
        _("level"), max_length=16, choices=Level.choices, default=Level.GRID, db_index=True
    )
    handling_area = models.ForeignKey(
        Area, models.PROTECT, related_name="handled_cases", verbose_name=_("handling area")
    )
    verifier_area = models.ForeignKey(
        Area, models.PROTECT, related_name="verified_cases", verbose_name=_("verifying area")
    )
    handler = models.ForeignKey(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("handler"),
    )
    whistle_type = models.CharField(
        _("whistle type"), max_length=16, choices=WhistleType.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # Open311 intake: an earlier case of the same service a few metres away and a few hours
    # before (`nearby.obvious_duplicate`), for staff to merge or not; never merged by itself.
    possible_duplicate_of = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("possible duplicate of"),
    )
    # 我也遇到: people who reported the same problem (`CaseFollower`), kept by the services.
    # db_default: rows written past the ORM (the district generator, bulk loads) get it too
    follower_count = models.PositiveIntegerField(_("also affected"), default=0, db_default=0)
    result = models.TextField(_("result"), blank=True)
    process = models.OneToOneField(
        "viewflow.Process",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="case",
        editable=False,
    )

    respond_due = models.DateTimeField(_("respond by"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolve by"), null=True, blank=True, db_index=True)
    overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopens"), default=0)
    closed_level = models.CharField(
        _("closed at level"), max_length=16, choices=Level.choices, blank=True
    )
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    # 核查方式 of the verification that closed it ("" when a system path closed it unrecorded)
    verify_method = models.CharField(
        _("verified by"),
        max_length=16,
        choices=VerifyMethod.choices,
        blank=True,
        default="",
        db_default="",
    )

    # 挂起: while suspended the clocks stop — no resolve deadline (the time left is kept), the
    # timers paused; `resume_at` is when the timer dispatcher resumes it, if nobody has.
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True)
    # db_default: rows written in bulk past the ORM's defaults (the load-test generator)
    suspend_reason = models.CharField(
        _("suspended because"),
        max_length=16,
        choices=SuspendReason.choices,
        blank=True,
        db_default="",
    )
    suspend_note = models.TextField(_("suspension note"), blank=True, db_default="")
    resume_at = models.DateTimeField(_("resume at"), null=True, blank=True, db_index=True)
    resolve_left = models.DurationField(_("time left to resolve"), null=True, blank=True)
    # 督办: the open supervision's due time, kept on the case by the supervision services so
    # every list shows the badge from the row it already reads (no query per card).
    supervised_due = models.DateTimeField(_("supervised until"), null=True, blank=True)

    reported_at = models.DateTimeField(_("reported"), default=timezone.now, db_index=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The reporting form's key: a form sent again after a network failure finds its case.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The city hotline's work-order number (12345 工单编号) of a case imported from it: one
    # case per work order (the import is idempotent by it), searchable in the case list.
    hotline_number = models.CharField(_("hotline work order"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at"]
        constraints = [
            # One case per hotline work order; the import looks them up by it.
            models.UniqueConstraint(
                fields=["hotline_number"],
                name="case_hotline_number",
                condition=~models.Q(hotline_number=""),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "level"], name="case_status_level"),
            models.Index(fields=["area_path", "status"], name="case_area_status"),
            # Lists at a million cases (bench/lists.py). Newest first, ties by id: the order
            # of every case list, walked backwards without sorting.
            models.Index(fields=["-reported_at", "-id"], name="case_recent"),
            # Cases near a point (nearby.py): a bounding box on the category's cases, then
            # the exact distance over the few rows inside it.
            models.Index(fields=["category", "latitude", "longitude"], name="case_category_place"),
            # The maps' dots (boards/map.py case_points): the open cases inside a view box,
            # whatever their category; small, because open cases are a few in a thousand.
            models.Index(
                fields=["latitude", "longitude"],
                name="case_open_place",
                condition=models.Q(status__in=["reported", "handling", "dispatched", "resolved"]),
            ),
            # A resident's 我的案件 by verified phone (cases reported on her behalf).
            models.Index(
                fields=["contact_phone"],
                name="case_contact_phone",
                condition=~models.Q(contact_phone=""),
            ),
            # The open cases below an area (a grid's list, queues): small, because open cases
            # are a few in a thousand; pattern ops so `area_path LIKE '1/4/%'` can use it.
            models.Index(
                fields=["area_path", "-reported_at"],
                name="case_open_by_area",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=models.Q(status__in=["reported", "handling", "dispatched", "resolved"]),
            ),
            # The board's cases still waiting for a first answer (a few hundred at 1M cases):
            # their response deadline passing is the one response figure not in the counters.
            models.Index(
                fields=["area_path", "reported_at"],
                name="case_unanswered",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=models.Q(
                    responded_at__isnull=True,
                    status__in=["reported", "handling", "dispatched", "resolved", "closed"],
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    # Set by `from_db` on cases read from the database, not on new ones.
    _loaded_row: tuple[Collection[str], Collection[Any]]

    @classmethod
    def from_db(
        cls,
        db: str | None,
        field_names: Collection[str],
        values: Collection[Any],
        **kwargs: Any,  # the stubs' Django 6.1 has `fetch_mode`; 5.2 passes nothing more
    ) -> Self:
        """Keep the row as read: the board counters' "before" (`counters_record`)."""
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_row = (field_names, values)  # cheap: lists load many cases
        return instance

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE)


class CaseNumberSequence(models.Model):
    """The case-number sequence: per street and day, the last number handed out
    (QG-20261121-0042 is the 42nd of 青杠街道 on 2026-11-21)."""

    street = models.ForeignKey(Area, models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["street", "day"], name="counter_unique")]

    def __str__(self) -> str:
        return f"{self.street_id} {self.day} #{self.last}"


class CaseDispatch(models.Model):
    """One department's part of a whistled case: dispatched, claimed (报到), returned, resolved."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="dispatches")
    department = models.ForeignKey(Department, models.PROTECT, related_name="dispatches")
    lead = models.BooleanField(_("lead department"), default=False)
    dispatched_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    dispatched_at = models.DateTimeField(_("dispatched"), default=timezone.now)
    claim_due = models.DateTimeField(_("claim by"), db_index=True)
    resolve_due = models.DateTimeField(_("resolve by"))
    claimed_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="claimed_dispatches"
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_reason = models.TextField(_("return reason"), blank=True)
    # 退单审核: a return waits for the dispatching level until `review_due`; accepted, the part
    # ends (`return_accepted_at`); refused, `returned_at` is cleared and the claim clock restarts.
    review_due = models.DateTimeField(_("review the return by"), null=True, blank=True)
    return_accepted_at = models.DateTimeField(_("return accepted"), null=True, blank=True)
    # 改派: the part was moved to another department's part (this one ends, inactive).
    reassigned_to = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reassigned_at = models.DateTimeField(_("reassigned"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    claim_overdue = models.BooleanField(_("claim overdue"), default=False)
    response_rating = models.PositiveSmallIntegerField(_("response rating"), null=True, blank=True)
    response_comment = models.TextField(_("rating comment"), blank=True)
    # 督办: set once, when the first supervision of the case ends while this part works on it
    # (True: closed by the supervision's due time); the department board counts these.
    supervision_on_time = models.BooleanField(_("supervision met"), null=True, blank=True)

    # 申诉 upheld against the rating: it stays on the part but no longer counts anywhere.
    rating_voided_at = models.DateTimeField(_("rating set aside"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        indexes = [
            # `include`: the cases a department may see (cases_visible_to) by index only.
            models.Index(fields=["department", "active"], include=["case"], name="dispatch_queue"),
            # The cases where a department's part is going on (cases_visible_to), by index
            # only: a part that ended leaves its department only its history.
            models.Index(
                fields=["department"],
                include=["case"],
                name="dispatch_open_part",
                condition=models.Q(
                    active=True, resolved_at__isnull=True, return_accepted_at__isnull=True
                ),
            ),
            # A department's queue: only the parts still waiting for it, in queue order.
            models.Index(
                fields=["department", "claimed_at", "claim_due", "id"],
                name="dispatch_open_queue",
                condition=models.Q(active=True, returned_at__isnull=True, resolved_at__isnull=True),
            ),
            # The board's parts never claimed nor returned (their claim deadline passing).
            models.Index(
                fields=["claim_due"],
                name="dispatch_unanswered",
                condition=models.Q(claimed_at__isnull=True, returned_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.department}"


class CaseFollower(models.Model):
    """我也遇到: someone else affected by the same problem — an account, or a name and phone
    (from the public form, or the reporter of a case merged into this one). Told of updates."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="followers")
    user = models.ForeignKey(User, models.CASCADE, null=True, blank=True, related_name="+")
    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                name="follower_user_once",
                condition=models.Q(user__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["case", "contact_phone"],
                name="follower_phone_once",
                condition=models.Q(user__isnull=True) & ~models.Q(contact_phone=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +1 {self.user_id or self.contact_phone}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="photos")
    kind = models.CharField(_("kind"), max_length=8, choices=PhotoKind.choices)
    image = models.ImageField(_("photo"), upload_to=photo_upload_to)
    uploaded_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    # When the photo was taken, as its EXIF said (the browser writes it from the file it
    # shrank and stamped): evidence of when the place looked like this.
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    # 申诉: the evidence photos of one appeal (kind "appeal").
    appeal = models.ForeignKey(
        "CaseAppeal", models.CASCADE, null=True, blank=True, related_name="photos"
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.image.name}"

    def get_absolute_url(self) -> str:
        """The photo through the view that checks who may see it (never MEDIA_URL)."""
        return reverse("case_photo", args=[self.pk])


class CaseEvent(models.Model):
    """Append-only audit log: one row per thing that happened to a case, in commit order."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=40, db_index=True, choices=EventKind.choices)
    actor = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, blank=True)
    level = models.CharField(_("level"), max_length=16, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # Sent to the live groups? The services write False and the publisher sets True once the
    # channel layer took it; the timer dispatcher sends what is still False a few seconds on
    # (a worker killed between commit and publication, Redis away): `streams.events_resend`.
    # Rows written past the services (bulk loads) were never meant to be live: True.
    published = models.BooleanField(default=True, db_default=True, editable=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["pk"]
        indexes = [
            # A case's timeline in order, without sorting its events.
            models.Index(fields=["case", "id"], name="event_case_order"),
            # The few events not yet sent live (the dispatcher's sweep reads only these).
            models.Index(
                fields=["id"], name="event_unpublished", condition=models.Q(published=False)
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.case_id}"


class ApprovalRequest(models.Model):
    """What a request to the approving level has (延期, 挂起): who asked, for which department
    (when the case is with departments), why, and the decision. One waits at a time per case
    (each concrete model's constraint); `services.approvals` holds the shared steps."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+"
    )  # the department asking, when the case is with departments
    requested_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)

    class Meta:
        abstract = True
        ordering = ["requested_at", "pk"]


class CaseExtension(ApprovalRequest):
    """延期: the handling unit asks for a later resolve deadline, with a reason; the level that
    dispatched the case (or the one above a grid or community) grants it, possibly shorter,
    or refuses. At most one request waits at a time."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="extensions")
    reason = models.TextField(_("reason"))
    previous_due = models.DateTimeField(_("deadline before"))
    requested_due = models.DateTimeField(_("deadline asked for"))
    granted_due = models.DateTimeField(_("deadline granted"), null=True, blank=True)

    class Meta(ApprovalRequest.Meta):
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state="pending"),
                name="extension_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.state} {self.requested_due:%Y-%m-%d %H:%M}"


class SuspensionRequest(ApprovalRequest):
    """挂起 asked by the handler (a department, or a grid or community for its own cases): a
    reason from the list, the expected date to resume, a note; the level that may suspend
    approves (the case is suspended as `case_suspend` does, possibly to another date) or
    refuses with a reason. At most one waits at a time."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="suspension_requests")
    reason = models.CharField(_("why"), max_length=16, choices=SuspendReason.choices)
    note = models.TextField(_("note"), blank=True)
    resume_at = models.DateTimeField(_("expected to resume"))

    class Meta(ApprovalRequest.Meta):
        verbose_name = _("suspension request")
        verbose_name_plural = _("suspension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state="pending"),
                name="suspension_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.state} {self.reason}"


class CaseSupervision(models.Model):
    """督办: a street official marks a case supervised, with an instruction and a due time;
    it ends when the case closes (on time when closed by `due`). One open at a time."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="supervisions")
    supervised_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    started_at = models.DateTimeField(_("supervised since"), default=timezone.now)
    instruction = models.TextField(_("instruction"))
    due = models.DateTimeField(_("supervised until"))
    ended_at = models.DateTimeField(_("supervision ended"), null=True, blank=True)
    on_time = models.BooleanField(_("closed in time"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_at__isnull=True),
                name="supervision_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} 督办 {self.due:%Y-%m-%d %H:%M}"


class ReplyTemplate(models.Model):
    """常用回复: a department's ready texts for its results (办理结果) and returns (退回), offered
    as buttons that fill the form's text; kept by the department's head (or in the admin)."""

    class Kind(models.TextChoices):
        RESULT = "result", _("Result")
        RETURN = "return", _("Return")

    department = models.ForeignKey(
        Department, models.CASCADE, related_name="reply_templates", verbose_name=_("department")
    )
    kind = models.CharField(_("used for"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=30)
    text = models.TextField(_("text"), max_length=1000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["department", "kind", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "kind", "title"], name="reply_template_title_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department.code} · {self.get_kind_display()} · {self.title}"


class CaseAppeal(models.Model):
    """申诉: a department appeals a poor rating of its part, or a rework of its work, within
    the window (`deadlines.appeal_window`); the street upholds it (the rating or the rework
    no longer counts) or dismisses it. One open appeal per case, kind and department; each
    rating or rework (`subject`, its event) is appealed at most once by a department."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the street's decision")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", pgettext_lazy("appeal", "Dismissed")

    case = models.ForeignKey(Case, models.CASCADE, related_name="appeals")
    dispatch = models.ForeignKey(CaseDispatch, models.CASCADE, related_name="appeals")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+")
    kind = models.CharField(_("appeal against"), max_length=16, choices=AppealKind.choices)
    subject = models.ForeignKey(
        CaseEvent, models.PROTECT, related_name="+", verbose_name=_("rating or rework")
    )
    appealed_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    appealed_at = models.DateTimeField(_("appealed"), default=timezone.now, db_index=True)
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("decision"), blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["appealed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "department"],
                condition=models.Q(state="pending"),
                name="appeal_one_open",
            ),
            models.UniqueConstraint(fields=["subject", "department"], name="appeal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.department_id} {self.state}"


class Open311Key(models.Model):
    """An Open311 integration key (e.g. the 12345 hotline's gateway): it reports cases as its
    account through Open311 and nothing else (not a REST token). Only its SHA-256 is stored;
    `manage.py open311_key` issues (showing the key once), lists and revokes them."""

    name = models.CharField(_("name"), max_length=64)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="open311_keys"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


from .boards.report_models import ReportSettings as ReportSettings  # noqa: E402
from .hotspots.models import HotSpot as HotSpot  # noqa: E402 (Django finds them here)
from .hotspots.models import HotSpotRun as HotSpotRun  # noqa: E402
