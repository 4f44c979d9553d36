"""The README's first steps, run as a keeper would: the installed `gentling`
console script, in its own process, with its own SQLite database."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

GENTLING = Path(sys.executable).with_name("gentling")


@pytest.mark.slow
def test_readme_flow(tmp_path):
    assert GENTLING.exists(), f"the console script is not installed next to {sys.executable}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "GENTLING_TIME_ZONE", "GENTLING_SECRET_KEY"}
    }
    env.update(GENTLING_HOME=str(tmp_path), GENTLING_KEEPER="readme-reader", COLUMNS="200")

    def gentling(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(GENTLING), *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, (
            f"gentling {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
        return done

    start = gentling("start", "--no-serve")
    text = " ".join(start.stdout.split())
    assert "Demo" in text
    assert "Talk to them" in text
    assert (tmp_path / "gentling.sqlite3").exists(), "the database should live in GENTLING_HOME"

    gentling("household", "add", "My rats")
    gentling("animal", "add", "Whiskers", "--species", "rat", "--source", "rescue", "--household", "My rats")
    today = json.loads(gentling("today", "--household", "My rats", "--json").stdout)
    assert today["household"] == "My rats"
    (whiskers,) = today["animals"]
    assert whiskers["name"] == "Whiskers"
    assert [t["activity"] for t in whiskers["tasks"]] == ["talked"]

    # A reader that stops early (`gentling today | head -1`): a quiet stop, no traceback.
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        cut = subprocess.run(
            [str(GENTLING), "today", "--household", "My rats"],
            env=env,
            cwd=tmp_path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (cut.returncode, cut.stderr) == (141, "")

    # `start` as the README runs it: it keeps the demo it made, prints the address and a
    # demo login, and serves the web app until stopped.
    port = _free_port()
    server = subprocess.Popen(
        [str(GENTLING), "start", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = _wait_for(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    text = " ".join(output.split())
    assert "A demo household was created" not in text
    assert f"http://127.0.0.1:{port}/" in text
    assert re.search(r"Demo login: demo / \S{8,}", text)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
