"""Production: secrets and hosts must come from the environment; HTTPS everywhere.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS. Usually also DATABASE_URL and REDIS_URL.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list, env_str

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS (comma-separated host names).")
DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(env_str("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sessions end after 8 hours without a request and, however active, after 7 days
# (gridcase/middleware.SessionTimeoutMiddleware); the cookie lives no longer than that.
GRIDCASE_SESSION_IDLE_SECONDS = int(env_str("GRIDCASE_SESSION_IDLE_SECONDS", str(8 * 3600)))
GRIDCASE_SESSION_MAX_SECONDS = int(env_str("GRIDCASE_SESSION_MAX_SECONDS", str(7 * 86400)))
SESSION_COOKIE_AGE = GRIDCASE_SESSION_MAX_SECONDS

# Maps: a tile server of your own or a licensed one, with its attribution and its coordinate
# system (天地图 "wgs84"; 高德/腾讯 "gcj02"); base.py reads them from the environment and
# adds the server to the CSP's img-src. Without GRIDCASE_TILE_URL the grids' outlines are
# the base map.
GRIDCASE_TILE_URL = env_str("GRIDCASE_TILE_URL", "")
GRIDCASE_TILE_ATTRIBUTION = env_str("GRIDCASE_TILE_ATTRIBUTION", "")
GRIDCASE_TILE_CRS = env_str("GRIDCASE_TILE_CRS", "wgs84")
if GRIDCASE_TILE_URL and not GRIDCASE_TILE_ATTRIBUTION:
    raise ImproperlyConfigured("Set GRIDCASE_TILE_ATTRIBUTION for the tiles of GRIDCASE_TILE_URL.")
