"""Test settings: the real settings, with a throwaway GENTLING_HOME for each test process,
so that a test run never touches a keeper's data directory.

Each pytest-xdist worker makes its own: a worker inherits the environment of the pytest
process that started it, GENTLING_HOME included, and two workers sharing one would race
to write the local secret key file and the static folder. So a GENTLING_HOME found in the
environment is replaced, never reused. The folder goes when the process ends."""

import atexit
import os
import shutil
import tempfile

_home = tempfile.mkdtemp(prefix=f"gentling-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ["GENTLING_HOME"] = _home

from gentling.settings import *  # noqa: E402,F403

# The test database on SQLite stays in memory, one per process. pytest-django gives each xdist
# worker a test database named after the real one plus a suffix, and leaves out only Django's own
# SQLite engine by its name: Gentling's (gentling.sqlite) would get "test_<GENTLING_HOME>/...".
if DATABASES["default"]["ENGINE"] == "gentling.sqlite":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
