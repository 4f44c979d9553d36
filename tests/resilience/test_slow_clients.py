"""Idle and slow clients cannot stop the server (server.py, docs/deploy.md).

50 connections opened and left idle (half mid-header) and 10 clients sending a
session's body at 10 bytes a second are held open while four other clients
read the household's animals. Every one of those reads must be answered, on
the default `gentling serve` (one process, phones reaching it directly) and on
the deploy guide's layout (nginx, as docs/deploy.md configures it, in front of
`gentling serve --workers 2`). With gunicorn's threads serving phones directly,
four such connections stopped every other keeper.

How much the others' latency moves is a figure of the benchmark
(`gentling bench measure --only slow-clients`), not a timed assertion here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.utils import timezone

from gentling.bench.api_load import free_port, running_server, server_environment
from gentling.bench.hostile import IDLE, SLOW, answer_times, hostile_clients
from gentling.services.api_tokens import create_token

pytestmark = pytest.mark.slow

DEPLOY_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
# Far above any answer on a quiet server (milliseconds), far below "stopped".
PATIENCE_SECONDS = 10.0


@pytest.fixture
def household_with_token(clover_at_home):
    owner, household, _ = clover_at_home
    _, raw = create_token(keeper=owner, name="slow clients", now=timezone.now())
    return owner, household, raw


def _others_are_answered(port: int, household, token: str) -> None:
    reads = f"/api/v1/households/{household.public_id}/animals"
    writes = f"/api/v1/households/{household.public_id}/sessions"
    _, failures = answer_times("127.0.0.1", port, reads, token=token, requests=10, timeout=PATIENCE_SECONDS)
    assert failures == []
    with hostile_clients("127.0.0.1", port, path=writes, token=token) as held:
        assert (len(held.idle), len(held.slow), held.refused) == (IDLE, SLOW, 0)
        times, failures = answer_times("127.0.0.1", port, reads, token=token, requests=20, timeout=PATIENCE_SECONDS)
        assert failures == [], f"{len(failures)} of {len(times)} reads failed while slow clients were held"
        assert all(thread.is_alive() for thread in held.slow), "the slow clients were still sending"
    assert household.animals.get().sessions.count() == 0  # no slow body was taken for a whole one


def test_one_process_answers_others_while_idle_and_slow_clients_hold_connections(household_with_token):
    owner, household, token = household_with_token
    port = free_port()
    with running_server(server_environment(owner.username), port, workers=1):
        _others_are_answered(port, household, token)


def test_the_deploy_guides_layout_answers_others_while_idle_and_slow_clients_hold_connections(
    household_with_token, tmp_path
):
    owner, household, token = household_with_token
    app_port, proxy_port = free_port(), free_port()
    with (
        running_server(server_environment(owner.username), app_port, workers=2),
        _nginx(tmp_path, proxy_port=proxy_port, app_port=app_port),
    ):
        _others_are_answered(proxy_port, household, token)


def test_the_guides_nginx_server_block_is_the_one_tested():
    block = _guide_server_block()
    assert "proxy_pass http://gentling;" in block and "client_max_body_size" in block


def _guide_server_block() -> str:
    """The `server { ... }` block of the guide's nginx example, as written there."""
    example = re.search(r"```nginx\n(.*?)```", DEPLOY_GUIDE.read_text(), re.S).group(1)
    return example[example.index("server {") :]


@contextmanager
def _nginx(scratch: Path, *, proxy_port: int, app_port: int):
    """nginx with the guide's server block, on plain HTTP and this test's ports, in the foreground."""
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if nginx is None:
        if os.environ.get("GENTLING_REQUIRE_NGINX"):
            raise pytest.UsageError("nginx is missing but GENTLING_REQUIRE_NGINX is set (CI): install nginx-light")
        pytest.skip("nginx is not installed (apt-get install nginx-light): the deploy layout is not tested here")
    server = re.sub(r"listen [^;]*;", f"listen 127.0.0.1:{proxy_port};", _guide_server_block())
    temp = {name: scratch / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    conf = scratch / "nginx.conf"
    conf.write_text(f"""
daemon off;
worker_processes 1;
pid {scratch / "nginx.pid"};
error_log stderr warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    upstream gentling {{ server 127.0.0.1:{app_port}; }}
    {server}
}}
""")
    proc = subprocess.Popen(
        [nginx, "-p", str(scratch), "-c", str(conf)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"nginx exited: {proc.stdout.read().decode()}"
            try:
                _, failures = answer_times(
                    "127.0.0.1", proxy_port, "/api/v1/openapi.json", clients=1, requests=1, timeout=2
                )
                if not failures:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "nginx did not answer"
            time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)
