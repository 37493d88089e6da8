"""The REST API of 五议两公开 and 一组一会 at /api/v1/deliberation/ (in the OpenAPI schema).

Thin, as the case API: a serializer checks the input, one service does the work and checks
again; errors are {"code", "detail"} with 400 bad input, 403 not allowed, 404 not visible,
409 wrong state. The compound's public view needs no login (两公开, no personal data); every
proposal action of the registry (`actions.ACTIONS`) is one POST endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers as drf
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from grids.models import Area
from grids.selectors import signed_in
from workflows.apis.serializers import ErrorSerializer

from . import permissions, selectors, services
from . import serializers as s
from .actions import ACTIONS, Action, actions_offered
from .errors import DeliberationConflict, DeliberationDenied
from .models import Compound, Meeting, Proposal

ERRORS = {
    code: OpenApiResponse(ErrorSerializer, description=text)
    for code, text in {
        400: "Bad input.",
        401: "Not authenticated.",
        403: "Not allowed.",
        404: "Not found, or not visible to you.",
        409: "Wrong state.",
    }.items()
}


def _served(work: Callable[[], Response]) -> Response:
    """Run a service call; its errors in the API's one error format."""
    try:
        return work()
    except ValidationError as exc:
        return Response({"code": "invalid", "detail": " ".join(exc.messages)}, status=400)
    except DeliberationDenied as exc:
        return Response({"code": "denied", "detail": str(exc)}, status=403)
    except DeliberationConflict as exc:
        return Response({"code": "conflict", "detail": str(exc)}, status=409)


class RegisterUploadSerializer(drf.Serializer[Any]):
    file = drf.FileField()


class ImportResultSerializer(drf.Serializer[Any]):
    created = drf.IntegerField()
    updated = drf.IntegerField()
    owners = drf.IntegerField()


class CompoundViewSet(viewsets.GenericViewSet[Compound]):
    queryset = Compound.objects.all()
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"  # anything up to the slash reaches the view (a JSON 404)
    serializer_class = s.PublicCompoundSerializer

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.action == "retrieve" else list(super().get_permissions())

    @extend_schema(
        summary="两公开: a compound's decisions and implementation (public)",
        responses={200: s.PublicCompoundSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, code: str) -> Response:
        compound = self.get_object()
        context = {"proposals": selectors.public_proposals(compound)}
        return Response(s.PublicCompoundSerializer(compound, context=context).data)

    @extend_schema(
        summary="Import the register (CSV: building, unit, floor_area, owners, phones): "
        "all rows or nothing",
        request={"multipart/form-data": RegisterUploadSerializer},
        responses={200: ImportResultSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def register(self, request: Request, code: str) -> Response:
        compound = self.get_object()
        data = RegisterUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]

        def work() -> Response:
            result = services.compound_register_import(
                compound=compound, actor=signed_in(request.user), data=upload.read()
            )
            return Response(ImportResultSerializer(result).data)

        return _served(work)

    @extend_schema(
        summary="业主建议: an owner proposes a matter",
        request=s.ProposeSerializer,
        responses={201: s.ProposalSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser, MultiPartParser])
    def propose(self, request: Request, code: str) -> Response:
        compound = self.get_object()
        data = s.ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)

        def work() -> Response:
            proposal = services.proposal_propose(
                compound=compound, actor=signed_in(request.user), **data.validated_data
            )
            return _proposal_body(request, proposal, status.HTTP_201_CREATED)

        return _served(work)


def _proposal_body(request: Request, proposal: Proposal, http_status: int = 200) -> Response:
    fresh = Proposal.objects.select_related("compound").get(pk=proposal.pk)
    offered = [a.name for a in actions_offered(request.user, fresh)]
    return Response(
        s.ProposalSerializer(fresh, context={"actions": offered}).data, status=http_status
    )


class ProposalViewSet(viewsets.GenericViewSet[Proposal]):
    queryset = Proposal.objects.select_related("compound")
    lookup_value_regex = r"[^/]+"  # a non-number is a JSON 404 from get_object
    serializer_class = s.ProposalSerializer

    def get_object(self) -> Proposal:
        pk = str(self.kwargs["pk"])
        if not pk.isascii() or not pk.isdigit():
            raise Http404
        proposal = get_object_or_404(self.get_queryset(), pk=int(pk))
        if not permissions.may_see_proposal(self.request.user, proposal):
            raise Http404
        return proposal

    @extend_schema(
        summary="A proposal, as its owners and staff see it",
        responses={200: s.ProposalSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return _proposal_body(request, self.get_object())

    def run_action(self, request: Request, spec: Action) -> Response:
        proposal = self.get_object()
        data = spec.serializer(data=request.data)
        data.is_valid(raise_exception=True)

        def work() -> Response:
            spec.run(proposal=proposal, actor=signed_in(request.user), **data.validated_data)
            return _proposal_body(request, proposal)

        return _served(work)


def _action_view(spec: Action) -> Callable[[ProposalViewSet, Request, str], Response]:
    def view(self: ProposalViewSet, request: Request, pk: str) -> Response:
        return self.run_action(request, spec)

    view.__name__ = f"action_{spec.name}"
    view.__doc__ = spec.summary
    schema = extend_schema(
        summary=spec.summary,
        request=spec.serializer,
        responses={200: s.ProposalSerializer, **ERRORS},
    )
    return schema(action(detail=True, methods=["post"], url_path=spec.name.replace("_", "-"))(view))


for _spec in ACTIONS:
    setattr(ProposalViewSet, f"action_{_spec.name}", _action_view(_spec))


class MeetingInputSerializer(drf.Serializer[Any]):
    community = drf.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
    held_on = drf.DateField()
    place = drf.CharField(max_length=120, required=False, allow_blank=True, default="")
    attendees = drf.CharField(max_length=2000)
    topics = drf.CharField(max_length=4000)
    decisions = drf.ListField(child=drf.CharField(max_length=2000), max_length=30)


class MeetingViewSet(viewsets.GenericViewSet[Meeting]):
    """一组一会: residents' council meetings of the communities you work for."""

    serializer_class = s.MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        meetings = permissions.meetings_visible_to(self.request.user)
        return meetings.select_related("community").prefetch_related("decisions__case")

    @extend_schema(
        summary="Meetings you may see", responses={200: s.MeetingSerializer(many=True), **ERRORS}
    )
    def list(self, request: Request) -> Response:
        return Response(s.MeetingSerializer(self.get_queryset(), many=True).data)

    @extend_schema(
        summary="Record a meeting",
        request=MeetingInputSerializer,
        responses={201: s.MeetingSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = MeetingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)

        def work() -> Response:
            meeting = services.meeting_record(actor=signed_in(request.user), **data.validated_data)
            return Response(s.MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

        return _served(work)
