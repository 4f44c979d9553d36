"""Who a restore may touch (services/restore.py), through the service and `gentling import`.

The probe this reproduces: a keeper who had just signed up restored a backup that
listed an existing keeper, alice, as a member of a new household; alice's account
was reused by username and added to the attacker's household, whose export then
returned alice's password hash and email."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from gentling.domain.errors import InvalidInput, NotAllowed
from gentling.models import Household, Membership, Session
from gentling.services.backup import export_households
from gentling.services.households import create_household, local_keeper
from gentling.services.restore import import_backup, read_backup
from tests.backups import deeply_nested, probe_backup
from tests.cli_harness import cli_runner
from tests.factories import make_animal
from tests.web.helpers import db_state

from .conftest import NOW, TODAY

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def alice(db):
    alice = local_keeper("alice")
    alice.set_password("alice's own long password")
    alice.email = "alice@example.org"
    alice.save()
    create_household(keeper=alice, name="Alice's rats", time_zone="UTC")
    return alice


@pytest.fixture
def mallory(db):
    return local_keeper("mallory")


@pytest.fixture
def cli(monkeypatch, capsys):
    return cli_runner(monkeypatch, capsys, keeper="mallory", now=NOW)


# --- the probe, step by step -------------------------------------------------------------------------


def test_a_backup_naming_an_existing_keeper_never_reaches_their_account(alice, mallory):
    password, email = alice.password, alice.email
    summary = import_backup(json.dumps(probe_backup(members={"alice": "owner"}, version=1)), keeper=mallory, now=NOW)
    restored = Household.objects.get(public_id="probe-home")
    assert [(m.keeper.username, m.role) for m in restored.memberships.all()] == [("mallory", "owner")]
    assert not Membership.objects.filter(keeper=alice, household=restored).exists()
    alice.refresh_from_db()
    assert (alice.password, alice.email) == (password, email)  # the planted hash and email were never used
    assert "alice (owner)" in summary["note"]
    # The session alice supposedly logged is kept, with nobody's name on it.
    assert Session.objects.get(public_id="probe-session").keeper is None


def test_the_attackers_export_never_holds_the_victims_login(alice, mallory):
    import_backup(json.dumps(probe_backup(members={"alice": "owner", "mallory": "viewer"})), keeper=mallory, now=NOW)
    text = json.dumps(export_households([Household.objects.get(public_id="probe-home")], now=NOW))
    assert alice.password not in text and alice.email not in text and "alice" not in text


def test_the_restorer_is_reattached_to_their_own_account_only(alice, mallory):
    import_backup(json.dumps(probe_backup(members={"mallory": "viewer", "alice": "owner"})), keeper=mallory, now=NOW)
    restored = Household.objects.get(public_id="probe-home")
    me = restored.memberships.get()
    assert (me.keeper, me.role) == (mallory, "owner")
    assert me.joined_at.isoformat() == "2026-01-01T09:00:00+00:00"  # mallory's own entry in the backup
    assert Session.objects.get(public_id="probe-session").keeper == mallory


def test_no_account_is_made_for_a_keeper_the_backup_names(mallory):
    import_backup(json.dumps(probe_backup(members={"bob": "carer"}, version=1)), keeper=mallory, now=NOW)
    assert not User.objects.filter(username="bob").exists()


def test_a_household_cannot_be_pushed_into_anyone_elses_account(alice, mallory):
    import_backup(json.dumps(probe_backup(members={"alice": "owner"})), keeper=mallory, now=NOW)
    assert list(Household.objects.filter(memberships__keeper=alice).values_list("name", flat=True)) == ["Alice's rats"]


@pytest.mark.parametrize("keeper", [None, AnonymousUser()])
def test_nobody_restores_without_logging_in(db, keeper):
    before = db_state()
    with pytest.raises(NotAllowed, match="Log in"):
        read_backup(io.BytesIO(json.dumps(probe_backup(members={"x": "owner"})).encode()), keeper=keeper, now=NOW)
    assert db_state() == before


# --- ids and names in a backup ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where, bad",
    [
        ("household", "h/../x"),
        ("household", "h x"),
        ("household", "a" * 17),
        ("animal", "../../etc"),
        ("session", "s;drop"),
        ("sitting", "<script>"),
    ],
)
def test_an_id_that_is_not_a_gentling_id_is_refused_by_name(mallory, where, bad):
    backup = probe_backup(members={"mallory": "owner"})
    h = backup["households"][0]
    if where == "household":
        h["id"] = bad
    elif where == "animal":
        h["animals"][0]["id"] = h["sessions"][0]["animal"] = bad
    elif where == "session":
        h["sessions"][0]["id"] = bad
    else:
        h["sessions"][0]["sitting"] = bad
    before = db_state()
    with pytest.raises(InvalidInput) as exc:
        import_backup(json.dumps(backup), keeper=mallory, now=NOW)
    assert f"the id '{bad}' is not a Gentling id" in exc.value.message
    assert "Nothing was imported" in exc.value.message
    assert db_state() == before


def test_a_username_that_is_not_a_username_is_refused(mallory):
    backup = probe_backup(members={"../alice": "owner"})
    with pytest.raises(InvalidInput, match="is not a username"):
        import_backup(json.dumps(backup), keeper=mallory, now=NOW)


# --- restoring over a household ----------------------------------------------------------------------------


@pytest.fixture
def maple_backup(household, owner) -> str:
    make_animal(household, today=TODAY, name="Whiskers")
    return json.dumps(export_households([household], now=NOW))


@pytest.mark.parametrize(
    "who, says",
    [
        ("carer", "You are a carer of 'Maple Street': only an owner"),
        ("viewer", "You are a viewer of 'Maple Street': only an owner"),
        ("outsider", "is already in this database, and it is not yours"),
    ],
)
def test_only_an_owner_restores_over_a_household(keepers, maple_backup, who, says):
    before = db_state()
    with pytest.raises(NotAllowed, match=says):
        import_backup(maple_backup, keeper=keepers[who], now=NOW, replace=True)
    assert db_state() == before


def test_an_owner_restores_over_a_household_only_when_asked(owner, household, maple_backup):
    before = db_state()
    with pytest.raises(InvalidInput, match="already in this database. Restoring over it replaces"):
        import_backup(maple_backup, keeper=owner, now=NOW)
    assert db_state() == before


def test_restoring_over_a_household_brings_back_the_backup_and_keeps_its_members(owner, household, maple_backup):
    make_animal(household, today=TODAY, name="Added since the backup")
    summary = import_backup(maple_backup, keeper=owner, now=NOW, replace=True)
    assert "note" not in summary  # everyone the backup names is still a member
    household = Household.objects.get(public_id=household.public_id)
    assert [a.name for a in household.animals.all()] == ["Whiskers"]
    assert sorted((m.keeper.username, m.role) for m in household.memberships.all()) == [
        ("carl-carer", "carer"),
        ("olive-owner", "owner"),
        ("vera-viewer", "viewer"),
    ]


# --- deeply nested files ------------------------------------------------------------------------------------


class CountingStream(io.BytesIO):
    def __init__(self, raw: bytes):
        super().__init__(raw)
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_deep_nesting_is_refused_at_once(mallory):
    """Refused on meeting it, after a few KB of a 400 KB file: the parser never builds the deep prefixes."""
    stream = CountingStream(deeply_nested())
    before = db_state()
    with pytest.raises(InvalidInput, match="nests lists or objects more than 12 deep"):
        read_backup(stream, keeper=mallory, now=NOW)
    assert stream.bytes_read <= 8192
    assert db_state() == before


# --- the command line ---------------------------------------------------------------------------------------


def test_the_command_line_applies_the_same_rule(cli, alice, mallory, tmp_path):
    path = tmp_path / "probe.json"
    path.write_text(json.dumps(probe_backup(members={"alice": "owner"}, version=1)))
    result = cli("import", str(path))
    assert result.code == 0, result.err
    assert "Not restored as members: alice (owner)" in result.text
    restored = Household.objects.get(public_id="probe-home")
    assert [m.keeper.username for m in restored.memberships.all()] == ["mallory"]


def test_the_command_line_refuses_a_bad_id_by_name(cli, mallory, tmp_path):
    backup = probe_backup(members={"mallory": "owner"})
    backup["households"][0]["id"] = "h/../x"
    path = tmp_path / "probe.json"
    path.write_text(json.dumps(backup))
    before = db_state()
    result = cli("import", str(path), "--json")
    assert result.code == 1
    assert "the id 'h/../x' is not a Gentling id" in result.json["error"]
    assert db_state() == before


def test_the_command_line_refuses_deep_nesting(cli, mallory, tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(deeply_nested())
    result = cli("import", str(path))
    assert result.code == 1 and "nests lists or objects" in result.text


def test_the_command_line_restores_over_a_household_for_its_owner_only(
    cli, owner, carer, household, maple_backup, tmp_path
):
    path = tmp_path / "maple.json"
    path.write_text(maple_backup)
    refused = cli("import", str(path), "--replace", as_="carl-carer")
    assert refused.code == 1 and "only an owner can restore over it" in refused.text
    assert cli("import", str(path), as_="olive-owner").code == 1  # not without --replace
    replaced = cli("import", str(path), "--replace", as_="olive-owner")
    assert replaced.code == 0, replaced.err
