"""Backups (services/backup.py): a lossless round trip, and hostile files that
are refused with nothing changed. Driven through `gentling export|import` and
through the service functions directly."""

from __future__ import annotations

import copy
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from gentling.cli.main import main
from gentling.domain.errors import InvalidInput
from gentling.models import Animal, Cage, Household, Membership, ProgressSnapshot, Session
from gentling.services.animals import AnimalDetails, edit_animal
from gentling.services.backup import INSTANCE, MAX_BYTES, export_households
from gentling.services.households import add_member, local_keeper
from gentling.services.restore import import_backup, import_backup_file, import_instance_file
from tests.backups import households_of
from tests.factories import log, make_animal

from .conftest import NOW, TODAY

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def cli(monkeypatch, capsys):
    def run(*argv: str, as_: str = "olive-owner"):
        monkeypatch.setenv("GENTLING_KEEPER", as_)
        capsys.readouterr()
        buf = io.StringIO()
        code = main(list(argv), now=NOW, stdout=buf)
        captured = capsys.readouterr()
        return code, buf.getvalue() + captured.out, captured.err

    return run


def counts() -> dict[str, int]:
    return {
        "households": Household.objects.count(),
        "animals": Animal.objects.count(),
        "sessions": Session.objects.count(),
        "cages": Cage.objects.count(),
        "memberships": Membership.objects.count(),
        "keepers": User.objects.count(),
    }


def without_exported_at(data: dict) -> dict:
    data = dict(data)
    data.pop("exported_at")
    return data


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def wipe() -> None:
    Household.objects.all().delete()
    User.objects.all().delete()
    assert not (
        Animal.objects.exists()
        or Session.objects.exists()
        or Cage.objects.exists()
        or ProgressSnapshot.objects.exists()
        or Membership.objects.exists()
    )


@pytest.fixture
def rich_data(settings, household, owner, carer, other_household):
    """Maple Street with varied animals and sessions: cages, an adopted animal, an
    estimated birth date, unicode notes, alerts, two animals in one sitting, a
    session by a carer and one whose keeper has since been deleted."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; the hash is data here
    day = lambda n, h=18: NOW.replace(hour=h) - timedelta(days=n)  # noqa: E731
    whiskers = make_animal(
        household,
        today=TODAY,
        name="Whiskers",
        source="rescue",
        days_ago=12,
        cage="Tall cage",
        sex="male",
        notes="Loves peas — and 🍌.",
    )
    nibbles = make_animal(
        household,
        today=TODAY,
        name="Nibbles",
        species="mouse",
        source="pet_store",
        days_ago=9,
        cage="Mouse house",
        birth_date=TODAY - timedelta(weeks=14),
        birth_date_estimated=True,
    )
    biscuit = make_animal(
        household,
        today=TODAY,
        name="Biscuit",
        source="breeder",
        days_ago=20,
        birth_date=TODAY - timedelta(weeks=28),
        extended_hold_opt_in=True,
    )
    log(
        owner,
        household,
        [whiskers, nibbles],
        now=NOW,
        ago=NOW - day(9, 9),
        activities=["talked"],
        notes="First evening.",
    )
    log(
        owner,
        household,
        [whiskers],
        now=NOW,
        ago=NOW - day(11),
        activities=["talked", "treat_in_cage"],
        observations=["froze"],
    )
    for n in range(8, 0, -1):
        log(
            carer,
            household,
            [whiskers],
            now=NOW,
            ago=NOW - day(n),
            activities=["talked", "treat_in_cage"],
            observations=["took_treat", "approached"],
        )
        log(
            owner,
            household,
            [biscuit],
            now=NOW,
            ago=NOW - day(n, 8),
            activities=["talked", "treat_from_fingers", "picked_up", "rewarded"],
            holds=[2, 3],
            observations=["ate_from_fingers"],
        )
    log(
        owner,
        household,
        [nibbles],
        now=NOW,
        ago=NOW - day(2),
        activities=["talked", "picked_up"],
        holds=[5],
        observations=["squeaked"],
    )
    temp = local_keeper("tess-temporary")
    add_member(by=owner, household=household, keeper=temp, role="carer")
    log(temp, household, [nibbles], now=NOW, ago=NOW - day(1), activities=["talked"], observations=["relaxed"])
    temp.delete()  # the session stays, with no keeper
    edit_animal(animal=biscuit, details=AnimalDetails(status="adopted"), today=TODAY)
    owner.set_password("correct horse battery staple")
    owner.save()
    # Someone else's household: never part of the owner's export.
    make_animal(other_household, today=TODAY, name="Shadow")
    assert Session.objects.filter(keeper__isnull=True).count() == 1
    return household


def test_an_instance_round_trip_through_the_cli_is_lossless(cli, rich_data, tmp_path):
    """The server's disaster recovery: export --full (demo data, Maple Street and every
    account), wipe the database, import --full, export --full again: the two files
    differ only in exported_at, and the owner logs in with the same password."""
    code, out, err = cli("demo")
    assert code == 0, err
    first = tmp_path / "first.json"
    code, out, err = cli("export", "--full", str(first))
    assert code == 0, err
    assert "keep it secret" in " ".join(out.split())
    assert first.stat().st_mode & 0o777 == 0o600
    data = read(first)
    assert data["format"] == "gentling-backup" and data["version"] == 2 and data["scope"] == "instance"
    assert sorted(h["name"] for h in data["households"]) == ["Demo", "Elsewhere", "Maple Street"]
    exported_sessions = sum(len(h["sessions"]) for h in data["households"])
    assert exported_sessions > 200

    wipe()
    code, out, err = cli("import", "--full", str(first), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["households"] == 3
    assert summary["sessions"] == exported_sessions
    assert summary["animals"] == 9

    second = tmp_path / "second.json"
    code, out, err = cli("export", "--full", str(second))
    assert code == 0, err
    assert without_exported_at(read(second)) == without_exported_at(data)

    code, out, err = cli("verify", "--json")
    assert code == 0
    assert json.loads(out)["mismatches"] == []
    assert User.objects.get(username="olive-owner").check_password("correct horse battery staple")


def test_an_instance_export_needs_a_file(cli, rich_data):
    code, out, err = cli("export", "--full")
    assert code == 1 and "give a FILE" in " ".join(err.split())


def test_an_instance_restore_never_touches_an_account_that_exists(cli, rich_data, tmp_path):
    first = tmp_path / "first.json"
    assert cli("export", "--full", str(first))[0] == 0
    Household.objects.all().delete()
    before = counts()
    code, out, err = cli("import", "--full", str(first), "--json")
    assert code == 1
    assert "already exists" in json.loads(out)["error"]
    assert counts() == before


def test_a_households_backup_is_not_an_instance_backup(cli, rich_data, tmp_path):
    first = tmp_path / "first.json"
    assert cli("export", str(first))[0] == 0
    wipe()
    code, out, err = cli("import", "--full", str(first))
    assert code == 1 and "without --full" in " ".join(err.split())


def test_restoring_your_own_backup_on_a_fresh_install_gives_back_every_record(cli, rich_data, tmp_path):
    """The everyday case: the owner backs up, the database is lost, and the owner (the
    same GENTLING_KEEPER) restores on an empty install. Every animal and session comes
    back, the owner owns it, and the others are named so that the owner can invite them."""
    first = tmp_path / "first.json"
    assert cli("export", str(first))[0] == 0
    wipe()
    code, out, err = cli("import", str(first))
    assert code == 0, err
    said = " ".join(out.split())
    assert "Imported 1 household(s), 3 animal(s)" in said
    assert "Not restored as members: carl-carer (carer), vera-viewer (viewer)" in said
    second = tmp_path / "second.json"
    assert cli("export", str(second))[0] == 0
    before, after = read(first), read(second)
    assert households_of(after) == households_of(before)
    assert after["households"][0]["members"] == [
        {**m, "keeper": "olive-owner"} for m in before["households"][0]["members"] if m["keeper"] == "olive-owner"
    ]
    assert User.objects.filter(username__in=["carl-carer", "vera-viewer"]).count() == 0  # no account was made
    # Sessions by the others are kept, with no keeper named; the owner's are the owner's.
    owner = User.objects.get(username="olive-owner")
    assert Session.objects.filter(keeper=owner).count() == sum(
        1 for s in before["households"][0]["sessions"] if s["keeper"] == "olive-owner"
    )


def test_round_trip_through_the_services_into_an_empty_database(rich_data, owner, tmp_path):
    data = export_households([rich_data], now=NOW, scope=INSTANCE)
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    wipe()
    summary = import_instance_file(path, keeper=None, now=NOW)
    assert summary["households"] == 1 and summary["animals"] == 3
    assert summary["sessions"] == len(data["households"][0]["sessions"])
    again = export_households(list(Household.objects.all()), now=NOW + timedelta(days=1), scope=INSTANCE)
    assert again["exported_at"] != data["exported_at"]
    assert without_exported_at(again) == without_exported_at(data)

    # Details that are easy to lose survive.
    whiskers = Animal.objects.get(name="Whiskers")
    assert whiskers.notes == "Loves peas — and 🍌."
    assert whiskers.cage.name == "Tall cage"
    assert Animal.objects.get(name="Biscuit").status == "adopted"
    assert Animal.objects.get(name="Nibbles").birth_date_estimated is True
    assert Session.objects.filter(keeper__isnull=True).count() == 1
    assert Session.objects.exclude(alerts=[]).exists()
    pair = Session.objects.filter(notes="First evening.")
    assert pair.count() == 2 and len({s.sitting for s in pair}) == 1
    assert {m.keeper.username: m.role for m in Membership.objects.select_related("keeper")} == {
        "olive-owner": "owner",
        "carl-carer": "carer",
        "vera-viewer": "viewer",
    }


def test_export_to_stdout_is_the_same_backup(cli, rich_data, tmp_path):
    code, out, err = cli("export")
    assert code == 0, err
    printed = json.loads(out)
    file = tmp_path / "b.json"
    cli("export", str(file))
    assert without_exported_at(printed) == without_exported_at(read(file))


def test_export_only_holds_the_keepers_own_households(cli, rich_data):
    code, out, _ = cli("export", as_="otto-outsider")
    assert code == 0
    data = json.loads(out)
    assert [h["name"] for h in data["households"]] == ["Elsewhere"]
    assert [k["username"] for k in data["keepers"]] == ["otto-outsider"]


# --- hostile imports ------------------------------------------------------------


@pytest.fixture
def backup(rich_data) -> dict:
    """A valid backup of Maple Street (which is still in the database)."""
    return export_households([rich_data], now=NOW)


def fresh_ids(data: dict) -> dict:
    """The same backup with new ids, so that it does not clash with the database."""
    text = json.dumps(data)
    for h in data["households"]:
        for thing in [h, *h["cages"], *h["animals"], *h["sessions"]]:
            text = text.replace(f'"{thing["id"]}"', f'"X{thing["id"]}"')
    return json.loads(text)


def refused(cli, tmp_path: Path, content: str | bytes, says: str, field: str | None = "file") -> str:
    """Import `content` through the CLI (plain and --json) and through the service:
    exit 1 / InvalidInput, a message containing `says`, nothing changed."""
    path = tmp_path / "hostile.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    local_keeper("olive-owner")  # the CLI creates the keeper it acts as: not part of the import
    before = counts()

    try:
        code, out, err = cli("import", str(path), "--json")
    except Exception as exc:  # a crash is a bug: say so plainly, and whether anything was written
        pytest.fail(
            f"`gentling import` crashed with {type(exc).__name__}: {exc} instead of exiting 1 "
            f"with a message; database {'unchanged' if counts() == before else 'CHANGED'}"
        )
    assert code == 1, out
    error = json.loads(out)
    assert error["field"] == field if field else error["field"]
    assert says.lower() in error["error"].lower(), error["error"]
    assert counts() == before

    code, out, err = cli("import", str(path))
    assert code == 1
    assert "Error:" in err and out == ""
    assert counts() == before

    with pytest.raises(InvalidInput) as exc:
        import_backup_file(path, keeper=local_keeper("olive-owner"), now=NOW)
    assert says.lower() in exc.value.message.lower()
    assert counts() == before
    return error["error"]


def test_hostile_wrong_format(cli, tmp_path, backup):
    data = fresh_ids(backup)
    data["format"] = "some-other-backup"
    refused(cli, tmp_path, json.dumps(data), "not a Gentling backup")


def test_hostile_wrong_version(cli, tmp_path, backup):
    data = fresh_ids(backup)
    data["version"] = 3
    refused(cli, tmp_path, json.dumps(data), "version 3 is not supported")


def test_hostile_version_missing(cli, tmp_path, backup):
    data = fresh_ids(backup)
    del data["version"]
    refused(cli, tmp_path, json.dumps(data), "not a Gentling backup")


@pytest.mark.parametrize(
    "remove",
    [
        ("keepers",),
        ("households", 0, "animals"),
        ("households", 0, "sessions", 0, "started_at"),
        ("households", 0, "animals", 0, "arrival_date"),
        ("keepers", 0, "username"),
    ],
    ids=lambda r: ".".join(map(str, r)),
)
def test_hostile_missing_field(cli, tmp_path, backup, remove):
    data = fresh_ids(backup)
    node = data
    for key in remove[:-1]:
        node = node[key]
    del node[remove[-1]]
    message = refused(cli, tmp_path, json.dumps(data), "not valid at")
    assert str(remove[-1]) in message


def test_hostile_unknown_extra_field(cli, tmp_path, backup):
    data = fresh_ids(backup)
    data["households"][0]["animals"][0]["is_admin"] = True
    refused(cli, tmp_path, json.dumps(data), "not valid at")


@pytest.mark.parametrize(
    "text",
    [
        "{",
        "",
        "not json at all",
        "[]",
        "null",
        '{"format": "gentling-backup", "version": 1,',
    ],
    ids=["open-brace", "empty", "words", "list", "null", "truncated"],
)
def test_hostile_malformed_json(cli, tmp_path, text):
    refused(cli, tmp_path, text, "")


def test_hostile_malformed_json_truncated_real_backup(cli, tmp_path, backup):
    text = json.dumps(fresh_ids(backup))
    refused(cli, tmp_path, text[: len(text) // 2], "not valid")


def test_hostile_binary_garbage(cli, tmp_path):
    refused(cli, tmp_path, b"\xff\xfe\x00\x81garbage", "")


def test_hostile_duplicate_session_id_in_the_file(cli, tmp_path, backup):
    data = fresh_ids(backup)
    sessions = data["households"][0]["sessions"]
    sessions[1]["id"] = sessions[0]["id"]
    refused(cli, tmp_path, json.dumps(data), f"Duplicate session id '{sessions[0]['id']}'")


def test_hostile_duplicate_animal_id_across_households(cli, tmp_path, backup):
    data = fresh_ids(backup)
    twin = copy.deepcopy(data["households"][0])
    twin["id"] = "Y" + twin["id"][1:]
    for c in twin["cages"]:
        c["id"] = "Y" + c["id"][1:]
    for a in twin["animals"]:
        if a["cage"]:
            a["cage"] = "Y" + a["cage"][1:]
    for s in twin["sessions"]:
        s["id"] = "Y" + s["id"][1:]
    data["households"].append(twin)
    refused(cli, tmp_path, json.dumps(data), "Duplicate animal id")


def test_hostile_importing_the_same_backup_twice(cli, tmp_path, backup):
    # The data is still in the database: the file is the same backup again.
    refused(cli, tmp_path, json.dumps(backup), "already in this database")


def test_hostile_importing_the_same_backup_twice_after_a_real_import(cli, tmp_path, backup):
    path = tmp_path / "again.json"
    data = fresh_ids(backup)
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = cli("import", str(path))
    assert code == 0, err
    refused(cli, tmp_path, json.dumps(data), "already in this database")


def test_a_file_over_50_mb_is_read_on_the_command_line_and_refused_for_what_it_holds(cli, tmp_path):
    """The 50 MB limit is for uploads. The command line streams a file of any size
    (a rescue's backup runs to hundreds of MB), so a huge file of zeros is read and
    refused as not JSON, not for its size, and nothing changes."""
    path = tmp_path / "huge.json"
    with path.open("wb") as f:  # sparse: instant, and no disk used
        f.truncate(MAX_BYTES + 1)
    local_keeper("olive-owner")
    before = counts()
    code, out, _ = cli("import", str(path), "--json")
    assert code == 1
    error = json.loads(out)
    assert error["field"] == "file" and "Invalid JSON" in error["error"] and "50 MB" not in error["error"]
    assert counts() == before
    with pytest.raises(InvalidInput, match="Invalid JSON"):
        import_backup_file(path, keeper=local_keeper("olive-owner"), now=NOW)
    assert counts() == before


def test_hostile_payload_over_50_mb_given_directly(owner):
    before = counts()
    with pytest.raises(InvalidInput, match="50 MB"):
        import_backup(b" " * (MAX_BYTES + 1), keeper=owner, now=NOW)
    assert counts() == before


def test_hostile_missing_file(cli, tmp_path):
    code, out, _ = cli("import", str(tmp_path / "nope.json"), "--json")
    assert code == 1
    assert json.loads(out)["field"] == "file"


def test_hostile_session_for_an_animal_not_in_its_household(cli, tmp_path, backup):
    data = fresh_ids(backup)
    data["households"][0]["sessions"][0]["animal"] = "NotAnAnimal1"
    refused(cli, tmp_path, json.dumps(data), "not in its household")


def test_hostile_session_for_an_animal_of_another_household_in_the_file(cli, tmp_path, backup, other_household):
    data = fresh_ids(backup)
    elsewhere = fresh_ids(export_households([other_household], now=NOW))["households"][0]
    for thing in [elsewhere, *elsewhere["cages"], *elsewhere["animals"], *elsewhere["sessions"]]:
        thing["id"] = "Z" + thing["id"][1:]
    elsewhere["animals"][0]["cage"] = None
    data["households"].append(elsewhere)
    data["keepers"] += [{"username": "otto-outsider", "date_joined": NOW.isoformat()}]
    data["households"][0]["sessions"][0]["animal"] = elsewhere["animals"][0]["id"]
    refused(cli, tmp_path, json.dumps(data), "not in its household")


def test_hostile_session_for_an_animal_of_another_household_in_the_database(cli, tmp_path, backup, other_household):
    shadow = Animal.objects.get(household=other_household)
    data = fresh_ids(backup)
    data["households"][0]["sessions"][0]["animal"] = shadow.public_id
    refused(cli, tmp_path, json.dumps(data), "not in its household")
    assert not Session.objects.filter(animal=shadow).exists()


def test_hostile_session_by_an_unknown_keeper(cli, tmp_path, backup):
    data = fresh_ids(backup)
    data["households"][0]["sessions"][0]["keeper"] = "mallory"
    refused(cli, tmp_path, json.dumps(data), "not among the keepers")


def test_hostile_member_not_among_keepers(cli, tmp_path, backup):
    data = fresh_ids(backup)
    data["households"][0]["members"].append({"keeper": "mallory", "role": "owner", "joined_at": NOW.isoformat()})
    refused(cli, tmp_path, json.dumps(data), "not among the backup's keepers")


def test_hostile_unknown_activity_and_species(cli, tmp_path, backup):
    data = fresh_ids(backup)
    data["households"][0]["sessions"][0]["activities"] = ["juggling"]
    refused(cli, tmp_path, json.dumps(data), "juggling", field=None)
    data = fresh_ids(backup)
    data["households"][0]["animals"][0]["species"] = "hamster"
    refused(cli, tmp_path, json.dumps(data), "unknown species")


def test_hostile_session_that_ends_before_it_starts(cli, tmp_path, backup):
    data = fresh_ids(backup)
    s = data["households"][0]["sessions"][0]
    s["ended_at"] = s["started_at"]
    refused(cli, tmp_path, json.dumps(data), "ends before it starts")


def test_hostile_name_over_100_characters(cli, tmp_path, backup):
    data = fresh_ids(backup)
    data["households"][0]["animals"][0]["name"] = "W" * 101
    refused(cli, tmp_path, json.dumps(data), "limit is 100", field=None)


def test_hostile_two_cages_with_the_same_name(cli, tmp_path, backup):
    """The database allows one cage of a name per household; the import must
    refuse such a file with a message, not crash on the constraint."""
    data = fresh_ids(backup)
    cages = data["households"][0]["cages"]
    cages[1]["name"] = cages[0]["name"]
    refused(cli, tmp_path, json.dumps(data), "")


def test_hostile_the_same_keeper_twice_in_a_household(cli, tmp_path, backup):
    """One membership per keeper and household: a file listing a keeper twice is
    refused with a message, not a crash on the constraint."""
    data = fresh_ids(backup)
    members = data["households"][0]["members"]
    members.append({**members[0], "role": "viewer"})
    refused(cli, tmp_path, json.dumps(data), "")


def test_hostile_unknown_time_zone(cli, tmp_path, backup):
    """A household's time zone is used on import (to recompute progress) and on every
    plan afterwards: a file with a made-up zone is refused, not imported or crashed on."""
    data = fresh_ids(backup)
    data["households"][0]["time_zone"] = "Mars/Olympus_Mons"
    refused(cli, tmp_path, json.dumps(data), "time zone")


def test_an_import_never_takes_over_someone_elses_empty_account(owner, household, rat, tmp_path):
    """An account the command line made (no password, no household) is restored from a
    backup only for the keeper who imports it."""
    from django.contrib.auth import get_user_model

    from gentling.services.households import local_keeper

    backup = export_households([household], now=NOW)
    backup["keepers"] = [{**k, "password": "pbkdf2_sha256$1$salt$hash"} for k in backup["keepers"]]
    Household.objects.all().delete()
    bystander = local_keeper("carl-carer")  # still has no password and no household
    stranger = local_keeper("someone-else")
    import_backup(json.dumps(backup), keeper=stranger, now=NOW)
    assert not get_user_model().objects.get(pk=bystander.pk).has_usable_password()
