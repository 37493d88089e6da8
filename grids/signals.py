"""Signals other apps may listen to (grids itself imports none of them)."""

from django.dispatch import Signal

# Sent after a membership (hence a permission grant) was added or removed; `user` is affected.
access_changed = Signal()
