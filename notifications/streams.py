"""The streams a socket may follow, as the apps register them: the transport knows no domain.

A stream name is `<kind>:<key>` (`user:` has no key). Each kind is registered by the app
that owns its data (workflows registers `case:`, `area:`, `dept:` and `user:` in its
`AppConfig.ready()`) with an authoriser: for a user and a key it answers a `Grant` — the
channel group to join and a *selection*, opaque here, that the app's replay source later
receives back — or a refusal code. One replay source per process loads what a client missed
for the selections of its granted streams (the socket's `since` protocol, shared replays and
de-duplication stay here, in `consumers` and `replays`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gridcase.inputs import storable_text

if TYPE_CHECKING:
    from grids.models import User

# Refusal codes the socket sends back (docs/events-protocol.md).
INVALID, UNKNOWN, FORBIDDEN = "invalid", "unknown", "forbidden"


@dataclass(frozen=True)
class Grant:
    group: str  # the channel group whose messages the stream carries
    selection: Any  # what the replay source needs to find the stream's missed events


Authoriser = Callable[["User", str], Grant | str]  # (user, key) -> Grant, or a refusal code
# (selections, since) -> payloads
ReplaySource = Callable[[list[Any], int], list[dict[str, Any]] | None]

_authorisers: dict[str, Authoriser] = {}
_replay_sources: list[ReplaySource] = []


def stream_register(kind: str, authorise: Authoriser) -> None:
    """Make `<kind>:<key>` streams available; `authorise` decides per user and key."""
    _authorisers[kind] = authorise


def replay_source_register(source: ReplaySource) -> None:
    """The function that loads missed events: the payloads of the events after `since` of
    the given selections, oldest first, or None when a replay is too long (resync)."""
    _replay_sources[:] = [source]


def stream_authorise(user: "User", name: str) -> tuple[str | None, str | None, Any]:
    """(group, refusal code, selection) for one stream name."""
    if not storable_text(name):  # NUL: PostgreSQL could not even look the key up
        return None, INVALID, None
    kind, _, key = name.partition(":")
    authorise = _authorisers.get(kind)
    if authorise is None:
        return None, INVALID, None
    answer = authorise(user, key)
    if isinstance(answer, str):
        return None, answer, None
    return answer.group, None, answer.selection


def events_missed(selections: list[Any], since: int) -> list[dict[str, Any]] | None:
    if not _replay_sources:
        raise RuntimeError("no replay source registered (an app's ready() registers one)")
    return _replay_sources[0](selections, since)
