"""常用回复: a department's reply templates for its results and returns, kept by its head."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from grids.models import Department, User

from ..errors import CaseActionDenied
from ..models import ReplyTemplate
from ..permissions import can_edit_reply_templates
from .common import text_required


def _check(actor: User, department: Department) -> None:
    if not can_edit_reply_templates(actor, department):
        raise CaseActionDenied(_("Only the department's head keeps its reply templates."))


@transaction.atomic
def reply_template_save(
    *,
    actor: User,
    department: Department,
    kind: str,
    title: str,
    text: str,
    order: int = 0,
    template: ReplyTemplate | None = None,
) -> ReplyTemplate:
    """Add a template to `department`, or change `template` (which must be the department's)."""
    _check(actor, department)
    if template is not None and template.department_id != department.pk:
        raise CaseActionDenied(_("This template belongs to another department."))
    if kind not in ReplyTemplate.Kind.values:
        raise ValidationError(_("Choose what the template is for."))
    row = template or ReplyTemplate(department=department)
    row.kind, row.order = kind, order
    row.title = text_required(title, _("Give the template a title.")).strip()
    row.text = text_required(text, _("Write the template's text.")).strip()
    if len(row.title) > 30 or len(row.text) > 1000:
        raise ValidationError(_("A title has at most 30 characters, a text at most 1000."))
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise ValidationError(_("The department has a template with this title already.")) from exc
    return row


@transaction.atomic
def reply_template_delete(*, actor: User, template: ReplyTemplate) -> None:
    _check(actor, template.department)
    template.delete()
