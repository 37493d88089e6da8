"""The import's live progress: the `import:<job id>` stream, registered with the transport at
`ready()`, and the message a job sends its followers after each slice of rows.

Progress messages are not case events: they have their own rising ids (per job) and no
replay. A follower that reconnects gets a `resync` (or nothing) and re-reads the job's
figures from the page's JSON twin; the figures are in the job row, so nothing is lost."""

from typing import Any

from django.db.models import Q

from grids.models import User
from notifications.broadcasts import publish_on_commit
from notifications.streams import FORBIDDEN, UNKNOWN, Grant, stream_register
from workflows.visibility import hotline_import_allowed

from .models import ImportJob


def job_group(job_id: int) -> str:
    return f"hotline.import.{job_id}"


def _import_stream(user: User, key: str) -> Grant | str:
    job = (
        ImportJob.objects.filter(pk=int(key)).select_related("street").first()
        if key.isdigit()
        else None
    )
    if job is None:
        return UNKNOWN
    if not hotline_import_allowed(user, job.street):
        return FORBIDDEN
    # The replay source is the case engine's: a selection of no case replays nothing.
    return Grant(job_group(job.pk), Q(pk__in=[]))


def streams_register() -> None:
    stream_register("import", _import_stream)


def eta_seconds(job: ImportJob) -> int | None:
    """Seconds left at the rate so far (None before there is a rate, or when finished)."""
    if job.state != ImportJob.State.RUNNING or job.done == 0 or job.work_seconds <= 0:
        return None
    return round((job.total - job.done) * job.work_seconds / job.done)


def progress_payload(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.progress_seq,
        "kind": "import.progress",
        "job": job.pk,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "total": job.total,
        "done": job.done,
        "created": job.created,
        "skipped": job.skipped,
        "failed": job.failed,
        "unplaced": job.unplaced,
        "eta": eta_seconds(job),
        "message": job.message,
    }


def progress_publish(job: ImportJob) -> None:
    """Tell the job's followers its figures, after commit (a new message id each time)."""
    ImportJob.objects.filter(pk=job.pk).update(progress_seq=job.progress_seq + 1)
    job.progress_seq += 1
    publish_on_commit([job_group(job.pk)], progress_payload(job))
