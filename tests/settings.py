"""Test settings: the real settings, with a throwaway GENTLING_HOME so that a
test run never touches a keeper's data directory."""

import os
import tempfile

os.environ.setdefault("GENTLING_HOME", tempfile.mkdtemp(prefix="gentling-test-"))

from gentling.settings import *  # noqa: E402,F403
