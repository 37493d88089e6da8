"""Checking a POSTed Open311 request: api_key, service, location, attributes, contact, media.

API keys are `Open311Key` rows of integration accounts (e.g. the 12345 hotline's gateway):
scoped to Open311, revocable, with an expiry and a last-used time (`keys.py`); `manage.py
open311_key` issues, lists and revokes them. A REST token is not an Open311 key, nor the
other way round.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError

from gridcase import limits
from grids.models import Area, User
from grids.roles import AreaLevel
from grids.selectors import area_at_point

from ...models import Category
from ...services.intake import MAX_DESCRIPTION
from .keys import open311_key_find
from .mapping import ATTRIBUTE_CODES

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
TITLE_LENGTH = 120


class Open311Error(Exception):
    """Bad input: the message starts with the parameter at fault; `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def api_key_of(request: HttpRequest) -> str:
    """The api_key a POST is made with ('' if none or the body cannot be read)."""
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return ""
    try:
        return request.POST.get("api_key", "")[:64]
    except (MultiPartParserError, OSError):
        return ""


def refuse_nul(params: QueryDict) -> None:
    """Text with NUL characters cannot be stored (PostgreSQL refuses it): a 400, not a 500."""
    for name, values in params.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise Open311Error(f"{name.replace(chr(0), '')}: contains a NUL character")


def _reporter(params: QueryDict, address: str) -> User:
    """The key's integration account; a wrong key counts as a failed sign-in of `address`
    (`limits.LockedOut` once there were too many)."""
    key = params.get("api_key", "").strip()
    if not key:
        raise Open311Error("api_key: required", 403)
    limits.auth_check(address)
    found = open311_key_find(key)
    if found is None:
        limits.auth_failed(address)
        raise Open311Error("api_key: invalid, expired or revoked", 403)
    return found.account


def _number(params: QueryDict, name: str, low: float, high: float) -> Decimal:
    try:
        value = float(params.get(name, ""))
    except ValueError:
        raise Open311Error(f"{name}: not a number") from None
    if not low <= value <= high:  # also refuses nan and inf
        raise Open311Error(f"{name}: out of range ({low} to {high})")
    return Decimal(str(round(value, 6)))


def _area_by_address(address: str) -> Area:
    """The deepest area named in the address; else the only street; else we cannot tell."""
    named = [a for a in Area.objects.only("pk", "name", "path", "code") if a.name in address]
    if named:
        return max(named, key=lambda a: (a.depth, len(a.name)))
    streets = list(Area.objects.filter(level=AreaLevel.STREET)[:2])
    if len(streets) == 1:
        return streets[0]
    raise Open311Error("address_string: cannot tell which area this is; send lat and long")


def _location(params: QueryDict) -> dict[str, Decimal | str | Area]:
    address = params.get("address_string", "").strip()
    if len(address) > 200:
        raise Open311Error("address_string: at most 200 characters")
    has_lat, has_long = bool(params.get("lat", "").strip()), bool(params.get("long", "").strip())
    if has_lat != has_long:
        raise Open311Error("lat: send both lat and long, or neither")
    if has_lat:
        lat, lng = _number(params, "lat", -90, 90), _number(params, "long", -180, 180)
        area = area_at_point(float(lat), float(lng))
        if area is None:
            raise Open311Error("lat: this location is outside the jurisdiction")
        return {"latitude": lat, "longitude": lng, "address": address, "area": area}
    if address:
        return {"address": address, "area": _area_by_address(address)}
    raise Open311Error("lat: a location is required (lat and long, or address_string)")


def _attributes(params: QueryDict) -> dict[str, str]:
    values = {}
    for name in params:
        if not name.startswith("attribute["):
            continue
        code = name[len("attribute[") :].split("]")[0]  # attribute[code] or attribute[code][]
        if code not in ATTRIBUTE_CODES:
            raise Open311Error(f"attribute[{code}]: unknown attribute")
        values[code] = params.get(name, "").strip()
    if values.get("anonymous", "false") not in ("true", "false"):
        raise Open311Error("attribute[anonymous]: use true or false")
    if len(values.get("title", "")) > TITLE_LENGTH:
        raise Open311Error(f"attribute[title]: at most {TITLE_LENGTH} characters")
    return values


def _contact(params: QueryDict) -> dict[str, str]:
    name = " ".join(p for p in (params.get("first_name", ""), params.get("last_name", "")) if p)
    phone = params.get("phone", "").strip()
    if len(name) > 64:
        raise Open311Error("first_name: the name is at most 64 characters")
    if len(phone) > 32:
        raise Open311Error("phone: at most 32 characters")
    return {"contact_name": name.strip(), "contact_phone": phone}


def _media_url(params: QueryDict) -> str:
    url = params.get("media_url", "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise Open311Error("media_url: not an http(s) URL") from None
    if len(url) > 500:
        raise Open311Error("media_url: at most 500 characters")
    return url


def request_input(request: HttpRequest) -> dict[str, Any]:
    """The keyword arguments of `case_report` for a POSTed request, or Open311Error."""
    if request.content_type not in FORM_TYPES:
        raise Open311Error("request: send form data (application/x-www-form-urlencoded)", 400)
    try:
        params = request.POST
    except (MultiPartParserError, OSError):
        raise Open311Error("request: the form data cannot be read") from None
    refuse_nul(params)  # first: not even the api_key lookup may see a NUL character
    reporter = _reporter(params, limits.client_address(request))
    code = params.get("service_code", "").strip()
    category = Category.objects.filter(active=True, code=code).first() if code else None
    if category is None:
        raise Open311Error(
            f"service_code: unknown service {code!r}" if code else "service_code: required"
        )
    description = params.get("description", "").strip()
    if not description:
        raise Open311Error("description: required")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(f"description: at most {MAX_DESCRIPTION} characters")
    attributes = _attributes(params)
    return {
        "title": attributes.get("title") or description[:40],
        "description": description,
        "category": category,
        "reporter": reporter,
        "anonymous": attributes.get("anonymous") == "true",
        "media_url": _media_url(params),
        **_location(params),
        **_contact(params),
    }
