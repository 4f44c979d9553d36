"""`gentling reminders` (your settings) and `gentling remind` (send what is due), as a keeper runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import pytest
from django.core import mail

from gentling.models import Reminders
from tests.cli_harness import cli_runner
from tests.factories import make_animal

from .conftest import NOW, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def cli(monkeypatch, capsys):
    return cli_runner(monkeypatch, capsys, keeper="olive-owner", now=NOW)


def test_show_then_choose_then_show_again(cli, household):
    make_animal(household, today=TODAY, name="Luna", days_ago=5)

    shown = cli("reminders")
    assert shown.code == 0 and "none (choose with --by email, push or both)" in shown.text

    chosen = cli(
        "reminders",
        "--at",
        "07:15",
        "--by",
        "email",
        "--email",
        "olive@example.org",
        "--about",
        "mine",
        "--cares-for",
        "Luna",
    )
    assert chosen.code == 0, chosen.err
    assert "Saved. Reminders for Maple Street:" in chosen.text and "every day at 07:15" in chosen.text
    assert "about only Luna" in chosen.text

    data = json.loads(cli("reminders", "--json").text)
    assert data == {
        "household": "Maple Street",
        "at": "07:15",
        "by": "email",
        "about": "mine",
        "cares_for": ["Luna"],
        "time_zone": "UTC",
        "email": "olive@example.org",
    }


def test_a_bad_time_is_refused_and_nothing_changes(cli, household):
    r = cli("reminders", "--at", "7pm", "--by", "push")
    assert r.code == 1 and "write it as hours and minutes, e.g. 18:30" in r.err
    assert not Reminders.objects.exclude(channel="none").exists()


def test_remind_sends_once(cli, household, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cli("reminders", "--at", "08:00", "--by", "email", "--email", "olive@example.org")
    at = datetime.combine(TODAY, time(9), UTC)

    first = cli("remind", now=at)
    again = cli("remind", now=at)

    assert first.code == again.code == 0
    assert "1 sent, 0 already sent, 0 failed" in first.text and "0 sent, 1 already sent" in again.text
    assert len(mail.outbox) == 1
