"""Start-up checks for running several ASGI worker processes."""

import os
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

IN_MEMORY_LAYER = "channels.layers.InMemoryChannelLayer"
WORKER_VARIABLES = ("GRIDCASE_WORKERS", "WEB_CONCURRENCY")


def workers_expected(environ: Mapping[str, str] | None = None) -> int:
    """The number of worker processes the environment announces (the larger of the two)."""
    environ = os.environ if environ is None else environ
    counts = [1]
    for name in WORKER_VARIABLES:
        value = environ.get(name, "").strip()
        if not value:
            continue
        try:
            counts.append(int(value))
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    return max(counts)


def check_channel_layer_for_workers(
    channel_layers: Mapping[str, Mapping[str, Any]], environ: Mapping[str, str] | None = None
) -> None:
    """Refuse several workers on the in-memory channel layer: it only reaches its own process."""
    workers = workers_expected(environ)
    backend = channel_layers.get("default", {}).get("BACKEND", "")
    if workers > 1 and backend == IN_MEMORY_LAYER:
        raise ImproperlyConfigured(
            f"{workers} workers expected (GRIDCASE_WORKERS / WEB_CONCURRENCY) but the channel "
            "layer is the in-memory one, which cannot carry live events between processes: "
            "set REDIS_URL to use the Redis channel layer, or run one worker."
        )
