"""Making real transitions through the services, in one thread, timed at commit."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import transaction


class Driver:
    """Reports and accepts cases in one street's grids, as their grid members, via services."""

    def __init__(self, street_code: str, seed: int = 1):
        self.street_code, self.rng = street_code, random.Random(seed)
        self.executor = ThreadPoolExecutor(max_workers=1)  # one DB connection, one order
        self.grids: list = []

    def _prepare(self) -> None:
        from grids.models import Area, Membership
        from grids.roles import Role
        from workflows.models import Category

        street = Area.objects.get(code=self.street_code)
        members = Membership.objects.filter(
            role=Role.GRID_MEMBER, area__path__startswith=street.path, area__level="grid"
        ).select_related("user", "area")
        self.grids = [(m.area, m.user) for m in members]
        self.category = Category.objects.get(code="corridor")

    def report_and_accept(self) -> tuple[int, float]:
        """A new case, then 受理 timed at commit: (the accepted event's id, commit time)."""
        from workflows import services
        from workflows.choices import EventKind
        from workflows.models import CaseEvent

        if not self.grids:
            self._prepare()
        area, member = self.rng.choice(self.grids)
        case = services.case_report(
            title="楼道堆物",
            description="基准测试：楼道堆放杂物",
            category=self.category,
            area=area,
            source="grid_patrol",
            reporter=member,
        )
        committed: dict[str, float] = {}
        with transaction.atomic():
            # registered before the service's own broadcast, so it runs first at commit
            transaction.on_commit(lambda: committed.setdefault("at", time.time()))
            services.case_accept(case=case, actor=member)
        event = CaseEvent.objects.filter(case=case, kind=EventKind.ACCEPTED).latest("pk")
        return event.pk, committed["at"]

    def close(self) -> None:
        def close_connection() -> None:
            from django.db import connection

            connection.close()

        self.executor.submit(close_connection).result()
        self.executor.shutdown()
