"""ASGI entry point: HTTP through Django, websockets through channels (origin + session auth)."""

import os
import sys

from django.conf import settings
from django.core.asgi import get_asgi_application

from gridcase.workers import check_channel_layer_for_workers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings.dev")
django_asgi_app = get_asgi_application()  # populate the app registry before importing routes
check_channel_layer_for_workers(settings.CHANNEL_LAYERS)  # several workers need Redis

from gridcase.limits import BodyLimit, daphne_body_limit  # noqa: E402

if "daphne.server" in sys.modules:  # served by daphne, which reads bodies before the app
    daphne_body_limit()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from notifications.auth import SameOriginValidator, events_auth_stack  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_asgi_app),  # refuses big bodies before Django reads them
        "websocket": SameOriginValidator(  # scheme, host and port, as the CSRF check
            # django-stubs' path() knows no ASGI apps, so the routes are typed as plain
            # URLPatterns, not as the URLRouter routes (channels' stubs) that they are.
            events_auth_stack(URLRouter(websocket_urlpatterns))  # type: ignore[arg-type]
        ),
    }
)
