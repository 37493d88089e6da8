"""Domain errors raised by case services; views and APIs map them to 403/409/400."""

from django.core.exceptions import PermissionDenied


class CaseActionDenied(PermissionDenied):
    """The actor may not do this to this case (role, area or department)."""


class CaseConflict(Exception):
    """The case is not in a state where this action makes sense (HTTP 409)."""

    code = "conflict"


class AlreadyClaimed(CaseConflict):
    """Somebody else reported for duty first."""

    code = "already_claimed"

    def __init__(self, message: str, *, owner, claimed_at):
        super().__init__(message)
        self.owner = owner
        self.claimed_at = claimed_at
