"""/api/v1/ (REST), /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI served locally)."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import rest

router = SimpleRouter()
router.register("cases", rest.CaseViewSet, basename="api-case")
router.register("categories", rest.CategoryViewSet, basename="api-category")

# The split view serves its start-up code as a script file (no inline script); Swagger UI
# itself adds <style> elements, so inline styles (not scripts) are allowed on this page only.
api_docs = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/auth/token/", rest.TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api_docs, name="api-docs"),
    re_path(r"", lambda request, *args: not_found(request)),  # JSON, not the site's HTML 404
]


def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"code": "not_found", "detail": "No such API endpoint."}, status=404)
