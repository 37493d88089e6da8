"""Websocket routes: one endpoint for live case events (protocol: docs/events-protocol.md)."""

from django.urls import path

from .consumers import EventsConsumer

websocket_urlpatterns = [path("ws/events/", EventsConsumer.as_asgi())]
