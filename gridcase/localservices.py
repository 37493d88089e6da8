"""Private PostgreSQL and Redis servers on 127.0.0.1: for the test suite and the scaled-out mode.

`postgres_server()` and `redis_server()` are context managers that yield a URL. Each server
gets a free port and its data under `var/services/<name>-<random>/`; on exit it is stopped and
its data deleted. `postgres_server(keep=PATH)` instead keeps its cluster in PATH across runs
(`make serve-scaled` and the benchmarks). `postgres_instance()` and `redis_instance()` yield
the running server instead of its URL, to `restart()` it on the same port and data (the
fault tests: tests/gridcase/test_faults.py, bench/faults.py). Missing binaries are installed
from Debian packages when running as root; otherwise `ServiceUnavailable` says what to
install.

Run a command with servers started and their URLs in its environment:

    python -m gridcase.localservices postgres [redis] -- COMMAND...

If a server cannot be provided, the command is not run: with CI=true that is a failure (exit 1),
elsewhere a loud SKIPPED line on stderr (exit 0).
"""

import contextlib
import functools
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import psycopg

ROOT = Path(__file__).resolve().parents[1]  # the project
SERVICES_DIR = ROOT / "var" / "services"
HOST = "127.0.0.1"
DATABASE = "gridcase"
START_TIMEOUT = 60  # seconds to wait for a server to accept connections
APT_TIMEOUT = 900  # seconds for `apt-get update` or `apt-get install`
PG_TOOLS = ("initdb", "pg_ctl", "postgres")


class ServiceUnavailable(RuntimeError):
    """A server cannot be provided on this machine; the message says why and what to install."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]  # (host, port) for an AF_INET socket
        return port


def _tail(text: str, lines: int = 15) -> str:
    """The last `lines` lines of `text`, indented, for error messages."""
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def _run(
    command: list[str], what: str, timeout: float = START_TIMEOUT, env: dict[str, str] | None = None
) -> None:
    """Run `command`; raise ServiceUnavailable with its output if it fails."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ServiceUnavailable(f"{what} failed: {error}") from error
    if result.returncode != 0:
        output = _tail(result.stdout + result.stderr)
        raise ServiceUnavailable(f"{what} failed (exit {result.returncode}):\n{output}")


# --- Installing from Debian packages -------------------------------------------------------


@contextlib.contextmanager
def _services_not_started() -> Iterator[None]:
    """Keep Debian maintainer scripts from starting the package's own service (policy-rc.d)."""
    policy = Path("/usr/sbin/policy-rc.d")
    if policy.exists():  # e.g. Docker images ship one that already says "exit 101"
        yield
        return
    policy.write_text("#!/bin/sh\n# Temporary, written by gridcase/localservices.py\nexit 101\n")
    policy.chmod(0o755)
    try:
        yield
    finally:
        policy.unlink(missing_ok=True)


def apt_install(package: str, needed_for: str) -> None:
    """Install a Debian package if we are root with apt-get; else say what to install."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise ServiceUnavailable(
            f"{needed_for} not found; install the Debian package `{package}` "
            f"(sudo apt-get install {package}) or run as root to have it installed"
        )
    print(f"gridcase.localservices: installing Debian package {package} ...", file=sys.stderr)
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    apt = ["apt-get", "-qq", "-o", "DPkg::Lock::Timeout=300"]  # wait for a concurrent apt
    install = [*apt, "install", "-y", "--no-install-recommends", package]
    with _services_not_started():
        _run([*apt, "update"], "apt-get update", timeout=APT_TIMEOUT, env=env)
        _run(install, f"apt-get install {package}", timeout=APT_TIMEOUT, env=env)


# --- Shared helpers ------------------------------------------------------------------------


def _private_dir(name: str) -> Path:
    """A new empty directory `var/services/<name>-<random>/` (mode 0700)."""
    SERVICES_DIR.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=SERVICES_DIR))


def _wait_until(ready: Callable[[], bool], what: str, timeout: float = START_TIMEOUT) -> None:
    """Poll `ready()` until it returns True; raise ServiceUnavailable after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise ServiceUnavailable(f"{what} did not become ready within {timeout} s")
        time.sleep(0.05)


# --- PostgreSQL ----------------------------------------------------------------------------


def _postgres_bindir() -> Path | None:
    """The directory with initdb, pg_ctl and postgres: newest /usr/lib/postgresql/N, else PATH."""
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    candidates = sorted(versions, key=lambda p: int(p.parent.name), reverse=True)
    if on_path := shutil.which("pg_ctl"):
        candidates.append(Path(on_path).resolve().parent)
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in PG_TOOLS):
            return bindir
    return None


def find_postgres() -> Path:
    """The PostgreSQL server binaries' directory, installing Debian's `postgresql` if needed."""
    needed_for = "PostgreSQL server binaries (initdb, pg_ctl, postgres)"
    bindir = _postgres_bindir()
    if bindir is None:
        apt_install("postgresql", needed_for)
        bindir = _postgres_bindir()
    if bindir is None:
        raise ServiceUnavailable(f"{needed_for} still not found after installing `postgresql`")
    return bindir


def _as_postgres() -> list[str]:
    """Command prefix that runs as the `postgres` user when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise ServiceUnavailable("running as root needs a `postgres` system user") from None
    if not shutil.which("runuser"):
        raise ServiceUnavailable("running as root needs `runuser` (Debian package util-linux)")
    return ["runuser", "-u", "postgres", "--"]


def _hand_to_postgres(as_postgres: list[str], base: Path) -> None:
    """Make `base` owned by the postgres user and check that user can reach it."""
    shutil.chown(base, "postgres", "postgres")
    if subprocess.run([*as_postgres, "test", "-w", str(base)]).returncode != 0:
        raise ServiceUnavailable(
            f"the postgres user cannot reach {base}; make the directories above it "
            "traversable for other users (chmod o+x) or move the project"
        )


def _postgres_options(port: int, socket_dir: Path) -> str:
    """Server options: loopback only, private socket directory, durability off for speed."""
    settings = {
        "listen_addresses": HOST,
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "200",
    }
    options = [f"-p {port}", f"-k {shlex.quote(str(socket_dir))}"]
    return " ".join(options + [f"-c {name}={value}" for name, value in settings.items()])


def _start_postgres(pg_ctl: list[str], base: Path) -> int:
    """Start the cluster in `base/data` on a free port (retrying a lost race) and return it."""
    error = ServiceUnavailable("PostgreSQL did not start")
    for _ in range(3):
        port = free_port()
        command = [*pg_ctl, "-D", str(base / "data"), "-l", str(base / "postgres.log")]
        options = ["-o", _postgres_options(port, base), "-w", "-t", str(START_TIMEOUT)]
        try:
            _run([*command, *options, "start"], "pg_ctl start", timeout=START_TIMEOUT + 10)
            return port
        except ServiceUnavailable as failed:
            log = base / "postgres.log"
            server_log = _tail(log.read_text()) if log.exists() else ""
            error = ServiceUnavailable(f"{failed}\n  server log:\n{server_log}")
    raise error


def _create_database(port: int) -> None:
    """Wait until the server accepts connections, then create the `gridcase` database."""
    admin = f"postgres://postgres@{HOST}:{port}/postgres"

    def accepts() -> bool:
        try:
            with psycopg.connect(admin, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    _wait_until(accepts, "PostgreSQL")
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')


def _stop_postgres(pg_ctl: list[str], data: Path) -> None:
    """Stop the server running on `data` (fast, then immediate, then SIGKILL to the postmaster)."""
    pidfile = data / "postmaster.pid"
    if not pidfile.exists():
        return
    for mode in ("fast", "immediate"):
        stop = [*pg_ctl, "-D", str(data), "-m", mode, "-w", "-t", "30", "stop"]
        if subprocess.run(stop, capture_output=True, timeout=60).returncode == 0:
            return
    with contextlib.suppress(OSError, ValueError, IndexError):
        os.kill(int(pidfile.read_text().split()[0]), signal.SIGKILL)


class PostgresServer:
    """A running private PostgreSQL: its URL, and `restart()` on the same port and data (for
    fault tests: the sessions' connections die, the data stays)."""

    def __init__(self, pg_ctl: list[str], base: Path, port: int):
        self.pg_ctl, self.base, self.port = pg_ctl, base, port
        self.url = f"postgres://postgres@{HOST}:{port}/{DATABASE}"

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (`immediate`: as a crash would, without a checkpoint)."""
        data = self.base / "data"
        stop = [*self.pg_ctl, "-D", str(data), "-m", mode, "-w", "-t", "30", "stop"]
        _run(stop, "pg_ctl stop", timeout=60)

    def start(self) -> None:
        """Start it again on its port (after `stop`); wait until it accepts connections."""
        command = [
            *self.pg_ctl,
            "-D",
            str(self.base / "data"),
            "-l",
            str(self.base / "postgres.log"),
        ]
        options = ["-o", _postgres_options(self.port, self.base), "-w", "-t", str(START_TIMEOUT)]
        _run([*command, *options, "start"], "pg_ctl start", timeout=START_TIMEOUT + 10)
        _create_database(self.port)

    def restart(self, mode: str = "immediate") -> None:
        self.stop(mode)
        self.start()


@contextlib.contextmanager
def postgres_server(keep: Path | None = None) -> Iterator[str]:
    """A private PostgreSQL on 127.0.0.1; yields `postgres://postgres@127.0.0.1:PORT/gridcase`.

    With `keep`, the cluster lives in that directory (created on first use) and survives the
    exit; otherwise it is a fresh one, deleted on exit.
    """
    with postgres_instance(keep) as server:
        yield server.url


@contextlib.contextmanager
def postgres_instance(keep: Path | None = None) -> Iterator[PostgresServer]:
    """As `postgres_server`, yielding the `PostgresServer` (to restart it)."""
    bindir = find_postgres()
    as_postgres = _as_postgres()
    pg_ctl = [*as_postgres, str(bindir / "pg_ctl")]
    base = _kept_dir(keep) if keep else _private_dir("postgres")
    started = False
    try:
        if as_postgres:
            _hand_to_postgres(as_postgres, base)
        if not (base / "data" / "PG_VERSION").exists():
            initdb = [*as_postgres, str(bindir / "initdb"), "-D", str(base / "data")]
            initdb += ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
            _run([*initdb, "--no-sync", "--no-instructions"], "initdb")
        running = [*pg_ctl, "-D", str(base / "data"), "status"]
        if subprocess.run(running, capture_output=True).returncode == 0:
            raise ServiceUnavailable(  # not ours to stop
                f"a PostgreSQL server already runs on {base} (another serve-scaled, bench or "
                "generate-district?): stop that one first"
            )
        started = True
        port = _start_postgres(pg_ctl, base)
        _create_database(port)
        yield PostgresServer(pg_ctl, base, port)
    finally:
        try:
            if started:
                _stop_postgres(pg_ctl, base / "data")
        finally:
            if not keep:
                shutil.rmtree(base, ignore_errors=True)


def _kept_dir(path: Path) -> Path:
    """`path` as a directory for a cluster kept across runs (mode 0700)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


# --- Redis ---------------------------------------------------------------------------------


def find_redis() -> str:
    """The redis-server binary, installing Debian's `redis-server` if needed."""
    binary = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin")
    if binary is None:
        apt_install("redis-server", "Redis server binary (redis-server)")
        binary = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin")
    if binary is None:
        raise ServiceUnavailable("redis-server still not found after installing `redis-server`")
    return binary


def _redis_answers(port: int) -> bool:
    """True if a Redis server on `port` answers PING."""
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _redis_started_or_exited(process: subprocess.Popen[bytes], port: int) -> bool:
    """True once redis-server answers on `port` or has exited (e.g. the port was taken)."""
    return process.poll() is not None or _redis_answers(port)


def _redis_process(binary: str, base: Path, port: int) -> subprocess.Popen[bytes]:
    """redis-server on `port` with its files in `base`, persistence off."""
    command = [binary, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no"]
    command += ["--dir", str(base), "--logfile", str(base / "redis.log"), "--daemonize", "no"]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)


def _start_redis(binary: str, base: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start redis-server with its files in `base` on a free port; return the process and port."""
    log = base / "redis.log"
    for _ in range(3):
        port = free_port()
        process = _redis_process(binary, base, port)
        try:
            _wait_until(functools.partial(_redis_started_or_exited, process, port), "Redis")
        except BaseException:
            process_stop(process)
            raise
        if process.poll() is None:
            return process, port
    server_log = _tail(log.read_text()) if log.exists() else ""
    raise ServiceUnavailable(f"redis-server did not start:\n{server_log}")


def process_stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s: by PID, only what we started."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class RedisServer:
    """A running private Redis: its URL, and `restart()` on the same port (everything it held
    is lost, as with any restart of a Redis without persistence)."""

    def __init__(self, binary: str, base: Path, process: subprocess.Popen[bytes], port: int):
        self.binary, self.base, self.process, self.port = binary, base, process, port
        self.url = f"redis://{HOST}:{port}/0"

    def stop(self) -> None:
        """Kill it (SIGKILL: no goodbye to its clients) and wait until it is gone."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def start(self) -> None:
        """Start it again on its port (after `stop`)."""
        self.process = _redis_process(self.binary, self.base, self.port)
        _wait_until(functools.partial(_redis_started_or_exited, self.process, self.port), "Redis")
        if self.process.poll() is not None:
            raise ServiceUnavailable(f"redis-server did not start again on port {self.port}")

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A private Redis on 127.0.0.1 without persistence; yields `redis://127.0.0.1:PORT/0`."""
    with redis_instance() as server:
        yield server.url


@contextlib.contextmanager
def redis_instance() -> Iterator[RedisServer]:
    """As `redis_server`, yielding the `RedisServer` (to restart it)."""
    binary = find_redis()
    base = _private_dir("redis")
    try:
        process, port = _start_redis(binary, base)
        server = RedisServer(binary, base, process, port)
        try:
            yield server
        finally:
            process_stop(server.process)
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- Command line --------------------------------------------------------------------------

SERVERS = {"postgres": postgres_server, "redis": redis_server}
ENV_VARS = {"postgres": "DATABASE_URL", "redis": "REDIS_URL"}
LABELS = {"postgres": "PostgreSQL", "redis": "Redis"}
USAGE = "usage: python -m gridcase.localservices [--keep DIR] postgres [redis] -- COMMAND..."


def _parse(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split `NAME... -- COMMAND...`; raise ValueError if it is malformed."""
    if "--" not in argv:
        raise ValueError("missing `--` before the command")
    split = argv.index("--")
    names, command = argv[:split], argv[split + 1 :]
    unknown = [name for name in names if name not in SERVERS]
    if not names or unknown or not command:
        raise ValueError(f"unknown services {unknown}" if unknown else "nothing to start or run")
    return list(dict.fromkeys(names)), command


def _unavailable(names: list[str], error: ServiceUnavailable) -> int:
    """Report a server that cannot be provided: a failure on CI, a loud skip elsewhere."""
    suite = " + ".join(LABELS[name] for name in names)
    if os.environ.get("CI", "").lower() == "true":
        print(f"ERROR: {suite} suite cannot run (CI=true): {error}", file=sys.stderr)
        return 1
    banner = "!" * 78
    print(f"{banner}\nSKIPPED: {suite} suite not run because {error}\n{banner}", file=sys.stderr)
    return 0


def _terminate(signum: int, _frame: object) -> NoReturn:
    """On SIGTERM, unwind normally so servers are stopped and their data deleted."""
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    """Start the named servers, run the command with their URLs, stop them; return its code."""
    keep = None
    if argv[:1] == ["--keep"] and len(argv) > 1:
        keep, argv = Path(argv[1]).resolve(), argv[2:]  # PostgreSQL's cluster kept there
    try:
        names, command = _parse(argv)
    except ValueError as error:
        print(f"{USAGE}\n{error}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with contextlib.ExitStack() as stack:
            try:
                servers = SERVERS | {"postgres": functools.partial(postgres_server, keep=keep)}
                env = {ENV_VARS[name]: stack.enter_context(servers[name]()) for name in names}
            except ServiceUnavailable as error:
                return _unavailable(names, error)
            return subprocess.run(command, env=os.environ | env).returncode
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
