"""Pages of the workflows app: landing pages and workbenches, cases, actions on cases."""

from .cases import case_action, case_detail, case_list, case_new
from .landing import case_task_redirect, home, workbench
from .offers import CASE_ACTIONS, DEPARTMENT_ACTIONS

__all__ = [
    "CASE_ACTIONS",
    "DEPARTMENT_ACTIONS",
    "case_action",
    "case_detail",
    "case_list",
    "case_new",
    "case_task_redirect",
    "home",
    "workbench",
]
