"""Every write of the hotline import: submitting a file, working it in slices (called by the
timer dispatcher), placing a row by hand, saving a column preset.

A row becomes a case through `workflows.services.case_report` (source hotline, its work-order
number kept) in one transaction with the row's outcome and the job's counters (rows are
committed in batches, each row in its own savepoint), so a job stopped anywhere (a restart, a
crash) resumes at its first waiting row with exact counts.
"""

import logging
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area, User
from workflows.choices import Source
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import Case, Category
from workflows.services import case_report
from workflows.visibility import hotline_import_allowed

from .mapping import FIELDS, Categories, Order, RowError, order_check, values_from
from .models import ColumnPreset, ImportJob, ImportRow
from .parsing import table_read
from .placing import Placer
from .streams import progress_publish

logger = logging.getLogger(__name__)

SLICE_SECONDS = 3.0  # one slice of a job per dispatcher sweep (the timers wait for it)
PUBLISH_SECONDS = 0.5  # how often a running job tells its followers
# Rows per transaction: one commit (one fsync) per batch instead of per row. A batch holds the
# street's case-number counter row until it commits (about a second at most).
BATCH_ROWS = 25
Outcome = ImportRow.Outcome
COUNTER: dict[str, str] = {
    Outcome.CREATED: "created",
    Outcome.SKIPPED: "skipped",
    Outcome.FAILED: "failed",
    Outcome.UNPLACED: "unplaced",
}


def _may_import(actor: User, street: Area) -> None:
    if not hotline_import_allowed(actor, street):
        raise CaseActionDenied(
            _("%(actor)s may not import work orders for %(street)s.")
            % {"actor": actor, "street": street.name}
        )


def columns_check(columns: dict[str, str], headings: list[str]) -> dict[str, str]:
    """The mapping, kept to the known fields; every required field mapped to a heading the
    file has, and every mapped heading present."""
    kept = {f.name: (columns.get(f.name) or "").strip() for f in FIELDS}
    errors = [
        _("Choose the column for %(field)s.") % {"field": f.label}
        for f in FIELDS
        if f.required and not kept[f.name]
    ]
    errors += [
        _("The file has no column %(heading)r.") % {"heading": heading}
        for heading in kept.values()
        if heading and heading not in headings
    ]
    if errors:
        raise ValidationError(errors)
    return kept


@transaction.atomic
def import_job_upload(
    *,
    street: Area,
    actor: User,
    filename: str,
    content: bytes,
    columns: dict[str, str],
    fallback_category: Category | None = None,
) -> ImportJob:
    """Keep an uploaded file that reads, as a draft job whose columns are still to be
    confirmed (the mapping screen starts with `columns`, a preset's). Nothing is imported."""
    _may_import(actor, street)
    _headings, rows = table_read(filename, content)
    if not rows:
        raise ValidationError(_("The file has headings but no rows."))
    return ImportJob.objects.create(
        street=street,
        uploaded_by=actor,
        filename=filename[:200],
        content=content,
        columns={f.name: (columns.get(f.name) or "").strip() for f in FIELDS},
        fallback_category=fallback_category,
        total=len(rows),
    )


def job_headings(job: ImportJob) -> list[str]:
    return table_read(job.filename, bytes(job.content))[0]


@transaction.atomic
def import_job_start(*, job: ImportJob, actor: User, columns: dict[str, str]) -> ImportJob:
    """Confirm the columns of a draft job and queue it for the background worker."""
    _may_import(actor, job.street)
    current = ImportJob.objects.select_for_update().get(pk=job.pk)
    if current.state != ImportJob.State.DRAFT:
        raise CaseConflict(_("This import has already been started."))
    current.columns = columns_check(columns, job_headings(current))
    current.state = ImportJob.State.QUEUED
    current.save(update_fields=["columns", "state"])
    progress_publish(current)
    return current


@transaction.atomic
def preset_save(*, name: str, columns: dict[str, str]) -> ColumnPreset:
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the preset a name."))
    kept = {f.name: (columns.get(f.name) or "").strip() for f in FIELDS}
    preset, _created = ColumnPreset.objects.update_or_create(name=name, defaults={"columns": kept})
    return preset


# --- the background work ------------------------------------------------------------------


def imports_work() -> bool:
    """One slice of the oldest unfinished job (the dispatcher's periodic work); True when
    work remains."""
    job = (
        ImportJob.objects.filter(state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING])
        .defer("content")  # read once, when its rows are made
        .select_related("street", "fallback_category")
        .order_by("submitted_at", "pk")
        .first()
    )
    if job is None:
        return False
    import_job_work(job, seconds=SLICE_SECONDS)
    return ImportJob.objects.filter(
        state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING]
    ).exists()


def import_job_work(job: ImportJob, *, seconds: float, max_rows: int | None = None) -> ImportJob:
    """Work the job's waiting rows for about `seconds` (and at most `max_rows`), in file
    order."""
    if job.state == ImportJob.State.QUEUED and not _rows_prepare(job):
        return job
    categories, placer = Categories(job.fallback_category), Placer(job.street)
    started = time.monotonic()
    published = started
    pending = ImportRow.objects.filter(job=job, outcome=Outcome.PENDING).order_by("line")
    worked = 0
    while time.monotonic() - started < seconds and (max_rows is None or worked < max_rows):
        size = BATCH_ROWS if max_rows is None else min(BATCH_ROWS, max_rows - worked)
        with transaction.atomic():  # one commit per batch; each row in its own savepoint
            batch = list(pending[:size])
            if not batch:
                _job_finish(job, time.monotonic() - published)
                return job
            for row in batch:
                _row_work(job, row, categories, placer)
            worked += len(batch)
            if time.monotonic() - published >= PUBLISH_SECONDS:
                _progress(job, time.monotonic() - published)
                published = time.monotonic()
    _progress(job, time.monotonic() - published)
    return job


@transaction.atomic
def _rows_prepare(job: ImportJob) -> bool:
    """Read the stored file into waiting rows (once: the job is running afterwards)."""
    try:
        headings, rows = table_read(job.filename, bytes(job.content))
    except ValidationError as exc:
        job.state, job.message, job.finished_at = (
            ImportJob.State.FAILED,
            "; ".join(exc.messages),
            timezone.now(),
        )
        job.save(update_fields=["state", "message", "finished_at"])
        progress_publish(job)
        return False
    ImportRow.objects.bulk_create(
        (
            ImportRow(
                job=job,
                line=line,
                order_number=(values := values_from(headings, cells, job.columns))["number"][:64],
                values=values,
            )
            for line, cells in rows
        ),
        batch_size=1000,
    )
    job.state, job.total, job.started_at = ImportJob.State.RUNNING, len(rows), timezone.now()
    job.save(update_fields=["state", "total", "started_at"])
    return True


def _row_work(job: ImportJob, row: ImportRow, categories: Categories, placer: Placer) -> None:
    with transaction.atomic():
        locked = ImportRow.objects.select_for_update().filter(pk=row.pk, outcome=Outcome.PENDING)
        current = locked.first()
        if current is None:  # another dispatcher had it
            return
        try:
            with transaction.atomic():
                outcome, case = _row_case(job, current, categories, placer)
            reason = ""
        except RowError as exc:
            outcome, case, reason = Outcome.FAILED, None, str(exc)
        except (ValidationError, PermissionDenied, CaseConflict) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            outcome, case, reason = Outcome.FAILED, None, "; ".join(messages)
        except Exception as exc:  # one bad row must not stop the file
            logger.exception("hotline import %s line %s", job.pk, current.line)
            outcome, case, reason = (
                Outcome.FAILED,
                None,
                _("Internal error: %(error)s") % {"error": type(exc).__name__},
            )
        current.outcome, current.case, current.reason = outcome, case, reason
        current.save(update_fields=["outcome", "case", "reason"])
        counter = COUNTER[outcome]
        ImportJob.objects.filter(pk=job.pk).update(done=F("done") + 1, **{counter: F(counter) + 1})


def _row_case(
    job: ImportJob, row: ImportRow, categories: Categories, placer: Placer
) -> tuple[str, Case | None]:
    order = order_check(row.values, categories)
    existing = Case.objects.filter(hotline_number=order.number).first()
    if existing is not None:
        return Outcome.SKIPPED, existing
    area = placer.place(order.latitude, order.longitude, order.address)
    if area is None:
        return Outcome.UNPLACED, None
    try:
        with transaction.atomic():
            return Outcome.CREATED, _case_make(order, area)
    except IntegrityError:  # the same work order, made a moment ago by someone else
        existing = Case.objects.filter(hotline_number=order.number).first()
        if existing is None:
            raise
        return Outcome.SKIPPED, existing


def _case_make(order: Order, area: Area) -> Case:
    return case_report(
        title=order.title,
        description=order.case_description(),
        category=order.category,
        area=area,
        source=Source.HOTLINE,
        contact_name=order.caller,
        contact_phone=order.phone,
        latitude=order.latitude,
        longitude=order.longitude,
        address=order.address,
        hotline_number=order.number,
    )


def _progress(job: ImportJob, elapsed: float) -> None:
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(work_seconds=F("work_seconds") + elapsed)
        job.refresh_from_db()
        progress_publish(job)


@transaction.atomic
def _job_finish(job: ImportJob, elapsed: float) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.DONE,
        finished_at=timezone.now(),
        work_seconds=F("work_seconds") + elapsed,
    )
    job.refresh_from_db()
    progress_publish(job)


# --- placing by hand ----------------------------------------------------------------------


@transaction.atomic
def import_row_place(*, row: ImportRow, area: Area, actor: User) -> Case:
    """A person puts a row the import could not place into an area of the job's street: its
    case is made there (or, if the work order has a case by now, the row points to it)."""
    job = row.job
    _may_import(actor, job.street)
    if not area.path.startswith(job.street.path):
        raise ValidationError(_("Choose an area in %(street)s.") % {"street": job.street.name})
    current = ImportRow.objects.select_for_update().filter(pk=row.pk).first()
    if current is None or current.outcome != Outcome.UNPLACED:
        raise CaseConflict(_("This row is not waiting to be placed any more."))
    try:
        order = order_check(current.values, Categories(job.fallback_category))
    except RowError as exc:
        raise ValidationError(str(exc)) from None
    case = Case.objects.filter(hotline_number=order.number).first()
    made = case is None
    if case is None:
        case = _case_make(order, area)
    current.outcome, current.case = Outcome.PLACED, case
    current.save(update_fields=["outcome", "case"])
    ImportJob.objects.filter(pk=job.pk).update(
        unplaced=F("unplaced") - 1, **({"created": F("created") + 1} if made else {})
    )
    job.refresh_from_db()
    progress_publish(job)
    return case
