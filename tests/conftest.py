"""Fixtures every test folder shares: a household with an owner, a carer and a
viewer, and an outsider, so permission tests are cheap to write."""

from __future__ import annotations

from pathlib import Path

import pytest

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
