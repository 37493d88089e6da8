"""/open311/v2/…: each resource as .json or .xml (the format is part of the path)."""

from django.urls import path, re_path

from . import views

FMT = r"\.(?P<fmt>json|xml)$"
ID = r"[A-Za-z0-9_-]{1,64}"

urlpatterns = [
    path("", views.discovery, {"fmt": "json"}, name="open311_root"),
    re_path(rf"^discovery{FMT}", views.discovery, name="open311_discovery"),
    re_path(rf"^services{FMT}", views.service_list, name="open311_services"),
    re_path(rf"^services/(?P<code>{ID}){FMT}", views.service_definition, name="open311_service"),
    re_path(rf"^requests{FMT}", views.request_list, name="open311_requests"),
    re_path(rf"^requests/(?P<request_id>{ID}){FMT}", views.request_detail, name="open311_request"),
    re_path(rf"^tokens/(?P<token>{ID}){FMT}", views.token_detail, name="open311_token"),
]
