"""The desk's pages for one person (award, counter, corrections) and one activity
(attendance), the ledger export and the points board."""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grids.models import Area, User
from grids.selectors import signed_in

from .. import exports, forms, selectors, services
from ..codes import qr_svg
from ..models import Account, Activity, Entry, Goods
from ..permissions import board_communities
from .common import Page, act, invalid
from .desk import _community, month_start


def _account_page(code: str, pk: int) -> Page:
    def page(request: HttpRequest, status: int = 200, error: str = "") -> HttpResponse:
        _user, community = _community(request, code)
        account = get_object_or_404(
            Account.objects.select_related("user"), pk=pk, community=community
        )
        context = {
            "community": community,
            "account": account,
            "error": error,
            "entries": selectors.entries_of(account, 100),
            "award_form": forms.AwardForm(
                rules=selectors.rules_of(community).filter(active=True, trigger="manual")
            ),
            "goods": selectors.goods_on_sale(community),
            "expire_form": forms.ExpireForm(),
            "kinds": Account.Kind.choices,
        }
        return render(request, "points/desk_account.html", context, status=status)

    return page


@login_required
def account(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    return _account_page(code, pk)(request)


def _step_call(
    request: HttpRequest, verb: str, target: Account, user: User, community: Area
) -> Callable[[], object] | BaseForm | str:
    """The service call a desk step makes, or the invalid form, or a refusal's text."""
    post = request.POST
    if verb == "award":
        award = forms.AwardForm(post, rules=selectors.rules_of(community))
        if not award.is_valid():
            return award
        rule, note = award.cleaned_data["rule"], award.cleaned_data["note"]
        return partial(services.points_award, account=target, rule=rule, actor=user, note=note)
    if verb == "redeem":
        redeem = forms.RedeemForm(post)
        if not redeem.is_valid():
            return redeem
        goods = get_object_or_404(Goods, pk=redeem.cleaned_data["goods"], shop__community=community)
        quantity = redeem.cleaned_data["quantity"]
        return partial(
            services.redeem_at_counter, account=target, goods=goods, quantity=quantity, actor=user
        )
    if verb == "expire":
        expire = forms.ExpireForm(post)
        if not expire.is_valid():
            return expire
        points, note = expire.cleaned_data["points"], expire.cleaned_data["note"]
        return partial(services.points_expire, account=target, points=points, actor=user, note=note)
    if verb == "kind":
        if post.get("kind", "") not in Account.Kind.values:
            return _("Choose a kind of account.")
        return partial(services.account_kind_set, account=target, kind=post["kind"], actor=user)
    if verb == "reverse":
        entry = get_object_or_404(Entry, pk=post.get("entry") or 0, account=target)
        reason = post.get("reason", "")[:200]
        return partial(services.entry_reverse, entry=entry, actor=user, reason=reason)
    raise Http404


STEP_DONE = {
    "award": gettext_lazy("Points awarded."),
    "redeem": gettext_lazy("Redeemed: hand the goods over."),
    "expire": gettext_lazy("Points expired."),
    "kind": gettext_lazy("Saved."),
    "reverse": gettext_lazy("Corrected by a reversing entry."),
}


@login_required
@require_POST
def account_step(request: HttpRequest, code: str, pk: int, verb: str) -> HttpResponse:
    """award · redeem · expire · kind · reverse (an entry) for one person at the desk."""
    user, community = _community(request, code)
    target = get_object_or_404(Account, pk=pk, community=community)
    page = _account_page(code, pk)
    call = _step_call(request, verb, target, user, community)
    if isinstance(call, str):
        return page(request, 400, call)
    if isinstance(call, BaseForm):
        return invalid(request, call, page)
    return act(
        request,
        call,
        done=str(STEP_DONE[verb]),
        back=reverse("points:desk_account", args=[code, pk]),
        page=page,
    )


def _activity_page(code: str, pk: int) -> Page:
    def page(request: HttpRequest, status: int = 200, error: str = "") -> HttpResponse:
        _user, community = _community(request, code)
        activity = get_object_or_404(Activity, pk=pk, community=community)
        signups = activity.signups.select_related("account__user").order_by("pk")
        link = request.build_absolute_uri(
            reverse("points:activity_checkin", args=[activity.pk])
            + f"?code={activity.checkin_code}"
        )
        context = {
            "community": community,
            "activity": activity,
            "signups": signups,
            "error": error,
            "qr": qr_svg(link, label=_("Check-in code to show at the activity"), scale=6),
        }
        return render(request, "points/desk_activity.html", context, status=status)

    return page


@login_required
def activity(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    return _activity_page(code, pk)(request)


@login_required
@require_POST
def attendance(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Mark present: a signed-up person (account id) or a walk-in (phone or code)."""
    user, community = _community(request, code)
    activity_row = get_object_or_404(Activity, pk=pk, community=community)
    page = _activity_page(code, pk)
    found = (
        Account.objects.filter(pk=request.POST["account"], community=community).first()
        if request.POST.get("account", "").isdigit()
        else selectors.account_find(community, request.POST.get("q", ""))
    )
    if found is None:
        return page(request, 404, _("Nobody with this phone or code here."))
    return act(
        request,
        lambda: services.activity_attendance_mark(activity=activity_row, account=found, actor=user),
        done=_("Present: points added."),
        back=reverse("points:desk_activity", args=[code, pk]),
        page=page,
    )


def _period(request: HttpRequest) -> tuple[datetime, datetime] | None:
    form = forms.PeriodForm(request.GET)
    if not form.is_valid():
        return None
    now = timezone.now()
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    zone = timezone.get_current_timezone()
    begin = datetime.combine(start, time.min, zone) if start else month_start()
    until = datetime.combine(end + timedelta(days=1), time.min, zone) if end else now
    return begin, until


@login_required
def ledger_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The community's ledger for a period (this month by default) as CSV or Excel."""
    _user, community = _community(request, code)
    period = _period(request)
    if period is None:
        return HttpResponse(_("Give dates as YYYY-MM-DD."), status=400, content_type="text/plain")
    return exports.ledger_download(community, *period, fmt)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The seeds' figures per community: registered, issued, redeemed, activities, requests."""
    user = signed_in(request.user)
    communities = list(board_communities(user))
    if not communities:
        raise PermissionDenied(_("You may see no community's figures."))
    period = _period(request)
    if period is None:
        period = (month_start(), timezone.now())
    rows = selectors.figures(communities, *period)
    context = {"rows": rows, "form": forms.PeriodForm(request.GET or None), "period": period}
    return render(request, "points/board.html", context)
