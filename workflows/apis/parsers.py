"""JSON bodies through `gridcase.limits.json_loads`: too deep or not JSON is a 400 with a
code (`too_deep`, or DRF's `parse_error`), never a RecursionError's 500."""

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
            raise ParseError(f"The body is not {encoding} text.") from None
        except limits.JSONRefused as exc:  # DRF's own code (parse_error) for broken JSON
            code = None if exc.code == "invalid_json" else exc.code
            raise ParseError(str(exc), code=code) from None


PARSERS = [JSONParser, parsers.MultiPartParser, parsers.FormParser]
