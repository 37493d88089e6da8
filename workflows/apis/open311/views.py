"""Open311 GeoReport v2 at /open311/v2/: services, service definitions, requests (GET and POST),
one request, tokens and discovery, each as .json or .xml.

Errors follow the spec: a list of {"code": <HTTP status>, "description": "<field>: <why>"}.
New requests go through `services.case_report` with source Open311, like any other case.
"""

import math
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gridcase import limits
from gridcase.limits import rate_limited

from ... import services
from ...choices import ENDED_STATUSES, Source
from ...models import Case, Category
from . import mapping, xml
from .intake import Open311Error, api_key_of, refuse_nul, request_input

MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-21T00:00:00+08:00"


def respond(fmt: str, root: str, data: xml.Document, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            xml.render(root, data), content_type="text/xml; charset=utf-8", status=status
        )
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", [{"code": status, "description": description}], status)


def too_many(request: HttpRequest, wait: float) -> HttpResponse:
    fmt = (request.resolver_match.kwargs.get("fmt") if request.resolver_match else "") or "json"
    response = error(fmt, 429, "rate_limited: too many requests, try again later")
    response["Retry-After"] = str(math.ceil(wait))
    return response


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    data = {
        "changeset": CHANGESET,
        "contact": "GridCase Open311 endpoint",
        "key_service": "Ask the street's administrator for an api_key.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(reverse("open311_root")),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


@require_GET
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    categories = Category.objects.filter(active=True)
    return respond(fmt, "services", [mapping.service_of(c) for c in categories])


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = Category.objects.filter(active=True, code=code).first()
    if category is None:
        return error(fmt, 404, f"service_code: no service {code!r}")
    return respond(fmt, "service_definition", mapping.service_definition_of(category))


@csrf_exempt
@require_http_methods(["GET", "POST"])
@rate_limited("open311_post", api_key=api_key_of, respond=too_many)
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt)
    try:
        refuse_nul(request.GET)
        cases = _filtered(request.GET)
    except Open311Error as exc:
        return error(fmt, exc.status, str(exc))
    rows = [mapping.request_of(case, request) for case in cases[:MAX_RESULTS]]
    return respond(fmt, "service_requests", rows)


def _when(params: QueryDict, name: str) -> datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(f"{name}: not a W3C date-time (e.g. 2026-11-21T09:30:00+08:00)")
    try:  # in UTC: Python accepts offsets PostgreSQL refuses (up to ±24 h)
        aware = value if timezone.is_aware(value) else timezone.make_aware(value)
        return aware.astimezone(UTC)
    except (OverflowError, ValueError):
        raise Open311Error(f"{name}: out of range") from None


def _filtered(params: QueryDict) -> QuerySet[Case]:
    cases = mapping.public_requests().order_by("-reported_at", "-pk")
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:  # the spec: other parameters are ignored when ids are given
        return cases.filter(number__in=ids[:MAX_RESULTS])
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        cases = cases.filter(category__code__in=codes)
    start, end = _when(params, "start_date"), _when(params, "end_date")
    if start is None and end is None:
        start = timezone.now() - DEFAULT_WINDOW
    if start is not None:
        cases = cases.filter(reported_at__gte=start)
    if end is not None:
        cases = cases.filter(reported_at__lte=end)
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error("status: use open, closed or open,closed")
    if statuses == {"open"}:
        cases = cases.exclude(status__in=ENDED_STATUSES)
    elif statuses == {"closed"}:
        cases = cases.filter(status__in=ENDED_STATUSES)
    return cases


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        fields = request_input(request)
        case = services.case_report(source=Source.OPEN311, **fields)
    except Open311Error as exc:
        return error(fmt, exc.status, str(exc))
    except limits.LockedOut as exc:
        response = error(fmt, 429, f"api_key: {exc.detail}")
        response["Retry-After"] = str(exc.seconds)
        return response
    except ValidationError as exc:
        return error(fmt, 400, "request: " + " ".join(exc.messages))
    row = {
        "service_request_id": case.number,
        "token": case.number,
        "service_notice": mapping.status_notes(case),
        "account_id": None,
    }
    return respond(fmt, "service_requests", [row], status=201)


@require_GET
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    case = mapping.public_requests().filter(number=request_id).first()
    if case is None:
        return error(fmt, 404, f"service_request_id: no request {request_id!r}")
    return respond(fmt, "service_requests", [mapping.request_of(case, request)])


@require_GET
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """Requests are created at once, so a token is the request's own id."""
    case = mapping.public_requests().filter(number=token).first()
    if case is None:
        return error(fmt, 404, f"token: no request for token {token!r}")
    return respond(fmt, "service_requests", [{"service_request_id": case.number, "token": token}])
