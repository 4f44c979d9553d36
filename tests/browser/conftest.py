"""Real-browser tests: Debian's Chromium driven by Playwright's sync API against
pytest-django's live server. One browser per test session, a fresh context
(cookies, viewport, colour scheme) per test.

Playwright's sync API runs an asyncio event loop in the test thread, which makes
Django's ORM refuse synchronous calls from that thread; the ORM calls the tests
make (creating users and data) happen before any page is driven, so allowing them
is safe here."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "a-long-Gentle-passphrase-42"
REPO_ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("GENTLING_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"{CHROMIUM} is missing but GENTLING_REQUIRE_BROWSER is set (CI): install chromium")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium); CI installs it")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _static_root():
    """WhiteNoise serves from the finders in tests, but warns when STATIC_ROOT is missing."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_driver):
    b = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=_chromium_environment()
    )
    yield b
    b.close()


@pytest.fixture
def profile_context(playwright_driver, live_server, tmp_path):
    """A phone-sized Chromium with a profile on disk, as a keeper's is: some checks (installing
    the app) are not made in the throwaway profiles of `new_context`."""
    ctx = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        env=_chromium_environment(),
        viewport=PHONE,
        base_url=live_server.url,
    )
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


def _chromium_environment() -> dict[str, str]:
    """This process's environment. Under tests/shifted-clock, Chromium's monotonic clock moves with
    the wall clock: with only the wall clock shifted, as Python needs, each page load took a minute."""
    env = dict(os.environ)
    env.pop("FAKETIME_DONT_FAKE_MONOTONIC", None)
    return env


@pytest.fixture
def new_context(browser, live_server):
    """Factory: a fresh browser context; all are closed after the test, which fails if
    Chromium reported anything the Content-Security-Policy blocked on any of its pages."""
    made = []
    blocked: list[str] = []

    def watch(message):
        if "Content Security Policy" in message.text:  # Chromium's words for a violation
            blocked.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def make(viewport=PHONE, color_scheme="light", timezone_id=None):
        ctx = browser.new_context(
            viewport=viewport, color_scheme=color_scheme, base_url=live_server.url, timezone_id=timezone_id
        )
        ctx.set_default_timeout(10_000)
        ctx.on("console", watch)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
    assert blocked == [], "the Content-Security-Policy blocked something:\n" + "\n".join(blocked)


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def keeper(transactional_db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("olive", password=PASSWORD)


def wait_until(page, expression: str, arg=None, timeout: float = 10.0) -> None:
    """page.wait_for_function, without its in-page eval(), which the Content-Security-Policy refuses:
    each poll is an evaluate() from outside the page, which the policy does not govern."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


def login(page, username="olive", password=PASSWORD):
    """Log in through the real login form."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in to Gentling").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def rat_home(keeper):
    """A household with one rat on 'Treats with your hand in the cage' and one
    session logged today: enough for every page to have something to show."""
    from gentling.domain.validation import SessionInput
    from gentling.services.households import create_household
    from gentling.services.progress import local_today
    from gentling.services.sessions import log_session
    from tests.factories import make_animal

    now = timezone.now()
    household = create_household(keeper=keeper, name="Olive's rats", time_zone="UTC")
    today = local_today(household, now)
    rat = make_animal(
        household,
        today=today,
        name="Whiskers",
        sex="female",
        source="pet_store",
        days_ago=4,
        cage="Big cage",
        notes="Likes peas.",
    )
    # Twenty minutes ago, or since midnight if the day is younger than that.
    start = max(now - timedelta(minutes=20), now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = min(start + timedelta(minutes=6), now)
    log_session(
        keeper=keeper,
        household=household,
        animals=[rat],
        now=now,
        entry=SessionInput(start, end, ["talked", "treat_in_cage"], [], ["took_treat"], notes="Calm."),
    )
    return household, rat
