"""GridCase ↔ Open311 GeoReport v2: categories are services, cases are service requests.

- `service_code` is the category code; `service_request_id` is the case number.
- Status: every open GridCase status is `open`; closed, rejected and duplicate are `closed`,
  with `status_notes` saying which and why.
- `agency_responsible` is the handling department (the lead one when several are dispatched),
  or the grid/community/street handling the case before any department is involved; after a
  改派 it is the new department.
- An open case granted an extension (延期) says so in `status_notes`, and its
  `expected_datetime` is the granted deadline. A suspended one (挂起) says why and when it is
  expected to resume; it has no `expected_datetime` while its clocks stand still.
- Only cases reported through Open311 are public here: other cases (patrol findings, resident
  reports through GridCase, hotline tickets) may hold details their reporters did not publish.
"""

from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import visibility
from ...choices import ENDED_STATUSES, Status
from ...models import Case, CaseDispatch, CaseExtension, Category

PUBLIC_SOURCES = visibility.PUBLIC_SOURCES

# Service attributes (GeoReport "service definition"), the same for every category.
ATTRIBUTES = [
    {
        "variable": True,
        "code": "title",
        "datatype": "string",
        "required": False,
        "datatype_description": "At most 120 characters.",
        "order": 1,
        "description": "A short title (default: the start of the description).",
    },
    {
        "variable": True,
        "code": "anonymous",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": None,
        "order": 2,
        "description": "Hide the reporter's name and phone from the people handling it.",
        "values": [{"key": "false", "name": "No"}, {"key": "true", "name": "Yes"}],
    },
]
ATTRIBUTE_CODES = {attribute["code"] for attribute in ATTRIBUTES}


def w3c_datetime(value: datetime | None) -> str | None:
    """ISO 8601 with the offset, in GridCase's time zone (2026-11-21T09:30:00+08:00)."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service_of(category: Category) -> dict[str, str | bool | None]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name,
        "metadata": True,
        "type": "realtime",
        "keywords": category.code.replace("_", " "),
        "group": category.get_default_department_kind_display() or None,
    }


def service_definition_of(category: Category) -> dict[str, object]:
    return {"service_code": category.code, "attributes": ATTRIBUTES}


def public_requests() -> QuerySet[Case]:
    """The cases Open311 may show, with what `request_of` reads (no query per case)."""
    active = CaseDispatch.objects.filter(active=True).select_related("department")
    return (
        Case.objects.filter(source__in=PUBLIC_SOURCES)
        .select_related("category", "handling_area", "duplicate_of")
        .prefetch_related(
            Prefetch("dispatches", active.order_by("-lead", "pk")),
            "photos",
            Prefetch(
                "extensions",
                CaseExtension.objects.filter(state="approved").order_by("pk"),
                to_attr="granted_extensions",
            ),
        )
    )


def open311_status(case: Case) -> str:
    return "closed" if case.status in ENDED_STATUSES else "open"


def status_notes(case: Case) -> str:
    if case.status == Status.CLOSED:
        return case.result or _("Solved and verified.")
    if case.status == Status.REJECTED:
        return _("Rejected: %(reason)s") % {"reason": case.result}
    if case.status == Status.DUPLICATE:
        duplicate = case.duplicate_of  # no query when there is none
        original = duplicate.number if duplicate else ""
        return _("Duplicate of %(number)s.") % {"number": original}
    notes = f"{case.get_status_display()} ({case.get_level_display()})"
    granted = getattr(case, "granted_extensions", None)
    if granted is None:  # a case not read through `public_requests`
        granted = list(case.extensions.filter(state="approved").order_by("pk"))
    if granted and granted[-1].granted_due is not None:  # 延期: the citizen's new date
        when = timezone.localtime(granted[-1].granted_due)
        notes += " " + _("Deadline extended to %(when)s.") % {"when": f"{when:%Y-%m-%d %H:%M}"}
    if case.suspended_at and case.resume_at:
        when = timezone.localtime(case.resume_at)
        notes += " " + _("Suspended (%(why)s), expected to resume %(when)s.") % {
            "why": case.get_suspend_reason_display(),
            "when": f"{when:%Y-%m-%d %H:%M}",
        }
    return notes


def agency_of(case: Case) -> str:
    dispatches = [d for d in case.dispatches.all() if d.active]
    if dispatches:
        return dispatches[0].department.name  # ordered lead first
    return case.handling_area.name


def media_url_of(case: Case, request: HttpRequest) -> str | None:
    photos = list(case.photos.all())
    if photos:
        return request.build_absolute_uri(photos[0].get_absolute_url())
    return case.media_url or None


def request_of(case: Case, request: HttpRequest) -> dict[str, str | float | None]:
    """One case as a GeoReport v2 service request."""
    closed = case.status in ENDED_STATUSES
    return {
        "service_request_id": case.number,
        "status": open311_status(case),
        "status_notes": status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": agency_of(case),
        "service_notice": None,
        "requested_datetime": w3c_datetime(case.reported_at),
        "updated_datetime": w3c_datetime(case.closed_at if closed else case.updated_at),
        "expected_datetime": None if closed else w3c_datetime(case.resolve_due),
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": float(case.latitude) if case.latitude is not None else None,
        "long": float(case.longitude) if case.longitude is not None else None,
        "media_url": media_url_of(case, request),
    }
