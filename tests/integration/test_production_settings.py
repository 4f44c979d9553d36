"""The hosted mode refuses unsafe defaults, and Django's deployment checks pass in it."""

import os
import subprocess
import sys


def _run(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GENTLING_", "DJANGO_", "DATABASE_URL"))}
    clean.update(GENTLING_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="gentling.settings", **env)
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    done = _run(tmp_path, GENTLING_PRODUCTION="true", GENTLING_ALLOWED_HOSTS="gentling.example.org")
    assert done.returncode != 0
    assert "GENTLING_SECRET_KEY" in done.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    done = _run(tmp_path, GENTLING_PRODUCTION="true", GENTLING_SECRET_KEY="k" * 60 + "Zq9!x")
    assert done.returncode != 0
    assert "GENTLING_ALLOWED_HOSTS" in done.stderr


PRODUCTION = {
    "GENTLING_PRODUCTION": "true",
    "GENTLING_ALLOWED_HOSTS": "gentling.example.org",
    "GENTLING_SECRET_KEY": "a8Fq-2kLz9_Xw0pV7mN3bR6tY1uI4oE5aS8dF2gH6jK9lZ3xC7vB0nM",
}


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    done = _run(tmp_path, **PRODUCTION, GENTLING_TRUSTED_PROXY_COUNT="1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_asks_how_many_proxies_stand_in_front(tmp_path):
    """Behind a proxy without the count, every login seems to come from the proxy: one lockout for all."""
    done = _run(tmp_path, **PRODUCTION)
    assert done.returncode != 0
    assert "gentling.W001" in done.stderr and "GENTLING_TRUSTED_PROXY_COUNT" in done.stderr


def test_a_bad_trusted_proxy_count_is_refused(tmp_path):
    done = _run(tmp_path, GENTLING_TRUSTED_PROXY_COUNT="one")
    assert done.returncode != 0
    assert "GENTLING_TRUSTED_PROXY_COUNT='one': use a whole number from 0 to 10" in done.stderr
