"""Time limits of the five steps: the one place that says how long each may take.

The co-signing period ends the proposal if too few owners signed; the later steps go
overdue (their people and the community are told) but stay open; the vote closes at the
time the committee set when it opened it, within the bounds below.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from .choices import ProposalStatus

STEP_LIMITS: dict[str, timedelta] = {
    ProposalStatus.COSIGNING: timedelta(days=30),  # 业主建议: gather co-signatures
    ProposalStatus.SUBMITTED: timedelta(days=15),  # 业委会提议: adopt or decline
    ProposalStatus.MOTION: timedelta(days=7),  # 小区党支部商议
    ProposalStatus.REVIEW: timedelta(days=7),  # 社区党组织审议
    ProposalStatus.APPROVED: timedelta(days=30),  # the committee convenes the assembly
}
VOTE_MIN = timedelta(days=1)
VOTE_MAX = timedelta(days=60)
VOTE_DEFAULT = timedelta(days=14)


def step_due(status: str, now: datetime | None = None) -> datetime | None:
    """When the step the proposal is entering (`status`) is due; None for steps without one."""
    limit = STEP_LIMITS.get(status)
    return None if limit is None else (now or timezone.now()) + limit


def vote_window_ok(closes_at: datetime, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return now + VOTE_MIN <= closes_at <= now + VOTE_MAX
