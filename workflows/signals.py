"""Signals the case engine sends for apps that build on it (points). The engine imports none
of its receivers; they connect at their own `ready()` with a `dispatch_uid`."""

from django.dispatch import Signal

# Sent by `services.case_verify` inside its transaction, after the CLOSED event is written:
# keyword arguments `case` (the closed Case) and `event` (its CaseEvent). A receiver's
# writes commit or roll back with the closing; a receiver that raises undoes the closing.
case_closed = Signal()
