"""The 12345 import's throughput, embedded mode: `python -m bench.hotline_import [ROWS]`.

A fresh SQLite database in var/bench-hotline/ (WAL, as `make demo` runs), the demo street
青杠街道 with a gazetteer of one road name per grid, and a CSV of ROWS work orders (default
2,000; 10,000 for the issue's size): a third with coordinates, the rest placed by address,
one in fifty with a bad time. The file is uploaded and started through the services, then
worked by the dispatcher's periodic work exactly as `run_timers` does it; prints rows per
second and the counts. Everything it writes is in its own database file.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "var" / "bench-hotline"


def _setup() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    database = DATA / "hotline.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_street", str(ROOT / "fixtures/data/qinggang.json"), verbosity=0)


def _file(rows: int) -> bytes:
    from grids.models import Area
    from hotline.mapping import DEFAULT_COLUMNS
    from hotline.models import GazetteerEntry

    street = Area.objects.get(code="QG")
    grids = list(Area.objects.filter(level="grid", path__startswith=street.path))
    for index, grid in enumerate(grids):
        GazetteerEntry.objects.create(street=street, name=f"测试路{index}号院", area=grid)
    headings = list(DEFAULT_COLUMNS.values())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    for n in range(rows):
        called = "昨天" if n % 50 == 49 else "2026-12-01 09:00:00"
        writer.writerow(
            [
                f"BENCH{n:06d}",
                called,
                f"第{n}号诉求：小区垃圾堆积",
                f"测试路{n % len(grids)}号院",
                "王先生",
                "",
                "环境卫生",
                "青杠街道",
                "",
                "",
                "",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def main(rows: int) -> None:
    _setup()
    from gridcase.periodic import periodic_run
    from grids.models import Area, User
    from hotline import services
    from hotline.mapping import DEFAULT_COLUMNS
    from hotline.models import ImportJob

    content = _file(rows)
    actor = User.objects.get(username="qg_zhihui")
    started = time.perf_counter()
    job = services.import_job_upload(
        street=Area.objects.get(code="QG"),
        actor=actor,
        filename="bench.csv",
        content=content,
        columns=DEFAULT_COLUMNS,
    )
    services.import_job_start(job=job, actor=actor, columns=job.columns)
    queued = time.perf_counter()
    while periodic_run():
        pass
    finished = time.perf_counter()
    job = ImportJob.objects.get(pk=job.pk)
    rate = job.done / (finished - queued)
    print(f"hotline import, {rows} rows, SQLite embedded ({os.cpu_count()} CPUs)")
    print(f"  upload + start (read and check the file): {queued - started:.2f} s")
    print(f"  background work: {finished - queued:.1f} s, {rate:.0f} rows/s")
    print(
        f"  created {job.created}, skipped {job.skipped}, failed {job.failed}, "
        f"to be placed {job.unplaced}, state {job.state}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
