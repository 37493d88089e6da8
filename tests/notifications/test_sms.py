"""The SMS backends: the HTTP gateway against a real local HTTP server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from notifications import sms


class Gateway(BaseHTTPRequestHandler):
    received: list[tuple[str, dict]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append((self.headers["Authorization"], body))
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received, Gateway.status = [], 200
    settings.GRIDCASE_SMS_BACKEND = "notifications.sms.HttpGatewayBackend"
    settings.GRIDCASE_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.GRIDCASE_SMS_GATEWAY_TOKEN = "t0ken"
    yield Gateway
    server.shutdown()
    server.server_close()


def test_the_gateway_gets_the_phone_and_text(gateway):
    sms.send_sms("13800138000", "验证码 123456")
    assert gateway.received == [("Bearer t0ken", {"phone": "13800138000", "text": "验证码 123456"})]


def test_a_refusing_or_missing_gateway_raises(gateway, settings):
    gateway.status = 503
    with pytest.raises(sms.SmsError, match="503"):
        sms.send_sms("13800138000", "x")
    settings.GRIDCASE_SMS_GATEWAY_URL = "http://127.0.0.1:1/send"
    with pytest.raises(sms.SmsError, match="unreachable"):
        sms.send_sms("13800138000", "x")
    settings.GRIDCASE_SMS_GATEWAY_URL = ""
    with pytest.raises(sms.SmsError, match="not set"):
        sms.send_sms("13800138000", "x")


def test_the_console_backend_writes_the_message(settings, capsys):
    settings.GRIDCASE_SMS_BACKEND = "notifications.sms.ConsoleBackend"
    sms.send_sms("13800138000", "你好")
    assert "[SMS to 13800138000] 你好" in capsys.readouterr().out
