"""The import's fields, the default column preset, and one row's values checked and typed."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_stubs_ext import StrOrPromise

from workflows.models import Category


@dataclass(frozen=True)
class Field:
    name: str
    label: StrOrPromise
    heading: str  # the default preset's column heading
    required: bool


FIELDS = (
    Field("number", gettext_lazy("Work order number"), "工单编号", True),
    Field("called_at", gettext_lazy("Call time"), "来电时间", False),
    Field("description", pgettext_lazy("hotline column", "Request"), "诉求内容", True),
    Field("address", gettext_lazy("Address"), "诉求地址", False),
    Field("caller", gettext_lazy("Caller"), "诉求人", False),
    Field("phone", gettext_lazy("Phone"), "联系电话", False),
    Field("category", gettext_lazy("Category"), "诉求类别", False),
    Field("unit", gettext_lazy("Handling unit"), "承办单位", False),
    Field("due", gettext_lazy("Time limit"), "办理时限", False),
    Field("latitude", gettext_lazy("Latitude"), "纬度", False),
    Field("longitude", gettext_lazy("Longitude"), "经度", False),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
DEFAULT_PRESET = "12345 默认"
DEFAULT_COLUMNS = {f.name: f.heading for f in FIELDS}
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
)
MAX_NUMBER = 64
MAX_ADDRESS = 200


class RowError(Exception):
    """A row that cannot become a case, with the reason shown in the error report."""


@dataclass(frozen=True)
class Order:
    """One work order, checked: what the case is made of."""

    number: str
    description: str
    category: Category
    address: str
    caller: str
    phone: str
    called_at: dt.datetime | None
    unit: str
    due: dt.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None

    @property
    def title(self) -> str:
        first = self.description.splitlines()[0] if self.description else ""
        return f"12345 {first}"[:60]

    def case_description(self) -> str:
        """The request, with the work order's own facts the case has no field for."""
        facts = [
            (_("Call time"), self.called_at and timezone.localtime(self.called_at)),
            (_("Handling unit"), self.unit),
            (_("Time limit"), self.due and timezone.localtime(self.due)),
        ]
        lines = [
            f"{label}：{value:%Y-%m-%d %H:%M}"
            if isinstance(value, dt.datetime)
            else f"{label}：{value}"
            for label, value in facts
            if value
        ]
        return "\n".join([self.description, *lines]) if lines else self.description


def values_from(headings: list[str], cells: list[str], columns: dict[str, str]) -> dict[str, str]:
    """field name -> the cell under its mapped heading ("" when not mapped or missing)."""
    index = {heading: i for i, heading in enumerate(headings)}
    values: dict[str, str] = {}
    for name in FIELD_NAMES:
        position = index.get(columns.get(name, ""))
        values[name] = (
            cells[position].strip() if position is not None and position < len(cells) else ""
        )
    return values


def _datetime(text: str, label: str) -> dt.datetime | None:
    if not text:
        return None
    for fmt in DATETIME_FORMATS:
        try:
            value = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return timezone.make_aware(value)
    raise RowError(
        _("%(field)s %(value)r is not a date and time.") % {"field": label, "value": text}
    )


def _coordinate(text: str, label: str, limit: int) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RowError(
            _("%(field)s %(value)r is not a number.") % {"field": label, "value": text}
        ) from None
    if not value.is_finite() or abs(value) > limit:
        raise RowError(_("%(field)s %(value)r is out of range.") % {"field": label, "value": text})
    return value.quantize(Decimal("0.000001"))


class Categories:
    """Finds a case category for a hotline's 诉求类别: by code or name, else the first
    category whose name the text contains, else the job's fallback."""

    def __init__(self, fallback: Category | None) -> None:
        self.fallback = fallback
        self.all = list(Category.objects.filter(active=True))
        self.by_key = {c.code: c for c in self.all} | {c.name: c for c in self.all}

    def find(self, text: str) -> Category:
        found = self.by_key.get(text) or next(
            (c for c in self.all if text and c.name in text), None
        )
        if found is None:
            found = self.fallback
        if found is None:
            raise RowError(_("No category matches %(value)r.") % {"value": text})
        return found


def order_check(values: dict[str, str], categories: Categories) -> Order:
    """The row's work order, or RowError with the first thing wrong with it."""
    number, description = values["number"], values["description"]
    if not number:
        raise RowError(_("The work order number is missing."))
    if len(number) > MAX_NUMBER:
        raise RowError(
            _("The work order number is longer than %(max)d characters.") % {"max": MAX_NUMBER}
        )
    if not description:
        raise RowError(_("The request text is missing."))
    latitude = _coordinate(values["latitude"], _("Latitude"), 90)
    longitude = _coordinate(values["longitude"], _("Longitude"), 180)
    if (latitude is None) != (longitude is None):
        raise RowError(_("Give both latitude and longitude, or neither."))
    return Order(
        number=number,
        description=description,
        category=categories.find(values["category"]),
        address=values["address"][:MAX_ADDRESS],
        caller=values["caller"][:64],
        phone=values["phone"][:32],
        called_at=_datetime(values["called_at"], _("Call time")),
        unit=values["unit"][:100],
        due=_datetime(values["due"], _("Time limit")),
        latitude=latitude,
        longitude=longitude,
    )
