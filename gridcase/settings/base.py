"""Settings shared by every environment. Values that differ per machine come from env vars."""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets annotations such as `admin.ModelAdmin[Area]` be subscripted at run time (typing only).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("GRIDCASE_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-gridcase-development-key")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "gridcase",  # before admin, so its registration/ templates win
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "guardian",
    "viewflow",
    "viewflow.workflow",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "grids",
    "workflows",
    "notifications",
    "points",
    "deliberation",
    "hotline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "gridcase.limits.LimitsMiddleware",
    "gridcase.middleware.PrivateByDefaultMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gridcase.middleware.SessionTimeoutMiddleware",  # after auth and messages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gridcase.urls"
ASGI_APPLICATION = "gridcase.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database: SQLite (WAL, IMMEDIATE transactions) unless DATABASE_URL says otherwise. ---
SQLITE_PATH = VAR_DIR / "gridcase.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 2, "max_size": 10}}
    # The pool tries a connection before handing it out (an empty query, ~0.1 ms on
    # loopback): after PostgreSQL restarts, each pooled connection, now dead, is replaced
    # instead of failing one request each (tests/gridcase/test_faults.py).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels: in-memory layer (one process) unless REDIS_URL is set. ---
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Redis pub/sub: a group message is published once and each worker process,
            # subscribed once per group, hands it to its own sockets. The list-based layer
            # (channels_redis.core) instead pushes one copy per socket through Redis and
            # pops them one by one: 1,000 followers of a street cost 1,000 round trips per
            # event (bench/fanout.py). Both deliver at most once; replay covers the rest.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # redis-py 8 reads with a 5 s socket timeout and its pool refuses the 101st
            # simultaneous command instead of waiting: read longer, allow more per process.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "max_connections": 1000}]
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Cache: shared by every worker when REDIS_URL is set (rate limits count across workers). ---
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gridcase",
        }
    }
    # Sessions read from the shared cache, written through to the database: one query fewer
    # per request. Only with a shared cache: a per-process cache would outlive a logout.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Abuse limits (gridcase/limits.py): "<count>/<period>" (period: second, minute, hour, day,
# optionally a multiple such as 15minute); over the limit: 429 with Retry-After. ---
GRIDCASE_RATE_LIMITS = {
    # failed sign-ins (page, admin, API token, Open311 api_key, websocket) per client address,
    # and per account: past either, sign-in is locked until the window ends
    "login": env_str("GRIDCASE_RATE_LOGIN", "10/minute"),
    "login_account": env_str("GRIDCASE_RATE_LOGIN_ACCOUNT", "5/15minute"),
    # websocket connections per signed-in account (a client reconnecting in a loop)
    "ws_connect": env_str("GRIDCASE_RATE_WS_CONNECT", "60/minute"),
    "open311_post": env_str("GRIDCASE_RATE_OPEN311_POST", "30/hour"),
    # public reports per phone number + client address (a community office or a carrier NAT
    # shares one address), and per address whatever the phone
    "report": env_str("GRIDCASE_RATE_REPORT", "20/hour"),
    "report_address": env_str("GRIDCASE_RATE_REPORT_ADDRESS", "300/hour"),
    # number + phone lookups on the tracking page that found nothing, per address (guessing a
    # phone must be slow; residents who type their own never count)
    "track": env_str("GRIDCASE_RATE_TRACK", "30/hour"),
}
# Peers whose X-Forwarded-For is believed (addresses or networks, comma-separated): the front
# proxy. Without it, every request is counted against the peer address.
GRIDCASE_TRUSTED_PROXIES = env_list("GRIDCASE_TRUSTED_PROXIES")
# Request bodies above this many bytes are refused with 413 before they are read (nine photos
# of at most 10 MB each fit); non-file form fields and JSON are capped by Django's own limit.
GRIDCASE_MAX_REQUEST_BYTES = int(env_str("GRIDCASE_MAX_REQUEST_BYTES", str(100 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env_str("GRIDCASE_MAX_FORM_BYTES", str(2 * 1024 * 1024)))

# --- Content-Security-Policy (django-csp): our own files only; no inline script, handler or
# style anywhere (templates load static files; scripts add their listeners). Websockets to
# the same host are 'self' (CSP 3). The process-diagram SVG sets a stricter one of its own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],  # photo previews; Swagger UI's icons
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Maps (workflows/boards/map.py, workflows/static/workflows/map.js) ---
# The base map's tiles, a Leaflet URL template such as
# "https://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk=KEY" or "https://tile.openstreetmap.org/{z}/{x}/{y}.png".
# Empty (the default: the demo, the tests, a machine without internet): no tiles, the grids'
# own outlines are the base map and nothing is fetched from outside.
GRIDCASE_TILE_URL = env_str("GRIDCASE_TILE_URL", "")
GRIDCASE_TILE_ATTRIBUTION = env_str("GRIDCASE_TILE_ATTRIBUTION", "")  # shown on the map (HTML)
GRIDCASE_TILE_SUBDOMAINS = env_str("GRIDCASE_TILE_SUBDOMAINS", "abc")  # for {s}
GRIDCASE_TILE_MAX_ZOOM = int(env_str("GRIDCASE_TILE_MAX_ZOOM", "18"))
# The tiles' coordinate system: "wgs84" (OSM, 天地图's own) or "gcj02" (高德, 腾讯 and other
# Chinese services). Cases and boundaries are stored in WGS-84; grids/coords.py converts.
GRIDCASE_TILE_CRS = env_str("GRIDCASE_TILE_CRS", "wgs84")
# Open cases one map request returns at most (the newest in the view), workflows/boards/map.py.
GRIDCASE_MAP_POINTS = int(env_str("GRIDCASE_MAP_POINTS", "2000"))


def tile_origin(url: str) -> list[str]:
    """The tile server for the CSP's img-src, or nothing: a `{s}` in the host's first label
    makes that label a wildcard ("https://{s}.tile.example" → "https://*.tile.example")."""
    scheme, _sep, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("http", "https") or not host:
        return []
    first, dot, others = host.partition(".")
    if "{" in first and dot:
        host = f"*.{others}"
    return [f"{scheme}://{host}"] if "{" not in host else []


CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += tile_origin(GRIDCASE_TILE_URL)

# Streams one socket may follow (a subscribe beyond it is refused in one answer).
GRIDCASE_WS_MAX_STREAMS = int(env_str("GRIDCASE_WS_MAX_STREAMS", "50"))

# --- REST API (workflows/apis): token for field and integration clients, session for the
# browser; the same permission rules as the pages (the services check them). ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "workflows.apis.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [  # JSON too deep is a 400 (gridcase.limits.json_loads)
        "workflows.apis.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "workflows.apis.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GridCase API",
    "DESCRIPTION": "Cases of grid-based neighbourhood governance (网格化管理, 吹哨报到).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PriorityEnum": "workflows.choices.Priority",
        "StatusEnum": "workflows.choices.Status",
        "VerifyMethodEnum": "workflows.choices.VerifyMethod",  # a case's and the verify form's
        "AppealKindEnum": "workflows.choices.AppealKind",  # 申诉: the appeal and decision bodies
        "ProposalStatusEnum": "deliberation.choices.ProposalStatus",  # deliberation/: a `status`
        # points/: several models have a `kind` or `status`
        "PointsAccountKindEnum": "points.models.Account.Kind",
        "PointsEntryKindEnum": "points.models.Entry.Kind",
        "PointsActivityKindEnum": "points.models.Activity.Kind",
        "PointsRedemptionStatusEnum": "points.shop_models.Redemption.Status",
        "PointsHelpStatusEnum": "points.help_models.HelpRequest.Status",
    },
}

# --- Auth: model permissions plus guardian object permissions on Areas and Departments. ---
AUTH_USER_MODEL = "grids.User"
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend that first refuses sign-ins locked by too many failures
    "gridcase.limits.LockoutModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# --- Language and time: Chinese first, English available; Asia/Shanghai. ---
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"  # None in dev and test: served from the apps
# Browser libraries installed from the npm registry by `make install` (package.json) and served
# like our own files: the boards draw their charts with Chart.js, never from a CDN.
# The maps (Leaflet, its marker clusters) likewise.
CHART_JS_DIR = BASE_DIR / "node_modules" / "chart.js" / "dist"
VENDOR_DIRS = {
    "vendor/chart.js": CHART_JS_DIR,
    "vendor/leaflet": BASE_DIR / "node_modules" / "leaflet" / "dist",
    "vendor/leaflet.markercluster": BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist",
}
STATICFILES_DIRS = [(prefix, path) for prefix, path in VENDOR_DIRS.items() if path.is_dir()]
MEDIA_URL = "media/"
MEDIA_ROOT: Path | str = Path(os.environ.get("GRIDCASE_MEDIA_ROOT", VAR_DIR / "media"))
# Case photos are served by workflows/views/photos.py after a visibility check, never from
# MEDIA_URL: by Django, or by the front server ("x-accel-redirect": nginx, an internal
# location at GRIDCASE_MEDIA_INTERNAL_PREFIX aliased to MEDIA_ROOT; "x-sendfile").
GRIDCASE_MEDIA_SERVE = env_str("GRIDCASE_MEDIA_SERVE", "django")
GRIDCASE_MEDIA_INTERNAL_PREFIX = env_str("GRIDCASE_MEDIA_INTERNAL_PREFIX", "/protected-media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "gridcase@localhost")
# Text messages (notifications/sms.py): the console in the demo, an HTTP gateway in production.
GRIDCASE_SMS_BACKEND = env_str("GRIDCASE_SMS_BACKEND", "notifications.sms.ConsoleBackend")
GRIDCASE_SMS_GATEWAY_URL = env_str("GRIDCASE_SMS_GATEWAY_URL", "")
GRIDCASE_SMS_GATEWAY_TOKEN = env_str("GRIDCASE_SMS_GATEWAY_TOKEN", "")
# Web Push (notifications/push.py): the VAPID key pair identifies this server to the browsers'
# push services. `manage.py webpush_keys` writes it to GRIDCASE_WEBPUSH_KEYS_FILE (JSON, mode
# 600; `make demo` makes it if missing); GRIDCASE_WEBPUSH_PRIVATE_KEY (base64url) overrides the
# file. The public key is derived from the private one (_PUBLIC_KEY, if set, is only checked).
# Without keys the notifications page offers no push.
GRIDCASE_WEBPUSH_KEYS_FILE = Path(
    env_str("GRIDCASE_WEBPUSH_KEYS_FILE", str(VAR_DIR / "webpush_keys.json"))
)
GRIDCASE_WEBPUSH_PRIVATE_KEY = env_str("GRIDCASE_WEBPUSH_PRIVATE_KEY", "")
GRIDCASE_WEBPUSH_PUBLIC_KEY = env_str("GRIDCASE_WEBPUSH_PUBLIC_KEY", "")
GRIDCASE_WEBPUSH_SUBJECT = env_str("GRIDCASE_WEBPUSH_SUBJECT", "mailto:webpush@gridcase.local")
GRIDCASE_WEBPUSH_TTL = int(env_str("GRIDCASE_WEBPUSH_TTL", str(24 * 3600)))  # seconds
# Push services are https; plain http endpoints only for a test's local push service.
GRIDCASE_WEBPUSH_ALLOW_HTTP = env_bool("GRIDCASE_WEBPUSH_ALLOW_HTTP", False)
# The address people open the site at, for links in text messages and emails.
GRIDCASE_SITE_URL = env_str("GRIDCASE_SITE_URL", "http://127.0.0.1:8000")
# Board rankings: a rate measured on fewer cases than this reads 样本不足 and is ranked last.
GRIDCASE_BOARD_MIN_BASE = int(env_str("GRIDCASE_BOARD_MIN_BASE", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# 未诉先办 hot spots (workflows/hotspots/): same-category cases within RADIUS metres of each
# other in the last DAYS days, at least MIN_CASES; trend over TREND_DAYS against the
# TREND_DAYS before; recomputed by the timer dispatcher every EVERY_MINUTES.
GRIDCASE_HOTSPOT_RADIUS_M = int(env_str("GRIDCASE_HOTSPOT_RADIUS_M", "150"))
GRIDCASE_HOTSPOT_DAYS = int(env_str("GRIDCASE_HOTSPOT_DAYS", "90"))
GRIDCASE_HOTSPOT_MIN_CASES = int(env_str("GRIDCASE_HOTSPOT_MIN_CASES", "3"))
GRIDCASE_HOTSPOT_TREND_DAYS = int(env_str("GRIDCASE_HOTSPOT_TREND_DAYS", "30"))
GRIDCASE_HOTSPOT_EVERY_MINUTES = int(env_str("GRIDCASE_HOTSPOT_EVERY_MINUTES", "15"))
