"""The REST API: list, report, read and act on cases; categories; API tokens.

Thin: a serializer checks the input, one service does the work (and checks permission and
state again), service errors become 400/403/409 in `apis.errors`. Lists and details only ever
see `cases_visible_to(user)`: a case the user may not see is a 404.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from gridcase.limits import RateLimitThrottle
from grids.models import Area
from grids.selectors import area_allows, areas_q

from .. import services
from ..choices import Source
from ..models import Case, CaseDispatch, Category
from ..permissions import can_view
from ..selectors import cases_visible_to
from . import serializers as s
from .filters import CaseFilter

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


def _with_list_data(cases: QuerySet) -> QuerySet:
    active = CaseDispatch.objects.filter(active=True).select_related("department")
    return cases.select_related("category", "area", "handling_area").prefetch_related(
        Prefetch("dispatches", active)
    )


def _with_detail_data(cases: QuerySet) -> QuerySet:
    dispatches = CaseDispatch.objects.select_related("department", "claimed_by")
    return cases.select_related(
        "category", "area", "handling_area", "verifier_area", "handler"
    ).prefetch_related(
        Prefetch("dispatches", dispatches.order_by("-active", "-lead", "pk")), "photos"
    )


def _resolve(*, case: Case, actor, result: str, photos: list, department=None):
    """The handling level's result, or (with `department`) that department's part."""
    if department is not None:
        return services.case_dispatch_resolve(
            case=case, department=department, actor=actor, result=result, photos=photos
        )
    return services.case_resolve(case=case, actor=actor, result=result, photos=photos)


@dataclass(frozen=True)
class CaseAction:
    serializer: type[serializers.Serializer]
    service: Callable[..., object]
    summary: str


CASE_ACTIONS: dict[str, CaseAction] = {
    "accept": CaseAction(s.EmptyInputSerializer, services.case_accept, "受理 accept the case"),
    "reject": CaseAction(s.ReasonSerializer, services.case_reject, "不予受理 reject, with reason"),
    "duplicate": CaseAction(
        s.DuplicateSerializer, services.case_mark_duplicate, "Mark as duplicate of an earlier case"
    ),
    "whistle": CaseAction(
        s.WhistleSerializer, services.case_whistle, "吹哨 whistle to the level above"
    ),
    "dispatch": CaseAction(
        s.DispatchInputSerializer, services.case_dispatch, "吹哨 whistle to departments"
    ),
    "claim": CaseAction(
        s.DepartmentInputSerializer, services.case_claim, "报到 claim a department's part"
    ),
    "return": CaseAction(
        s.DepartmentReasonSerializer, services.case_return, "退回 return a department's part"
    ),
    "resolve": CaseAction(s.ResolveSerializer, _resolve, "Report the result"),
    "verify": CaseAction(s.VerifySerializer, services.case_verify, "核查 verify and close"),
    "rework": CaseAction(s.ReasonSerializer, services.case_rework, "返工 send back for rework"),
    "rate": CaseAction(s.RateSerializer, services.case_rate, "The reporter rates the result"),
    "rate_department": CaseAction(
        s.DepartmentRateSerializer, services.dispatch_rate, "评价 rate a department's response"
    ),
    "comment": CaseAction(s.CommentSerializer, services.case_comment, "Comment on the case"),
}


@extend_schema_view(
    list=extend_schema(summary="Cases you may see", responses={200: s.CaseSerializer, **ERRORS}),
    retrieve=extend_schema(
        summary="One case with its history", responses={200: s.CaseDetailSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Report a case (JSON, or multipart with photos)",
        request=s.ReportSerializer,
        responses={201: s.CaseDetailSerializer, **ACTION_ERRORS},
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    pagination_class = CasePagination
    filterset_class = CaseFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = s.CaseSerializer

    def get_queryset(self) -> QuerySet[Case]:
        cases = cases_visible_to(self.request.user)
        if self.action == "list":
            return _with_list_data(cases)
        return _with_detail_data(cases)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
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
        if case is None or not can_view(self.request.user, case):
            raise Http404
        self.check_object_permissions(self.request, case)
        return case

    def get_serializer_class(self):
        return s.CaseSerializer if self.action == "list" else s.CaseDetailSerializer

    def create(self, request, *args, **kwargs) -> Response:
        data = s.ReportSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        staff = _reports_as_staff(request.user, fields["area"])
        if "priority" in fields and not staff:
            raise serializers.ValidationError(
                {"priority": [_("Residents do not choose the priority.")]}, code="not_allowed"
            )
        case = services.case_report(
            reporter=request.user,
            source=Source.GRID_PATROL if staff else Source.RESIDENT,
            **fields,
        )
        return self._detail(case, status.HTTP_201_CREATED)

    def _detail(self, case: Case, http_status: int = status.HTTP_200_OK) -> Response:
        fresh = _with_detail_data(Case.objects.filter(pk=case.pk)).get()
        body = s.CaseDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=http_status)

    def run_action(self, request, name: str) -> Response:
        spec = CASE_ACTIONS[name]
        case = self.get_object()
        context = {**self.get_serializer_context(), "case": case}
        data = spec.serializer(data=request.data, context=context)
        data.is_valid(raise_exception=True)
        spec.service(case=case, actor=request.user, **data.validated_data)
        return self._detail(case)


def _reports_as_staff(user, area: Area) -> bool:
    """Staff report as a patrol (in their own areas); everyone else as a resident.

    The report's own area is asked first: staff reporting where they work (the usual case)
    are answered without searching all their grants."""
    if area_allows(user, "report_area_cases", area):
        return True
    return Area.objects.filter(areas_q(user, "report_area_cases")).exists()


def _action_view(name: str, spec: CaseAction):
    def view(self, request, number: str) -> Response:
        return self.run_action(request, name)

    view.__name__ = f"action_{name}"  # `dispatch` is taken on a view
    view.__doc__ = spec.summary
    schema = extend_schema(
        summary=spec.summary,
        request=spec.serializer,
        responses={200: s.CaseDetailSerializer, **ACTION_ERRORS},
    )
    return schema(action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(view))


# One POST endpoint per action, /api/v1/cases/<number>/<action>/, generated from the table.
for _name, _spec in CASE_ACTIONS.items():
    setattr(CaseViewSet, f"action_{_name}", _action_view(_name, _spec))


@extend_schema_view(
    list=extend_schema(summary="Active categories", responses={200: s.CategorySerializer, **ERRORS})
)
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Category.objects.filter(active=True)
    serializer_class = s.CategorySerializer
    pagination_class = None
    filter_backends: list = []


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (rate-limited like the login)."""

    permission_classes = [AllowAny]
    throttle_classes = [RateLimitThrottle]
    rate_limit_scope = "login"

    @extend_schema(
        summary="Get your API token",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, **ERRORS},
    )
    def post(self, request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)
