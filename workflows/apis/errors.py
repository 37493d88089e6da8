"""One error format for the REST API: {"code", "detail", "fields"?}.

Service errors map to statuses through `workflows.errors.error_status`, as on the pages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..errors import AlreadyClaimed, CaseActionDenied, CaseConflict, error_status

SERVICE_CODES = {400: "invalid", 403: "denied", 409: "conflict"}


def _service_error(exc: Exception, http_status: int) -> Response:
    code = getattr(exc, "code", None) or SERVICE_CODES[http_status]
    detail = " ".join(exc.messages) if isinstance(exc, DjangoValidationError) else str(exc)
    body = {"code": str(code), "detail": detail}
    if isinstance(exc, AlreadyClaimed):
        body["claimed_by"] = str(exc.owner)
        body["claimed_at"] = exc.claimed_at.isoformat() if exc.claimed_at else ""
    return Response(body, status=http_status)


def _first_code(codes: object) -> str:
    while isinstance(codes, dict | list) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) and codes else "invalid"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with service errors mapped and every body in the one format."""
    http_status = error_status(exc)
    if http_status is not None and isinstance(
        exc, DjangoValidationError | CaseActionDenied | CaseConflict
    ):
        return _service_error(exc, http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {key: [str(m) for m in _flat(value)] for key, value in data.items()}
        response.data = {
            "code": _first_code(exc.get_codes()),
            "detail": "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()),
            "fields": fields,
        }
    elif isinstance(exc, exceptions.APIException):
        response.data = {"code": _first_code(exc.get_codes()), "detail": str(exc.detail)}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data["code"] = "rate_limited"
    return response


def _flat(value: object) -> list[object]:
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _flat(v)]
    if isinstance(value, list):
        return [m for item in value for m in _flat(item)]
    return [value]
