"""In-app notifications: the list, and marking them read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gridcase.inputs import strict_int
from grids.selectors import signed_in

from .models import Notification
from .services import notifications_mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request.user)
    notifications = Notification.objects.filter(recipient=user).select_related("case")
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return render(request, "notifications/list.html", {"page": page, "unread": unread})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.getlist("id")
    ids = [i for i in map(strict_int, raw) if i is not None] if raw else None
    notifications_mark_read(user=signed_in(request.user), ids=ids)
    return redirect("notification_list")
