"""核查 on site: what evidence a verification needs, and who may not verify.

- A result is verified on site with a photo taken where the case is: the browser's location
  when verifying within `GRIDCASE_VERIFY_ONSITE_M` metres (200) of the case's place; or by
  another method (by phone, by the resident, otherwise) with the reason written down. The
  method is stored on the case (`Case.verify_method`) and counted on the board (核查方式).
- Four eyes: in the streets listed in `GRIDCASE_FOUR_EYES_STREETS` (street codes) the person
  who resolved a case may not verify it.

The status machine asks these as its close transition's permission and condition
(`permissions.lifecycle_verify_close`, `permissions.verification_evidence`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from grids.models import Area
from grids.selectors import AnyUser

from .choices import VerifyMethod
from .models import Case
from .nearby import distance_m


def onsite_limit_m() -> float:
    return float(getattr(settings, "GRIDCASE_VERIFY_ONSITE_M", 200))


@dataclass(frozen=True)
class Evidence:
    """What the verifier gives: the method; for on site a photo and where they stood; for
    another method the reason."""

    method: str
    photos: int = 0
    latitude: float | None = None
    longitude: float | None = None
    reason: str = ""


def evidence_problem(case: Case, evidence: Evidence) -> str:
    """Why this evidence does not verify the case ("" when it does)."""
    if evidence.method not in VerifyMethod.values:
        return _("Choose how the result was verified.")
    if evidence.method != VerifyMethod.ONSITE:
        if not evidence.reason.strip():
            return _("Say why the result was verified without an on-site photo.")
        return ""
    if evidence.photos < 1:
        return _("Take a photo on site, or choose another method and give the reason.")
    if evidence.latitude is None or evidence.longitude is None:
        return _(
            "The browser gave no location with the photo: allow it, or choose another method "
            "and give the reason."
        )
    if case.latitude is None or case.longitude is None:
        return _(
            "This case has no place to compare with: choose another method and give the reason."
        )
    away = distance_m(
        evidence.latitude, evidence.longitude, float(case.latitude), float(case.longitude)
    )
    if away > onsite_limit_m():
        return _(
            "You are %(away)d m from the case's place (at most %(limit)d m on site): verify it "
            "there, or choose another method and give the reason."
        ) % {"away": away, "limit": onsite_limit_m()}
    return ""


def four_eyes(case: Case) -> bool:
    """Does the case's street require that someone else verifies its result?"""
    codes = list(getattr(settings, "GRIDCASE_FOUR_EYES_STREETS", ()))
    if not codes:
        return False
    street_pk = case.area_path.split("/", 1)[0]
    return Area.objects.filter(pk=street_pk, code__in=codes).exists()


def resolved_by(user: AnyUser, case: Case) -> bool:
    """Did `user` report the result being verified (the grid's handler, or a department's)?"""
    if not user.is_authenticated:
        return False
    if case.handler_id == user.pk:
        return True
    return case.dispatches.filter(active=True, claimed_by_id=user.pk).exists()
