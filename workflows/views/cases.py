"""The case list, the case page, reporting, and the one POST endpoint per action.

Views are thin: a form checks the input, one service does the work, and every answer to a
POST is a redirect (POST-redirect-GET) with a message: success, CaseConflict and
CaseActionDenied back to the case page or the workbench it came from; ValidationError to the
case page at the form, shown again with its input and errors. The services check permissions
again.
"""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from grids.models import Department, User
from grids.selectors import signed_in

from .. import forms
from ..actions import Action, action_get, case_actions_offered, part_actions_offered
from ..choices import AppealKind, EventKind, Level, Rating, Status, SuspendReason, WhistleType
from ..errors import AlreadyClaimed, CaseActionDenied, CaseConflict
from ..models import Case, CaseDispatch, CaseEvent
from ..photos import PhotoRejected
from ..privacy import ReporterContact, reporter_contact, reporter_name
from ..selectors import case_open_tasks, cases_page, reply_templates_for
from ..visibility import (
    PART_ENDED,
    can_view,
    cases_visible_to,
    part_events,
    part_photos,
    parts_seen,
)
from .drawing import area_map
from .maps import case_map

# --- the case list, the case page and reporting ------------------------------------------------

CASES_PER_PAGE = 50
# The action form just sent, kept for the page: (department code or None, action name, form).
Bound = tuple[str | None, str, forms.CaseActionForm]


def cases_filtered(request: HttpRequest) -> tuple[forms.CaseFilterForm, QuerySet[Case]]:
    """The case list's filters and the visible cases they select (the list and its exports)."""
    filters = forms.CaseFilterForm(request.GET)
    cases = cases_visible_to(request.user).select_related("category", "area")
    if filters.is_valid():
        cases = filters.apply(cases)
    return filters, cases


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    filters, cases = cases_filtered(request)
    oldest = filters.is_valid() and filters.cleaned_data.get("sort") == "old"
    rows, after = cases_page(
        cases, after=request.GET.get("after", ""), size=CASES_PER_PAGE, oldest=oldest
    )
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "filters": filters,
        "cases": rows,
        "after": after,
        "paged": "after" in request.GET,
        "export_query": query.urlencode(),
        # the map shows the same filters' cases (in the view, open ones unless a status is set)
        "case_map": case_map(request.user, query=_map_query(request)),
    }
    return render(request, "workflows/case_list.html", context)


def _map_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    for paging in ("after", "sort"):
        query.pop(paging, None)
    return query.urlencode()


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, _case_get(number))


def _case_get(number: str) -> Case:
    dispatches = CaseDispatch.objects.select_related(
        "department", "claimed_by", "dispatched_by", "reassigned_to__department"
    )
    return get_object_or_404(
        Case.objects.select_related(
            "category", "area", "handling_area", "verifier_area", "reporter", "handler"
        ).prefetch_related(
            Prefetch("dispatches", dispatches.order_by("-active", "-lead", "pk")), "photos"
        ),
        number=number,
    )


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    bound: Bound | None = None,
) -> HttpResponse:
    """The case page: 404 unless the user may see the case; only the actions they may use."""
    user = request.user
    if not can_view(user, case):
        return _part_page(request, case)
    bound = bound or _kept_form(request, case)
    offered = action_forms(request, case, case_actions_offered(user, case), None, bound)
    dispatches = list(case.dispatches.all())
    part_actions = [
        item
        for d in dispatches
        if d.active
        for item in action_forms(request, case, part_actions_offered(user, case, d), d, bound)
    ]
    photos = list(case.photos.all())
    contact = reporter_contact(user, case)
    context = {
        "case": case,
        "contact": contact,
        "map": area_map(case.area, case.latitude, case.longitude),
        "open_steps": [
            STEP_LABELS.get(task.flow_task.name, task.flow_task.name)
            for task in case_open_tasks(case)
        ],
        "before": [p for p in photos if p.kind == "before"],
        "after": [p for p in photos if p.kind == "after"],
        "verify_photos": [p for p in photos if p.kind == "verify"],
        "appeals": list(
            case.appeals.select_related("department", "appealed_by", "decided_by").prefetch_related(
                "photos"
            )
        ),
        "dispatches": dispatches,
        # what the user may do now, on the case and on their departments' parts: at the top
        # of the page, the main actions first
        "actions": sorted(offered + part_actions, key=_secondary),
        "events": _timeline(case, contact),
        "invalid": bound is not None,
        "now": timezone.now(),
    }
    return render(request, "workflows/case_detail.html", context)


def _part_page(request: HttpRequest, case: Case) -> HttpResponse:
    """A department whose part has ended: the facts it worked from, its part and that part's
    history (`visibility.parts_seen`), no action; 404 for everyone else who may not see it."""
    parts = parts_seen(request.user, case)
    if not parts:
        raise Http404
    photos = part_photos(case, parts)
    events = part_events(case, parts)
    context = {
        "case": case,
        "dispatches": parts,
        "before": [p for p in photos if p.kind == "before"],
        "after": [p for p in photos if p.kind == "after"],
        "events": _timeline(case, reporter_contact(request.user, case), events),
        "now": timezone.now(),
    }
    return render(request, "workflows/case_part.html", context)


def _secondary(item: dict[str, object]) -> bool:
    action = item["action"]
    assert isinstance(action, Action)
    return not action.primary


STEP_LABELS = {
    "intake": _("intake"),
    "handle": _("handling"),
    "claim": _("reporting for duty"),
    "review_return": _("review of a return"),
    "verify": _("verification"),
}
PAYLOAD_TEXT = ("reason", "instruction", "note", "comment", "original")
STATUS_LABELS, LEVEL_LABELS = dict(Status.choices), dict(Level.choices)
PAYLOAD_LABELS = {
    "whistle_type": dict(WhistleType.choices),
    "rating": dict(Rating.choices),
    "appeal": dict(AppealKind.choices),  # 申诉: against a rating or a rework
}


PAYLOAD_DEADLINES = {  # 延期 and 退单审核 deadlines in a payload (ISO 8601), as the page says them
    "requested_due": _("asked until %(when)s"),
    "granted_due": _("granted until %(when)s"),
    "review_due": _("to review by %(when)s"),
    "resume_at": _("to resume %(when)s"),
    "due": _("due %(when)s"),
}
# 挂起 events carry the reason's code: the history says its label
SUSPEND_REASONS = dict(SuspendReason.choices)
SUSPEND_KINDS = (EventKind.SUSPENSION_ASKED, EventKind.SUSPENDED, EventKind.RESUMED)


def _deadline_text(key: str, value: str) -> str:
    try:
        when = timezone.localtime(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)
    return str(PAYLOAD_DEADLINES[key] % {"when": f"{when:%Y-%m-%d %H:%M}"})


def _timeline(
    case: Case, contact: ReporterContact, events: list[CaseEvent] | None = None
) -> list[dict[str, object]]:
    """The event log (or the given events of it) as the page shows it, the reporter named as
    `privacy` allows, the departments by name."""
    rows = []
    if events is None:
        events = list(case.events.select_related("actor").order_by("pk"))
    codes = set()
    for event in events:
        payload = event.payload or {}
        codes.update([payload.get("department") or "", *payload.get("departments", [])])
    names = dict(Department.objects.filter(code__in=codes - {""}).values_list("code", "name"))
    for event in events:
        payload = event.payload or {}
        if event.kind in SUSPEND_KINDS and "reason" in payload:
            payload = {**payload, "reason": SUSPEND_REASONS.get(payload["reason"], "")}
        actor: User | StrOrPromise = event.actor or _("System")
        if event.actor_id and event.actor_id == case.reporter_id:
            actor = reporter_name(case, event.actor, contact) or _("Anonymous")
        details = [labels.get(payload.get(key, ""), "") for key, labels in PAYLOAD_LABELS.items()]
        # departments by name (the log keeps their codes)
        department = payload.get("department", "")
        if source := payload.get("from_department"):  # 改派: from → to
            details.append(f"{names.get(source, source)} → {names.get(department, department)}")
        else:
            details.append(names.get(department, department))
        details.append("、".join(names.get(code, code) for code in payload.get("departments", [])))
        details += [str(payload.get(key, "")) for key in PAYLOAD_TEXT]
        if payload.get("asked_by"):  # 挂起 approved: whose request it was
            details.append(str(_("asked by %(name)s") % {"name": payload["asked_by"]}))
        details += [
            _deadline_text(key, payload[key]) for key in PAYLOAD_DEADLINES if key in payload
        ]
        rows.append(
            {
                "event": event,
                "kind": event.get_kind_display(),
                "actor": actor,
                "from": STATUS_LABELS.get(event.from_status, event.from_status),
                "to": STATUS_LABELS.get(event.to_status, event.to_status),
                "level": LEVEL_LABELS.get(event.level, event.level),
                "details": [d for d in details if d],
            }
        )
    return rows


@login_required
@require_POST
def case_action(
    request: HttpRequest, number: str, action: str, department: str = ""
) -> HttpResponse:
    """POST one action, then always redirect (POST-redirect-GET): on success to the case page
    (or the workbench it was sent from) with the result message; on a conflict or a refusal to
    the same place with the reason; on bad input to the case page at the form, which shows the
    input and its errors again (kept in the session for that one page view)."""
    spec = action_get(action, "part" if department else "case")
    case = _case_get(number)
    if not can_view(request.user, case):
        if parts_seen(request.user, case):  # its part has ended: it reads, it does not act
            messages.error(request, str(PART_ENDED % {"number": case.number}))
            return redirect(reverse("case_detail", args=[number]))
        raise Http404  # a hidden case answers as an unknown one: its number tells nothing
    unit = get_object_or_404(Department, code=department) if department else None
    back = _next(request) or reverse("case_detail", args=[number])
    form = spec.form(
        request.POST,
        request.FILES,
        case=case,
        user=request.user,
        department=unit,
        prefix=form_prefix(spec, unit),
    )
    if form.is_valid():
        try:
            actor = signed_in(request.user)
            spec.run(case=case, actor=actor, department=unit, **form.cleaned_data)
        except ValidationError as exc:
            form_error(form, exc)
        except CaseActionDenied as exc:
            messages.error(request, str(exc))
            return redirect(back)
        except CaseConflict as exc:
            messages.error(request, _conflict(exc))
            return redirect(back)
        else:
            messages.success(request, str(spec.done))
            return redirect(back)
    key = unit.code if unit else None
    request.session[_KEPT_FORM] = {
        "case": number,
        "department": key,
        "action": action,
        "data": {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"},
        "errors": form.errors.get_json_data(),
    }
    anchor = f"action-{action}" + (f"-{key}" if key else "")
    return redirect(reverse("case_detail", args=[number]) + f"#{anchor}")


MAX_SELECTED = 50  # parts one "claim/assign the selected" may act on


@login_required
@require_POST
def parts_action(request: HttpRequest) -> HttpResponse:
    """The queue's "claim the selected" / "give the selected to …": the registry's claim or
    assign action run on each selected part (`part` = "<case number>:<department code>"),
    each in its own transaction through the same form and service as one at a time; then
    back to the queue with one message for what was done and one per refusal."""
    name = request.POST.get("action", "")
    if name not in ("claim", "assign"):
        return HttpResponse(_("Choose claim or assign."), status=400)
    spec = action_get(name, "part")
    back = _next(request) or reverse("workbench", args=["department"])
    selected = request.POST.getlist("part")[:MAX_SELECTED]
    if not selected:
        messages.error(request, _("Select the cases first."))
        return redirect(back)
    done: list[str] = []
    actor = signed_in(request.user)
    for item in selected:
        number, _sep, code = item.partition(":")
        case = Case.objects.filter(number=number).first()
        unit = Department.objects.filter(code=code).first()
        if case is None or unit is None or not can_view(actor, case):
            messages.error(request, _("%(case)s: no such case.") % {"case": number})
            continue
        prefix = form_prefix(spec, unit)
        data = QueryDict(mutable=True)
        if "assignee" in request.POST:
            data[f"{prefix}-assignee"] = request.POST["assignee"]
        form = spec.form(data, case=case, user=actor, department=unit, prefix=prefix)
        if not form.is_valid():
            problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
            messages.error(request, f"{number}: {problems}")
            continue
        try:
            spec.run(case=case, actor=actor, department=unit, **form.cleaned_data)
        except (ValidationError, CaseActionDenied, CaseConflict) as exc:
            text = _conflict(exc) if isinstance(exc, CaseConflict) else _refusal(exc)
            messages.error(request, f"{number}: {text}")
        else:
            done.append(number)
    if done:
        messages.success(request, f"{spec.done} {'、'.join(done)}")
    return redirect(back)


def _refusal(exc: ValidationError | CaseActionDenied) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


# The session key of an action form sent with errors, shown once by the next case page.
_KEPT_FORM = "workflows.kept_form"


def _kept_form(request: HttpRequest, case: Case) -> Bound | None:
    """The form sent with errors just before (POST-redirect-GET), bound again to its input
    with the errors it had (files cannot be kept: the person picks them again)."""
    kept = request.session.get(_KEPT_FORM)
    if not kept or kept.get("case") != case.number:
        return None
    del request.session[_KEPT_FORM]
    code, name = kept["department"], kept["action"]
    spec = action_get(name, "part" if code else "case")
    unit = Department.objects.filter(code=code).first() if code else None
    if code and unit is None:
        return None
    data = QueryDict(mutable=True)
    for field, values in kept["data"].items():
        data.setlist(field, values)
    form = spec.form(
        data, case=case, user=request.user, department=unit, prefix=form_prefix(spec, unit)
    )
    form.errors.clear()  # validated again without the files; show the errors it had instead
    for field, items in kept["errors"].items():
        for item in items:
            form.add_error(
                field if field in form.fields else None,
                ValidationError(item["message"], code=item["code"]),
            )
    return (code, name, form)


def form_prefix(action: Action, department: Department | None) -> str:
    return f"{action.name}-{department.code}" if department else action.name


def action_url(case: Case, action: Action, department: Department | None) -> str:
    if department:
        return reverse(f"dispatch_{action.name}", args=[case.number, department.code])
    return reverse(f"case_{action.name}", args=[case.number])


def action_forms(
    request: HttpRequest,
    case: Case,
    actions: list[Action],
    dispatch: CaseDispatch | None,
    bound: Bound | None,
) -> list[dict[str, object]]:
    """The offered actions' forms for the page; the one just sent keeps its input and errors
    (`bound`: department code or None, action name, form)."""
    department = dispatch.department if dispatch else None
    key = department.code if department else None
    if bound and bound[0] == key and bound[1] not in [a.name for a in actions]:
        # the state moved on, but the person must see their errors
        actions = [*actions, action_get(bound[1], "part" if department else "case")]
    offered = []
    for action in actions:
        if bound and bound[:2] == (key, action.name):
            form = bound[2]
        else:
            prefix = form_prefix(action, department)
            form = action.form(case=case, user=request.user, department=department, prefix=prefix)
        url = action_url(case, action, department)
        item = {"action": action, "form": form, "url": url, "department": department}
        offered.append(item | reply_offer(action, form, department))
    return offered


# 常用回复: the text field of the part actions a department's templates fill
REPLY_FIELDS = {("part", "resolve"): ("result", "result"), ("part", "return"): ("return", "reason")}


def reply_offer(action: Action, form: BaseForm, department: Department | None) -> dict[str, object]:
    """The department's own reply templates for a result or return form, and the text box
    they fill (its id)."""
    spec = REPLY_FIELDS.get((action.scope, action.name))
    if spec is None or department is None:
        return {}
    kind, field = spec
    templates = reply_templates_for(department, kind)
    return {"replies": templates, "reply_target": form[field].id_for_label} if templates else {}


def _next(request: HttpRequest) -> str:
    """Where a one-tap action from a workbench list returns to (same site only)."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if safe else ""


def form_error(form: BaseForm, exc: ValidationError) -> None:
    """A service's refusal of the input, shown on the form (bad photos on the photo field)."""
    field = "photos" if isinstance(exc, PhotoRejected) and "photos" in form.fields else None
    form.add_error(field, exc)


def _conflict(exc: CaseConflict) -> str:
    if isinstance(exc, AlreadyClaimed):
        when = date_format(timezone.localtime(exc.claimed_at), "Y-m-d H:i")
        return _("Already claimed by %(owner)s at %(time)s.") % {"owner": exc.owner, "time": when}
    return str(exc)


def denied(request: HttpRequest, reason: StrOrPromise | CaseActionDenied) -> HttpResponse:
    return render(request, "workflows/denied.html", {"reason": reason}, status=403)
