"""Test settings: fast hashing, in-memory mail and channel layer, local file storage."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
GRIDCASE_SMS_BACKEND = "notifications.sms.LocmemBackend"
# No Web Push unless a test sets keys (a demo's var/webpush_keys.json is not the tests')
GRIDCASE_WEBPUSH_KEYS_FILE = Path(tempfile.gettempdir()) / "gridcase-test-no-webpush-keys.json"
GRIDCASE_WEBPUSH_PRIVATE_KEY = ""
MEDIA_ROOT = tempfile.mkdtemp(prefix="gridcase-test-media-")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# A file, not SQLite's shared in-memory database, so tests with real concurrent threads see
# the embedded mode's actual locking (WAL, IMMEDIATE transactions).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"gridcase-test-{os.getpid()}.sqlite3")
    }

# Generous limits: tests that log in or report many times from 127.0.0.1 are not abusers.
# The limit tests set their own small rates.
GRIDCASE_RATE_LIMITS = {
    "login": "1000/minute",
    "login_account": "1000/minute",
    "ws_connect": "1000/minute",
    "report_address": "1000/hour",
    "open311_post": "1000/hour",
    "report": "1000/hour",
    "track": "1000/hour",
}

# Maps: no tile server, ever (the browser tests check that nothing leaves 127.0.0.1); the
# grids' own outlines are the base map. The coordinate system stays WGS-84 here; the GCJ-02
# conversion has its own tests (tests/grids/test_coords.py) with override_settings.
GRIDCASE_TILE_URL = ""
GRIDCASE_TILE_CRS = "wgs84"
