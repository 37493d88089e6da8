"""What the points pages share: running a service from a POST and showing its refusal."""

from collections.abc import Callable
from typing import Protocol

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from ..errors import PointsConflict, error_status


class Page(Protocol):
    """Renders a page again, with a refusal's status and text."""

    def __call__(
        self, request: HttpRequest, status: int = 200, error: str = ""
    ) -> HttpResponse: ...


def refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc)


def form_errors(form: forms.BaseForm) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(error) for error in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def act(
    request: HttpRequest, call: Callable[[], object], *, done: str, back: str, page: Page
) -> HttpResponse:
    """Run the service; on success say `done` and go `back` (303); on a refusal show the page
    again with the reason and the refusal's status (400, 403, 409). Nothing is half-written:
    each service is one transaction."""
    try:
        call()
    except (ValidationError, PermissionDenied, PointsConflict) as exc:
        return page(request, error_status(exc) or 400, refusal(exc))
    messages.success(request, done)
    response = redirect(back)
    response.status_code = 303
    return response


def invalid(request: HttpRequest, form: forms.BaseForm, page: Page) -> HttpResponse:
    return page(request, 400, form_errors(form))
