import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("GridCase administration")
admin.site.site_title = _("GridCase")

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/points/", include("points.apis.urls")),
    path("api/v1/deliberation/", include("deliberation.api_urls")),  # before api/'s catch-all
    path("api/", include("workflows.apis.urls")),
    path("open311/v2/", include("workflows.apis.open311.urls")),
    path("points/", include("points.urls")),
    path("deliberation/", include("deliberation.urls")),
    path("", include("grids.urls")),
    path("", include("notifications.urls")),
    path("", include("hotline.urls")),
    path("", include("workflows.urls")),
]

handler400 = "gridcase.refusals.bad_request"
handler403 = "gridcase.refusals.permission_denied"
handler404 = "gridcase.refusals.page_not_found"
handler500 = "gridcase.refusals.server_error"

if os.environ.get("GRIDCASE_BENCH") == "1":  # `make bench` only: the framework's ceiling
    from bench.bare import urlpatterns as bench_urlpatterns

    urlpatterns += bench_urlpatterns
