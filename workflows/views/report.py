"""The monthly 考核 report: a printable page (A4, one section per page) and its .xlsx, for a
street and a month; who may open it is who may open the street's board."""

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcase.spreadsheets import Cell, Sheet, xlsx_response
from grids.roles import AreaLevel

from ..boards.board import board_scope
from ..boards.metrics import AREA_METRICS, DEPARTMENT_METRICS, Metric
from ..boards.report import Line, MonthlyReport, Section, monthly_report

METRICS = {m.name: m for m in AREA_METRICS} | {f"d:{m.name}": m for m in DEPARTMENT_METRICS}
SECTION_TITLES = {
    "community": gettext_lazy("Communities"),
    "grid": gettext_lazy("Grids"),
    "department": gettext_lazy("Departments"),
}


class MonthForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month (YYYY-MM)"), max_length=7, required=False)

    def clean_month(self) -> date:
        text = self.cleaned_data["month"] or f"{timezone.localdate():%Y-%m}"
        try:
            year, month = (int(part) for part in text.split("-"))
            chosen = date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("Give the month as YYYY-MM.")) from None
        if not (2000 <= chosen.year <= timezone.localdate().year):
            raise forms.ValidationError(_("Choose a month of this century up to now."))
        return chosen


def metric(section: Section, name: str) -> Metric:
    return METRICS[f"d:{name}" if section.kind == "department" else name]


def _report(request: HttpRequest, area: str | None) -> tuple[MonthForm, MonthlyReport | None]:
    street = board_scope(request.user, area)
    form = MonthForm(request.GET)
    if street.level != AreaLevel.STREET or not form.is_valid():
        if street.level != AreaLevel.STREET:
            form.add_error(None, _("The 考核 report is a street's."))
        return form, None
    month = form.cleaned_data["month"]
    return form, monthly_report(street=street, month=month, now=timezone.now())


def _rows(section: Section) -> list[dict[str, object]]:
    return [
        {
            "line": line,
            "cells": [
                metric(section, name).display(line.figures[name]) for name in section.figures
            ],
        }
        for line in section.lines
    ]


@login_required
def monthly_report_page(request: HttpRequest, area: str | None = None) -> HttpResponse:
    form, report = _report(request, area)
    sections = []
    if report is not None:
        for section in report.sections:
            sections.append(
                {
                    "section": section,
                    "title": SECTION_TITLES[section.kind],
                    "headings": [metric(section, n).label for n in section.figures],
                    "rows": _rows(section),
                }
            )
    context = {"form": form, "report": report, "sections": sections}
    return render(request, "workflows/report.html", context, status=200 if report else 400)


def _sheet(title: str, section: Section) -> Sheet:
    metrics = [metric(section, n) for n in section.figures]
    headings = [
        _("Rank"), _("Code"), _("Name"), _("Score"), _("Last month"), _("Change"), _("Base"),
        *(str(m.label) for m in metrics),
    ]  # fmt: skip

    def row(line: Line) -> list[Cell]:
        return [
            line.rank, line.code, line.name, line.score, line.previous_score, line.change,
            line.base, *(line.figures[n] for n in section.figures),
        ]  # fmt: skip

    formats = [None, None, None, "0.00", "0.00", "+0.00;-0.00;0", None]
    return Sheet(title, headings, [row(line) for line in section.lines],
                 formats=[*formats, *(m.number_format for m in metrics)])  # fmt: skip


@login_required
def monthly_report_xlsx(request: HttpRequest, area: str | None = None) -> HttpResponse:
    form, report = _report(request, area)
    if report is None:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    sheets = [_sheet(str(SECTION_TITLES[s.kind]), s) for s in report.sections]
    name = f"report-{report.street.code}-{report.month:%Y%m}.xlsx"
    return xlsx_response(sheets, name)
