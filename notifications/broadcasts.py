"""Publishing committed case events to channel groups: the one helper, after commit only.

Groups: `area.<id>` for the case's area and every ancestor, `dept.<id>` for each department
the case is dispatched to, `case.<id>`, and `user.<id>` for the people it concerns. Payloads
carry ids, status and level, never personal data.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def _dispatch_rows(case) -> list[tuple[int, bool, int | None]]:
    """(department, active, claimer) of each of the case's dispatches: one query."""
    rows = case.dispatches.order_by("pk").values_list("department_id", "active", "claimed_by_id")
    return list(rows)


def event_payload(event, dispatches: list | None = None) -> dict:
    """The event as sent to sockets; `dispatches` from `_dispatch_rows` if already read."""
    case = event.case
    rows = _dispatch_rows(case) if dispatches is None else dispatches
    return {
        "id": event.pk,
        "kind": event.kind,
        "case": case.pk,
        "number": case.number,
        "status": case.status,
        "level": case.level,
        "area": case.area_id,
        "departments": sorted(department for department, active, _ in rows if active),
        "at": event.created_at.isoformat(),
    }


def event_groups(event, dispatches: list | None = None) -> list[str]:
    case = event.case
    rows = _dispatch_rows(case) if dispatches is None else dispatches
    groups = [f"area.{pk}" for pk in case.area.ancestor_ids]
    groups += [f"dept.{department}" for department, _, _ in rows]
    groups.append(f"case.{case.pk}")
    people = {case.reporter_id, case.handler_id, event.actor_id}
    people |= {claimer for _, _, claimer in rows}
    groups += [f"user.{pk}" for pk in sorted(p for p in people if p)]
    return list(dict.fromkeys(groups))


def broadcast_on_commit(event) -> None:
    """Send `event` to its groups once the transaction commits; nothing if it rolls back."""
    rows = _dispatch_rows(event.case)  # read inside the transaction, once for both
    payload, groups = event_payload(event, rows), event_groups(event, rows)
    transaction.on_commit(lambda: _send(groups, payload), robust=True)


def _send(groups: list[str], payload: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(_send_all)(layer, groups, {"type": "case.event", "event": payload})


async def _send_all(layer, groups: list[str], message: dict) -> None:
    """One trip into the event loop per event, not one per group."""
    for group in groups:
        await layer.group_send(group, message)


def user_signal_on_commit(user_id: int, message: dict) -> None:
    """A message to one person's sockets (notification count, revocation), after commit."""
    users_signal_on_commit([user_id], message)


def users_signal_on_commit(user_ids: list[int], message: dict) -> None:
    """The same message to several people's sockets after commit, in one trip to the layer."""
    groups = [f"user.{pk}" for pk in user_ids]
    if not groups:
        return

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(_send_all)(layer, groups, message)

    transaction.on_commit(send, robust=True)
