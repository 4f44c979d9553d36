"""axe-core on every main page, light and dark, plus keyboard use of the session screen.
Serious and critical violations fail the test; minor and moderate ones are left to review."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = ("serious", "critical")
UNDECIDABLE = {"color-contrast"}
axe = Axe()


def blocking_violations(page) -> list[str]:
    """One line per serious or critical violation, with the nodes it was found on.

    axe files some certain failures under "incomplete" (a missing aria-describedby
    target might still be added later, say); those count too. Colour contrast it
    cannot compute (text over a pseudo-element) stays a matter for review."""
    response = axe.run(page, options={"resultTypes": ["violations", "incomplete"]}).response
    results = [("", v) for v in response["violations"]]
    results += [("needs review: ", v) for v in response["incomplete"] if v["id"] not in UNDECIDABLE]
    found = []
    for prefix, v in results:
        if v.get("impact") not in BLOCKING:
            continue
        nodes = "; ".join(f"{' '.join(map(str, n['target']))} -> {n['html'][:160]}" for n in v["nodes"][:6])
        found.append(f"{prefix}[{v['impact']}] {v['id']} ({v['help']}) on {len(v['nodes'])} node(s): {nodes}")
    return found


def audit(page, pages: dict[str, str]) -> dict[str, list[str]]:
    problems = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response.ok, f"{name}: {url} answered {response.status}"
        page.wait_for_load_state("networkidle")
        found = blocking_violations(page)
        if found:
            problems[f"{name} ({url})"] = found
    return problems


def report(problems: dict[str, list[str]]) -> str:
    return "serious/critical axe violations:\n" + "\n".join(
        f"- {page}:\n    " + "\n    ".join(lines) for page, lines in problems.items()
    )


def open_session(page, household) -> str:
    """Start a session from Today and return the session screen's URL."""
    page.goto(f"/h/{household.public_id}/")
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url("**/sessions/open/**")
    return page.url


def test_public_pages_have_no_serious_violations(page):
    problems = audit(
        page,
        {
            "welcome": "/",
            "login": "/accounts/login/",
            "signup": "/accounts/signup/",
            "guide step": "/guide/rat/treats-in-cage/",
        },
    )
    assert not problems, report(problems)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_keeper_pages_have_no_serious_violations(new_context, rat_home, viewport):
    from gentling.models import Session

    household, rat = rat_home
    page = new_context(viewport=viewport).new_page()
    login(page)
    h = f"/h/{household.public_id}"
    logged = Session.objects.get(animal=rat)
    problems = audit(
        page,
        {
            "households": "/households/",
            "today": f"{h}/",
            "animal": f"{h}/animals/{rat.public_id}/",
            "add animal": f"{h}/animals/new/",
            "add another": f"{h}/animals/new/?like={rat.public_id}",
            "edit session": f"{h}/sessions/{logged.public_id}/edit/",
            "reminders": f"{h}/reminders/",
            "log a session": f"{h}/sessions/log/",
            "guide step": "/guide/rat/treats-in-cage/",
        },
    )
    # Today with the quick log's toast showing.
    page.goto(f"{h}/")
    page.get_by_role("button", name=re.compile(r"^Log now for .*: Talk to them")).click()
    page.locator(".toast").wait_for()
    found = blocking_violations(page)
    if found:
        problems["today with the undo toast"] = found
    # The add form with "More details" open.
    page.goto(f"{h}/animals/new/")
    page.get_by_text("More details").click()
    found = blocking_violations(page)
    if found:
        problems["add animal, more details"] = found
    session_url = open_session(page, household)
    problems |= audit(page, {"session": session_url})
    # The session screen with "Other" open, a hold recorded and its warning beside the stopwatch.
    page.get_by_label("Took a treat").check()
    page.get_by_text("Other: not part of this step yet").click()
    page.locator("#hold-button").click()
    page.locator("#hold-button").click()
    page.locator("#beside-holds .alert").first.wait_for()
    found = blocking_violations(page)
    if found:
        problems["session with alerts"] = found
    assert not problems, report(problems)


def test_dark_scheme_has_no_serious_violations(new_context, rat_home):
    household, rat = rat_home
    page = new_context(color_scheme="dark").new_page()
    login(page)
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    h = f"/h/{household.public_id}"
    problems = audit(page, {"today": f"{h}/", "animal": f"{h}/animals/{rat.public_id}/"})
    assert not problems, report(problems)


def test_session_screen_works_from_the_keyboard(page, rat_home):
    household, _ = rat_home
    login(page)
    open_session(page, household)
    page.locator("body").click(position={"x": 1, "y": 1})  # start tabbing from the top of the page
    reached = None
    for _ in range(60):
        page.keyboard.press("Tab")
        reached = page.evaluate("""() => {
            const el = document.activeElement;
            return el && el.name === 'activities' ? el.value : null;
        }""")
        if reached:
            break
    assert reached, "Tab never reached an activity checkbox on the session screen"
    box = page.locator(f"input[name=activities][value={reached}]")
    before = box.is_checked()
    # The focused box shows a visible focus ring on its tap target.
    outline = box.evaluate("el => getComputedStyle(el.nextElementSibling).outlineStyle")
    assert outline not in ("", "none"), "the focused activity shows no focus ring"
    page.keyboard.press("Space")
    assert box.is_checked() is (not before), "Space did not toggle the focused activity"
    page.keyboard.press("Space")
    assert box.is_checked() is before
