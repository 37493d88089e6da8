"""Every write of the deliberation app. Views, the API and the flow's nodes call these.
Each is one transaction: lock (process row, then proposal row), check the status machine's
transition, write, log a `ProposalEvent` (published after commit), move the flow."""

from .meetings import decision_case_open, decision_proposal_open, meeting_record
from .proposals import (
    proposal_adopt,
    proposal_approve,
    proposal_cosign,
    proposal_decline,
    proposal_expire,
    proposal_mark_overdue,
    proposal_open_vote,
    proposal_progress,
    proposal_propose,
    proposal_record_opinion,
    proposal_return,
)
from .register import compound_register_import, compound_role_set, register_parse
from .votes import proposal_tally, proposal_vote_close, tally_json, vote_cast, vote_enter_paper

__all__ = [
    "compound_register_import",
    "compound_role_set",
    "decision_case_open",
    "decision_proposal_open",
    "meeting_record",
    "proposal_adopt",
    "proposal_approve",
    "proposal_cosign",
    "proposal_decline",
    "proposal_expire",
    "proposal_mark_overdue",
    "proposal_open_vote",
    "proposal_progress",
    "proposal_propose",
    "proposal_record_opinion",
    "proposal_return",
    "proposal_tally",
    "proposal_vote_close",
    "register_parse",
    "tally_json",
    "vote_cast",
    "vote_enter_paper",
]
