"""Enumerations shared by the case models, the status machine and the boards."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grids.roles import AreaLevel


class Priority(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")  # 应急: minute-scale limits
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")


class Source(models.TextChoices):
    GRID_PATROL = "grid_patrol", _("Grid patrol")
    RESIDENT = "resident", pgettext_lazy("case source", "Resident report")
    HOTLINE = "hotline", _("Hotline 12345")
    SNAPSHOT = "snapshot", _("Rider snapshot")
    OPEN311 = "open311", _("Open311")
    PROACTIVE = "proactive", _("Proactive governance")  # 主动治理, from a 未诉先办 hot spot


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    HANDLING = "handling", _("Handling")
    DISPATCHED = "dispatched", _("Dispatched, waiting for claim")
    RESOLVED = "resolved", _("Resolved, waiting for verification")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


OPEN_STATUSES = (Status.REPORTED, Status.HANDLING, Status.DISPATCHED, Status.RESOLVED)
ENDED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.DUPLICATE)


class Level(models.TextChoices):
    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DEPARTMENT = "department", _("Department")


class WhistleType(models.TextChoices):
    ROUTINE = "routine", _("Routine whistle")  # 日常哨
    HARD = "hard", _("Hard-problem whistle")  # 攻坚哨
    EMERGENCY = "emergency", _("Emergency whistle")  # 应急哨


class SuspendReason(models.TextChoices):
    """挂起: why a case's clocks stop."""

    COURT = "court", _("Awaiting a court ruling")
    WEATHER = "weather", _("Weather")
    UNREACHABLE = "unreachable", _("The owner cannot be reached")
    OTHER = "other", _("Other")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class AppealKind(models.TextChoices):
    """申诉: what a department appeals against."""

    RATING = "rating", _("A poor rating of its response")
    REWORK = "rework", _("A rework it thinks unjustified")


class EventKind(models.TextChoices):
    """What happened to a case (`CaseEvent.kind`), in the past tense; the value is what the
    history, the counters, the live payloads (`kind`) and the API carry."""

    REPORTED = "case.reported", _("Reported")
    ACCEPTED = "case.accepted", _("Accepted")
    REJECTED = "case.rejected", _("Rejected")
    MARKED_DUPLICATE = "case.marked_duplicate", _("Marked as duplicate")
    WHISTLED = "case.whistled", _("Whistle blown to the level above")
    DISPATCHED = "case.dispatched", _("Whistle blown to departments")
    CLAIMED = "case.claimed", _("Claimed (reported for duty)")
    ASSIGNED = "case.assigned", _("Given to a staff member")
    RETURNED = "case.returned", _("Returned by a department")
    RETURN_ACCEPTED = "case.return_accepted", _("Return accepted (退单审核)")
    RETURN_REFUSED = "case.return_refused", _("Return refused: back to the department")
    RETURN_REVIEW_WENT_OVERDUE = "case.return_review_went_overdue", _("Return not reviewed in time")
    REASSIGNED = "case.reassigned", _("Reassigned to another department (改派)")
    EXTENSION_ASKED = "case.extension_asked", _("Extension asked for (延期)")
    EXTENSION_APPROVED = "case.extension_approved", _("Extension granted")
    EXTENSION_REFUSED = "case.extension_refused", _("Extension refused")
    SUSPENSION_ASKED = "case.suspension_asked", _("Suspension asked for (挂起)")
    SUSPENSION_REFUSED = "case.suspension_refused", _("Suspension refused")
    SUSPENDED = "case.suspended", _("Suspended (挂起): clocks stopped")
    RESUMED = "case.resumed", _("Resumed: clocks running again")
    SUPERVISED = "case.supervised", _("Supervised by the street (督办)")
    SUPERVISION_ENDED = "case.supervision_ended", _("Supervision ended")
    APPEALED = "case.appealed", _("Appeal filed by a department (申诉)")
    APPEAL_UPHELD = "case.appeal_upheld", _("Appeal upheld: no longer counted")
    APPEAL_DISMISSED = "case.appeal_dismissed", _("Appeal dismissed")
    DISPATCH_RESOLVED = "case.dispatch_resolved", _("Department reported its result")
    RESOLVED = "case.resolved", _("Resolved")
    RETURNED_TO_DISPATCHER = "case.returned_to_dispatcher", _("Back to the dispatcher")
    VERIFICATION_TAKEN_OVER = (
        "case.verification_taken_over",
        _("Verification taken over by the street (接管核查)"),
    )
    CLOSED = "case.closed", _("Verified and closed")
    REWORKED = "case.reworked", _("Sent back for rework")
    RATED = "case.rated", _("Rated")
    REOPENED = "case.reopened", _("Reopened after a dissatisfied rating")
    WENT_OVERDUE = "case.went_overdue", _("Overdue")
    CLAIM_WENT_OVERDUE = "case.claim_went_overdue", _("Not claimed in time")
    DEPARTMENT_RATED = "dispatch.rated", _("Department response rated")
    COMMENTED = "case.commented", _("Comment")
    FOLLOWED = "case.followed", _("Also affected (+1)")
    MERGED_IN = "case.merged_in", _("A later case merged in")


class VerifyMethod(models.TextChoices):
    """核查方式: how a result was verified (the board counts them)."""

    ONSITE = "onsite", _("On site, with a photo")
    PHONE = "phone", _("By phone")
    RESIDENT = "resident", _("Confirmed by the resident")
    OTHER = "other", _("Otherwise")


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    VERIFY = "verify", _("On-site verification")
    APPEAL = "appeal", _("Appeal evidence")


# The two directions between area levels (grids.roles.AreaLevel) and case levels (Level):
# the case level an area's people work at, and the area level each case level is handled on.
# Keyed by plain strings: the models' `level` fields hold the values, not the enum members.
CASE_LEVEL_BY_AREA_LEVEL: dict[str, Level] = {
    AreaLevel.GRID: Level.GRID,
    AreaLevel.MICROGRID: Level.GRID,
    AreaLevel.BUILDING: Level.GRID,
    AreaLevel.COMMUNITY: Level.COMMUNITY,
    AreaLevel.STREET: Level.STREET,
}
AREA_LEVEL_BY_CASE_LEVEL: dict[str, AreaLevel] = {
    Level.GRID: AreaLevel.GRID,
    Level.COMMUNITY: AreaLevel.COMMUNITY,
    Level.STREET: AreaLevel.STREET,
}
