"""`gentling serve`: one process reads slow clients whole; several listen behind a proxy only (docs/deploy.md)."""

import pytest

from gentling.cli.main import build_parser
from gentling.domain.errors import InvalidInput
from gentling.server import BODY_LIMIT_BYTES, SYNC_TIMEOUT_SECONDS, check_layout, gunicorn_options, waitress_options
from gentling.services.backup import MAX_BYTES


def test_one_process_reads_each_request_whole_and_closes_idle_connections():
    options = waitress_options(host="0.0.0.0", port=8000)
    assert (options["host"], options["port"], options["threads"]) == ("0.0.0.0", 8000, 4)
    assert 0 < options["channel_timeout"] <= 120
    assert options["asyncore_use_poll"] is True
    # The largest upload the app takes, a backup, still fits.
    assert options["max_request_body_size"] == BODY_LIMIT_BYTES > MAX_BYTES
    # The app decides whom to trust with forwarded headers, as with gunicorn.
    assert options["clear_untrusted_proxy_headers"] is False


def test_several_processes_serve_one_request_each_with_room_for_a_long_download():
    options = gunicorn_options(host="127.0.0.1", port=8001, workers=3)
    assert (options["workers"], options["threads"], options["worker_class"]) == (3, 1, "sync")
    # A sync worker busy past the timeout is killed: a large backup download must fit in it.
    assert options["timeout"] == SYNC_TIMEOUT_SECONDS >= 120


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_several_processes_may_listen_on_loopback(host):
    check_layout(host=host, workers=2)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "gentling.example"])
def test_several_processes_are_refused_where_phones_would_reach_them(host):
    with pytest.raises(InvalidInput, match="behind a proxy") as refused:
        check_layout(host=host, workers=2)
    assert refused.value.field == "--host"
    check_layout(host=host, workers=1)  # one process serves phones directly
    check_layout(host=host, workers=2, behind_proxy=True)  # a proxy on another machine is the only client


def test_the_command_line_passes_workers_on():
    assert build_parser().parse_args(["serve", "--workers", "2"]).workers == 2
    assert build_parser().parse_args(["start", "--no-serve"]).workers == 1
    args = build_parser().parse_args(["serve", "--workers", "2", "--host", "10.0.0.12", "--behind-proxy"])
    assert (args.workers, args.behind_proxy) == (2, True)


def test_serve_sends_reminders_unless_told_not_to():
    assert build_parser().parse_args(["serve"]).no_reminders is False
    assert build_parser().parse_args(["serve", "--no-reminders"]).no_reminders is True


def test_the_reminder_thread_sends_what_is_due_and_stops(file_db, settings):
    """`gentling serve`'s thread: a reminder due since midnight goes out at once, once."""
    import time as clock_time

    from django.core import mail

    from gentling.models import ReminderSent
    from gentling.server import start_reminders
    from gentling.services.households import create_household, local_keeper
    from gentling.services.reminders import ReminderChoice, set_reminders

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    keeper = local_keeper("thread-keeper")
    keeper.email = "keeper@example.org"
    keeper.save()
    household = create_household(keeper=keeper, name="Thread", time_zone="UTC")
    set_reminders(keeper=keeper, household=household, choice=ReminderChoice(remind_at="00:00", channel="email"))

    stop = start_reminders(every=0.05)
    try:
        deadline = clock_time.monotonic() + 10
        while not ReminderSent.objects.filter(status="sent").exists() and clock_time.monotonic() < deadline:
            clock_time.sleep(0.05)
        clock_time.sleep(0.3)  # a few more rounds: still once
    finally:
        stop()
    assert ReminderSent.objects.filter(status="sent").count() == 1
    assert len(mail.outbox) == 1
