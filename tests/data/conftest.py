"""Fixtures for the data tests: a household with an owner, a carer and a viewer,
an outsider with a household of their own, and two animals home for a while.
Animals arrive relative to the real clock, because the views use timezone.now()."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from gentling.services.households import add_member, create_household, local_keeper
from tests.web.helpers import make_animal

ROLES = ["owner", "carer", "viewer", "outsider", "anonymous"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _static_root_exists():
    """WhiteNoise warns on every request when STATIC_ROOT is missing (no collectstatic in tests)."""
    Path(django_settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


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
def other_household(outsider):
    h = create_household(keeper=outsider, name="Elsewhere", time_zone="UTC")
    make_animal(h, name="Zanzibar", source="breeder")
    return h


@pytest.fixture
def animals(household):
    """A rat and a mouse home for a while (past quarantine), each in its own cage."""
    return [make_animal(household, name="Whiskers", days_ago=20, cage="Top Deck"),
            make_animal(household, name="Pip", species="mouse", source="breeder", days_ago=20, cage="Mouse House")]
