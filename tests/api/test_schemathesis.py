"""Property-based testing of the live OpenAPI schema with schemathesis, in-process over WSGI.

For every operation, generated requests (valid and invalid) are sent with a valid token of a
seeded household. Most requests are pointed at that household's real objects, and some generated
bodies get real vocabulary and a recent start time, so requests reach the services and their
success paths, not only "not found". Checks: never a server error, and every response matches
the schema. Bounded and derandomized, so a run is quick and repeatable.
"""

from __future__ import annotations

import zlib
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gentling.domain import vocab
from gentling.domain.arrivals import arrivals_protocol
from gentling.services.arrivals import start_introduction
from tests.factories import make_animal

from .conftest import make_side
from .helpers import today

pytestmark = [pytest.mark.slow]

Path(django_settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns without it
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHOICES = {
    "species": list(vocab.SPECIES),
    "source": list(vocab.SOURCES),
    "sex": list(vocab.SEXES),
    "status": list(vocab.STATUSES),
    "air_space": ["another_room", "separate_building", "same_room"],
    "extended_hold_end": list(vocab.EXTENDED_HOLD_ENDINGS),
}
_behaviours = arrivals_protocol().behaviours
NAMES = {
    "activities": list(vocab.ACTIVITIES),
    "observations": list(vocab.OBSERVATIONS),
    "signs": ["sneezing", "red_tears", "health_cleared"],
    "behaviours": [*_behaviours.normal, *_behaviours.danger],
}


@pytest.fixture
def seeded(transactional_db):
    side = make_side("s", "Schemathesis Street", "Whiskerina", "Pipkin")
    nutmeg = make_animal(side.household, today=today(), name="Nutmeg", days_ago=60, sex="female")
    ready = start_introduction(
        keeper=side.owner,
        household=side.household,
        newcomers=[nutmeg],
        residents=[side.rat],
        cage_name=None,
        day=today(),
    )
    return {
        "token": side.owner_token,
        "hid": side.hid,
        "aid": [side.rat.public_id, side.newcomer.public_id, nutmeg.public_id],
        "sid": [side.session.public_id],
        "iid": [ready.public_id, side.intro.public_id],
        "newcomers": [nutmeg.public_id],
        "residents": [side.rat.public_id],
    }


def _pick(case) -> int:
    return zlib.crc32(repr((case.method, case.path, case.path_parameters, case.query, case.body)).encode())


def _use_seeded_ids(case, seeded, pick: int) -> None:
    """Point four requests in five at real objects; the fifth keeps its generated ids (mostly 'not found')."""
    params = case.path_parameters or {}
    if pick % 5 == 0:
        return
    for name in params:
        if name == "hid":
            params[name] = seeded["hid"]
        elif name in seeded:
            params[name] = seeded[name][pick % len(seeded[name])]


def _repair_body(case, seeded, pick: int) -> None:
    """In two bodies of three, swap unknown names and ids for real ones, and in half of those give a recent
    start and a plausible length; every other generated value (holds, notes, dates...) stays as generated."""
    body = case.body
    if not isinstance(body, dict) or pick % 3 == 0:
        return
    for key, choices in CHOICES.items():
        if key in body and body[key] not in choices and body[key] is not None:
            body[key] = choices[pick % len(choices)]
    for key, known in NAMES.items():
        if isinstance(body.get(key), list):
            body[key] = [v for v in body[key] if v in known] or [known[pick % len(known)]]
    if isinstance(body.get("animals"), list):
        body["animals"] = [seeded["aid"][pick % len(seeded["aid"])]]
    for key in ("newcomers", "residents"):
        if isinstance(body.get(key), list):
            body[key] = seeded[key]
    if "started_at" in body and pick % 2:
        body["started_at"] = (timezone.now() - timedelta(minutes=30 + pick % 600)).isoformat()
        body.pop("ended_at", None)
        body["duration_seconds"] = 60 + pick % 1200


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_always_matches_its_schema(case, seeded):
    pick = _pick(case)
    _use_seeded_ids(case, seeded, pick)
    _repair_body(case, seeded, pick)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {seeded['token']}"}, checks=[not_a_server_error, response_schema_conformance]
    )
