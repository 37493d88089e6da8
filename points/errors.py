"""Domain errors of the points services; pages and the API map them to 400/403/409."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError


class PointsDenied(PermissionDenied):
    """The actor may not do this here (HTTP 403)."""


class PointsConflict(Exception):
    """Not possible in the current state (HTTP 409)."""

    code = "conflict"


class InsufficientPoints(PointsConflict):
    code = "insufficient_points"


class OutOfStock(PointsConflict):
    code = "out_of_stock"


class AlreadyTaken(PointsConflict):
    """Another helper claimed the request first."""

    code = "already_claimed"

    def __init__(self, message: str, *, helper: str, claimed_at: datetime | None) -> None:
        super().__init__(message)
        self.helper = helper
        self.claimed_at = claimed_at


def error_status(exc: Exception) -> int | None:
    if isinstance(exc, ValidationError):
        return 400
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, PointsConflict):
        return 409
    return None


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PointsDenied(message)
