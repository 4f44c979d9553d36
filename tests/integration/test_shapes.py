"""One shape per thing (services/shapes.py): the API's OpenAPI components are the shapes, the
command line's `--json` validates against the same shapes, and both say the same of the same
animal, session, cage, quarantine and introduction. The CSV export and the backup place every
field of a session and of an animal (SESSION_IN_CSV, SESSION_IN_BACKUP, ANIMAL_IN_BACKUP).

Gentling's one clock (gentling.clock, which every interface reads) is fixed at the command
line's `now`, so that the API's today is the command line's."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from gentling import clock
from gentling.api.main import api
from gentling.services import shapes
from gentling.services.backup_schema import AnimalIn, SessionIn
from gentling.services.csv_export import SESSION_COLUMNS
from tests.arrivals.conftest import NOW, TODAY, residents  # noqa: F401  (fixtures)
from tests.cli_harness import cli_runner
from tests.factories import make_animal

pytestmark = pytest.mark.django_db

SHAPES = (
    shapes.AnimalOut,
    shapes.AnimalSaved,
    shapes.SessionOut,
    shapes.LoggedOut,
    shapes.CageOut,
    shapes.MovedOut,
    shapes.QuarantineOut,
    shapes.HealthCheckOut,
    shapes.IntroductionOut,
    shapes.IntroductionDetail,
)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.__name__)
def test_the_openapi_schema_is_the_shape(shape: type[BaseModel]):
    component = api.get_openapi_schema()["components"]["schemas"][shape.__name__]
    assert tuple(component["properties"]) == shapes.fields_of(shape)
    assert set(component["required"]) == {n for n, f in shape.model_fields.items() if f.is_required()}


def exactly(shape: type[BaseModel], data: dict) -> BaseModel:
    """`data` as `shape`, with no field missing and none more."""
    assert set(data) == set(shapes.fields_of(shape)), shape.__name__
    return shape.model_validate(data)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def both(frozen, monkeypatch, capsys, client, household, owner):
    """The command line as the owner (`cli(...)`), and the API as the owner (`get(path)`)."""
    client.force_login(owner)
    base = f"/api/v1/households/{household.public_id}"

    def get(path: str):
        response = client.get(base + path)
        assert response.status_code == 200, response.content
        return response.json()

    return cli_runner(monkeypatch, capsys, keeper=owner.username, now=NOW), get


def cli_json(cli, *argv):
    result = cli(*argv, "--json")
    assert result.code == 0, result.text
    return result.json


def test_an_animal_is_told_alike(both, household, residents):  # noqa: F811
    cli, get = both
    biscuit, _ = residents
    listed = [exactly(shapes.AnimalOut, a) for a in cli_json(cli, "animal", "list")["animals"]]
    shown = exactly(shapes.AnimalSaved, cli_json(cli, "animal", "show", "Biscuit"))
    api_listed = [exactly(shapes.AnimalOut, a) for a in get("/animals")["items"]]
    assert listed == api_listed
    assert shapes.AnimalOut.model_validate(shown.model_dump(exclude={"alerts"})) == shapes.AnimalOut.model_validate(
        get(f"/animals/{biscuit.public_id}")
    )
    assert shown.id == biscuit.public_id and shown.name == "Biscuit"


def test_a_session_is_told_alike(both, household, residents):  # noqa: F811
    cli, get = both
    biscuit, _ = residents
    logged = cli_json(cli, "log", "Biscuit", "--did", "talked", "--at", "09:00", "--length", "5m")
    (session,) = exactly(shapes.LoggedSessions, logged).sessions  # type: ignore[attr-defined]
    assert session.animal == biscuit.public_id and session.animal_name == "Biscuit"
    for item in logged["sessions"]:
        exactly(shapes.LoggedOut, item)
    from_api = exactly(shapes.SessionOut, get(f"/sessions/{session.id}"))
    assert from_api == shapes.SessionOut.model_validate(
        session.model_dump(exclude={"step_before", "step_after", "moved"})
    )


def test_cages_quarantines_and_introductions_are_told_alike(both, household, residents):  # noqa: F811
    cli, get = both
    nova = make_animal(household, today=TODAY, name="Nova", cage="Quarantine tub")
    cages = [exactly(shapes.CageOut, c) for c in cli_json(cli, "cage", "list")["cages"]]
    assert cages == [shapes.CageOut.model_validate(c) for c in get("/cages")["items"]]
    quarantines = [exactly(shapes.QuarantineOut, q) for q in cli_json(cli, "quarantine", "list")["quarantines"]]
    assert [q.animal for q in quarantines] == [nova.public_id]
    assert quarantines == [shapes.QuarantineOut.model_validate(q) for q in get("/quarantines")["items"]]
    checked = exactly(shapes.HealthCheckOut, cli_json(cli, "quarantine", "check", "Nova", "--signs", "sneezing"))
    assert checked.animal == nova.public_id
    started = cli_json(cli, "intro", "start", "--newcomers", "Nova", "--residents", "Biscuit,Pepper")
    exactly(shapes.IntroductionDetail, started)
    introductions = [exactly(shapes.IntroductionOut, i) for i in cli_json(cli, "intro", "list")["introductions"]]
    assert introductions == [shapes.IntroductionOut.model_validate(i) for i in get("/introductions")["items"]]
    moved = exactly(shapes.MovedOut, cli_json(cli, "cage", "move", "Nova", "Hospital"))
    assert moved.animal == nova.public_id and moved.cage == "Hospital"


def test_the_csv_and_the_backup_place_every_field_of_a_session_and_an_animal():
    assert set(shapes.SESSION_IN_CSV) == set(shapes.fields_of(shapes.SessionOut))
    assert {c for c in shapes.SESSION_IN_CSV.values() if c} <= set(SESSION_COLUMNS)
    assert set(shapes.SESSION_IN_BACKUP) == set(shapes.fields_of(shapes.SessionOut))
    assert {c for c in shapes.SESSION_IN_BACKUP.values() if c} <= set(SessionIn.model_fields)
    assert set(shapes.ANIMAL_IN_BACKUP) == set(shapes.fields_of(shapes.AnimalOut))
    assert {c for c in shapes.ANIMAL_IN_BACKUP.values() if c} <= set(AnimalIn.model_fields)
