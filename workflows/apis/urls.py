"""/api/v1/ (REST), /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI served locally)."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import rest

router = SimpleRouter()
router.register("cases", rest.CaseViewSet, basename="api-case")
router.register("categories", rest.CategoryViewSet, basename="api-category")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/auth/token/", rest.TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"", lambda request, *args: not_found(request)),  # JSON, not the site's HTML 404
]


def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"code": "not_found", "detail": "No such API endpoint."}, status=404)
