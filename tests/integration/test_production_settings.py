"""The hosted mode refuses unsafe defaults, and Django's deployment checks pass in it."""

import os
import subprocess
import sys


def _run(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GENTLING_", "DJANGO_", "DATABASE_URL"))}
    clean.update(GENTLING_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="gentling.settings", **env)
    return subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          env=clean, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    done = _run(tmp_path, GENTLING_PRODUCTION="true", GENTLING_ALLOWED_HOSTS="gentling.example.org")
    assert done.returncode != 0
    assert "GENTLING_SECRET_KEY" in done.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    done = _run(tmp_path, GENTLING_PRODUCTION="true", GENTLING_SECRET_KEY="k" * 60 + "Zq9!x")
    assert done.returncode != 0
    assert "GENTLING_ALLOWED_HOSTS" in done.stderr


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    done = _run(tmp_path, GENTLING_PRODUCTION="true", GENTLING_ALLOWED_HOSTS="gentling.example.org",
                GENTLING_SECRET_KEY="a8Fq-2kLz9_Xw0pV7mN3bR6tY1uI4oE5aS8dF2gH6jK9lZ3xC7vB0nM")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
