"""Comments on a case: anyone who can see the case may add one; it is a logged event."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import User

from ..choices import EventKind
from ..lifecycle import CaseLifecycle
from ..models import Case, CaseEvent
from .common import event_record, text_required, transition_check

MAX_COMMENT = 2000


@transaction.atomic
def case_comment(*, case: Case, actor: User, text: str) -> CaseEvent:
    """A remark on the case's log ("commented"); the case itself does not change."""
    text = text_required(text, _("Write a comment."))
    if len(text) > MAX_COMMENT:
        raise ValidationError(_("A comment is at most %(max)d characters.") % {"max": MAX_COMMENT})
    transition_check(CaseLifecycle(case), "comment", actor)
    return event_record(case, EventKind.COMMENTED, actor, before=case.status, comment=text)
