"""Every write to a case. Views, APIs, consumers and flow nodes call these; nothing else
changes a case. Each service is one transaction: lock, check, transition, log, move the flow
(`case_report` takes the case number in a short transaction of its own first)."""

from .appeals import case_appeal, case_appeal_dismiss, case_appeal_uphold
from .assigning import case_assign
from .closing import case_rate, case_resolve, case_rework, case_verify, dispatch_rate
from .comments import case_comment
from .departments import (
    case_claim,
    case_departments_finished,
    case_dispatch_resolve,
    case_return,
    dispatch_claim_overdue,
    dispatch_resolve_overdue,
    dispatch_task_prepare,
)
from .escalation import case_dispatch, case_whistle
from .extensions import case_extension_approve, case_extension_ask, case_extension_refuse
from .following import case_follow
from .intake import case_accept, case_mark_duplicate, case_reject, case_report
from .overdue import case_mark_overdue
from .reviewing import (
    case_reassign,
    case_return_accept,
    case_return_refuse,
    return_review_overdue,
    review_task_prepare,
)
from .supervision import case_supervise
from .suspension import (
    case_resume,
    case_suspend,
    case_suspension_approve,
    case_suspension_ask,
    case_suspension_refuse,
    cases_resume_due,
)
from .verifying import case_verification_take_over

__all__ = [
    "case_accept",
    "case_appeal",
    "case_appeal_dismiss",
    "case_appeal_uphold",
    "case_assign",
    "case_claim",
    "case_comment",
    "case_departments_finished",
    "case_dispatch",
    "case_dispatch_resolve",
    "case_follow",
    "case_extension_approve",
    "case_extension_ask",
    "case_extension_refuse",
    "case_mark_duplicate",
    "case_mark_overdue",
    "case_rate",
    "case_reject",
    "case_report",
    "case_resolve",
    "case_reassign",
    "case_return",
    "case_return_accept",
    "case_return_refuse",
    "case_resume",
    "case_supervise",
    "case_suspend",
    "case_suspension_approve",
    "case_suspension_ask",
    "case_suspension_refuse",
    "cases_resume_due",
    "case_rework",
    "case_verify",
    "case_verification_take_over",
    "case_whistle",
    "dispatch_claim_overdue",
    "dispatch_resolve_overdue",
    "dispatch_rate",
    "dispatch_task_prepare",
    "return_review_overdue",
    "review_task_prepare",
]
