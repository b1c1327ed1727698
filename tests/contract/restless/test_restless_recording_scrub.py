"""``make record`` cannot leak the key: record real traffic against a loopback Restless look-alike.

The client sends the key as ``x-api-key``, injects it as ``apiKey`` into create
bodies and sends it to validate-api-key, whose answer echoes it as ``id``. The
cassette is recorded with the same vcrpy configuration ``make record`` uses and
then read back as text; it is then replayed with the server gone.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from specwire.restless import RestlessStreamClient

from tests.contract.restless.cassette_data import restless_vcr_config
from tests.support.cassettes import make_vcr, recorded

LIVE_KEY = "rs_" + "fedcba9876543210" * 4
STREAM = {
    "id": "stream_9",
    "name": "Orders",
    "status": "ACTIVE",
    "method": "GET",
    "url": "https://api.example.com/orders",
    "payloadMode": "FULL_DATA",
    "pollingInterval": 30,
}


class _FakeRestless(BaseHTTPRequestHandler):
    def _reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, object]:
        length = int(self.headers.get("content-length", 0))
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self) -> None:
        if self.headers.get("x-api-key") != LIVE_KEY:
            self._reply(401, {"message": "Invalid API key"})
        else:
            self._reply(200, {"streams": [STREAM], "paginationInfo": {"hasNextPage": False}})

    def do_POST(self) -> None:
        body = self._body()
        if self.path == "/streams/validate-api-key":
            self._reply(200, {"id": body.get("apiKey"), "affected": True})
        elif self.path == "/streams" and body.get("apiKey") == LIVE_KEY:
            self._reply(201, STREAM)
        else:
            self._reply(400, {"message": "bad request"})

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _FakeRestless)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _calls(client: RestlessStreamClient) -> tuple[str, str, bool]:
    page = client.streams.list()
    created = client.streams.create(name="Orders", method="GET", url="https://api.example.com/orders")
    valid = client.streams.validate_api_key()
    return page.streams[0].id, created.id, valid.affected


def test_recording_against_loopback_scrubs_every_copy_of_the_key(
    server: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cassette = tmp_path / "restless_live.yaml"
    caplog.set_level(logging.DEBUG)
    with (
        make_vcr(**restless_vcr_config()).use_cassette(str(cassette), record_mode="all"),
        RestlessStreamClient(LIVE_KEY, base_url=server, max_retries=0) as client,
    ):
        assert _calls(client) == ("stream_9", "stream_9", True)
        assert LIVE_KEY not in repr(client)

    text = cassette.read_text(encoding="utf-8")
    assert LIVE_KEY not in text
    assert LIVE_KEY[3:] not in text  # not even the hex part
    interactions = recorded(cassette)
    assert len(interactions) == 3
    assert interactions[0]["request"]["headers"]["x-api-key"] == ["REDACTED"]
    assert json.loads(interactions[1]["request"]["body"])["apiKey"] == "REDACTED"
    assert json.loads(interactions[2]["response"]["body"]["string"])["id"] == "REDACTED"
    # our logs (and httpx's) are scrubbed; vcrpy's own debug log is test machinery, not the SDK
    sdk_logs = [r.getMessage() for r in caplog.records if not r.name.startswith("vcr")]
    assert sdk_logs and not any(LIVE_KEY in line for line in sdk_logs)

    # replay with the server gone: the scrubbed cassette still serves every call
    with (
        make_vcr(**restless_vcr_config()).use_cassette(str(cassette), record_mode="none"),
        RestlessStreamClient(LIVE_KEY, base_url=server, max_retries=0) as client,
    ):
        assert _calls(client) == ("stream_9", "stream_9", True)
