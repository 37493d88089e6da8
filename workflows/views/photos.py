"""Case photos, served only to whoever may see them (`visibility.photo_visible`), checked at
every request: a photo's address alone opens nothing, and access ends with the membership.

The bytes are sent by Django (`FileResponse`) or, when a front server holds the files, by it:
`GRIDCASE_MEDIA_SERVE = "x-accel-redirect"` (nginx: an `internal` location at
`GRIDCASE_MEDIA_INTERNAL_PREFIX` aliased to MEDIA_ROOT) or `"x-sendfile"` (Apache
mod_xsendfile, lighttpd: the file's path). MEDIA_ROOT itself must never be served publicly.
"""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.http import require_GET

from ..models import CasePhoto
from ..photos import photo_share_valid
from ..visibility import photo_visible
from .tracking import SESSION_KEY


@require_GET  # no login required: residents follow their case by number and phone
def case_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    photo = CasePhoto.objects.select_related("case").filter(pk=pk).first()
    tracked = request.session.get(SESSION_KEY)
    shared = photo_share_valid(request.GET.get("s", ""), pk)
    if photo is None or not photo_visible(request.user, photo, _pair(tracked), shared):
        raise Http404  # a hidden photo answers as a missing one
    return _send(photo)


def _pair(tracked: object) -> tuple[str, str] | None:
    if isinstance(tracked, list) and len(tracked) == 2:
        return str(tracked[0]), str(tracked[1])
    return None


def _send(photo: CasePhoto) -> HttpResponseBase:
    name = photo.image.name or ""
    mode = getattr(settings, "GRIDCASE_MEDIA_SERVE", "django")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response: HttpResponseBase
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        prefix = settings.GRIDCASE_MEDIA_INTERNAL_PREFIX.rstrip("/")
        response["X-Accel-Redirect"] = f"{prefix}/{quote(name)}"
    elif mode == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = photo.image.path
    else:
        try:
            response = FileResponse(photo.image.open("rb"), content_type=content_type)
        except FileNotFoundError:
            raise Http404 from None
    response["Cache-Control"] = "private, no-store"  # never from a shared cache
    response["X-Content-Type-Options"] = "nosniff"
    return response
