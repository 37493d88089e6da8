"""In-app notifications: the list, marking them read, this browser's Web Push subscription and
the service worker."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcase.inputs import strict_int
from grids.selectors import signed_in

from .models import Notification, PushSubscription
from .push import push_info, push_subscribe, push_unsubscribe
from .services import notifications_mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request.user)
    notifications = Notification.objects.filter(recipient=user).select_related("case")
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    context = {"page": page, "unread": unread, "push": push_info(user)}
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.getlist("id")
    ids = [i for i in map(strict_int, raw) if i is not None] if raw else None
    notifications_mark_read(user=signed_in(request.user), ids=ids)
    return redirect("notification_list")


@login_required
@require_POST
def push_subscription(request: HttpRequest) -> JsonResponse:
    """The page's script keeps this browser's Web Push subscription: JSON
    `{"action": "subscribe", "endpoint", "keys": {"p256dh", "auth"}}` (the browser's
    `PushSubscription.toJSON()`) or `{"action": "unsubscribe", "endpoint"}`."""
    user = signed_in(request.user)
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("endpoint"), str):
        return JsonResponse({"error": _("Send the subscription as JSON.")}, status=400)
    endpoint, action = body["endpoint"], body.get("action")
    if action == "unsubscribe":
        push_unsubscribe(user=user, endpoint=endpoint)
    elif action == "subscribe":
        keys = body.get("keys")
        if not isinstance(keys, dict) or not all(
            isinstance(keys.get(name), str) for name in ("p256dh", "auth")
        ):
            return JsonResponse({"error": _("The subscription's keys are not valid.")}, status=400)
        try:
            push_subscribe(
                user=user,
                endpoint=endpoint,
                p256dh=keys["p256dh"],
                auth=keys["auth"],
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ValidationError as exc:
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    else:
        return JsonResponse({"error": _("Unknown action.")}, status=400)
    return JsonResponse({"subscriptions": PushSubscription.objects.filter(user=user).count()})


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that its scope is the whole site; not
    cached, so a new version reaches the browsers at their next visit."""
    response = render(request, "notifications/sw.js", content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
