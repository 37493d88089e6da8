"""Benchmark 2: department staff claim (报到) and resolve dispatched cases through the REST API.

Setup (not timed): CASES_PER_CLIENT cases for each of CLIENTS department staff, reported,
accepted and whistled in street D01's grids and dispatched by community staff to the client's
own department, all through `workflows.services` (like `drive.py`). Each client gets its own
list of cases, so no two clients race for one (a 409 would then be a bug, and is counted).

Timed: each client, with a DRF token and a keep-alive connection, works through its list for
at most SECONDS: `POST /api/v1/cases/<number>/claim/` (JSON), then
`POST /api/v1/cases/<number>/resolve/` (multipart: the result and one JPEG photo). Reported:
claim + resolve pairs per second, p50/p95/p99 of each action, non-2xx answers.
"""

from __future__ import annotations

import http.client
import io
import json
import threading
import time
import uuid
from dataclasses import dataclass, field

from .common import Context, Row, ms, percentile

CLIENTS, CASES_PER_CLIENT, SECONDS = 8, 15, 30
STREET = "D01"
QUIET_MAIL = "django.core.mail.backends.locmem.EmailBackend"


@dataclass
class Client:
    """One department staff member, their token, department and cases (numbers)."""

    token: str
    department: str
    cases: list[str]
    timings: dict[str, list[float]] = field(default_factory=lambda: {"claim": [], "resolve": []})
    failures: dict[int, int] = field(default_factory=dict)
    pairs: int = 0


def _staff() -> list[tuple[object, object]]:
    """(user, department) for CLIENTS staff of departments serving the street, spread evenly."""
    from grids.models import Department, Membership
    from grids.roles import Role

    departments = list(Department.objects.filter(streets__code=STREET).order_by("code"))
    members = (
        Membership.objects.filter(role=Role.DEPARTMENT_STAFF, department__in=departments)
        .select_related("user", "department")
        .order_by("department__code", "pk")
    )
    by_department: dict[int, list] = {}
    for m in members:
        if m.user.is_active:
            by_department.setdefault(m.department_id, []).append((m.user, m.department))
    chosen, queues = [], [q for q in by_department.values() if q]
    while len(chosen) < CLIENTS and any(queues):
        for queue in queues:  # round-robin: one per department, then a second, …
            if queue and len(chosen) < CLIENTS:
                chosen.append(queue.pop(0))
    return chosen


def _dispatched_case(grids: list, community_staff: dict, department, rng_index: int) -> str:
    """One case in a D01 grid, dispatched to `department` through the services: its number."""
    from workflows import services
    from workflows.models import Category

    area, member = grids[rng_index % len(grids)]
    case = services.case_report(
        title="占道经营",
        description="基准测试：商户占道经营",
        category=Category.objects.get(code="corridor"),
        area=area,
        source="grid_patrol",
        reporter=member,
    )
    case = services.case_accept(case=case, actor=member)
    case = services.case_whistle(
        case=case, actor=member, whistle_type="routine", reason="基准测试：需要社区协调"
    )
    case = services.case_dispatch(
        case=case,
        actor=community_staff[area.parent_id],
        departments=[department],
        lead=department,
        whistle_type="hard",
        reason="基准测试：请部门报到",
    )
    return case.number


def _setup() -> list[Client]:
    """The clients and their dispatched, unclaimed cases (CLIENTS × CASES_PER_CLIENT)."""
    from django.test.utils import override_settings
    from rest_framework.authtoken.models import Token

    from grids.models import Membership
    from grids.roles import Role

    staff = _staff()
    if len(staff) < CLIENTS:
        raise RuntimeError(f"only {len(staff)} department staff serve {STREET}")
    members = Membership.objects.filter(
        role=Role.GRID_MEMBER, area__code__startswith=f"{STREET}-", area__level="grid"
    ).select_related("user", "area")
    grids = [(m.area, m.user) for m in members.order_by("pk")]
    community_staff = {
        m.area_id: m.user
        for m in Membership.objects.filter(
            role=Role.COMMUNITY_STAFF, area__code__startswith=f"{STREET}-"
        ).select_related("user")
    }
    grids = [(area, user) for area, user in grids if area.parent_id in community_staff]
    clients = []
    for i, (user, department) in enumerate(staff):
        with override_settings(EMAIL_BACKEND=QUIET_MAIL):  # the whistles' alerts: not printed
            cases = [
                _dispatched_case(grids, community_staff, department, i * CASES_PER_CLIENT + n)
                for n in range(CASES_PER_CLIENT)
            ]
        token = Token.objects.get_or_create(user=user)[0].key
        clients.append(Client(token, department.code, cases))
    return clients


def _photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 60)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="after.jpg"'
        "\r\nContent-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def _post(connection, client: Client, action: str, path: str, body: bytes, kind: str) -> bool:
    headers = {"Authorization": f"Token {client.token}", "Content-Type": kind}
    started = time.perf_counter()
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    if 200 <= response.status < 300:
        client.timings[action].append(time.perf_counter() - started)
        return True
    client.failures[response.status] = client.failures.get(response.status, 0) + 1
    return False


def _work(ctx: Context, client: Client, stop: float, photo: bytes) -> None:
    """Claim, then resolve, each of the client's cases in turn until done or time is up."""
    host, port = ctx.host_port
    connection = http.client.HTTPConnection(host, port, timeout=60)
    claim_body = json.dumps({"department": client.department}).encode()
    try:
        for number in client.cases:
            if time.monotonic() >= stop:
                break
            base = f"/api/v1/cases/{number}"
            if not _post(connection, client, "claim", f"{base}/claim/", claim_body,
                         "application/json"):  # fmt: skip
                continue
            fields = {"result": "已清理占道物品，恢复通行", "department": client.department}
            body, boundary = _multipart(fields, photo)
            kind = f"multipart/form-data; boundary={boundary}"
            if _post(connection, client, "resolve", f"{base}/resolve/", body, kind):
                client.pairs += 1
    finally:
        connection.close()


def _rows(clients: list[Client], elapsed: float) -> list[Row]:
    pairs = sum(c.pairs for c in clients)
    failures: dict[int, int] = {}
    for c in clients:
        for code, count in c.failures.items():
            failures[code] = failures.get(code, 0) + count
    rows = [Row("2 transitions", "claim + resolve pairs", f"{pairs} in {elapsed:.1f} s")]
    rows.append(Row("2 transitions", "throughput", f"{pairs / elapsed:.2f} pairs/s"))
    for action in ("claim", "resolve"):
        timings = [t for c in clients for t in c.timings[action]]
        spread = " / ".join(ms(percentile(timings, p)) for p in (50, 95, 99))
        rows.append(Row(f"2 transitions: {action}", "p50 / p95 / p99", spread))
    text = ", ".join(f"{n}× HTTP {code}" for code, n in sorted(failures.items())) or "0"
    rows.append(Row("2 transitions", "non-2xx answers", text, "0", not failures))
    return rows


def run(ctx: Context) -> list[Row]:
    set_up = time.monotonic()
    clients = _setup()
    prepared = time.monotonic() - set_up
    photo = _photo()
    stop = time.monotonic() + SECONDS
    started = time.monotonic()
    threads = [threading.Thread(target=_work, args=(ctx, c, stop, photo)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cases = len(clients) * CASES_PER_CLIENT
    setup = Row("2 transitions", "setup (not timed)", f"{cases} cases dispatched, {prepared:.0f} s")
    return [setup, *_rows(clients, elapsed)]
