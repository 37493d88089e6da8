"""Open311 integration keys: issue, find (valid ones only, noting their use), revoke.

A key is a random 40-character string shown once; the database keeps its SHA-256, so a
copy of the database holds no usable key. A key is valid while it is neither revoked nor
expired and its account is active."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from grids.models import User

from ...models import Open311Key

USE_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most once a minute


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


@transaction.atomic
def open311_key_issue(*, account: User, name: str, days: int | None = None) -> str:
    """A new key for `account`; returns the key itself (it is not stored)."""
    key = secrets.token_urlsafe(30)
    expires = timezone.now() + timedelta(days=days) if days else None
    Open311Key.objects.create(
        name=name, account=account, digest=key_digest(key), prefix=key[:6], expires_at=expires
    )
    return key


def open311_key_find(key: str) -> Open311Key | None:
    """The valid key `key` names (noting when it was used), else None."""
    now = timezone.now()
    found = (
        Open311Key.objects.select_related("account")
        .filter(digest=key_digest(key), revoked_at__isnull=True, account__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if found is not None and (
        found.last_used_at is None or now - found.last_used_at >= USE_RESOLUTION
    ):
        Open311Key.objects.filter(pk=found.pk).update(last_used_at=now)
    return found


def open311_keys_revoke(*, account: User) -> int:
    """Revoke every valid key of `account`; how many there were."""
    return Open311Key.objects.filter(account=account, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
