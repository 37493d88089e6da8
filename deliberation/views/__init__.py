"""The deliberation pages: compounds (public 两公开 page, register), proposals, meetings."""

from .compounds import compound_data, compound_list, compound_public, compound_register, propose
from .meetings import decision_case, decision_proposal, meeting_detail, meeting_list
from .proposals import proposal_action, proposal_chart, proposal_detail

__all__ = [
    "compound_data",
    "compound_list",
    "compound_public",
    "compound_register",
    "decision_case",
    "decision_proposal",
    "meeting_detail",
    "meeting_list",
    "propose",
    "proposal_action",
    "proposal_chart",
    "proposal_detail",
]
