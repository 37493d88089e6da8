"""The hotline import's data: column presets, the address gazetteer, jobs and their rows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import Area
from workflows.models import Case, Category


class ColumnPreset(models.Model):
    """A named mapping from the import's fields to a file's column headings."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    # field name (see mapping.FIELDS) -> column heading in the file ("" = not in the file)
    columns = models.JSONField(_("columns"), default=dict)

    class Meta:
        verbose_name = _("column preset")
        verbose_name_plural = _("column presets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GazetteerEntry(models.Model):
    """A road, compound or landmark name in a street and the area it lies in. An address is
    placed by the longest name it contains."""

    street = models.ForeignKey(
        Area, models.CASCADE, related_name="gazetteer", verbose_name=_("street")
    )
    name = models.CharField(_("place name"), max_length=100)
    area = models.ForeignKey(Area, models.CASCADE, related_name="+", verbose_name=_("area"))

    class Meta:
        verbose_name = _("gazetteer entry")
        verbose_name_plural = _("gazetteer")
        ordering = ["street", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="gazetteer_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.area}"


class ImportJob(models.Model):
    """One uploaded file, worked row by row in the background by the timer dispatcher."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Choosing columns")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    street = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("street"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    filename = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(_("content"), editable=False)
    columns = models.JSONField(_("columns"), default=dict)
    fallback_category = models.ForeignKey(
        Category,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category when none matches"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    message = models.TextField(_("message"), blank=True)  # why a job failed as a whole
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    unplaced = models.PositiveIntegerField(_("to be placed"), default=0)
    progress_seq = models.PositiveIntegerField(default=0, editable=False)  # live message ids
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Seconds spent working rows (restarts excluded): the ETA's rate.
    work_seconds = models.FloatField(default=0.0, editable=False)

    class Meta:
        verbose_name = _("hotline import")
        verbose_name_plural = _("hotline imports")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"


class ImportRow(models.Model):
    """One data row of a job's file: waiting, or what became of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CREATED = "created", _("Case created")
        SKIPPED = "skipped", _("Already imported")
        FAILED = "failed", _("Error")
        UNPLACED = "unplaced", _("To be placed")
        PLACED = "placed", _("Placed by hand")

    job = models.ForeignKey(ImportJob, models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))  # the line in the file (the heading is 1)
    order_number = models.CharField(_("work order"), max_length=64, blank=True, db_index=True)
    values = models.JSONField(_("values"), default=dict)  # field name -> text from the file
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    case = models.ForeignKey(
        Case, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("case")
    )

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "outcome", "line"], name="import_row_work")]
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="import_row_line")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}"
