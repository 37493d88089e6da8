"""Refused requests (400, 403, 404, 413, 429, 500): a page in the site's language and layout
that says what to do next, or `{"code", "detail"}` (and `retry_after`) for scripts and API
clients. `urls.py` points Django's error handlers here; `limits.py` answers 413 and 429 here.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

JSON_PATHS = ("/api/",)


def wants_json(request: HttpRequest) -> bool:
    """API paths, the pages' own scripts (they send X-Requested-With) and JSON-only clients."""
    if request.path.startswith(JSON_PATHS) or request.headers.get("X-Requested-With"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        403: _("Not allowed"),
        404: _("Not found"),
        413: _("Too large"),
        429: _("Too many requests"),
        500: _("Something went wrong"),
    }


def _next_step(status: int) -> str:
    steps = {
        400: _("Check what you entered and send it again."),
        403: _(
            "You may not do this with this account. Sign in with another one, or ask your "
            "administrator."
        ),
        404: _("The address may be mistyped, or the item is not visible to you."),
        413: _("Send fewer or smaller photos (at most 10 MB each) and try again."),
        429: _("Wait until this time has passed, then try again."),
        500: _(
            "This is our fault, not yours. Nothing was saved half-way: try again in a few minutes."
        ),
    }
    return steps.get(status, "")


def refusal(
    request: HttpRequest, status: int, code: str, detail: str, *, retry_after: int | None = None
) -> HttpResponse:
    if wants_json(request):
        body: dict[str, object] = {"code": code, "detail": detail}
        if retry_after is not None:
            body["retry_after"] = retry_after
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    context = {
        "status": status,
        "code": code,
        "title": _titles().get(status, str(status)),
        "detail": detail,
        "next_step": _next_step(status),
        "retry_after": retry_after,
    }
    html: str
    try:
        html = loader.render_to_string("refused.html", context, request=request)
    except Exception:  # a 500 because the database is down must still answer
        if status != 500:
            raise
        log.exception("The error page could not be rendered")
        html = _bare(context)
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _bare(context: dict[str, object]) -> str:
    return (
        '<!doctype html><html lang="zh-hans"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{context['title']}</title><h1>{context['title']}</h1>"
        f"<p>{context['detail']}</p><p>{context['next_step']}</p></html>"
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400. A body over DATA_UPLOAD_MAX_MEMORY_SIZE read outside a view (e.g. by the
    CSRF check) arrives here as a 400; it is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return refusal(request, 413, "too_large", _("The request body is too large."))
    return refusal(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else ""
    return refusal(request, 403, "denied", reason or _("You may not open this page."))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return refusal(request, 404, "not_found", _("There is no such page."))


def server_error(request: HttpRequest) -> HttpResponse:
    return refusal(request, 500, "server_error", _("The server failed to answer this request."))
