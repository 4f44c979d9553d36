"""Reminders (issue 15): each keeper's settings, and `send_due`, which sends each day's reminder
once, at the keeper's local time, whatever runs it and however often."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail

from gentling.domain.errors import InvalidInput
from gentling.models import Reminders, ReminderSent
from gentling.services.households import create_household
from gentling.services.reminders import ReminderChoice, due_day, reminders_of, send_due, set_reminders
from tests.factories import make_animal

from .conftest import TODAY


@pytest.fixture
def keeper_with_email(owner):
    owner.email = "olive@example.org"
    owner.save()
    return owner


def _choose(keeper, household, **kw):
    return set_reminders(keeper=keeper, household=household, choice=ReminderChoice(**kw))


def test_the_defaults_remind_no_one(owner, household):
    r = reminders_of(owner, household)
    assert (r.channel, r.remind_at, r.scope, r.time_zone) == ("none", time(18, 0), "all", "")


def test_a_keeper_chooses_a_time_a_way_and_whom(keeper_with_email, household):
    luna = make_animal(household, today=TODAY, name="Luna", days_ago=5)

    r = _choose(
        keeper_with_email,
        household,
        remind_at="07:30",
        channel="both",
        scope="mine",
        time_zone="Europe/London",
        cares_for=["Luna"],
    )

    assert (r.remind_at, r.channel, r.scope, r.time_zone) == (time(7, 30), "both", "mine", "Europe/London")
    assert list(r.cares_for.all()) == [luna]


@pytest.mark.parametrize(
    "choice, field, words",
    [
        ({"remind_at": "25:00"}, "remind_at", "write it as hours and minutes, e.g. 18:30"),
        ({"remind_at": "soon"}, "remind_at", "write it as hours and minutes"),
        ({"channel": "pigeon"}, "channel", "Unknown way to be reminded 'pigeon'"),
        ({"scope": "some"}, "scope", "Unknown choice of animals 'some'"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "is not a time zone name"),
        ({"email": "not-an-address"}, "email", "is not an email address"),
        ({"channel": "email"}, "email", "Email reminders need your email address"),
        ({"scope": "mine", "cares_for": []}, "cares_for", "Tick the animals you care for"),
    ],
)
def test_bad_choices_are_refused_plainly_and_change_nothing(owner, household, choice, field, words):
    before = reminders_of(owner, household)

    with pytest.raises(InvalidInput) as refused:
        _choose(owner, household, **choice)

    assert refused.value.field == field and words in refused.value.message
    after = Reminders.objects.get(pk=before.pk)
    assert (after.channel, after.remind_at, after.scope, after.time_zone) == ("none", time(18, 0), "all", "")


def test_an_animal_of_another_household_cannot_be_cared_for(owner, household, outsider):
    theirs = create_household(keeper=outsider, name="Theirs", time_zone="UTC")
    stranger = make_animal(theirs, today=TODAY, name="Stranger")
    from gentling.domain.errors import NotFound

    with pytest.raises(NotFound):
        _choose(owner, household, cares_for=[stranger.public_id])


def test_due_from_the_keepers_time_in_the_keepers_zone(owner, household):
    r = _choose(owner, household, remind_at="18:00", time_zone="America/Toronto")

    assert due_day(r, datetime(2026, 7, 1, 21, 59, tzinfo=UTC)) is None  # 17:59 in Toronto (EDT)
    assert due_day(r, datetime(2026, 7, 1, 22, 0, tzinfo=UTC)) == date(2026, 7, 1)
    assert due_day(r, datetime(2026, 7, 2, 3, 0, tzinfo=UTC)) == date(2026, 7, 1)  # 23:00 in Toronto


def _sent_by(log):
    def send(r, day, now):
        log.append((r.membership.keeper.username, day))

    return send


def test_a_due_reminder_is_sent_once_however_often_it_runs(owner, household):
    r = _choose(owner, household, remind_at="18:00", channel="push")
    sent: list = []
    by = {"push": _sent_by(sent), "email": _sent_by(sent)}
    at = datetime.combine(TODAY, time(17, 59), UTC)

    assert send_due(at, by).sent == 0
    assert send_due(at + timedelta(minutes=1), by).sent == 1
    assert send_due(at + timedelta(minutes=2), by).already == 1
    assert send_due(at + timedelta(hours=5), by).sent == 0
    assert sent == [(owner.username, TODAY)]
    assert ReminderSent.objects.get(membership=r.membership).status == "sent"
    # The next day, once again.
    assert send_due(at + timedelta(days=1, minutes=1), by).sent == 1


def test_email_and_push_are_each_sent_once(keeper_with_email, household):
    _choose(keeper_with_email, household, remind_at="08:00", channel="both")
    emails, pushes = [], []

    report = send_due(datetime.combine(TODAY, time(9), UTC), {"email": _sent_by(emails), "push": _sent_by(pushes)})

    assert report.sent == 2 and len(emails) == len(pushes) == 1


def test_a_failed_send_is_tried_again_on_the_next_run(owner, household):
    _choose(owner, household, remind_at="08:00", channel="push")
    tries = []

    def flaky(r, day, now):
        tries.append(now)
        if len(tries) == 1:
            raise ConnectionError("no network")

    at = datetime.combine(TODAY, time(9), UTC)
    assert send_due(at, {"push": flaky}).failed == 1
    assert send_due(at + timedelta(minutes=1), {"push": flaky}).sent == 1
    assert send_due(at + timedelta(minutes=2), {"push": flaky}).already == 1
    assert len(tries) == 2


def test_a_claim_left_by_a_process_that_died_is_taken_over_later(owner, household):
    r = _choose(owner, household, remind_at="08:00", channel="push")
    at = datetime.combine(TODAY, time(9), UTC)
    ReminderSent.objects.create(membership=r.membership, day=TODAY, channel="push", claimed_at=at)
    sent: list = []

    assert send_due(at + timedelta(minutes=5), {"push": _sent_by(sent)}).already == 1
    assert send_due(at + timedelta(minutes=16), {"push": _sent_by(sent)}).sent == 1
    assert len(sent) == 1


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_two_runs_at_once_send_nothing_twice(file_db):
    """Two `gentling remind` at the same moment (a cron job and `serve`), each in its own thread
    and connection: each reminder is claimed by one of them only."""
    from gentling.models import Membership
    from gentling.services.households import local_keeper

    keeper = local_keeper("two-runs")
    household = create_household(keeper=keeper, name="Race", time_zone="UTC")
    for n in range(5):
        other = local_keeper(f"member-{n}")
        Membership.objects.create(household=household, keeper=other, role="carer")
        _choose(other, household, remind_at="08:00", channel="push")
    sent: list = []
    lock = threading.Lock()
    errors: list = []

    def send(r, day, now):
        with lock:
            sent.append(r.membership.keeper.username)

    at = datetime.combine(TODAY, time(9), UTC)
    barrier = threading.Barrier(2)

    def run():
        from django.db import connection

        barrier.wait()
        try:
            send_due(at, {"push": send})
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread's answer
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(sent) == [f"member-{n}" for n in range(5)]
    assert ReminderSent.objects.filter(status="sent").count() == 5
    assert mail.outbox == []
