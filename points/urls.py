from django.urls import path, re_path, register_converter
from django.urls.converters import IntConverter

from .views import counter, desk, mine


class ShortId(IntConverter):
    """A row id of at most 9 digits: a longer one is no row (404), not a database error."""

    regex = "[0-9]{1,9}"


register_converter(ShortId, "pointsid")

app_name = "points"

urlpatterns = [
    path("", mine.mine, name="mine"),
    path("join/<str:community>/", mine.join, name="join"),
    path("goods/<pointsid:pk>/request/", mine.goods_request, name="goods_request"),
    path("redemptions/<pointsid:pk>/cancel/", mine.redemption_cancel, name="redemption_cancel"),
    path("activities/<pointsid:pk>/signup/", mine.activity_signup, name="activity_signup"),
    path("activities/<pointsid:pk>/checkin/", mine.activity_checkin, name="activity_checkin"),
    path("help/new/<str:community>/", mine.help_new, name="help_new"),
    path("help/<pointsid:pk>/<str:verb>/", mine.help_step, name="help_step"),
    path("board/", counter.board, name="board"),
    path("desk/", desk.desk_index, name="desk_index"),
    path("desk/<str:code>/", desk.desk, name="desk"),
    path("desk/<str:code>/phone/", desk.phone_account, name="desk_phone"),
    path("desk/<str:code>/rules/", desk.rule_save, name="desk_rule_new"),
    path("desk/<str:code>/rules/<pointsid:pk>/", desk.rule_save, name="desk_rule"),
    path("desk/<str:code>/goods/", desk.goods_add, name="desk_goods"),
    path("desk/<str:code>/receipts/", desk.goods_receive, name="desk_receive"),
    path("desk/<str:code>/activities/", desk.activity_publish, name="desk_activity_new"),
    path("desk/<str:code>/activities/<pointsid:pk>/", counter.activity, name="desk_activity"),
    path(
        "desk/<str:code>/activities/<pointsid:pk>/attendance/",
        counter.attendance,
        name="desk_attendance",
    ),
    path(
        "desk/<str:code>/redemptions/<pointsid:pk>/<str:verb>/",
        desk.redemption_step,
        name="desk_redemption",
    ),
    path("desk/<str:code>/accounts/<pointsid:pk>/", counter.account, name="desk_account"),
    path(
        "desk/<str:code>/accounts/<pointsid:pk>/<str:verb>/",
        counter.account_step,
        name="desk_account_step",
    ),
    re_path(
        r"^desk/(?P<code>[^/]+)/ledger\.(?P<fmt>csv|xlsx)$",
        counter.ledger_export,
        name="desk_export",
    ),
]
