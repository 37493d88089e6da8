"""`make bench`: start the scaled-out stack, make sure the data is there, run, print a table.

Environment: BENCH_CASES (cases in the database, default 20000; 1000000 for the full size),
BENCH_DATA (PostgreSQL cluster directory, default var/bench/postgres-<BENCH_CASES>, kept so a
second run reuses the data), BENCH_ONLY (comma-separated benchmark names to run; or name them
as arguments: `python -m bench faults storm`). A module's `STACK_ENV` (a dict) is added to the
stack's environment when it runs.
"""

from __future__ import annotations

import importlib
import os
import platform
import resource
import signal
import sys
import time
from pathlib import Path

from gridcase.localservices import ROOT, free_port
from gridcase.scaled import manage, scaled_stack

from .common import Context, Row

# name -> module with run(ctx) -> list[Row], in the order they run.
BENCHMARKS = {
    "intake": "bench.intake",
    "transitions": "bench.transitions",
    "lists": "bench.lists",
    "board": "bench.board",
    "fanout": "bench.fanout",
    "storm": "bench.storm",
    "idle": "bench.idle",
    "faults": "bench.faults",
}
WORKERS = 2


def _data_ready(env: dict[str, str], wanted: int) -> int:
    """Generate the district and cases up to `wanted` if missing; return the case count."""
    from django.db import connection

    from grids.models import Area
    from workflows.models import Case

    have = Case.objects.count()
    if have < wanted:
        district = Area.objects.filter(code="D01").exists()
        extra = [] if not district else ["--skip-district"]
        manage(env, "generate_district", "--cases", str(wanted - have), *extra)
    with connection.cursor() as cursor:  # after bulk loads: visibility map and statistics
        cursor.execute("VACUUM (ANALYZE) workflows_case, workflows_caseevent")
        cursor.execute("ANALYZE")
    return Case.objects.count()


def _table(rows: list[Row]) -> str:
    header = ("benchmark", "metric", "value", "target", "ok")
    cells = [
        (r.benchmark, r.metric, r.value, r.target, "" if r.ok is None else "yes" if r.ok else "NO")
        for r in rows
    ]
    widths = [max(len(str(c[i])) for c in [header, *cells]) for i in range(5)]
    lines = [" | ".join(str(c[i]).ljust(widths[i]) for i in range(5)) for c in [header, *cells]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    return f"{os.cpu_count()} CPUs ({cpu}), {memory} GiB RAM, Python {platform.python_version()}"


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwind: the stack's `finally` stops what it started


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    size = int(os.environ.get("BENCH_CASES", "20000"))
    data = Path(os.environ.get("BENCH_DATA", ROOT / "var" / "bench" / f"postgres-{size}")).resolve()
    only = sys.argv[1:] or [n for n in os.environ.get("BENCH_ONLY", "").split(",") if n]
    unknown = [name for name in only if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmarks {unknown}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    selected = [name for name in BENCHMARKS if not only or name in only]
    extra_env: dict[str, str] = {}
    for name in selected:
        extra_env |= getattr(importlib.import_module(BENCHMARKS[name]), "STACK_ENV", {})
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # thousands of sockets
    rows: list[Row] = []
    os.environ["GRIDCASE_BENCH"] = "1"  # the servers mount bench/bare.py's one-row view
    with scaled_stack(workers=WORKERS, port=free_port(), data=data, extra_env=extra_env) as stack:
        os.environ.update(stack.env)
        import django

        django.setup()
        cases = _data_ready(stack.env, size)
        ctx = Context(stack.base_url, stack.env, cases, stack)
        print(f"benchmarking {stack.base_url} ({WORKERS} workers) over {cases:,} cases", flush=True)
        for name in selected:
            module = BENCHMARKS[name]
            started = time.monotonic()
            try:
                rows += importlib.import_module(module).run(ctx)
            except Exception as error:  # one failure must not hide the rest
                failure = f"{type(error).__name__}: {error}"[:200]
                rows.append(Row(name, "FAILED", failure, "", False))
            print(f"  {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(f"\n{_machine()}; {cases:,} cases\n")
    print(_table(rows))
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
