"""Pages of the workflows app: landing pages and workbenches, the board, cases, actions on
cases, reporting (field intake and the public form) and following a case without an account."""

from .appeals import appeals_list
from .board import board, board_data, board_export, board_export_xlsx
from .cases import case_action, case_detail, case_list, parts_action
from .drawing import case_process_chart
from .exports import case_list_csv, case_list_xlsx
from .hotspots import hotspot_dismiss_view, hotspot_turn_view
from .intake import area_at, case_new, report_public
from .maps import case_map_points
from .nearby import case_follow, cases_nearby
from .photos import case_photo
from .replies import reply_templates
from .report import monthly_report_page, monthly_report_xlsx
from .tracking import track, track_case, track_rate
from .workbenches import home, workbench

__all__ = [
    "appeals_list",
    "area_at",
    "board",
    "board_data",
    "board_export",
    "board_export_xlsx",
    "case_action",
    "case_detail",
    "case_follow",
    "case_list",
    "case_list_csv",
    "case_list_xlsx",
    "case_map_points",
    "case_new",
    "case_photo",
    "case_process_chart",
    "cases_nearby",
    "home",
    "hotspot_dismiss_view",
    "hotspot_turn_view",
    "monthly_report_page",
    "monthly_report_xlsx",
    "parts_action",
    "reply_templates",
    "report_public",
    "track",
    "track_case",
    "track_rate",
    "workbench",
]
