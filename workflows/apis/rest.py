"""The REST API: list, report, read and act on cases; categories; API tokens.

Thin: a serializer checks the input, one service does the work (and checks permission and
state again), service errors become 400/403/409 in `apis.errors`. Lists and details only ever
see `cases_visible_to(user)`: a case the user may not see is a 404.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from grids.selectors import signed_in

from .. import services
from ..actions import Action, api_endpoints
from ..choices import Source
from ..models import Case, CaseDispatch, Category
from ..visibility import PART_ENDED, can_view, cases_visible_to, parts_seen, reports_as_staff
from . import serializers as s
from .filters import CaseFilter
from .nearby import NearbyQuerySerializer, NearbySerializer, nearby_answer
from .parsers import PARSERS

_Row = TypeVar("_Row")  # what the queryset yields: filtering keeps it

ERRORS = {
    code: OpenApiResponse(s.ErrorSerializer, description=text)
    for code, text in {
        400: "Bad input (fields say which).",
        401: "Not authenticated.",
        403: "Not allowed.",
        404: "No such case, or not visible to you.",
        413: "Request body too large.",
        429: "Too many requests (see Retry-After).",
    }.items()
}
ACTION_ERRORS = {**ERRORS, 409: OpenApiResponse(s.ErrorSerializer, description="Wrong state.")}


class CasePagination(CursorPagination):
    ordering = ("-reported_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _with_list_data(cases: QuerySet[Case]) -> QuerySet[Case]:
    active = CaseDispatch.objects.filter(active=True).select_related("department")
    return cases.select_related("category", "area", "handling_area").prefetch_related(
        Prefetch("dispatches", active)
    )


def _with_detail_data(cases: QuerySet[Case]) -> QuerySet[Case]:
    dispatches = CaseDispatch.objects.select_related("department", "claimed_by")
    return cases.select_related(
        "category", "area", "handling_area", "verifier_area", "handler"
    ).prefetch_related(
        Prefetch("dispatches", dispatches.order_by("-active", "-lead", "pk")), "photos"
    )


@extend_schema_view(
    list=extend_schema(summary="Cases you may see", responses={200: s.CaseSerializer, **ERRORS}),
    retrieve=extend_schema(
        summary="One case with its history (a department whose part has ended: that part's)",
        responses={200: s.CaseDetailSerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="Report a case (JSON, or multipart with photos)",
        request=s.ReportSerializer,
        responses={201: s.CaseDetailSerializer, **ACTION_ERRORS},
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Case]):
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    pagination_class = CasePagination
    filterset_class = CaseFilter
    parser_classes = PARSERS
    serializer_class = s.CaseSerializer

    def get_queryset(self) -> QuerySet[Case]:
        cases = cases_visible_to(self.request.user)
        if self.action == "list":
            return _with_list_data(cases)
        return _with_detail_data(cases)

    def filter_queryset(self, queryset: QuerySet[Case, _Row]) -> QuerySet[Case, _Row]:
        """The list's filters apply to the list only, never to finding one case."""
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> Case:
        """The case by number if the user may see it (`can_view`, the single-case face of
        `cases_visible_to`: at a million cases the list's query would first collect every
        case dispatched to the user's departments), else 404."""
        number = self.kwargs.get("number", "")
        if "\x00" in number:  # PostgreSQL cannot even compare it
            raise Http404
        case = _with_detail_data(Case.objects.filter(number=number)).first()
        if case is None:
            raise Http404
        self.parts: list[CaseDispatch] = []
        if not can_view(self.request.user, case):
            self.parts = parts_seen(self.request.user, case)
            if not self.parts:
                raise Http404
            if self.action != "retrieve":  # its part has ended: it reads, it does not act
                raise PermissionDenied(PART_ENDED % {"number": case.number})
        self.check_object_permissions(self.request, case)
        return case

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The case; to a department whose part has ended, that part's history only."""
        case = self.get_object()
        if self.parts:
            context = {**self.get_serializer_context(), "parts": self.parts}
            return Response(s.CasePartSerializer(case, context=context).data)
        return Response(self.get_serializer(case).data)

    def get_serializer_class(self) -> type[s.CaseSerializer]:
        return s.CaseSerializer if self.action == "list" else s.CaseDetailSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.ReportSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        staff = reports_as_staff(request.user, fields["area"])
        if "priority" in fields and not staff:
            raise serializers.ValidationError(
                {"priority": [_("Residents do not choose the priority.")]}, code="not_allowed"
            )
        case = services.case_report(
            reporter=signed_in(request.user),
            source=Source.GRID_PATROL if staff else Source.RESIDENT,
            **fields,
        )
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cases near a point (我也遇到): open, or closed in the last 30 days, within 100 m",
        parameters=[NearbyQuerySerializer],
        responses={200: NearbySerializer(many=True), **ERRORS},
    )
    @action(detail=False, methods=["get"], url_path="nearby", pagination_class=None)
    def nearby(self, request: Request) -> Response:
        """What a report form shows while it is filled in; only what a passer-by may see of
        cases the user cannot."""
        return Response(nearby_answer(request, request.query_params))

    def _detail(self, case: Case, http_status: int = status.HTTP_200_OK) -> Response:
        """The case after an action, as the actor may see it now (the department whose part
        the action ended: that part's history)."""
        fresh = _with_detail_data(Case.objects.filter(pk=case.pk)).get()
        context = self.get_serializer_context()
        user = self.request.user
        if not can_view(user, fresh) and (parts := parts_seen(user, fresh)):
            body = s.CasePartSerializer(fresh, context={**context, "parts": parts}).data
            return Response(body, status=http_status)
        return Response(s.CaseDetailSerializer(fresh, context=context).data, status=http_status)

    def run_action(self, request: Request, endpoint: list[Action]) -> Response:
        """One of the registry's actions; an endpoint shared by a case action and a
        department-part action (`resolve`) runs the part's when the body names a department."""
        case = self.get_object()
        context = {**self.get_serializer_context(), "case": case}
        data = endpoint[0].serializer(data=request.data, context=context)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        scope = "part" if fields.get("department") else "case"
        spec = next((a for a in endpoint if a.scope == scope), endpoint[0])
        spec.run(case=case, actor=signed_in(request.user), **fields)
        return self._detail(case)


ActionView = Callable[[CaseViewSet, Request, str], Response]


def _action_view(name: str, endpoint: list[Action]) -> ActionView:
    def view(self: CaseViewSet, request: Request, number: str) -> Response:
        return self.run_action(request, endpoint)

    view.__name__ = f"action_{name}"  # `dispatch` is taken on a view
    view.__doc__ = endpoint[0].summary
    schema = extend_schema(
        summary=endpoint[0].summary,
        request=endpoint[0].serializer,
        responses={200: s.CaseDetailSerializer, **ACTION_ERRORS},
    )
    return schema(action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(view))


# One POST endpoint per action, /api/v1/cases/<number>/<action>/, from the action registry.
for _name, _endpoint in api_endpoints().items():
    setattr(CaseViewSet, f"action_{_name}", _action_view(_name, _endpoint))


@extend_schema_view(
    list=extend_schema(summary="Active categories", responses={200: s.CategorySerializer, **ERRORS})
)
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Category]):
    queryset = Category.objects.filter(active=True)
    serializer_class = s.CategorySerializer
    pagination_class = None
    filter_backends = []


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (failed tries lock the address and
    the account like the login: `gridcase.limits.LockoutModelBackend`)."""

    permission_classes = [AllowAny]
    parser_classes = PARSERS

    @extend_schema(
        summary="Get your API token",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, **ERRORS},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)
