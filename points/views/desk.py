"""The community points desk: find a person, award, the counter, goods, activities, rules."""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids.models import Area, User
from grids.roles import AreaLevel
from grids.selectors import signed_in

from .. import forms, selectors, services
from ..models import EarningRule, Goods, Redemption, Shop
from ..permissions import desk_allows, desk_communities
from .common import Page, act, invalid, refusal


def _community(request: HttpRequest, code: str) -> tuple[User, Area]:
    user = signed_in(request.user)
    community = get_object_or_404(Area, code=code, level=AreaLevel.COMMUNITY)
    if not desk_allows(user, community):
        raise PermissionDenied(_("You may not work this community's points desk."))
    return user, community


def month_start() -> datetime:
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@login_required
def desk_index(request: HttpRequest) -> HttpResponse:
    communities = list(desk_communities(signed_in(request.user)))
    if len(communities) == 1:
        return redirect("points:desk", communities[0].code)
    if not communities:
        raise PermissionDenied(_("You work no community's points desk."))
    return render(request, "points/desk_index.html", {"communities": communities})


def _desk_page(code: str) -> Page:
    def page(request: HttpRequest, status: int = 200, error: str = "") -> HttpResponse:
        user, community = _community(request, code)
        shop = Shop.objects.filter(community=community).first()
        now = timezone.now()
        context = {
            "community": community,
            "shop": shop,
            "error": error,
            "find_form": forms.FindForm(request.GET or None),
            "phone_form": forms.PhoneAccountForm(),
            "goods": Goods.objects.filter(shop=shop).order_by("name") if shop else [],
            "waiting": selectors.redemptions_waiting(community),
            "help_open": selectors.help_open(community),
            "now": now,
            "activities": selectors.activities_recent(community),
            "activity_form": forms.ActivityForm(),
            "rules": selectors.rules_of(community),
            "rule_form": forms.RuleForm(),
            "goods_form": forms.GoodsForm(),
            "figures": selectors.figures([community], month_start(), now)[0],
        }
        return render(request, "points/desk.html", context, status=status)

    return page


@login_required
def desk(request: HttpRequest, code: str) -> HttpResponse:
    _user, community = _community(request, code)
    query = request.GET.get("q", "").strip()
    if query:
        account = selectors.account_find(community, query)
        if account is not None:
            return redirect("points:desk_account", code, account.pk)
        return _desk_page(code)(request, 404, _("Nobody with this phone or code here."))
    return _desk_page(code)(request)


def _desk_post(
    request: HttpRequest, code: str, call: Callable[[User, Area], object], done: str
) -> HttpResponse:
    user, community = _community(request, code)
    return act(
        request,
        lambda: call(user, community),
        done=done,
        back=reverse("points:desk", args=[code]),
        page=_desk_page(code),
    )


@login_required
@require_POST
def phone_account(request: HttpRequest, code: str) -> HttpResponse:
    """Open (or find) the account of a resident without a login, by phone."""
    _user, community = _community(request, code)
    form = forms.PhoneAccountForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, _desk_page(code))
    try:
        account = services.account_for_phone(community=community, **form.cleaned_data)
    except ValidationError as exc:
        return _desk_page(code)(request, 400, refusal(exc))
    return redirect("points:desk_account", code, account.pk)


@login_required
@require_POST
def rule_save(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    _user, community = _community(request, code)
    rule = get_object_or_404(EarningRule, pk=pk, community=community) if pk else None
    form = forms.RuleForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, _desk_page(code))
    return _desk_post(
        request,
        code,
        lambda user, area: services.rule_save(
            community=area, actor=user, rule=rule, **form.cleaned_data
        ),
        _("The list is saved."),
    )


@login_required
@require_POST
def goods_add(request: HttpRequest, code: str) -> HttpResponse:
    form = forms.GoodsForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, _desk_page(code))

    def call(user: User, area: Area) -> object:
        shop = Shop.objects.filter(community=area).first() or services.shop_open(
            community=area, actor=user, name=_("%(name)s points shop") % {"name": area.name}
        )
        return services.goods_add(shop=shop, actor=user, **form.cleaned_data)

    return _desk_post(request, code, call, _("Goods added."))


@login_required
@require_POST
def goods_receive(request: HttpRequest, code: str) -> HttpResponse:
    form = forms.ReceiptForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, _desk_page(code))
    goods = get_object_or_404(Goods, pk=form.cleaned_data.pop("goods"), shop__community__code=code)
    return _desk_post(
        request,
        code,
        lambda user, _area: services.goods_receive(goods=goods, actor=user, **form.cleaned_data),
        _("Received into stock."),
    )


@login_required
@require_POST
def activity_publish(request: HttpRequest, code: str) -> HttpResponse:
    form = forms.ActivityForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, _desk_page(code))
    return _desk_post(
        request,
        code,
        lambda user, area: services.activity_publish(
            community=area, actor=user, **form.cleaned_data
        ),
        _("The activity is published."),
    )


@login_required
@require_POST
def redemption_step(request: HttpRequest, code: str, pk: int, verb: str) -> HttpResponse:
    redemption = get_object_or_404(Redemption, pk=pk, account__community__code=code)
    reason = request.POST.get("reason", "")[:200]
    if verb == "hand-over":
        return _desk_post(
            request,
            code,
            lambda user, _area: services.redemption_hand_over(redemption=redemption, actor=user),
            _("Handed over."),
        )
    if verb == "cancel":
        return _desk_post(
            request,
            code,
            lambda user, _area: services.redemption_cancel(
                redemption=redemption, actor=user, reason=reason
            ),
            _("Cancelled: points and stock are back."),
        )
    raise Http404
