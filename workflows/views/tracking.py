"""Following a case without an account: its number and the phone given when reporting open
its progress page (remembered in the session), where the resident also rates the result."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcase import limits

from .. import forms, services
from ..actions import action_get
from ..errors import CaseActionDenied, CaseConflict
from ..models import Case
from ..privacy import phone_mask
from .cases import LEVEL_LABELS
from .intake import JUST_REPORTED

SESSION_KEY = "tracked_case"
RATE = action_get("rate")  # by phone here: the service checks the phone, not an account


def track(request: HttpRequest) -> HttpResponse:
    """The number + phone form (POST, so the phone stays out of addresses and logs).

    Lookups that find nothing are counted per client address and per case number (guessing
    a phone must be slow); residents who type their own number and phone never count."""
    form = forms.TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number, phone = form.cleaned_data["number"], form.cleaned_data["phone"]
        guesses = [f"ip:{limits.client_address(request)}", f"case:{number}"]
        wait = limits.failures_wait("track", guesses)
        if wait:
            return limits.too_many(request, wait)
        if Case.objects.filter(number=number, contact_phone=phone).exists():
            request.session[SESSION_KEY] = [number, phone]
            return redirect("track_case", number=number)
        limits.failed("track", guesses)
        form.add_error(None, _("No case has this number and phone."))
    status = 400 if form.errors else 200
    return render(request, "workflows/track.html", {"form": form}, status=status)


def _tracked(request: HttpRequest, number: str) -> tuple[Case | None, str]:
    tracked = request.session.get(SESSION_KEY) or ["", ""]
    if tracked[0] != number:
        return None, ""
    case = (
        Case.objects.select_related("category", "area", "handling_area")
        .filter(number=number, contact_phone=tracked[1])
        .first()
    )
    return case, tracked[1]


def track_case(
    request: HttpRequest, number: str, *, rate_form: forms.CaseActionForm | None = None
) -> HttpResponse:
    """The progress page: status, level, what happened when; no names of people."""
    case, phone = _tracked(request, number)
    if case is None:
        return redirect("track")
    rating_open = RATE.possible(case)  # the holder of the case's phone is its reporter
    just_reported = request.session.get(JUST_REPORTED) == number
    if just_reported and request.headers.get("X-Requested-With") != "fetch":
        # shown once; the report form's script follows the redirect by fetch before the
        # browser loads the page itself, so that look does not count
        del request.session[JUST_REPORTED]
    context = {
        "case": case,
        "just_reported": just_reported,
        "masked_phone": phone_mask(phone) if just_reported else "",
        "rate": RATE,
        "steps": [
            {
                "event": event,
                "kind": event.get_kind_display(),
                "level": LEVEL_LABELS.get(event.level, event.level),
            }
            for event in case.events.order_by("pk")
        ],
        "after": [p for p in case.photos.all() if p.kind == "after"],
        "rate_form": rate_form or (RATE.form(case=case, user=None) if rating_open else None),
    }
    return render(request, "workflows/track_case.html", context, status=400 if rate_form else 200)


@require_POST
def track_rate(request: HttpRequest, number: str) -> HttpResponse:
    case, phone = _tracked(request, number)
    if case is None:
        return redirect("track")
    form = RATE.form(request.POST, case=case, user=None)
    if not form.is_valid():  # POST-redirect-GET: the reason as a message, at the form
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, problems)
        return redirect(reverse("track_case", args=[number]) + "#rate")
    try:
        services.case_rate(case=case, phone=phone, **form.cleaned_data)
    except (ValidationError, CaseActionDenied, CaseConflict) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, str(RATE.done))
    return redirect("track_case", number=number)
