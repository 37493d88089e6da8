"""The reporter's personal data: who sees it in full, and how it is masked for the rest.

Anonymous reports show no name and no phone to anyone handling them. Otherwise the reporter
and the levels that handle or verify the case (they call back and check on site) see the
contact in full; everyone else, departments included (the whistle-blowing level is their
contact), sees it masked — and a resident reporter's name is masked in the history too.
Pages and the REST API both answer from here."""

from typing import Required, TypedDict

from grids.models import User
from grids.selectors import AnyUser

from .choices import Source
from .models import Case
from .visibility import contact_visible


class ReporterContact(TypedDict, total=False):
    anonymous: Required[bool]
    name: str
    phone: str
    masked: bool


def reporter_contact(user: AnyUser, case: Case) -> ReporterContact:
    """{"anonymous": True} or {"anonymous": False, "name", "phone", "masked"}."""
    if case.anonymous:
        return {"anonymous": True}
    if contact_visible(user, case):
        return {
            "anonymous": False,
            "name": case.contact_name,
            "phone": case.contact_phone,
            "masked": False,
        }
    return {
        "anonymous": False,
        "name": name_mask(case.contact_name),
        "phone": phone_mask(case.contact_phone),
        "masked": True,
    }


def reporter_name(case: Case, event_actor: User | None, contact: ReporterContact) -> str | None:
    """How the history names an event's actor when that actor is the reporter: nobody when
    anonymous, masked where their contact is (grid members on patrol report as staff)."""
    if case.anonymous:
        return None
    if contact.get("masked") and case.source != Source.GRID_PATROL:
        return name_mask(str(event_actor))
    return str(event_actor)


def name_mask(name: str) -> str:
    """刘霞 → 刘*; empty stays empty."""
    return f"{name[0]}{'*' * max(len(name) - 1, 1)}" if name else ""


def phone_mask(phone: str) -> str:
    """13800000001 → 138****0001; short numbers keep only their last two characters."""
    if not phone:
        return ""
    if len(phone) >= 8:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * max(len(phone) - 2, 0) + phone[-2:]
