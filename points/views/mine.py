"""我的积分 on the phone: balance, history, the person's code, the shop, activities, help."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grids.models import Area
from grids.roles import AreaLevel
from grids.selectors import signed_in

from .. import forms, selectors, services
from ..codes import qr_svg
from ..models import Activity, Goods, HelpRequest, Redemption
from ..permissions import desk_communities
from .common import act, invalid


def _page(request: HttpRequest, status: int = 200, error: str = "") -> HttpResponse:
    user = signed_in(request.user)
    accounts = {a.community_id: a for a in selectors.accounts_of(user)}
    sections = []
    for community in selectors.home_communities(user):
        account = accounts.get(community.pk)
        sections.append(
            {
                "community": community,
                "account": account,
                "entries": selectors.entries_of(account, 20) if account else [],
                "qr": qr_svg(account.code, label=_("My code"), scale=5) if account else "",
                "goods": selectors.goods_on_sale(community),
                "activities": selectors.activities_upcoming(community),
                "help": selectors.help_of(account) if account else [],
                "help_open": selectors.help_open(community).exclude(requester=account)
                if account and account.helper
                else [],
                "waiting": Redemption.objects.filter(
                    account=account, status=Redemption.Status.REQUESTED
                ).select_related("goods")
                if account
                else [],
            }
        )
    context = {
        "sections": sections,
        "error": error,
        "help_form": forms.HelpForm(),
        "desk": desk_communities(user).exists(),
    }
    return render(request, "points/mine.html", context, status=status)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _back() -> str:
    return reverse("points:mine")


@login_required
@require_POST
def join(request: HttpRequest, community: str) -> HttpResponse:
    area = get_object_or_404(Area, code=community, level=AreaLevel.COMMUNITY)
    user = signed_in(request.user)
    if area.pk not in {c.pk for c in selectors.home_communities(user)}:
        return _page(request, 403, _("You live or work elsewhere."))
    return act(
        request,
        lambda: services.account_for_user(user=user, community=area),
        done=_("Your points account is open."),
        back=_back(),
        page=_page,
    )


@login_required
@require_POST
def goods_request(request: HttpRequest, pk: int) -> HttpResponse:
    goods = get_object_or_404(Goods.objects.select_related("shop__community"), pk=pk)
    form = forms.RedeemForm({"goods": pk, "quantity": request.POST.get("quantity", "")})
    if not form.is_valid():
        return invalid(request, form, _page)
    return act(
        request,
        lambda: services.redeem_online(
            user=signed_in(request.user), goods=goods, quantity=form.cleaned_data["quantity"]
        ),
        done=_("Requested: pick it up at the shop."),
        back=_back(),
        page=_page,
    )


@login_required
@require_POST
def redemption_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = get_object_or_404(Redemption, pk=pk, account__user=request.user)
    return act(
        request,
        lambda: services.redemption_cancel(redemption=redemption, actor=signed_in(request.user)),
        done=_("Cancelled: your points are back."),
        back=_back(),
        page=_page,
    )


@login_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity, pk=pk)
    return act(
        request,
        lambda: services.activity_signup(activity=activity, user=signed_in(request.user)),
        done=_("You are signed up."),
        back=_back(),
        page=_page,
    )


@login_required
def activity_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the page the activity's QR code opens (the code filled in); POST: check in."""
    activity = get_object_or_404(Activity, pk=pk)
    if request.method != "POST":
        form = forms.CheckinForm(initial={"code": request.GET.get("code", "")[:16]})
        return render(request, "points/checkin.html", {"activity": activity, "form": form})
    form = forms.CheckinForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, _page)
    return act(
        request,
        lambda: services.activity_checkin(
            activity=activity, user=signed_in(request.user), code=form.cleaned_data["code"]
        ),
        done=_("Attendance recorded: points added."),
        back=_back(),
        page=_page,
    )


@login_required
@require_POST
def help_new(request: HttpRequest, community: str) -> HttpResponse:
    area = get_object_or_404(Area, code=community, level=AreaLevel.COMMUNITY)
    user = signed_in(request.user)
    form = forms.HelpForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, _page)
    if area.pk not in {c.pk for c in selectors.home_communities(user)}:
        return _page(request, 403, _("You live or work elsewhere."))
    return act(
        request,
        lambda: services.help_request_post(user=user, community=area, **form.cleaned_data),
        done=_("Sent: the community's party members and volunteers are told."),
        back=_back(),
        page=_page,
    )


HELP_VERBS = {
    "claim": (services.help_request_claim, gettext_lazy("Claimed: it is yours to do.")),
    "confirm": (services.help_request_confirm, gettext_lazy("Confirmed: thank you.")),
    "cancel": (services.help_request_cancel, gettext_lazy("Cancelled.")),
}


@login_required
@require_POST
def help_step(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    request_row = get_object_or_404(HelpRequest, pk=pk)
    user = signed_in(request.user)
    if verb == "done":
        form = forms.DoneForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        return act(
            request,
            lambda: services.help_request_done(request=request_row, user=user, note=note),
            done=_("Done: the resident is asked to confirm."),
            back=_back(),
            page=_page,
        )
    if verb not in HELP_VERBS:
        return _page(request, 404, _("Unknown step."))
    service, done = HELP_VERBS[verb]
    return act(
        request,
        lambda: service(request=request_row, user=user),
        done=str(done),
        back=_back(),
        page=_page,
    )
