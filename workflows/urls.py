from django.urls import path, register_converter

from . import views
from .actions import actions_in


class Code:
    """A case number (QG-20261121-0042) or an area's or department's code in an address:
    anything else (a NUL character, a kilobyte of text) is a 404 from the resolver, before
    any view or query."""

    regex = r"[A-Za-z0-9_-]{1,40}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Code, "code")

urlpatterns = [
    path("", views.home, name="home"),
    # The board has pages of its own; they must come before the generic workbench route.
    path("w/board/", views.board, name="board"),
    path("w/board/<code:area>/", views.board, name="board_area"),
    path("w/board/<code:area>/data/", views.board_data, name="board_data"),
    path("w/board/<code:area>/export.csv", views.board_export, name="board_export"),
    path("w/board/<code:area>/export.xlsx", views.board_export_xlsx, name="board_export_xlsx"),
    path("w/appeals/", views.appeals_list, name="appeals_list"),
    path("w/report/", views.monthly_report_page, name="monthly_report"),
    path("w/report/<code:area>/", views.monthly_report_page, name="monthly_report_area"),
    path("w/report/<code:area>/export.xlsx", views.monthly_report_xlsx, name="monthly_report_xlsx"),
    path("w/hotspots/<int:pk>/turn/", views.hotspot_turn_view, name="hotspot_turn"),
    path("w/hotspots/<int:pk>/dismiss/", views.hotspot_dismiss_view, name="hotspot_dismiss"),
    path("w/department/selected/", views.parts_action, name="parts_action"),
    path("w/department/replies/", views.reply_templates, name="reply_templates"),
    path("w/<slug:workbench>/", views.workbench, name="workbench"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.csv", views.case_list_csv, name="case_list_csv"),
    path("cases/export.xlsx", views.case_list_xlsx, name="case_list_xlsx"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/nearby/", views.cases_nearby, name="cases_nearby"),
    path("cases/map/points/", views.case_map_points, name="case_map_points"),
    path("cases/nearby/<code:number>/follow/", views.case_follow, name="case_nearby_follow"),
    path("cases/<code:number>/", views.case_detail, name="case_detail"),
    path("cases/<code:number>/process.svg", views.case_process_chart, name="case_process_chart"),
    path("areas/at/", views.area_at, name="area_at"),
    path("photos/<int:pk>/", views.case_photo, name="case_photo"),
    # residents without an account
    path("report/", views.report_public, name="report_public"),
    path("track/", views.track, name="track"),
    path("track/<code:number>/", views.track_case, name="track_case"),
    path("track/<code:number>/rate/", views.track_rate, name="track_rate"),
    # One POST endpoint per action: /cases/<number>/<action>/ on the case, and
    # /cases/<number>/<action>/<department code>/ on one department's part of it.
    *(
        path(
            f"cases/<code:number>/{name}/", views.case_action, {"action": name}, name=f"case_{name}"
        )
        for name in (action.name for action in actions_in("case"))
    ),
    *(
        path(
            f"cases/<code:number>/{name}/<code:department>/",
            views.case_action,
            {"action": name},
            name=f"dispatch_{name}",
        )
        for name in (action.name for action in actions_in("part"))
    ),
]
