"""The access helpers: an outsider never sees another household's data; a viewer cannot write."""

import pytest

from gentling.domain.errors import InvalidInput, NotAllowed, NotFound
from gentling.services.households import add_member, animal_for, create_household, household_for


def test_members_find_their_household_by_name(owner, carer, viewer, household):
    for keeper in (owner, carer, viewer):
        assert household_for(keeper, "maple street") == household


def test_an_outsider_gets_not_found_never_the_household(outsider, household, other_household):
    with pytest.raises(NotFound):
        household_for(outsider, "Maple Street")
    with pytest.raises(NotFound):
        household_for(outsider, household.public_id)


def test_an_outsider_cannot_fetch_an_animal_of_another_household(outsider, household, rat):
    with pytest.raises(NotFound):
        animal_for(outsider, household, rat.public_id)


@pytest.mark.parametrize("who, can_write", [("owner", True), ("carer", True), ("viewer", False)])
def test_write_access_follows_the_role(request, household, rat, who, can_write):
    keeper = request.getfixturevalue(who)
    assert animal_for(keeper, household, "whiskers") == rat
    if can_write:
        assert animal_for(keeper, household, rat.public_id, write=True) == rat
    else:
        with pytest.raises(NotAllowed):
            animal_for(keeper, household, rat.public_id, write=True)


def test_only_an_owner_adds_members(carer, outsider, household):
    with pytest.raises(NotAllowed):
        add_member(by=carer, household=household, keeper=outsider, role="viewer")


def test_several_households_need_a_name(owner, household):
    create_household(keeper=owner, name="Lab B")
    with pytest.raises(NotFound, match="several households"):
        household_for(owner)


def test_household_names_and_time_zones_are_checked(owner):
    with pytest.raises(InvalidInput):
        create_household(keeper=owner, name="x" * 101)
    with pytest.raises(InvalidInput, match="time zone"):
        create_household(keeper=owner, name="Home", time_zone="Mars/Olympus")


def test_a_household_read_by_id_carries_its_readers_role_and_no_one_elses(owner, viewer, outsider, household):
    """A request reads its household with `household_by_id`, then calls a service, which checks the
    role again: from the same object and for the same keeper, without a second query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gentling.services.households import check_member, household_by_id

    read = household_by_id(viewer, household.public_id)
    with CaptureQueriesContext(connection) as queries:
        check_member(viewer, read)
        with pytest.raises(NotAllowed):
            check_member(viewer, read, write=True)
    assert len(queries.captured_queries) == 0
    # Another keeper holding the same object is checked afresh.
    check_member(owner, read, write=True)
    with pytest.raises(NotFound):
        check_member(outsider, read)
