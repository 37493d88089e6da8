"""/api/v1/points/ (in the OpenAPI schema at /api/schema/ with the rest of the API)."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("accounts/", views.AccountList.as_view(), name="api-points-accounts"),
    path("accounts/<int:pk>/", views.AccountDetail.as_view(), name="api-points-account"),
    path("communities/<str:code>/accounts/", views.CommunityAccounts.as_view()),
    path("communities/<str:code>/goods/", views.CommunityGoods.as_view()),
    path("communities/<str:code>/activities/", views.CommunityActivities.as_view()),
    path("communities/<str:code>/rules/", views.CommunityRules.as_view()),
    path("communities/<str:code>/figures/", views.CommunityFigures.as_view()),
    path("awards/", views.Awards.as_view()),
    path("entries/<int:pk>/reverse/", views.EntryReverse.as_view()),
    path("redemptions/", views.Redemptions.as_view()),
    re_path(
        r"^redemptions/(?P<pk>[0-9]+)/(?P<verb>hand-over|cancel)/$", views.RedemptionStep.as_view()
    ),
    re_path(
        r"^activities/(?P<pk>[0-9]+)/(?P<verb>signup|checkin|attendance)/$",
        views.ActivityStep.as_view(),
    ),
    path("help-requests/", views.HelpRequests.as_view()),
    re_path(
        r"^help-requests/(?P<pk>[0-9]+)/(?P<verb>claim|done|confirm|cancel)/$",
        views.HelpRequestStep.as_view(),
    ),
]
