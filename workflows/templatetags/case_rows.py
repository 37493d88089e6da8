"""Filters for the pages that show many cases: lists, queues, workbench cards.

Each stands in for a generic tag or filter that is slow per use (`{% url %}` reverses,
`|date` goes through the locale's formats, `get_FOO_display` re-hashes the choices); three or
four of those per row were a large part of a 50-row list's time (bench/lists.py). Same
output, cheaper path: one `reverse` per URL prefix, choice labels by enum lookup, local times
by `strftime`.
"""

from datetime import datetime
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import Level, Priority, Status, WhistleType

register = template.Library()
PLACEHOLDER = "CASE-NUMBER"
CHOICES = {"status": Status, "level": Level, "priority": Priority, "whistle_type": WhistleType}


@lru_cache(maxsize=64)
def _case_url_pattern(name: str, script_prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=[PLACEHOLDER], urlconf=urlconf)


@register.filter
def case_url(number: str, action: str = "") -> str:
    """The case page's URL (`{% url 'case_detail' number %}`), or that of an action on it
    (`{{ number|case_url:"accept" }}` is `{% url 'case_accept' number %}`)."""
    name = f"case_{action}" if action else "case_detail"
    pattern = _case_url_pattern(name, get_script_prefix(), get_urlconf())
    return pattern.replace(PLACEHOLDER, quote(str(number), safe=""))


@register.filter
def choice_label(value: str, kind: str) -> str:
    """The translated label of a status, level, priority or whistle type value."""
    return CHOICES[kind](value).label if value else ""


@register.filter
def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """`value` in the current time zone, formatted with strftime (digits only: no locale)."""
    return timezone.localtime(value).strftime(fmt) if value else ""


@register.filter
def local_iso(value: datetime | None) -> str:
    """`value` in the current time zone as ISO 8601, as `|date:'c'` gives it."""
    return timezone.localtime(value).isoformat() if value else ""


def duration_text(seconds: float) -> str:
    """A span of time in the one style of the pages and of countdown.js: "1天0小时",
    "3小时5分钟", "12分钟" (the largest two units; under a minute, "不到1分钟")."""
    minutes = int(abs(seconds) // 60)
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return _("%(days)dd %(hours)dh") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)dh %(minutes)dm") % {"hours": hours, "minutes": mins}
    if mins:
        return _("%(minutes)dm") % {"minutes": mins}
    return _("under a minute")


@register.filter
def duration(value: datetime | None) -> str:
    """How long from now until `value`, or since it: `{{ case.reported_at|duration }}`."""
    return duration_text((timezone.now() - value).total_seconds()) if value else ""


@register.filter
def lookup(mapping: dict[object, object] | None, key: object) -> object:
    """`{{ notes|lookup:case.pk }}`: a dict's value by a variable key (None when missing)."""
    return mapping.get(key) if mapping else None
