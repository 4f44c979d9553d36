"""Fixtures for the web tests: a household with an owner, a carer and a viewer;
an outsider with a household of their own. Animals arrive relative to the real
clock, because the views use timezone.now()."""

from __future__ import annotations

import pytest

from gentling.services.households import add_member, create_household, local_keeper

from .helpers import make_animal


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real password logins still happen (the login form, axes); only the hash is cheaper.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
def household(owner, carer, viewer):
    h = create_household(keeper=owner, name="Maple Street", time_zone="UTC")
    add_member(by=owner, household=h, keeper=carer, role="carer")
    add_member(by=owner, household=h, keeper=viewer, role="viewer")
    return h


@pytest.fixture
def other_household(outsider):
    h = create_household(keeper=outsider, name="Elsewhere", time_zone="UTC")
    make_animal(h, name="Zanzibar", source="breeder")
    return h


@pytest.fixture
def rat(household):
    """A rescue rat, 5 days home: past settling in, at 'Treats with your hand in the cage'."""
    return make_animal(household, name="Whiskerina", cage="Top Deck")


@pytest.fixture
def keepers(owner, carer, viewer, outsider):
    return {"owner": owner, "carer": carer, "viewer": viewer, "outsider": outsider, "anonymous": None}


@pytest.fixture(autouse=True, scope="session")
def _static_root_exists():
    """WhiteNoise warns on every request when STATIC_ROOT is missing (no collectstatic in tests)."""
    from pathlib import Path

    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
