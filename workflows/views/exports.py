"""The case list as a file, with the list's filters: CSV (UTF-8 with a BOM, for Excel) and
.xlsx (gridcase.spreadsheets). No personal data: numbers, places, categories, states, times.
At most EXPORT_MAX cases, newest first."""

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcase.spreadsheets import Cell, Sheet, csv_response, xlsx_response

from ..models import Case
from .cases import cases_filtered

EXPORT_MAX = 10_000


def _headings() -> list[str]:
    return [
        _("Number"), _("Hotline work order"), _("Title"), _("Category"), _("Status"),
        _("Level"), _("Area code"), _("Area"), _("Reported"), _("Closed"), _("Overdue"),
    ]  # fmt: skip


def _rows(request: HttpRequest) -> Iterator[list[Cell]]:
    _filters, cases = cases_filtered(request)
    case: Case
    for case in cases.order_by("-reported_at", "-id")[:EXPORT_MAX].iterator(chunk_size=1000):
        yield [
            case.number, case.hotline_number, case.title, case.category.name,
            str(case.get_status_display()), str(case.get_level_display()), case.area.code,
            case.area.name, case.reported_at, case.closed_at, _("Yes") if case.overdue else "",
        ]  # fmt: skip


def _name(extension: str) -> str:
    return f"cases-{timezone.localdate():%Y%m%d}.{extension}"


@login_required
def case_list_csv(request: HttpRequest) -> HttpResponse:
    return csv_response([Sheet(_("Cases"), _headings(), _rows(request))], _name("csv"))


@login_required
def case_list_xlsx(request: HttpRequest) -> HttpResponse:
    return xlsx_response([Sheet(_("Cases"), _headings(), _rows(request))], _name("xlsx"))
