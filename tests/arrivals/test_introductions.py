"""Staged introductions (domain.md section 2; protocols/quarantine.toml [introduction]).

Pure replay first (introduction_progress), then the services: starting one,
logging meetings (danger means "separate now" and a step back), cleaning the cage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gentling.domain.arrivals import (
    MEETING_MAX_SECONDS,
    Meeting,
    arrivals_protocol,
    danger_signs,
    introduction_progress,
)
from gentling.domain.errors import InvalidInput, NotAllowed, NotFound
from gentling.models import Introduction, IntroductionMeeting
from gentling.services.arrivals import (
    introduction_of,
    log_meeting,
    mark_cage_cleaned,
    quarantine_of,
    record_health_check,
    start_introduction,
)
from tests.factories import make_animal

from .conftest import TODAY, at, d

P = arrivals_protocol()
STAGES = ["scent-swap", "side-by-side", "neutral-meetings", "clean-cage", "move-in"]
DANGER = ["puffed_sideways", "lunging", "bites_flank_belly", "blood", "nonstop_fight", "terrified"]
NORMAL = ["sniffing", "pinning", "rough_grooming", "chasing", "boxing", "squeaking", "ignoring", "sleeping_together"]

_ids = iter(range(10**6))


def meet(day, minutes=30, *behaviours, hour=9):
    return Meeting(f"m{next(_ids)}", at(day, hour), day, minutes * 60, frozenset(behaviours))


def progress(meetings=(), day=TODAY, *, quarantine_done_on=TODAY, cleaned=None, started_on=TODAY):
    return introduction_progress(
        P,
        started_on=started_on,
        quarantine_done_on=quarantine_done_on,
        cage_cleaned_on=cleaned,
        meetings=list(meetings),
        day=day,
    )


# Day 0 scent swap (3 days), day 3 side by side (2 days), day 5 meetings.
GOOD_MEETINGS = [meet(d(5), 30), meet(d(6), 45), meet(d(7), 60)]


# --- pure: stages -----------------------------------------------------------------


def test_protocol_stages_in_order():
    assert [s.id for s in P.introduction.stages] == STAGES
    assert [s.min_days for s in P.introduction.stages][:3] == [3, 2, 2]
    assert P.introduction.stages[2].meetings == 3
    assert P.introduction.good_meeting_seconds == 30 * 60
    assert P.introduction.first_meeting_seconds == 15 * 60


def test_waits_until_quarantine_is_over():
    p = progress(day=d(5), quarantine_done_on=d(10))
    assert p.waiting_for_quarantine_until == d(10)
    assert p.entered_on is None and p.history == ()
    assert p.stage_id == "scent-swap" and not p.at_move_in
    started = progress(day=d(10), quarantine_done_on=d(10))
    assert started.waiting_for_quarantine_until is None
    assert started.entered_on == d(10)
    assert [(h.stage_id, h.direction) for h in started.history] == [("scent-swap", "start")]


def test_meetings_during_quarantine_are_ignored_by_the_replay():
    early = [meet(d(1), 60), meet(d(2), 60), meet(d(3), 60)]
    p = progress(early, day=d(15), quarantine_done_on=d(10))
    assert p.stage_id == "neutral-meetings"  # d(10) + 3 + 2
    assert p.good_meetings == 0


def test_scent_swap_lasts_three_days_then_side_by_side_two():
    assert [progress(day=d(n)).stage_id for n in range(0, 7)] == [
        "scent-swap",
        "scent-swap",
        "scent-swap",
        "side-by-side",
        "side-by-side",
        "neutral-meetings",
        "neutral-meetings",
    ]


def test_neutral_meetings_need_three_good_meetings():
    assert progress(GOOD_MEETINGS[:2], day=d(30)).stage_id == "neutral-meetings"
    p = progress(GOOD_MEETINGS[:2], day=d(30))
    assert (p.good_meetings, p.meetings_needed) == (2, 3)
    assert progress(GOOD_MEETINGS, day=d(7)).stage_id == "clean-cage"


def test_meetings_shorter_than_30_minutes_do_not_count():
    short = [meet(d(5), 29), meet(d(6), 20), meet(d(7), 15), meet(d(8), 29)]
    p = progress(short, day=d(20))
    assert p.stage_id == "neutral-meetings"
    assert p.good_meetings == 0


def test_exactly_30_minutes_counts():
    p = progress([meet(d(5), 30), meet(d(6), 30), meet(d(7), 30)], day=d(7))
    assert p.stage_id == "clean-cage"


def test_meetings_stage_also_needs_its_days():
    same_day = [meet(d(5), 30, hour=8), meet(d(5), 40, hour=10), meet(d(5), 50, hour=12)]
    assert progress(same_day, day=d(5)).stage_id == "neutral-meetings"
    assert progress(same_day, day=d(6)).stage_id == "neutral-meetings"
    assert progress(same_day, day=d(7)).stage_id == "clean-cage"


def test_meetings_before_the_meetings_stage_do_not_count_towards_it():
    during_side_by_side = [meet(d(3), 60), meet(d(4), 60), meet(d(4), 90, hour=12)]
    p = progress(during_side_by_side, day=d(10))
    assert p.stage_id == "neutral-meetings" and p.good_meetings == 0


def test_clean_cage_needs_the_cage_cleaned():
    assert progress(GOOD_MEETINGS, day=d(60)).stage_id == "clean-cage"
    assert progress(GOOD_MEETINGS, day=d(60), cleaned=d(1)).stage_id == "clean-cage"  # before the stage began
    assert progress(GOOD_MEETINGS, day=d(8), cleaned=d(9)).stage_id == "clean-cage"  # not yet
    done = progress(GOOD_MEETINGS, day=d(8), cleaned=d(8))
    assert done.stage_id == "move-in" and done.at_move_in


def test_full_run_history():
    p = progress(GOOD_MEETINGS, day=d(8), cleaned=d(8))
    assert p.at_move_in
    assert [(h.day, h.stage_id, h.direction) for h in p.history] == [
        (d(0), "scent-swap", "start"),
        (d(3), "side-by-side", "up"),
        (d(5), "neutral-meetings", "up"),
        (d(7), "clean-cage", "up"),
        (d(8), "move-in", "up"),
    ]


def test_cleaning_the_cage_the_day_the_meetings_finish_allows_move_in_that_day():
    """'Clean the shared cage' has min_days = 0: once the cage is cleaned, move-in is
    due at once. The replay tries one stage change per day, so a cage cleaned on the
    day of the third good meeting only counts the next day."""
    p = progress(GOOD_MEETINGS, day=d(7), cleaned=d(7))
    assert p.stage_id == "move-in", f"still at {p.stage_id} on the day the cage was cleaned"


@pytest.mark.parametrize("behaviour", DANGER)
def test_every_danger_behaviour_is_danger(behaviour):
    assert danger_signs(P, [behaviour]) == [behaviour]


@pytest.mark.parametrize("behaviour", NORMAL)
def test_normal_dominance_is_not_danger(behaviour):
    assert danger_signs(P, [behaviour]) == []


def test_pinning_rough_grooming_squeaking_meetings_still_count_as_good():
    rough = [
        meet(d(5), 30, "pinning"),
        meet(d(6), 30, "rough_grooming", "squeaking"),
        meet(d(7), 30, "chasing", "boxing", "pinning"),
    ]
    p = progress(rough, day=d(7))
    assert p.stage_id == "clean-cage" and p.last_danger is None


@pytest.mark.parametrize("behaviour", DANGER)
def test_danger_during_meetings_steps_back_to_side_by_side(behaviour):
    bad = meet(d(6), 45, behaviour)
    p = progress([meet(d(5), 30), bad], day=d(6))
    assert p.stage_id == "side-by-side"
    assert p.last_danger == bad
    assert p.good_meetings == 0
    assert p.history[-1].direction == "back" and p.history[-1].stage_id == "side-by-side"
    assert P.behaviours.danger[behaviour].lower() in p.history[-1].reason


def test_danger_after_the_meetings_steps_back_to_the_meetings():
    # clean-cage reached on d(7); a fight on d(8) sends them back to neutral meetings, not to side by side.
    p = progress([*GOOD_MEETINGS, meet(d(8), 30, "blood")], day=d(8))
    assert p.stage_id == "neutral-meetings"
    assert p.good_meetings == 0


def test_danger_at_move_in_steps_back_to_the_meetings():
    p = progress([*GOOD_MEETINGS, meet(d(9), 60, "nonstop_fight")], day=d(9), cleaned=d(7))
    assert p.stage_id == "neutral-meetings"
    assert not p.at_move_in


def test_danger_at_side_by_side_steps_back_to_scent_swap():
    p = progress([meet(d(4), 10, "lunging")], day=d(4))
    assert p.stage_id == "scent-swap"


def test_after_a_step_back_the_meetings_start_over():
    meetings = [*GOOD_MEETINGS, meet(d(8), 30, "blood")]
    p = progress(meetings, day=d(9))
    assert p.stage_id == "neutral-meetings" and p.good_meetings == 0
    again = [*meetings, meet(d(9), 30), meet(d(10), 30), meet(d(10), 30, hour=14)]
    assert progress(again, day=d(10)).stage_id == "clean-cage"
    # The cage was cleaned before the fight: it must be cleaned again.
    assert progress(again, day=d(11), cleaned=d(7)).stage_id == "clean-cage"
    assert progress(again, day=d(11), cleaned=d(11)).at_move_in


def test_next_meeting_starts_at_15_minutes_and_grows_by_15_up_to_3_hours():
    assert progress(day=d(5)).next_meeting_seconds == 15 * 60
    meetings = []
    suggested = 15 * 60
    seen = [suggested]
    for i in range(14):
        # All on the day the meetings stage began, so the stage does not move on.
        meetings.append(meet(d(5), suggested // 60, hour=1 + i))
        suggested = progress(meetings, day=d(5)).next_meeting_seconds
        seen.append(suggested)
    assert seen == [m * 60 for m in range(15, 181, 15)] + [3 * 3600] * 3  # 15, 30, ... 180 min, then capped
    assert MEETING_MAX_SECONDS == 3 * 3600


def test_next_meeting_length_restarts_after_danger():
    p = progress([meet(d(5), 60), meet(d(6), 90, "blood")], day=d(6))
    assert p.next_meeting_seconds == 15 * 60


# --- services ---------------------------------------------------------------------------------


@pytest.fixture
def newcomer(household, residents):
    return make_animal(household, today=TODAY, name="Nova", sex="female", birth_date=d(-120))


@pytest.fixture
def intro(owner, household, residents, newcomer):
    return start_introduction(
        keeper=owner,
        household=household,
        newcomers=[newcomer],
        residents=list(residents),
        cage_name="Big cage",
        day=TODAY,
    )


def log_a_meeting(keeper, intro, day, minutes=30, behaviours=(), hour=9):
    """A meeting on `day` at `hour`, logged through the service that evening."""
    return log_meeting(
        keeper=keeper,
        intro=intro,
        started_at=at(day, hour),
        duration_seconds=minutes * 60,
        behaviours=list(behaviours),
        notes="",
        now=at(day, 23),
    )


def test_service_introduction_waits_for_the_newcomer_quarantine(intro):
    p = introduction_of(intro, d(10))
    assert p.waiting_for_quarantine_until == d(21)
    assert introduction_of(intro, d(21)).stage_id == "scent-swap"
    assert introduction_of(intro, d(24)).stage_id == "side-by-side"
    assert introduction_of(intro, d(26)).stage_id == "neutral-meetings"


def test_introduction_waits_for_every_newcomer(owner, household, residents):
    quick = make_animal(household, today=TODAY, name="Bree", source="breeder", sex="female")
    slow = make_animal(household, today=TODAY, name="Nova", sex="female")
    assert quarantine_of(quick, TODAY).ends_on == d(14)
    intro = start_introduction(
        keeper=owner, household=household, newcomers=[quick, slow], residents=list(residents), cage_name=None, day=TODAY
    )
    assert introduction_of(intro, d(15)).waiting_for_quarantine_until == d(21)
    # A sign on the breeder's animal pushes the start back further.
    record_health_check(keeper=owner, animal=quick, day=d(12), signs=["red_tears"], now=at(d(12)))
    assert introduction_of(intro, d(22)).waiting_for_quarantine_until == d(26)


def test_meeting_during_quarantine_is_refused(owner, intro):
    with pytest.raises(InvalidInput) as exc:
        log_a_meeting(owner, intro, d(5))
    assert d(21).isoformat() in exc.value.message
    assert not IntroductionMeeting.objects.exists()


def test_unknown_behaviours_are_refused(owner, intro):
    with pytest.raises(InvalidInput) as exc:
        log_a_meeting(owner, intro, d(26), 30, ["sniffing", "tail_wagging"])
    assert exc.value.field == "behaviours"
    assert not IntroductionMeeting.objects.exists()


@pytest.mark.parametrize("minutes", [0, 12 * 60 + 1])
def test_meeting_length_must_be_sensible(owner, intro, minutes):
    with pytest.raises(InvalidInput):
        log_a_meeting(owner, intro, d(26), minutes)
    assert not IntroductionMeeting.objects.exists()


def test_meeting_in_the_future_is_refused(owner, intro):
    with pytest.raises(InvalidInput):
        log_meeting(
            keeper=owner,
            intro=intro,
            started_at=at(d(27)),
            duration_seconds=1800,
            behaviours=[],
            notes="",
            now=at(d(26)),
        )
    assert not IntroductionMeeting.objects.exists()


def test_viewer_cannot_log_meetings(viewer, intro):
    with pytest.raises(NotAllowed):
        log_a_meeting(viewer, intro, d(26))


def test_service_full_run_to_move_in(owner, carer, intro):
    assert introduction_of(intro, d(26)).next_meeting_seconds == 15 * 60
    first = log_a_meeting(owner, intro, d(26), 15)
    assert first.alerts == [] and first.progress.good_meetings == 0
    assert first.progress.next_meeting_seconds == 30 * 60
    r = log_a_meeting(carer, intro, d(26), 30, ["pinning", "squeaking"], hour=15)
    assert r.progress.good_meetings == 1 and r.progress.next_meeting_seconds == 45 * 60
    log_a_meeting(owner, intro, d(27), 45, ["rough_grooming"])
    r = log_a_meeting(owner, intro, d(28), 60)
    assert r.progress.stage_id == "clean-cage"
    assert introduction_of(intro, d(40)).stage_id == "clean-cage"  # waits for the cleaning
    mark_cage_cleaned(keeper=carer, intro=intro, day=d(29), today=d(29))
    intro.refresh_from_db()
    assert intro.cage_cleaned_on == d(29)
    p = introduction_of(intro, d(29))
    assert p.at_move_in and p.stage_id == "move-in"


@pytest.mark.parametrize("danger", ["blood", "puffed_sideways", "bites_flank_belly", "nonstop_fight"])
def test_danger_meeting_says_separate_now_and_steps_back(owner, intro, danger):
    log_a_meeting(owner, intro, d(26), 30)
    log_a_meeting(owner, intro, d(27), 45)
    r = log_a_meeting(owner, intro, d(28), 60)
    assert r.progress.stage_id == "clean-cage"
    bad = log_a_meeting(owner, intro, d(29), 20, ["sniffing", danger])
    assert [(a.code, a.level) for a in bad.alerts] == [("separate_now", "stop")]
    message = bad.alerts[0].message
    assert "Separate them now" in message and "towel or gloves" in message
    assert P.behaviours.danger[danger].lower() in message
    assert "Meetings on neutral ground" in message  # where the introduction goes back to
    assert bad.progress.stage_id == "neutral-meetings"
    assert bad.progress.last_danger is not None
    assert IntroductionMeeting.objects.filter(introduction=intro).count() == 4  # the meeting is still recorded


@pytest.mark.parametrize("normal", ["pinning", "rough_grooming", "squeaking"])
def test_normal_dominance_gives_no_alert(owner, intro, normal):
    r = log_a_meeting(owner, intro, d(26), 30, [normal])
    assert r.alerts == []
    assert r.progress.good_meetings == 1


def test_rats_and_mice_cannot_be_introduced(owner, household, residents):
    mouse = make_animal(household, today=TODAY, name="Minnie", species="mouse", sex="female")
    with pytest.raises(InvalidInput) as exc:
        start_introduction(
            keeper=owner, household=household, newcomers=[mouse], residents=list(residents), cage_name=None, day=TODAY
        )
    assert "mice" in exc.value.message
    assert not Introduction.objects.exists()


def test_an_animal_cannot_be_both_newcomer_and_resident(owner, household, residents, newcomer):
    with pytest.raises(InvalidInput) as exc:
        start_introduction(
            keeper=owner,
            household=household,
            newcomers=[newcomer, residents[0]],
            residents=list(residents),
            cage_name=None,
            day=TODAY,
        )
    assert "both" in exc.value.message
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("side", ["newcomers", "residents"])
def test_introduction_needs_both_sides(owner, household, residents, newcomer, side):
    kwargs = {"newcomers": [newcomer], "residents": list(residents), side: []}
    with pytest.raises(InvalidInput):
        start_introduction(keeper=owner, household=household, cage_name=None, day=TODAY, **kwargs)


def test_animal_of_another_household_is_refused(owner, outsider, household, other_household, residents):
    stranger = make_animal(other_household, today=TODAY, name="Stranger")
    with pytest.raises(NotFound):
        start_introduction(
            keeper=owner,
            household=household,
            newcomers=[stranger],
            residents=list(residents),
            cage_name=None,
            day=TODAY,
        )
    assert not Introduction.objects.exists()


def test_viewer_cannot_start_an_introduction(viewer, household, residents, newcomer):
    with pytest.raises(NotAllowed):
        start_introduction(
            keeper=viewer,
            household=household,
            newcomers=[newcomer],
            residents=list(residents),
            cage_name=None,
            day=TODAY,
        )


def test_meeting_counts_on_the_households_local_day(owner, household, residents, newcomer):
    """A meeting late in the evening in Auckland is on the next UTC day's local date."""
    household.time_zone = "Pacific/Auckland"
    household.save()
    intro = start_introduction(
        keeper=owner, household=household, newcomers=[newcomer], residents=list(residents), cage_name=None, day=TODAY
    )
    started = at(d(25), 20)  # 20:00 UTC = 09:00 next day in Auckland (NZDT, UTC+13)
    r = log_meeting(
        keeper=owner,
        intro=intro,
        started_at=started,
        duration_seconds=1800,
        behaviours=[],
        notes="",
        now=started + timedelta(hours=1),
    )
    assert r.meeting.day == d(26)


def test_viewer_cannot_mark_the_cage_cleaned(viewer, intro):
    with pytest.raises(NotAllowed):
        mark_cage_cleaned(keeper=viewer, intro=intro, day=TODAY, today=TODAY)
