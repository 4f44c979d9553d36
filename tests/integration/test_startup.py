"""Start-up is quiet: a new install's first start prints no warning (WhiteNoise used to warn,
in every worker, that the static folder did not exist)."""

import os
import subprocess
import sys


def test_a_fresh_install_starts_without_a_warning(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["GENTLING_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import gentling.wsgi, warnings; print('started')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "started" and done.stderr == ""


def test_the_log_level_is_checked(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(GENTLING_HOME=str(tmp_path / "home"), GENTLING_LOG_LEVEL="chatty")
    done = subprocess.run(
        [sys.executable, "-c", "import gentling.wsgi"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "GENTLING_LOG_LEVEL='CHATTY': use one of DEBUG, INFO, WARNING, ERROR" in done.stderr
