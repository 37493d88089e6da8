"""What the deliberation pages share: refusals and service errors as HTTP answers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_stubs_ext import StrOrPromise


def denied(request: HttpRequest, reason: StrOrPromise | Exception) -> HttpResponse:
    return render(request, "workflows/denied.html", {"reason": reason}, status=403)
