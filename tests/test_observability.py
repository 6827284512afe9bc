"""Logs and Sentry events carry the tenant and request id; personal data never leaves."""

import gzip
import json
import logging
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from kernel.context import bound
from kernel.observability import ContextFilter, init_sentry, scrub
from tenants import actions


class SentrySink:
    """A local HTTP endpoint that accepts Sentry envelopes, as sentry.io would."""

    def __init__(self):
        self.bodies: list[bytes] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    raw = gzip.decompress(raw)
                elif encoding == "deflate":
                    raw = zlib.decompress(raw)
                elif encoding == "br":
                    import brotli

                    raw = brotli.decompress(raw)
                sink.bodies.append(raw)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server.server_address[1]}/42"

    def events(self) -> list[dict]:
        found = []
        for body in self.bodies:
            for line in body.split(b"\n"):
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if isinstance(item, dict) and "exception" in item:
                    found.append(item)
        return found


@pytest.fixture
def sentry_sink():
    sink = SentrySink()
    sink.thread.start()
    init_sentry(sink.dsn, environment="test", release="test")
    yield sink
    sentry_sdk.init(dsn=None)
    sink.server.shutdown()


@pytest.mark.django_db
def test_sentry_event_carries_the_tenant_and_no_personal_data(tenants, client_for, sentry_sink):
    actions.set_module_enabled(tenants.a, "probe", True)
    client = client_for(tenants.a, raise_request_exception=False)
    response = client.get("/probe/boom/", HTTP_X_REQUEST_ID="req-sentry-000001")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)
    events = sentry_sink.events()
    assert len(events) == 1
    event = events[0]
    assert event["tags"]["tenant"] == "ta"
    assert event["tags"]["request_id"] == "req-sentry-000001"
    assert event["exception"]["values"][0]["type"] == "RuntimeError"
    raw = b"".join(sentry_sink.bodies).decode("utf-8", "replace")
    assert "zhang.wei@example.com" not in raw
    assert "13812345678" not in raw
    assert "[Filtered]" in event["exception"]["values"][0]["value"]


def test_scrub_covers_nested_structures_and_sensitive_keys():
    data = {
        "message": "call 138-1234-5678 or +86 139 1234 5678, mail li@hospital.cn, ID 11010519491231002X",
        "extra": {"phone": "021-12345678", "note": ["ok", "wang@x.org"], "count": 3},
        "headers": {"Authorization": "Bearer abc", "Cookie": "sessionid=1"},
    }
    clean = scrub(data)
    text = json.dumps(clean, ensure_ascii=False)
    for secret in (
        "138-1234-5678",
        "139 1234 5678",
        "li@hospital.cn",
        "11010519491231002X",
        "wang@x.org",
        "abc",
        "sessionid",
    ):
        assert secret not in text, secret
    assert clean["extra"]["count"] == 3 and clean["extra"]["note"][0] == "ok"


def test_log_records_carry_tenant_and_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    with bound(schema="ta", request_id="req-abcdefgh"):
        ContextFilter().filter(record)
    assert (record.tenant, record.request_id) == ("ta", "req-abcdefgh")


@pytest.mark.django_db
def test_request_log_lines_carry_the_tenant(tenants, client_for):
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append((record.tenant, record.request_id, record.getMessage()))

    handler = Capture()
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client_for(tenants.b).get("/no-such-page/", HTTP_X_REQUEST_ID="req-log-00000001")
    finally:
        logger.removeHandler(handler)
    assert ("tb", "req-log-00000001", "Not Found: /no-such-page/") in lines
