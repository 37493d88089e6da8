"""Reporting a case and the grid's first decision: accept, reject or mark duplicate."""

from collections.abc import Sequence
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area, User
from grids.phones import normalise_phone
from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification
from notifications.sms import send_sms

from ..choices import CASE_LEVEL_BY_AREA_LEVEL, EventKind, Level, PhotoKind, Source, Status
from ..deadlines import deadlines_set
from ..flows import CaseFlow
from ..models import Case, CasePhoto, Category
from ..nearby import obvious_duplicate
from ..permissions import can_report_in
from ..photos import CleanPhoto, photo_clean
from ..visibility import can_view
from .common import (
    area_for_level,
    case_locked,
    case_number_next,
    event_announce,
    event_record,
    open_task,
    photos_attach,
    require,
    task_complete,
    text_required,
    transition,
)
from .following import followers_move
from .supervision import supervision_end

MAX_DESCRIPTION = 4000
INTAKE_ROLES = (Role.GRID_MEMBER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_OFFICIAL)


def _intake_unit(area: Area) -> tuple[Area, str]:
    """Who takes a new case first: its grid, or the community/street if that is all we know."""
    level = CASE_LEVEL_BY_AREA_LEVEL[area.level]
    return (area_for_level(Case(area=area), level) if level == Level.GRID else area), level


def _reporter_may_report(reporter: User | None, area: Area, source: str) -> None:
    if source in (Source.RESIDENT, Source.OPEN311, Source.HOTLINE) or reporter is None:
        return  # the public may report anywhere; staff only inside their areas
    require(
        can_report_in(reporter, area),
        _("%(reporter)s may not report cases in %(area)s.")
        % {"reporter": reporter, "area": area.name},
    )


def case_report(
    *,
    title: str,
    description: str,
    category: Category,
    area: Area,
    source: str,
    reporter: User | None = None,
    priority: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    anonymous: bool = False,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    address: str = "",
    media_url: str = "",
    photos: Sequence[File[bytes]] = (),
    submission_key: UUID | None = None,
    hotline_number: str = "",
) -> Case:
    """A new case in `area` (the deepest known): numbered, logged, its process started.

    Checks the input, takes the case number (`case_number_next`: its own short transaction,
    so a street's reports do not wait for each other; a report that then fails leaves a gap
    in the day's numbers, never a duplicate), then writes everything else in one transaction.
    A form sent again with the same `submission_key` (a retry after a network failure)
    gets the case the first sending made instead of a second one. A hotline work order
    (`hotline_number`) makes one case only: the database refuses a second (IntegrityError)."""
    if submission_key and (earlier := _earlier_submission(submission_key, reporter, contact_phone)):
        return earlier
    if not title.strip() or not description.strip():
        raise ValidationError(_("A case needs a title and a description."))
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            _("The description is longer than %(max)d characters.") % {"max": MAX_DESCRIPTION}
        )
    _reporter_may_report(reporter, area, source)
    cleaned = [photo_clean(photo) for photo in photos]  # refuse bad photos before writing
    now = timezone.now()
    handling_area, level = _intake_unit(area)
    case = Case(
        number=case_number_next(area, timezone.localdate(now)),
        title=title.strip(),
        description=description.strip(),
        category=category,
        priority=priority or category.default_priority,
        source=source,
        reporter=reporter,
        contact_name=contact_name,
        contact_phone=normalise_phone(contact_phone),
        anonymous=anonymous,
        latitude=latitude,
        longitude=longitude,
        address=address,
        media_url=media_url,
        area=area,
        area_path=area.path,
        level=level,
        handling_area=handling_area,
        verifier_area=handling_area,
        reported_at=now,
        submission_key=submission_key,
        hotline_number=hotline_number.strip(),
    )
    deadlines_set(case, level, now)
    if source == Source.OPEN311 and latitude is not None and longitude is not None:
        # for staff to review on the case page: merge, or not; never merged by itself
        case.possible_duplicate_of = obvious_duplicate(
            latitude=float(latitude), longitude=float(longitude), category=category, now=now
        )
    return _case_open(case, cleaned)


def _earlier_submission(
    submission_key: UUID, reporter: User | None, contact_phone: str
) -> Case | None:
    """The case an earlier sending of this form made, if the same sender sends it again: the
    same account, or without one the same phone (never an anonymous `None == None` match:
    the public view also honours a key only in the session that was given it)."""
    earlier = Case.objects.filter(submission_key=submission_key).first()
    if earlier is None:
        return None
    if reporter is not None:
        same = earlier.reporter_id == reporter.pk
    else:
        same = earlier.reporter_id is None and earlier.contact_phone == contact_phone
    if not same:
        raise ValidationError(_("This form was already used; reload it to report again."))
    return earlier


@transaction.atomic
def _case_open(case: Case, photos: list[CleanPhoto]) -> Case:
    """Write the numbered case, its photos, its event and notices, and start its process."""
    case.save()
    photos_attach(case, PhotoKind.BEFORE, photos, case.reporter)
    event_announce(
        case,
        EventKind.REPORTED,
        case.reporter,
        source=case.source,
        photos=len(photos),
        **(
            {"possible_duplicate": case.possible_duplicate_of.number}
            if case.possible_duplicate_of
            else {}
        ),
        tell=unit_members(case.handling_area, INTAKE_ROLES),
        notice=Notification.Kind.QUEUE,
        text=f"新案件 {case.number}：{case.title}",
    )
    CaseFlow.start.run(case=case)
    # The hotline answers its own callers (the reply export): no SMS per imported work order.
    if case.reporter_id is None and case.contact_phone and case.source != Source.HOTLINE:
        _tracking_code_send(case)
    return case


def _tracking_code_send(case: Case) -> None:
    """A reporter without an account gets the case number by SMS (after commit): with it and
    the phone they follow and rate the case on the tracking page."""
    text = _(
        "GridCase: your report is registered as %(number)s. Follow it with this number and "
        "this phone at %(url)s."
    ) % {"number": case.number, "url": settings.GRIDCASE_SITE_URL.rstrip("/") + "/track/"}
    phone = case.contact_phone
    transaction.on_commit(lambda: send_sms(phone, text), robust=True)


@transaction.atomic
def case_accept(*, case: Case, actor: User) -> Case:
    """受理: the grid takes the case on; the acceptor becomes its handler."""
    with case_locked(case) as case:
        task = open_task(case, CaseFlow.intake)
        before = transition(case, "accept", actor)
        case.handler, case.responded_at = actor, timezone.now()
        case.overdue = False  # answered: the resolve limit's timer takes over
        case.save()
        event_record(case, EventKind.ACCEPTED, actor, before=before)
        task_complete(task, actor)
        _handle_task_assign(case, actor)
    return case


def _handle_task_assign(case: Case, actor: User) -> None:
    """The new handling task goes to `actor`, who just took the case on."""
    task = open_task(case, CaseFlow.handle)
    task.flow_task.activation_class(task).assign(actor)


@transaction.atomic
def case_reject(*, case: Case, actor: User, reason: str) -> Case:
    """不予受理: closed without handling; a reason is required."""
    reason = text_required(reason, _("Give a reason for rejecting the case."))
    with case_locked(case) as case:
        task = open_task(case, CaseFlow.intake)
        before = transition(case, "reject", actor)
        case.result, case.closed_at, case.overdue = reason, timezone.now(), False
        case.save()
        event_record(case, EventKind.REJECTED, actor, before=before, reason=reason)
        supervision_end(case)  # 督办 of a case that ends unhandled ends with it
        task_complete(task, actor)
    return case


@transaction.atomic
def case_mark_duplicate(*, case: Case, actor: User, original: Case) -> Case:
    """Merge `case` into `original`, an earlier case this actor can see: `case` ends as a
    duplicate; its reporter and followers follow the original, its photos move there, and
    both histories say so."""
    if original.reported_at >= case.reported_at:
        raise ValidationError(_("A case can only duplicate an earlier case."))
    require(
        can_view(actor, original),
        _("%(actor)s cannot see case %(number)s.") % {"actor": actor, "number": original.number},
    )
    with case_locked(case) as case:
        step = CaseFlow.intake if case.status == Status.REPORTED else CaseFlow.handle
        task = open_task(case, step)
        before = transition(case, "mark_duplicate", actor)
        # the later case is locked first, then the earlier: merges cannot lock in a circle
        original = Case.objects.select_for_update().get(pk=original.pk)
        while original.duplicate_of_id is not None:  # itself merged: into its original
            original = Case.objects.select_for_update().get(pk=original.duplicate_of_id)
        photos = CasePhoto.objects.filter(case=case).update(case=original)
        people = followers_move(case, original)
        case.duplicate_of, case.closed_at, case.overdue = original, timezone.now(), False
        case.possible_duplicate_of = None
        case.save()
        original.save(update_fields=["follower_count", "updated_at"])
        event_record(
            case,
            EventKind.MARKED_DUPLICATE,
            actor,
            before=before,
            original=original.number,
            photos=photos,
            followers=people,
        )
        event_record(
            original,
            EventKind.MERGED_IN,
            actor,
            before=original.status,
            duplicate=case.number,
            photos=photos,
            followers=original.follower_count,
        )
        supervision_end(case)
        task_complete(task, actor)
    return case
