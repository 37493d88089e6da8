"""Websocket routes: one endpoint for live case events (protocol: docs/events-protocol.md)."""

from django.urls import path

from .consumers import EventsConsumer

# django-stubs' path() takes views only; channels' URLRouter routes to the ASGI app it is given.
websocket_urlpatterns = [path("ws/events/", EventsConsumer.as_asgi())]  # type: ignore[arg-type]
