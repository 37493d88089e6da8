"""Pages of the workflows app: landing pages and workbenches, the board, cases, actions on
cases, reporting (field intake and the public form) and following a case without an account."""

from .board import board, board_data, board_export
from .cases import case_action, case_detail, case_list
from .drawing import case_process_chart
from .intake import area_at, case_new, report_public
from .photos import case_photo
from .tracking import track, track_case, track_rate
from .workbenches import home, workbench

__all__ = [
    "area_at",
    "board",
    "board_data",
    "board_export",
    "case_action",
    "case_detail",
    "case_list",
    "case_new",
    "case_photo",
    "case_process_chart",
    "home",
    "report_public",
    "track",
    "track_case",
    "track_rate",
    "workbench",
]
