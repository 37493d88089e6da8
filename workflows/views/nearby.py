"""The report forms' "already reported nearby?" list (JSON for intake.js) and 我也遇到 from it.

Both forms use them, with and without an account: the list shows what `apis.nearby` lets a
person see, and a +1 without an account needs a phone (the public form's contact field)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST
from rest_framework.exceptions import ValidationError as InputError

from gridcase.limits import rate_limited

from ..actions import action_get
from ..apis.nearby import nearby_answer
from ..errors import error_status
from ..models import Case


@require_GET
def cases_nearby(request: HttpRequest) -> JsonResponse:
    """?lat=&lng=&category=<code>: open and recently closed cases of that category nearby."""
    try:
        return JsonResponse({"cases": nearby_answer(request, request.GET)})
    except InputError as exc:
        return JsonResponse({"error": exc.detail}, status=400)


@require_POST
@rate_limited("report")
def case_follow(request: HttpRequest, number: str) -> JsonResponse:
    """我也遇到 on a case found nearby, signed in or with a phone (`contact_phone`)."""
    case = get_object_or_404(Case, number=number)
    follow = action_get("follow")
    actor = request.user if request.user.is_authenticated else None
    extra = (
        {}
        if actor
        else {
            "contact_phone": request.POST.get("contact_phone", ""),
            "contact_name": request.POST.get("contact_name", ""),
        }
    )
    try:
        follow.service(case=case, actor=actor, **extra)
    except Exception as exc:
        status = error_status(exc)
        if status is None:
            raise
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return JsonResponse({"error": text}, status=status)
    case.refresh_from_db(fields=["follower_count"])
    return JsonResponse({"message": str(follow.done), "followers": case.follower_count})
