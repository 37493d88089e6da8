"""/api/v1/points/: the same services and permission rules as the pages.

400 bad input, 403 not allowed, 404 not visible, 409 not possible now; error bodies are the
API's one format {"code", "detail"}.
"""

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.models import Area
from grids.roles import AreaLevel
from grids.selectors import signed_in
from workflows.apis.serializers import ErrorSerializer

from .. import selectors, services
from ..errors import AlreadyTaken, PointsConflict, error_status
from ..models import Account, Activity, EarningRule, Entry, Goods, HelpRequest, Redemption
from ..permissions import account_visible, board_communities, desk_allows
from ..views.desk import month_start
from . import serializers as s

M = TypeVar("M", bound=Model)
F = TypeVar("F", bound=Callable[..., Any])

ERRORS = {
    code: OpenApiResponse(ErrorSerializer, description=text)
    for code, text in {
        400: "Bad input (fields say which).",
        401: "Not authenticated.",
        403: "Not allowed.",
        404: "No such row, or not visible to you.",
        409: "Not possible now (points, stock, state).",
        413: "Request body too large.",
        429: "Too many requests (see Retry-After).",
    }.items()
}


def run(call: Callable[[], Any], out: Callable[[Any], Any], status: int = 200) -> Response:
    """Call the service; its refusals become the API's error bodies."""
    try:
        result = call()
    except (ValidationError, PermissionDenied, PointsConflict) as exc:
        http = error_status(exc) or 400
        detail = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        code = getattr(exc, "code", None) or {400: "invalid", 403: "denied"}.get(http, "conflict")
        body: dict[str, Any] = {"code": str(code), "detail": detail}
        if isinstance(exc, AlreadyTaken):
            body["claimed_by"] = exc.helper
        return Response(body, status=http)
    return Response(out(result), status=status)


def valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def row(model: type[M], pk: object, **where: object) -> M:
    """The row with this id (a path's text or a number), or a 404."""
    text = str(pk)
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise Http404
    return get_object_or_404(model, pk=int(text), **where)


def community_of(code: str) -> Area:
    return get_object_or_404(Area, code=code, level=AreaLevel.COMMUNITY)


class AccountList(APIView):
    @extend_schema(
        summary="My points accounts", responses={200: s.AccountSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request) -> Response:
        accounts = selectors.accounts_of(signed_in(request.user))
        return Response(s.AccountSerializer(accounts, many=True).data)


class AccountDetail(APIView):
    @extend_schema(
        summary="An account and its ledger (the owner, or the community's desk)",
        responses={200: s.AccountDetailSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: str) -> Response:
        account = row(Account, pk)
        if not account_visible(signed_in(request.user), account):
            return Response({"code": "not_found", "detail": "Not found."}, status=404)
        return Response(s.AccountDetailSerializer(account).data)


class CommunityAccounts(APIView):
    @extend_schema(
        summary="The desk finds a person by phone or code",
        parameters=[OpenApiParameter("q", str, required=True)],
        responses={200: s.AccountSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        community = community_of(code)
        if not desk_allows(signed_in(request.user), community):
            raise PermissionDenied("You may not work this community's points desk.")
        found = selectors.account_find(community, str(request.query_params.get("q", ""))[:32])
        return Response(s.AccountSerializer([found] if found else [], many=True).data)


class CommunityGoods(APIView):
    @extend_schema(
        summary="Goods on sale in a community's shop",
        responses={200: s.GoodsSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(
            s.GoodsSerializer(selectors.goods_on_sale(community_of(code)), many=True).data
        )


class CommunityActivities(APIView):
    @extend_schema(
        summary="A community's coming activities",
        responses={200: s.ActivitySerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        rows = selectors.activities_upcoming(community_of(code))
        return Response(s.ActivitySerializer(rows, many=True).data)


class CommunityRules(APIView):
    @extend_schema(
        summary="The community's earning rules (正向积分事项清单)",
        responses={200: s.RuleSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(s.RuleSerializer(selectors.rules_of(community_of(code)), many=True).data)

    @extend_schema(
        summary="Add an item (community staff)",
        request=s.RuleSerializer,
        responses={201: s.RuleSerializer, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        community, data = community_of(code), valid(s.RuleSerializer, request)
        data.pop("awarded_by", None)
        user = signed_in(request.user)
        return run(
            lambda: services.rule_save(community=community, actor=user, **data),
            lambda rule: s.RuleSerializer(rule).data,
            201,
        )


class CommunityFigures(APIView):
    @extend_schema(
        summary="积分 figures of a community this month",
        responses={200: s.FiguresSerializer, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:

        community = community_of(code)
        if not board_communities(signed_in(request.user)).filter(pk=community.pk).exists():
            raise PermissionDenied("You may not see this community's figures.")
        row = selectors.figures([community], month_start(), timezone.now())[0]
        return Response(s.FiguresSerializer(row).data)


class Awards(APIView):
    @extend_schema(
        summary="Award an item by hand (community staff)",
        request=s.AwardInput,
        responses={201: s.EntrySerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = valid(s.AwardInput, request)
        account = row(Account, data["account"])
        rule = row(EarningRule, data["rule"])
        user = signed_in(request.user)
        return run(
            lambda: services.points_award(
                account=account, rule=rule, actor=user, note=data["note"]
            ),
            lambda entry: s.EntrySerializer(entry).data,
            201,
        )


class EntryReverse(APIView):
    @extend_schema(
        summary="Correct an entry by a reversing entry (community staff)",
        request=s.ReasonInput,
        responses={201: s.EntrySerializer, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        entry, data = row(Entry, pk), valid(s.ReasonInput, request)
        user = signed_in(request.user)
        return run(
            lambda: services.entry_reverse(entry=entry, actor=user, reason=data["reason"]),
            lambda row: s.EntrySerializer(row).data,
            201,
        )


class Redemptions(APIView):
    @extend_schema(
        summary="Redeem: at the counter with `account` (community staff), or online for yourself",
        request=s.RedeemInput,
        responses={201: s.RedemptionSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = valid(s.RedeemInput, request)
        goods = row(Goods, data["goods"])
        user, quantity = signed_in(request.user), data["quantity"]
        if "account" in data:
            account = row(Account, data["account"])
            call: Callable[[], Any] = partial(
                services.redeem_at_counter,  # noqa: E731
                account=account,
                goods=goods,
                quantity=quantity,
                actor=user,
            )
        else:
            call = partial(services.redeem_online, user=user, goods=goods, quantity=quantity)
        return run(call, lambda row: s.RedemptionSerializer(row).data, 201)


class RedemptionHandOver(APIView):
    @extend_schema(
        summary="The person picks up what they asked for online (community staff)",
        request=None,
        responses={200: s.RedemptionSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        redemption, user = row(Redemption, pk), signed_in(request.user)
        return run(
            partial(services.redemption_hand_over, redemption=redemption, actor=user),
            lambda done: s.RedemptionSerializer(done).data,
        )


class RedemptionCancel(APIView):
    @extend_schema(
        summary="Cancel (staff with a reason, or the person before pick-up): points and stock back",
        request=s.ReasonInput,
        responses={200: s.RedemptionSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        redemption, user = row(Redemption, pk), signed_in(request.user)
        reason = valid(s.ReasonInput, request)["reason"]
        return run(
            partial(services.redemption_cancel, redemption=redemption, actor=user, reason=reason),
            lambda done: s.RedemptionSerializer(done).data,
        )


class ActivitySignup(APIView):
    @extend_schema(
        summary="Sign up for an activity (yourself)",
        request=None,
        responses={201: s.SignupSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        activity, user = row(Activity, pk), signed_in(request.user)
        return run(
            partial(services.activity_signup, activity=activity, user=user),
            lambda row: s.SignupSerializer(row).data,
            201,
        )


class ActivityCheckin(APIView):
    @extend_schema(
        summary="Check in with the code shown at the activity: its points",
        request=s.CodeInput,
        responses={201: s.EntrySerializer, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        activity, user = row(Activity, pk), signed_in(request.user)
        code = valid(s.CodeInput, request)["code"]
        return run(
            partial(services.activity_checkin, activity=activity, user=user, code=code),
            lambda entry: s.EntrySerializer(entry).data,
            201,
        )


class ActivityAttendance(APIView):
    @extend_schema(
        summary="Mark a person present (community staff): the activity's points",
        request=s.AttendanceInput,
        responses={201: s.EntrySerializer, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        activity, user = row(Activity, pk), signed_in(request.user)
        account = row(Account, valid(s.AttendanceInput, request)["account"])
        return run(
            partial(
                services.activity_attendance_mark, activity=activity, account=account, actor=user
            ),
            lambda entry: s.EntrySerializer(entry).data,
            201,
        )


class HelpRequests(APIView):
    @extend_schema(
        summary="My help requests, those I answer, and those waiting in my communities (if I help)",
        responses={200: s.HelpRequestSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        rows: list[HelpRequest] = []
        for account in selectors.accounts_of(signed_in(request.user)):
            rows += list(selectors.help_of(account))
            if account.helper:
                rows += list(selectors.help_open(account.community).exclude(requester=account))
        unique = {row.pk: row for row in rows}
        return Response(
            s.HelpRequestSerializer(sorted(unique.values(), key=lambda r: -r.pk), many=True).data
        )

    @extend_schema(
        summary="Ask the community's party members and volunteers for help (居民吹哨)",
        request=s.HelpInput,
        responses={201: s.HelpRequestSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = valid(s.HelpInput, request)
        community, user = community_of(data.pop("community")), signed_in(request.user)
        if community.pk not in {c.pk for c in selectors.home_communities(user)}:
            raise PermissionDenied("You live or work elsewhere.")
        return run(
            lambda: services.help_request_post(user=user, community=community, **data),
            lambda row: s.HelpRequestSerializer(row).data,
            201,
        )


class HelpRequestStep(APIView):
    """One step of a help request without input; each subclass names its service."""

    step: Callable[..., HelpRequest]

    def run_step(self, request: Request, pk: str) -> Response:
        asked, user = row(HelpRequest, pk), signed_in(request.user)
        return run(
            partial(type(self).step, request=asked, user=user),
            lambda done: s.HelpRequestSerializer(done).data,
        )


def _help_schema(summary: str) -> Callable[[F], F]:
    return extend_schema(
        summary=summary, request=None, responses={200: s.HelpRequestSerializer, **ERRORS}
    )


class HelpRequestClaim(HelpRequestStep):
    step = staticmethod(services.help_request_claim)

    @_help_schema("报到: a party member or volunteer of the community claims it (one wins)")
    def post(self, request: Request, pk: str) -> Response:
        return self.run_step(request, pk)


class HelpRequestConfirm(HelpRequestStep):
    step = staticmethod(services.help_request_confirm)

    @_help_schema("The resident confirms the help: the helper earns the points")
    def post(self, request: Request, pk: str) -> Response:
        return self.run_step(request, pk)


class HelpRequestCancel(HelpRequestStep):
    step = staticmethod(services.help_request_cancel)

    @_help_schema("The resident (or community staff) cancels the request")
    def post(self, request: Request, pk: str) -> Response:
        return self.run_step(request, pk)


class HelpRequestDone(APIView):
    @extend_schema(
        summary="The helper reports it done; the resident is asked to confirm",
        request=s.NoteInput,
        responses={200: s.HelpRequestSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: str) -> Response:
        asked, user = row(HelpRequest, pk), signed_in(request.user)
        note = valid(s.NoteInput, request)["note"]
        return run(
            partial(services.help_request_done, request=asked, user=user, note=note),
            lambda done: s.HelpRequestSerializer(done).data,
        )
