"""What points does when the case engine announces something (connected in apps.ready())."""

from typing import Any

from workflows.models import Case

from .services import case_award


def on_case_closed(sender: type[Case], *, case: Case, **kwargs: Any) -> None:
    """A case closed (inside the closing transaction): pay its reporter, once per case."""
    case_award(case=case)
