"""常用回复: the page where a department's head keeps its reply templates (from the department
workbench). Each POST redirects back with a message (POST-redirect-GET)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gridcase.inputs import strict_int
from grids.models import Department, User
from grids.selectors import signed_in

from ..errors import CaseActionDenied
from ..models import ReplyTemplate
from ..permissions import can_edit_reply_templates, departments_headed
from ..services.replies import reply_template_delete, reply_template_save


@login_required
def reply_templates(request: HttpRequest) -> HttpResponse:
    user = signed_in(request.user)
    departments = list(departments_headed(user))
    if not departments:
        raise PermissionDenied(_("Only a department's head keeps its reply templates."))
    if request.method == "POST":
        _save(request, user)
        return redirect("reply_templates")
    rows = ReplyTemplate.objects.filter(department__in=departments)
    context = {
        "departments": [(d, [t for t in rows if t.department_id == d.pk]) for d in departments],
        "kinds": ReplyTemplate.Kind.choices,
    }
    return render(request, "workflows/reply_templates.html", context)


def _save(request: HttpRequest, user: User) -> None:
    department = get_object_or_404(Department, code=request.POST.get("department", ""))
    if not can_edit_reply_templates(user, department):
        raise PermissionDenied(_("Only the department's head keeps its reply templates."))
    pk = strict_int(request.POST.get("id", ""))
    template = get_object_or_404(ReplyTemplate, pk=pk, department=department) if pk else None
    try:
        if template is not None and "delete" in request.POST:
            reply_template_delete(actor=user, template=template)
            messages.success(request, _("Template deleted."))
            return
        reply_template_save(
            actor=user,
            department=department,
            template=template,
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            text=request.POST.get("text", ""),
            order=strict_int(request.POST.get("order", "0"), high=9999) or 0,
        )
    except (ValidationError, CaseActionDenied) as exc:
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, reason)
    else:
        messages.success(request, _("Template saved."))
