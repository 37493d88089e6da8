"""Websocket routes. The event endpoint (/ws/events/) arrives with the live-updates issue."""

websocket_urlpatterns: list = []
