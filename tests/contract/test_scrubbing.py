"""No secret reaches a cassette: not when written from examples, not when recorded live.

The live case records real traffic against a loopback HTTP server with the same vcrpy
configuration ``make record`` uses, then reads the cassette file back as text.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.support.cassettes import Interaction, make_vcr, recorded, vcr_config, write_cassette

API_KEY = "sk-live-abcdef0123456789abcdef"
TOKEN = "tok.payload.signature-0123456789"
PASSWORD = "hunter2-correct-horse"


class _EchoHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        self.rfile.read(length)
        body = json.dumps({"token": TOKEN, "ok": True, "nested": {"apiKey": API_KEY}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("set-cookie", f"session={TOKEN}")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _assert_clean(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for secret in (API_KEY, TOKEN, PASSWORD):
        assert secret not in text, f"secret {secret[:6]}… reached {path.name}"


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_live_recording_scrubs_headers_query_and_bodies(server: str, tmp_path: Path) -> None:
    cassette = tmp_path / "live.yaml"
    with make_vcr(**vcr_config()).use_cassette(str(cassette), record_mode="all"):
        response = httpx.post(
            f"{server}/login?key={API_KEY}&page=2",
            json={"userName": "trader1", "password": PASSWORD, "apiKey": API_KEY},
            headers={"Authorization": f"Bearer {TOKEN}", "x-api-key": API_KEY},
        )
    assert response.json()["token"] == TOKEN  # the caller still sees the real answer
    _assert_clean(cassette)
    [interaction] = recorded(cassette)
    assert json.loads(interaction["request"]["body"]) == {
        "userName": "trader1",
        "password": "REDACTED",
        "apiKey": "REDACTED",
    }
    assert "page=2" in interaction["request"]["uri"]


def test_cassettes_written_from_examples_are_scrubbed_and_replay(tmp_path: Path) -> None:
    cassette = write_cassette(
        tmp_path / "examples.yaml",
        [
            Interaction(
                "POST",
                f"https://api.example.com/v1/login?apiKey={API_KEY}",
                200,
                response={"token": TOKEN},
                request={"password": PASSWORD, "user": "u"},
                request_headers={"authorization": f"Bearer {TOKEN}"},
            )
        ],
    )
    _assert_clean(cassette)
    with make_vcr(**vcr_config()).use_cassette(str(cassette), record_mode="none"):
        # The live request carries the real secrets; matching happens after scrubbing.
        response = httpx.post(
            f"https://api.example.com/v1/login?apiKey={API_KEY}",
            json={"user": "u", "password": PASSWORD},
        )
    assert response.status_code == 200
    assert response.json() == {"token": "REDACTED"}
