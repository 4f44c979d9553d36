"""Migrations run forward on a populated database from an older schema without loss,
and the models and the migrations agree.

The test database (SQLite or PostgreSQL, whichever the run uses) is migrated
back to gentling's 0001_initial with Django's MigrationExecutor, filled through
the historical models of that state, then migrated forward to the latest
migrations; `transactional_db` flushes it afterwards (it is at the latest schema
again by then, so the rest of the run is unaffected).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

APP = "gentling"
INITIAL = [(APP, "0001_initial")]
# The first state with OpenSession, whose `draft` (0004) is the one NOT NULL column
# later added to an existing table: its rows must get the default.
WITH_OPEN_SESSIONS = [(APP, "0002_web_sessions_photos_invites")]
AT = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)


def _migrate(targets):
    """Migrate to `targets`; the apps registry of every model as the database now is."""
    # A fresh executor each time: its loader reads which migrations are applied.
    return MigrationExecutor(connection).migrate(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _row(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


@pytest.mark.slow
def test_forward_migrations_keep_the_data_of_the_first_schema(transactional_db):
    latest = _latest()
    assert (APP, "0001_initial") not in latest
    try:
        old = _migrate(INITIAL)
        User = old.get_model("auth", "User")
        Household = old.get_model(APP, "Household")
        Membership = old.get_model(APP, "Membership")
        Animal = old.get_model(APP, "Animal")
        Session = old.get_model(APP, "Session")
        assert "neutered_on" not in {f.name for f in Animal._meta.get_fields()}, "not the 0001 schema"

        keeper = User.objects.create(username="early-adopter", password="!")
        household = Household.objects.create(
            public_id="hhOLD0001", name="Since v0.1", time_zone="Europe/Berlin", created_at=AT
        )
        membership = Membership.objects.create(household=household, keeper=keeper, role="owner", joined_at=AT)
        animal = Animal.objects.create(
            public_id="anOLD0001",
            household=household,
            species="rat",
            name="Pioneer",
            sex="female",
            birth_date=date(2026, 8, 1),
            birth_date_estimated=True,
            source="breeder",
            arrival_date=date(2026, 10, 1),
            status="active",
            extended_hold_opt_in=True,
            notes="Was here before the migrations.",
            created_at=AT,
        )
        session = Session.objects.create(
            public_id="seOLD0001",
            sitting="siOLD0001",
            animal=animal,
            keeper=keeper,
            started_at=AT,
            ended_at=AT.replace(minute=45),
            day=date(2026, 11, 20),
            activities=["talked", "picked_up"],
            holds=[5, 12],
            observations=["took_treat"],
            extended_hold_seconds=None,
            extended_hold_end="",
            notes="Ünïcode ✓ 🐀",
            alerts=[{"code": "example", "message": "kept as written"}],
            created_at=AT,
        )
        Session.objects.create(
            public_id="seOLD0002",
            sitting="siOLD0002",
            animal=animal,
            keeper=keeper,
            started_at=AT.replace(hour=19),
            ended_at=AT.replace(hour=19, minute=35),
            day=date(2026, 11, 20),
            activities=["talked"],
            holds=[],
            observations=["red_tears"],
            extended_hold_end="",
            notes="",
            alerts=[],
            created_at=AT,
        )
        before = {
            name: _row(model, obj.pk)
            for name, model, obj in (
                ("household", Household, household),
                ("membership", Membership, membership),
                ("animal", Animal, animal),
                ("session", Session, session),
                ("keeper", User, keeper),
            )
        }

        mid = _migrate(WITH_OPEN_SESSIONS)
        OpenSession = mid.get_model(APP, "OpenSession")
        timer = OpenSession.objects.create(
            public_id="osOLD0001", household_id=household.pk, keeper_id=keeper.pk, started_at=AT
        )
        timer.animals.set([animal.pk])
        timer_before = _row(OpenSession, timer.pk)

        new = _migrate(latest)
    finally:
        _migrate(latest)  # never leave the shared test database behind on an old schema

    models = {
        "household": new.get_model(APP, "Household"),
        "membership": new.get_model(APP, "Membership"),
        "animal": new.get_model(APP, "Animal"),
        "session": new.get_model(APP, "Session"),
        "keeper": new.get_model("auth", "User"),
    }
    for name, old_values in before.items():
        new_values = _row(models[name], old_values["id"])
        assert {k: new_values.get(k) for k in old_values} == old_values, f"{name} changed in the migrations"
        assert models[name].objects.count() == (2 if name == "session" else 1), name
    # The fields added since 0001 have their defaults on the old rows.
    animal_now = _row(models["animal"], before["animal"]["id"])
    assert set(animal_now) - set(before["animal"]) == {
        "neutered_on",
        "litter_id",
        "protocol",
        "household_protocol_id",
        "protocol_since",
        "protocol_start_step",
    }
    assert animal_now["neutered_on"] is None and animal_now["litter_id"] is None
    # On the handling ladder of its species, as before protocols could be chosen.
    assert animal_now["protocol"] == "" and animal_now["household_protocol_id"] is None
    assert animal_now["protocol_since"] is None and animal_now["protocol_start_step"] == ""
    timer_now = _row(new.get_model(APP, "OpenSession"), timer_before["id"])
    assert {k: timer_now[k] for k in timer_before} == timer_before
    assert timer_now["draft"] == {}
    assert list(new.get_model(APP, "OpenSession").objects.get().animals.values_list("pk", flat=True)) == [
        before["animal"]["id"]
    ]

    # And the current models read them: the app's own code, not the historical models.
    from gentling.models import Animal, Session
    from gentling.services.progress import progress_of

    pioneer = Animal.objects.get(public_id="anOLD0001")
    assert pioneer.neutered_on is None and pioneer.litter is None
    assert Session.objects.get(public_id="seOLD0001").duration_seconds == 15 * 60
    # 0007 flagged the older record with an illness sign, so quarantine reads still see it.
    assert list(Session.objects.filter(illness=True).values_list("public_id", flat=True)) == ["seOLD0002"]
    assert progress_of(pioneer, date(2026, 11, 20)).step_id  # the engine reads the migrated rows


@pytest.mark.slow
def test_models_and_migrations_agree(db):
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=1, stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"makemigrations --check exited {exc.code}: models changed without a migration:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
