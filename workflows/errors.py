"""Domain errors raised by case services; views and APIs map them to 403/409/400."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from grids.models import User


class CaseActionDenied(PermissionDenied):
    """The actor may not do this to this case (role, area or department)."""


class CaseConflict(Exception):
    """The case is not in a state where this action makes sense (HTTP 409)."""

    code = "conflict"


class AlreadyClaimed(CaseConflict):
    """Somebody else reported for duty first."""

    code = "already_claimed"

    def __init__(self, message: str, *, owner: User | None, claimed_at: datetime | None) -> None:
        super().__init__(message)
        self.owner = owner
        self.claimed_at = claimed_at


def error_status(exc: Exception) -> int | None:
    """The HTTP status a service error maps to, for the pages and the APIs alike:
    bad input 400, not allowed 403, wrong state 409; None for anything else."""
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        return 400
    if isinstance(exc, CaseActionDenied):
        return 403
    if isinstance(exc, CaseConflict):
        return 409
    return None
