"""Time limits passing: mark the case overdue and tell the handler and the level above."""

from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification

from ..choices import EventKind
from ..models import Case
from .common import case_locked, event_announce
from .supervision import supervisors_of

OVERSEER_ROLES = (Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_OFFICIAL)


def case_mark_overdue(*, case: Case, what: str) -> None:
    """Fired once by the stage's timer ("respond" or "resolve"), only while the case is open."""
    with case_locked(case) as case:
        if not case.is_open:
            return
        case.overdue = True
        case.save(update_fields=["overdue", "updated_at"])
        handlers = (
            [case.handler]
            if case.handler
            else unit_members(
                case.handling_area, (Role.GRID_MEMBER, Role.COMMUNITY_STAFF, Role.STREET_OFFICIAL)
            )
        )
        above = case.handling_area.parent or case.handling_area
        event_announce(
            case,
            EventKind.WENT_OVERDUE,
            None,
            before=case.status,
            what=what,
            tell=handlers + unit_members(above, OVERSEER_ROLES) + supervisors_of(case),
            notice=Notification.Kind.OVERDUE,
            text=f"超期 {case.number}：{case.title}",
        )
