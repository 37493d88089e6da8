"""Pages of the workflows app: landing pages and workbenches, the board, cases, actions."""

from .board import board, board_data, board_export
from .cases import case_action, case_detail, case_list, case_new
from .landing import case_task_redirect, home, workbench
from .offers import CASE_ACTIONS, DEPARTMENT_ACTIONS

__all__ = [
    "CASE_ACTIONS",
    "DEPARTMENT_ACTIONS",
    "board",
    "board_data",
    "board_export",
    "case_action",
    "case_detail",
    "case_list",
    "case_new",
    "case_task_redirect",
    "home",
    "workbench",
]
