"""Quarantines, health checks, cage history, introductions and litters travel with a backup."""

import json
from datetime import timedelta

from gentling.models import CageStay, HealthCheck, Household, Introduction, IntroductionMeeting, Litter, Quarantine
from gentling.services.arrivals import log_meeting, move_animal, record_health_check, start_introduction
from gentling.services.backup import export_households
from gentling.services.litters import add_litter
from gentling.services.restore import import_backup
from tests.factories import make_animal
from tests.moments import at

from .conftest import NOW, TODAY


def test_arrivals_round_trip_losslessly(owner, household):
    resident = make_animal(household, today=TODAY, name="Rosa", sex="female", days_ago=90, cage="Big cage")
    newcomer = make_animal(household, today=TODAY, name="Nova", sex="female", neutered_on=None, days_ago=30)
    record_health_check(
        keeper=owner, animal=newcomer, day=TODAY - timedelta(days=29), signs=["sneezing"], now=at(TODAY)
    )
    move_animal(keeper=owner, animal=newcomer, cage_name="Q cage", day=TODAY - timedelta(days=29))
    intro = start_introduction(
        keeper=owner,
        household=household,
        newcomers=[newcomer],
        residents=[resident],
        cage_name="Big cage",
        day=TODAY - timedelta(days=10),
    )
    log_meeting(
        keeper=owner,
        intro=intro,
        started_at=NOW - timedelta(hours=3),
        duration_seconds=1800,
        behaviours=["sniffing", "pinning"],
        notes="fine",
        now=NOW,
    )
    add_litter(
        keeper=owner,
        household=household,
        name="Spring",
        species="rat",
        birth_date=TODAY - timedelta(days=20),
        today=TODAY,
        mother=resident,
    )
    first = export_households([household], now=NOW)
    for model in (Quarantine, HealthCheck, CageStay, Introduction, IntroductionMeeting, Litter):
        model.objects.all().delete()
    import_backup(json.dumps(first), keeper=owner, now=NOW, replace=True)  # the owner restores over it
    assert export_households(list(Household.objects.all()), now=NOW) == first
    assert Quarantine.objects.count() == 1 and IntroductionMeeting.objects.count() == 1
    assert Litter.objects.get().mother.name == "Rosa"


def test_cohorts_travel_with_a_backup(owner, household):
    from gentling.models import Cohort
    from gentling.services.cohorts import create_cohort

    luna = make_animal(household, today=TODAY, name="Luna", sex="female", days_ago=30, cage="Duo")
    nova = make_animal(household, today=TODAY, name="Nova", sex="female", days_ago=30, cage="Duo")
    create_cohort(keeper=owner, household=household, name="Spring intake", animals=[luna.public_id, nova.public_id])
    create_cohort(keeper=owner, household=household, name="Tickled", animals=[luna.public_id])
    first = export_households([household], now=NOW)
    assert [c["name"] for c in first["households"][0]["cohorts"]] in (
        ["Spring intake", "Tickled"],
        ["Tickled", "Spring intake"],
    )

    import_backup(json.dumps(first), keeper=owner, now=NOW, replace=True)

    assert export_households(list(Household.objects.all()), now=NOW) == first
    assert sorted(a.name for a in Cohort.objects.get(name="Spring intake").animals.all()) == ["Luna", "Nova"]


def test_a_cohort_naming_an_animal_not_in_the_backup_is_refused_and_nothing_is_imported(owner, household, outsider):
    import pytest

    from gentling.domain.errors import InvalidInput
    from gentling.services.cohorts import create_cohort
    from gentling.services.households import create_household

    luna = make_animal(household, today=TODAY, name="Luna", sex="female", days_ago=30)
    create_cohort(keeper=owner, household=household, name="Spring intake", animals=[luna.public_id])
    data = export_households([household], now=NOW)
    data["households"][0]["cohorts"][0]["animals"] = ["not-an-animal"]
    theirs = create_household(keeper=outsider, name="Theirs", time_zone="UTC")
    before = Household.objects.count()

    with pytest.raises(InvalidInput, match="Cohort 'Spring intake' names animals that are not in the backup"):
        import_backup(json.dumps(data), keeper=outsider, now=NOW)

    assert Household.objects.count() == before and theirs.cohorts.count() == 0
