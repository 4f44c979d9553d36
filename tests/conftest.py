"""Fixtures every test folder shares: a household with an owner, a carer and a
viewer, and an outsider, so permission tests are cheap to write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from gentling.services.households import add_member, create_household, local_keeper


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real password logins still happen (the login form, axes); only the hash is cheaper.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _static_root_exists():
    """WhiteNoise warns on every request when STATIC_ROOT is missing (no collectstatic in tests)."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def owner(db):
    return local_keeper("olive-owner")


@pytest.fixture
def carer(db):
    return local_keeper("carl-carer")


@pytest.fixture
def viewer(db):
    return local_keeper("vera-viewer")


@pytest.fixture
def outsider(db):
    return local_keeper("otto-outsider")


@pytest.fixture
def keepers(owner, carer, viewer, outsider):
    return {"owner": owner, "carer": carer, "viewer": viewer, "outsider": outsider, "anonymous": None}


@pytest.fixture
def household(owner, carer, viewer):
    h = create_household(keeper=owner, name="Maple Street", time_zone="UTC")
    add_member(by=owner, household=h, keeper=carer, role="carer")
    add_member(by=owner, household=h, keeper=viewer, role="viewer")
    return h


@pytest.fixture
def file_db(transactional_db, tmp_path: Path):
    """The test database, reachable from other threads and processes as production reaches it.

    On PostgreSQL (and on a file SQLite database) there is nothing to do. But
    Django's SQLite test database is in memory by default:
    `file:memorydb_default?mode=memory&cache=shared`. Other threads do reach it
    (each opens its own connection to the shared cache), but SQLite's shared-cache
    mode locks per table and answers a second writer with SQLITE_LOCKED
    ("database table is locked") at once: the busy timeout never applies, so
    the test would fail for a reason production (a WAL file with a busy timeout)
    does not have. Django's LiveServerTestCase avoids this by handing its single
    connection to the server thread, which would serialize the writers and test
    nothing. So, for the length of this test, the "default" alias points at a
    migrated file database in tmp_path, with the project's own OPTIONS (WAL,
    a bounded wait for the write lock, IMMEDIATE transactions). The settings dict is shared by every
    thread's connection handler, so worker threads open the file database too;
    the in-memory connection stays open (Django never closes it) and is put back
    afterwards, before `transactional_db` flushes it. The file is named as
    `gentling serve` looks for it in GENTLING_HOME, so a server process opens it too.
    """
    memory = connections["default"]
    if memory.vendor != "sqlite" or not memory.is_in_memory_db():
        yield
        return
    shared = connections.settings["default"]
    assert shared is memory.settings_dict, "worker threads must see the same settings dict"
    memory_name = shared["NAME"]
    shared["NAME"] = str(tmp_path / "gentling.sqlite3")
    file_db = connections.create_connection("default")
    connections["default"] = file_db
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        connections.close_all()
        shared["NAME"] = memory_name
        connections["default"] = memory


REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own, emptied first


@pytest.fixture
def redis_cache():
    redis = pytest.importorskip("redis")
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.ConnectionError:
        if os.environ.get("GENTLING_REQUIRE_BROWSER"):  # CI: its machine runs Redis
            raise pytest.UsageError("Redis is not running on 127.0.0.1:6379, and CI needs it") from None
        pytest.skip("no Redis on 127.0.0.1:6379")
    server.flushdb()
    yield server
    server.flushdb()
