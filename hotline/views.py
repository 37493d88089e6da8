"""The import pages: upload, the column mapping, the job's live progress (and its JSON twin),
the error report (.csv, .xlsx) and the rows waiting to be placed by hand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcase.spreadsheets import Sheet, csv_response, xlsx_response
from grids.models import Area
from grids.selectors import signed_in
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.visibility import hotline_import_allowed, hotline_import_streets

from . import services
from .forms import ColumnsForm, PlaceForm, UploadForm
from .models import ImportJob, ImportRow
from .replies import HEADINGS, ReplyForm, reply_rows
from .streams import progress_payload


def _job_get(request: HttpRequest, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.defer("content").select_related("street"), pk=pk)
    if not hotline_import_allowed(request.user, job.street):
        raise CaseActionDenied(_("You may not see this import."))
    return job


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    user = signed_in(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data, upload = form.cleaned_data, form.cleaned_data["file"]
            preset = data["preset"]
            try:
                job = services.import_job_upload(
                    street=data["street"],
                    actor=user,
                    filename=upload.name or "upload",
                    content=upload.read(),
                    columns=preset.columns if preset else {},
                    fallback_category=data["fallback_category"],
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                return redirect("hotline_columns", pk=job.pk)
    streets = Area.objects.filter(hotline_import_streets(user))
    jobs = (
        ImportJob.objects.filter(street__in=streets).defer("content").select_related("street")[:20]
    )
    return render(request, "hotline/start.html", {"form": form, "jobs": jobs}, status=status)


@login_required
def import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_get(request, pk)
    if job.state != ImportJob.State.DRAFT:
        return redirect("hotline_job", pk=job.pk)
    headings = services.job_headings(job)
    form = ColumnsForm(request.POST or None, headings=headings, initial_columns=job.columns)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if name := form.cleaned_data["preset_name"]:
                    services.preset_save(name=name, columns=form.columns())
                services.import_job_start(
                    job=job, actor=signed_in(request.user), columns=form.columns()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("hotline_job", pk=job.pk)
    context = {"job": job, "form": form, "headings": headings}
    return render(request, "hotline/columns.html", context, status=status)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_get(request, pk)
    return render(request, "hotline/job.html", {"job": job, "progress": progress_payload(job)})


@login_required
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(progress_payload(_job_get(request, pk)))


def _error_rows(job: ImportJob) -> list[ImportRow]:
    return list(job.rows.filter(outcome=ImportRow.Outcome.FAILED).order_by("line"))


def _error_sheet(job: ImportJob) -> Sheet:
    rows = [(row.line, row.order_number, row.reason) for row in _error_rows(job)]
    return Sheet(_("Errors"), [_("Line"), _("Work order number"), _("Reason")], rows)


@login_required
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_get(request, pk)
    return csv_response([_error_sheet(job)], f"import-{job.pk}-errors.csv")


@login_required
def import_errors_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_get(request, pk)
    return xlsx_response([_error_sheet(job)], f"import-{job.pk}-errors.xlsx")


UNPLACED_LISTED = 200


def _place_choices(street: Area) -> list[tuple[object, str]]:
    """The areas to place a row in, read once for the whole list (a form field's choices
    would query again for every row's menu)."""
    return list(PlaceForm(street=street).fields["area"].choices)  # type: ignore[attr-defined]


@login_required
def import_unplaced(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_get(request, pk)
    rows = job.rows.filter(outcome=ImportRow.Outcome.UNPLACED).order_by("line")
    context = {"job": job, "rows": rows[:UNPLACED_LISTED], "areas": _place_choices(job.street)}
    return render(request, "hotline/unplaced.html", context)


@login_required
def street_unplaced(request: HttpRequest) -> HttpResponse:
    """The street's "to be placed" list: the waiting rows of all its imports, oldest first."""
    user = signed_in(request.user)
    streets = list(Area.objects.filter(hotline_import_streets(user)).order_by("code"))
    street = next((s for s in streets if s.code == request.GET.get("street")), None)
    street = street or (streets[0] if streets else None)
    if street is None:
        raise CaseActionDenied(_("You may not see this import."))
    rows = (
        ImportRow.objects.filter(job__street=street, outcome=ImportRow.Outcome.UNPLACED)
        .select_related("job")
        .order_by("job__submitted_at", "line")
    )
    context = {"street": street, "rows": rows[:UNPLACED_LISTED], "areas": _place_choices(street)}
    return render(request, "hotline/unplaced.html", context)


@login_required
@require_POST
def import_row_place(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(ImportRow.objects.select_related("job__street"), pk=pk)
    job = _job_get(request, row.job_id)
    form = PlaceForm(request.POST, street=job.street)
    back = request.POST.get("back") == "street"
    target = (
        redirect("hotline_street_unplaced") if back else redirect("hotline_unplaced", pk=job.pk)
    )
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return target
    try:
        case = services.import_row_place(
            row=row, area=form.cleaned_data["area"], actor=signed_in(request.user)
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return target
    except CaseConflict as exc:
        messages.error(request, str(exc))
        return target
    messages.success(
        request,
        _("Case %(number)s made for line %(line)d.") % {"number": case.number, "line": row.line},
    )
    return target


@login_required
def reply_export(request: HttpRequest) -> HttpResponse:
    """GET with street, first and last: the .xlsx; without them: the form."""
    user = signed_in(request.user)
    streets = Area.objects.filter(hotline_import_streets(user)).order_by("code")
    asked = "first" in request.GET or "last" in request.GET
    form = ReplyForm(request.GET if asked else None)
    street = streets.filter(code=request.GET.get("street", "")).first() or streets.first()
    if street is None:
        raise CaseActionDenied(_("You may not export hotline replies."))
    if not asked or not form.is_valid():
        context = {"form": form, "streets": streets, "street": street}
        return render(request, "hotline/replies.html", context, status=400 if asked else 200)
    first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    sheet = Sheet("回复", HEADINGS, reply_rows(street, first, last))
    return xlsx_response(
        [sheet], f"hotline-replies-{street.code}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    )
