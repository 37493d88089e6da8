"""In-app notifications: the list, and marking them read."""

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import Notification
from .services import notifications_mark_read

if TYPE_CHECKING:
    from grids.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request to a `login_required` view: its user is signed in (django-stubs' recipe)."""

    user: "User"


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user).select_related("case")
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(request, "notifications/list.html", {"page": page, "unread": unread})


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    raw = request.POST.getlist("id")
    ids = [int(value) for value in raw if value.isdigit()] if raw else None
    notifications_mark_read(user=request.user, ids=ids)
    return redirect("notification_list")
