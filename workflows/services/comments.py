"""Comments on a case: anyone who can see the case may add one; it is a logged event."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Case, CaseEvent
from ..permissions import can_view
from .common import event_record, require, text_required

MAX_COMMENT = 2000


@transaction.atomic
def case_comment(*, case: Case, actor, text: str) -> CaseEvent:
    """A remark on the case's log ("commented"); the case itself does not change."""
    text = text_required(text, _("Write a comment."))
    if len(text) > MAX_COMMENT:
        raise ValidationError(_("A comment is at most %(max)d characters.") % {"max": MAX_COMMENT})
    require(
        can_view(actor, case),
        _("%(actor)s may not comment on case %(number)s.")
        % {"actor": actor, "number": case.number},
    )
    return event_record(case, "case.commented", actor, before=case.status, comment=text)
