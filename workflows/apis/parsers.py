"""JSON bodies through `gridcase.limits.json_loads`: too deep or not JSON is a 400 with a
code (`too_deep`, `invalid_json`), never a RecursionError's 500."""

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from gridcase import limits


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return limits.json_loads(stream.read().decode(encoding))
        except UnicodeDecodeError:
            raise ParseError(f"The body is not {encoding} text.", code="invalid_json") from None
        except limits.JSONRefused as exc:
            raise ParseError(str(exc), code=exc.code) from None


PARSERS = [JSONParser, parsers.MultiPartParser, parsers.FormParser]
