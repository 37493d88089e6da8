"""Bodies above GRIDCASE_MAX_REQUEST_BYTES are refused before they are read: announced
(Content-Length) or streamed (chunked, counted as they arrive), in the ASGI application
itself and under the real servers, daphne and uvicorn."""

import socket
import time

import pytest
from asgiref.testing import ApplicationCommunicator

from gridcase.asgi import application
from tests.processes import asgi_server, manage

LIMIT = 1_000_000


def http_scope(headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/accounts/login/",
        "raw_path": b"/accounts/login/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"accept", b"application/json"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


async def response_of(communicator: ApplicationCommunicator) -> tuple[int, bytes]:
    start = await communicator.receive_output(timeout=5)
    assert start["type"] == "http.response.start"
    body = b""
    while True:
        message = await communicator.receive_output(timeout=5)
        body += message.get("body", b"")
        if not message.get("more_body"):
            return start["status"], body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_announced_body_over_the_limit_is_never_read(settings):
    settings.GRIDCASE_MAX_REQUEST_BYTES = LIMIT
    scope = http_scope([(b"content-length", b"400000000")])
    communicator = ApplicationCommunicator(application, scope)
    # no body is sent at all: the answer must not wait for it
    status, body = await response_of(communicator)
    assert status == 413 and b'"too_large"' in body
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=5)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_streamed_body_is_cut_off_at_the_limit(settings):
    settings.GRIDCASE_MAX_REQUEST_BYTES = LIMIT
    communicator = ApplicationCommunicator(application, http_scope([]))
    chunk = b"x" * (LIMIT // 2)
    for _ in range(3):  # the third chunk passes the limit; no end of body is ever sent
        await communicator.send_input({"type": "http.request", "body": chunk, "more_body": True})
    status, body = await response_of(communicator)
    assert status == 413 and b'"too_large"' in body
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=5)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_body_within_the_limit_is_read_as_usual(settings):
    settings.GRIDCASE_MAX_REQUEST_BYTES = LIMIT
    form = b"username=nobody&password=wrong"
    scope = http_scope(
        [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(form)).encode()),
        ]
    )
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": form, "more_body": False})
    status, _body = await response_of(communicator)
    assert status == 403  # the CSRF check read the form: no token (not a 413)
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=5)


# --- the real servers -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    var = tmp_path_factory.mktemp("bodies")
    env = {
        "DJANGO_SETTINGS_MODULE": "gridcase.settings.dev",
        "GRIDCASE_VAR_DIR": str(var),
        "DJANGO_DEBUG": "0",
        "GRIDCASE_MAX_REQUEST_BYTES": str(LIMIT),
    }
    manage("migrate", "--noinput", check=True, **env)
    return env, var


def _connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def _head(length: str | None) -> bytes:
    size = f"Content-Length: {length}\r\n" if length else "Transfer-Encoding: chunked\r\n"
    return (
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{size}\r\n"
    ).encode()


def _answer(sock: socket.socket) -> bytes:
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            if not more:
                break
            data += more
    except (ConnectionResetError, TimeoutError):
        pass
    return data


def _rss(pid: int) -> int:
    """Resident bytes of the server process (Linux /proc)."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["daphne", "uvicorn"])
def test_real_servers_refuse_before_reading(kind, server_env):
    env, var = server_env
    with asgi_server(kind, env, var / f"{kind}.log") as (base, process):
        # announced: 400 MB that never come; the answer must not wait for them
        sock = _connect(base)
        started = time.monotonic()
        sock.sendall(_head("400000000"))
        answer = _answer(sock)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert time.monotonic() - started < 5

        # streamed without a length: 40 MB offered, cut off shortly after the first 1 MB
        before = _rss(process.pid)
        sock = _connect(base)
        sock.sendall(_head(None))
        chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
        sent = 0
        try:
            while sent < 40 * LIMIT:
                sock.sendall(chunk)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the connection: good
        answer = _answer(sock)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 413"), (sent, answer[:200])
        assert _rss(process.pid) - before < 20 * LIMIT  # the body was not kept
        # the server goes on answering
        sock = _connect(base)
        sock.sendall(
            b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        assert _answer(sock).startswith(b"HTTP/1.1 200")
        sock.close()
