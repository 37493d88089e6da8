"""Cases near a point, as the report forms and `GET /api/v1/cases/nearby/` show them.

Someone about to report may not be allowed to see other people's cases: what is shown of a
case they cannot see is what a passer-by sees in the street — its category, status, photos
of the problem, how far and how old — never its description, reporter or contact. Title and
link only for those who may see it (`visibility.can_view`)."""

from typing import Any, cast

from django.urls import reverse
from rest_framework import serializers
from rest_framework.request import Request

from grids.selectors import AnyUser

from ..actions import action_get
from ..choices import PhotoKind
from ..models import Category
from ..nearby import Nearby, cases_nearby
from ..photos import photo_shared_url
from ..visibility import can_view
from .serializers import Body, CodeRelatedField

MAX_PHOTOS_SHOWN = 3


class NearbyQuerySerializer(serializers.Serializer[Body]):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="Latitude (WGS-84).")
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text="Longitude.")
    category = CodeRelatedField(
        Category.objects.filter(active=True), help_text="The category's code."
    )


class NearbySerializer(serializers.Serializer[Nearby]):
    number = serializers.CharField(source="case.number")
    category = serializers.CharField(source="case.category.name")
    status = serializers.CharField(source="case.status")
    status_label = serializers.CharField(source="case.get_status_display")
    reported_at = serializers.DateTimeField(source="case.reported_at")
    distance_m = serializers.SerializerMethodField()
    followers = serializers.IntegerField(source="case.follower_count")
    photos = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    may_follow = serializers.SerializerMethodField(
        help_text="Whether you may add yourself (我也遇到)."
    )

    def _user(self) -> AnyUser:
        request: Request = self.context["request"]
        return request.user

    def get_distance_m(self, item: Nearby) -> int:
        return round(item.distance_m)

    def get_photos(self, item: Nearby) -> list[str]:
        request: Request = self.context["request"]
        photos = list(item.case.photos.all())[:MAX_PHOTOS_SHOWN]
        if can_view(self._user(), item.case):
            return [request.build_absolute_uri(photo.get_absolute_url()) for photo in photos]
        before = [photo for photo in photos if photo.kind == PhotoKind.BEFORE]
        return [request.build_absolute_uri(photo_shared_url(photo)) for photo in before]

    def get_title(self, item: Nearby) -> str:
        return item.case.title if can_view(self._user(), item.case) else ""

    def get_url(self, item: Nearby) -> str:
        if not can_view(self._user(), item.case):
            return ""
        return reverse("case_detail", kwargs={"number": item.case.number})

    def get_may_follow(self, item: Nearby) -> bool:
        follow, user = action_get("follow"), self._user()
        if not user.is_authenticated:  # the public form: by phone, if the case allows it
            return follow.possible(item.case)
        return follow.offered(user, item.case)


def nearby_answer(request: Any, params: Any) -> list[dict[str, Any]]:
    """Check `params` (lat, lng, category) and describe the cases near that point; raises
    DRF's ValidationError (400) on bad input. `request`: DRF's, or a page's HttpRequest."""
    query = NearbyQuerySerializer(data=params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    found = cases_nearby(latitude=data["lat"], longitude=data["lng"], category=data["category"])
    rows = NearbySerializer(cast(Any, found), many=True, context={"request": request})
    return list(rows.data)
