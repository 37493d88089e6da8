"""/api/v1/points/ (in the OpenAPI schema at /api/schema/ with the rest of the API).
An id that is not 1-9 digits is no row (404), never a database error."""

from django.urls import path, re_path

from . import views

ID = r"(?P<pk>[^/]+)"  # checked by views.row: a 404 in the API's format, whatever it is

urlpatterns = [
    path("accounts/", views.AccountList.as_view()),
    re_path(rf"^accounts/{ID}/$", views.AccountDetail.as_view()),
    path("communities/<str:code>/accounts/", views.CommunityAccounts.as_view()),
    path("communities/<str:code>/goods/", views.CommunityGoods.as_view()),
    path("communities/<str:code>/activities/", views.CommunityActivities.as_view()),
    path("communities/<str:code>/rules/", views.CommunityRules.as_view()),
    path("communities/<str:code>/figures/", views.CommunityFigures.as_view()),
    path("awards/", views.Awards.as_view()),
    re_path(rf"^entries/{ID}/reverse/$", views.EntryReverse.as_view()),
    path("redemptions/", views.Redemptions.as_view()),
    re_path(rf"^redemptions/{ID}/hand-over/$", views.RedemptionHandOver.as_view()),
    re_path(rf"^redemptions/{ID}/cancel/$", views.RedemptionCancel.as_view()),
    re_path(rf"^activities/{ID}/signup/$", views.ActivitySignup.as_view()),
    re_path(rf"^activities/{ID}/checkin/$", views.ActivityCheckin.as_view()),
    re_path(rf"^activities/{ID}/attendance/$", views.ActivityAttendance.as_view()),
    path("help-requests/", views.HelpRequests.as_view()),
    re_path(rf"^help-requests/{ID}/claim/$", views.HelpRequestClaim.as_view()),
    re_path(rf"^help-requests/{ID}/done/$", views.HelpRequestDone.as_view()),
    re_path(rf"^help-requests/{ID}/confirm/$", views.HelpRequestConfirm.as_view()),
    re_path(rf"^help-requests/{ID}/cancel/$", views.HelpRequestCancel.as_view()),
]
