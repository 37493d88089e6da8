"""The scaled-out mode on one machine: PostgreSQL + Redis + N ASGI workers + the timer dispatcher.

    python -m gridcase.scaled [--workers 2] [--host 127.0.0.1] [--port 8000] [--data DIR]

starts PostgreSQL (cluster kept in `var/scaled/postgres`) and Redis on loopback through
`gridcase.localservices` (installing Debian's packages if missing), migrates, then runs
`uvicorn --workers N` (the workers share one listening socket, so clients reach all of them
through one address) and exactly one `manage.py run_timers`. Ctrl-C or SIGTERM stops the
workers, the dispatcher and both servers. `scaled_stack()` is the same as a context manager,
for the benchmarks.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gridcase.localservices import (
    ROOT,
    PostgresServer,
    RedisServer,
    ServiceUnavailable,
    postgres_instance,
    process_stop,
    redis_instance,
)

DEFAULT_DATA = ROOT / "var" / "scaled" / "postgres"
SETTINGS = "gridcase.settings.dev"
READY_TIMEOUT = 60


@dataclass
class Stack:
    """What `scaled_stack` started: URLs, the environment to run manage.py in, the processes."""

    base_url: str
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)  # server, timers
    postgres: PostgresServer | None = None
    redis: RedisServer | None = None

    def timers_start(self) -> subprocess.Popen[bytes]:
        """Start the timer dispatcher (again, after it stopped or was killed)."""
        timers = [sys.executable, str(ROOT / "manage.py"), "run_timers"]
        process = subprocess.Popen(timers, env=self.env, cwd=ROOT)
        if len(self.processes) > 1:
            self.processes[1] = process
        else:
            self.processes.append(process)
        return process

    @property
    def timers(self) -> subprocess.Popen[bytes]:
        return self.processes[1]

    @property
    def workers(self) -> list[int]:
        """PIDs of the uvicorn worker processes (children of the supervisor)."""
        supervisor = self.processes[0].pid
        children = Path(f"/proc/{supervisor}/task/{supervisor}/children")
        if not children.exists():
            return []
        pids = [int(pid) for pid in children.read_text().split()]
        # multiprocessing's worker processes, not its resource tracker
        return [p for p in pids if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


def _environment(database_url: str, redis_url: str, workers: int) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "GRIDCASE_WORKERS": str(workers),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", SETTINGS),
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "0"),
        "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
    }


def manage(env: dict[str, str], *args: str) -> None:
    """Run a manage.py command in the stack's environment; raise if it fails."""
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True)


def _wait_http(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the ASGI server exited with code {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # our own server, on loopback
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {READY_TIMEOUT} s")


@contextlib.contextmanager
def scaled_stack(
    *, workers: int = 2, host: str = "127.0.0.1", port: int = 8000,
    data: Path | None = DEFAULT_DATA, migrate: bool = True, uvicorn_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
) -> Iterator[Stack]:  # fmt: skip
    """PostgreSQL, Redis, migrations, `workers` uvicorn workers and the timer dispatcher.

    `data=None` gives a fresh cluster deleted on exit; `extra_env` is added to the processes'
    environment (settings such as rate limits)."""
    with postgres_instance(keep=data) as postgres, redis_instance() as redis:
        env = _environment(postgres.url, redis.url, workers) | (extra_env or {})
        if migrate:
            manage(env, "migrate", "--noinput")
        server = [sys.executable, "-m", "uvicorn", "gridcase.asgi:application"]
        server += ["--host", host, "--port", str(port), "--workers", str(workers)]
        server += ["--no-access-log", "--ws-max-size", "65536", "--timeout-graceful-shutdown", "5"]
        server += list(uvicorn_args)
        stack = Stack(f"http://{host}:{port}", env, postgres=postgres, redis=redis)
        try:
            stack.processes.append(subprocess.Popen(server, env=env, cwd=ROOT))
            stack.timers_start()
            _wait_http(f"{stack.base_url}/accounts/login/", stack.processes[0])
            yield stack
        finally:
            for process in reversed(stack.processes):
                process_stop(process)


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m gridcase.scaled", description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="PostgreSQL cluster dir")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with scaled_stack(
            workers=args.workers, host=args.host, port=args.port, data=args.data
        ) as stack:
            print(
                f"GridCase scaled out: {stack.base_url}/  ({args.workers} workers, PostgreSQL "
                f"{stack.env['DATABASE_URL']}, Redis {stack.env['REDIS_URL']}, timer dispatcher; "
                "Ctrl-C to stop)",
                flush=True,
            )
            while all(p.poll() is None for p in stack.processes):
                time.sleep(0.5)
            print("a process of the stack exited; stopping the rest", file=sys.stderr)
            return 1
    except ServiceUnavailable as error:
        print(f"cannot start the scaled-out mode: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
