"""The reply to the hotline: for a street and a date range, the results of its hotline cases
in the hotline's reply format (工单编号, 办理结果, 办结时间, 承办单位, 回访满意度)."""

import datetime as dt
from collections.abc import Iterator

from django import forms
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcase.spreadsheets import Cell
from grids.models import Area
from workflows.choices import ENDED_STATUSES, Source
from workflows.models import Case, CaseDispatch

HEADINGS = ["工单编号", "办理结果", "办结时间", "承办单位", "回访满意度"]
MAX_DAYS = 366


class ReplyForm(forms.Form):
    first = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object] | None:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if isinstance(first, dt.date) and isinstance(last, dt.date):
            if last < first:
                raise forms.ValidationError(_("The end comes before the start."))
            if (last - first).days >= MAX_DAYS:
                raise forms.ValidationError(_("Choose at most a year."))
        return data


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def reply_cases(street: Area, first: dt.date, last: dt.date) -> Iterator[Case]:
    """The street's hotline cases ended (closed, rejected, duplicate) in the local days
    `first`..`last`, oldest first."""
    start, end = _bounds(first, last)
    dispatches = CaseDispatch.objects.select_related("department").order_by("-lead", "pk")
    return (
        Case.objects.filter(
            source=Source.HOTLINE,
            area_path__startswith=street.path,
            status__in=ENDED_STATUSES,
            closed_at__gte=start,
            closed_at__lt=end,
        )
        .exclude(hotline_number="")
        .select_related("handling_area", "duplicate_of")
        .prefetch_related(Prefetch("dispatches", queryset=dispatches))
        .order_by("closed_at", "pk")
        .iterator(chunk_size=500)
    )


def _unit(case: Case) -> str:
    """承办单位: the departments that handled it (the lead first), else the handling area."""
    names = list(dict.fromkeys(d.department.name for d in case.dispatches.all()))
    return "、".join(names) if names else case.handling_area.name


def _result(case: Case) -> str:
    if case.duplicate_of is not None:
        return f"重复工单，见 {case.duplicate_of.hotline_number or case.duplicate_of.number}"
    return case.result


def reply_rows(street: Area, first: dt.date, last: dt.date) -> Iterator[list[Cell]]:
    for case in reply_cases(street, first, last):
        rating = str(case.get_rating_display()) if case.rating else ""
        yield [case.hotline_number, _result(case), case.closed_at, _unit(case), rating]
