"""Local development and `make demo`: SQLite under var/, in-memory channel layer, DEBUG on."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
VAR_DIR.mkdir(parents=True, exist_ok=True)
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Serve static files straight from the apps (no collectstatic needed for the demo).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Maps: the demo runs without internet by default (the grids' outlines are the base map); set
# GRIDCASE_TILE_URL (+ _ATTRIBUTION, _CRS) in the environment to try a tile server.
GRIDCASE_TILE_URL = env_str("GRIDCASE_TILE_URL", "")
GRIDCASE_TILE_CRS = env_str("GRIDCASE_TILE_CRS", "wgs84")
