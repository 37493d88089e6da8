"""Phone numbers: one normal form, and whether a person's phone is verified.

A case's contact phone, the tracking page's phone and an account's phone are compared in
the normal form of `normalise_phone`, so "+86 138-0013-8000" and "13800138000" are the same
number. An account's phone counts (`verified_phone`) only once its owner proved it with a
code sent by SMS (`grids.services.phone_code_send` / `phone_code_confirm`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import User

CHINA_PREFIXES = ("+86", "0086")
CHINA_MOBILE_DIGITS = 11


def normalise_phone(raw: str) -> str:
    """Digits, with a leading "+" kept for foreign numbers; China's +86/0086 dropped."""
    raw = raw.strip()
    plus = raw.startswith("+")
    digits = "".join(ch for ch in raw if ch.isascii() and ch.isdigit())
    number = ("+" if plus else "") + digits
    for prefix in CHINA_PREFIXES:
        rest = number[len(prefix) :]
        if number.startswith(prefix) and len(rest) == CHINA_MOBILE_DIGITS:
            return rest
    return number


def verified_phone(user: User | object) -> str:
    """The account's phone in normal form if its owner verified it, else ""."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if getattr(user, "phone_verified_at", None) is None:
        return ""
    return normalise_phone(getattr(user, "phone", ""))
