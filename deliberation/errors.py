"""Domain errors of the deliberation services; pages and the API map them to 403/409/400."""

from django.core.exceptions import PermissionDenied, ValidationError


class DeliberationDenied(PermissionDenied):
    """The person may not do this (role, compound, ownership)."""


class DeliberationConflict(Exception):
    """The proposal is not in a state where this makes sense (HTTP 409)."""

    code = "conflict"


def error_status(exc: Exception) -> int | None:
    if isinstance(exc, ValidationError):
        return 400
    if isinstance(exc, DeliberationDenied):
        return 403
    if isinstance(exc, DeliberationConflict):
        return 409
    return None
