"""Errors to Sentry with SENTRY_DSN (src/gentling/sentry.py): off by default, and when on, an
outage's error arrives at the DSN's server with the request id the keeper's answer showed.

Each run is its own process (Sentry is set up once per process, from the settings), and the
Sentry server is a local HTTP server that keeps what it is sent."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.slow

OUTAGE = """
import django
django.setup()
from django.test import Client
import sentry_sdk
answer = Client(HTTP_HOST="localhost").get("/api/v1/households", HTTP_X_REQUEST_ID="sentry-check-0001",
                                          HTTP_AUTHORIZATION="Bearer gnt_" + "x" * 40)
print(answer.status_code, flush=True)
sentry_sdk.flush(timeout=20)
"""


class _Sentry(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # sentry-sdk's choice where brotli is installed
            import brotli

            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _run(code: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SENTRY_DSN"} and not k.startswith("GENTLING_")
    }
    # A database that refuses connections: every request is the outage's 503, logged as an error.
    environment.update(
        GENTLING_HOME=str(tmp_path),
        DJANGO_SETTINGS_MODULE="gentling.settings",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/none?connect_timeout=2",
        **env,
    )
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=120)


def test_an_outage_reaches_sentry_with_the_request_id(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sentry)
    _Sentry.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = _run(OUTAGE, tmp_path, SENTRY_DSN=f"http://public@127.0.0.1:{server.server_address[1]}/42")
    finally:
        server.shutdown()
    assert done.stdout.split() == ["503"], done.stderr
    events = [
        json.loads(line)
        for body in _Sentry.received
        for line in body.splitlines()
        if line.startswith(b"{") and b'"exception"' in line
    ]
    assert events, f"nothing reached Sentry: {_Sentry.received!r}"
    event = events[0]
    assert event["tags"]["request_id"] == "sentry-check-0001"
    assert "OperationalError" in json.dumps(event["exception"])
    assert "nobody" not in json.dumps(event.get("user", {}))  # no personal data


def test_without_a_dsn_nothing_is_sent(tmp_path):
    done = _run(OUTAGE.replace("sentry_sdk.flush(timeout=20)", "print(sentry_sdk.get_client().is_active())"), tmp_path)
    assert done.stdout.split() == ["503", "False"], done.stderr


def test_a_dsn_without_sentry_sdk_installed_is_a_clear_refusal(tmp_path):
    code = "import sys; sys.modules['sentry_sdk'] = None\nimport django\ndjango.setup()"
    done = _run(code, tmp_path, SENTRY_DSN="http://public@127.0.0.1:9/42")
    assert done.returncode != 0
    assert "SENTRY_DSN is set, but sentry-sdk is not installed: pip install 'gentling[sentry]'" in done.stderr
