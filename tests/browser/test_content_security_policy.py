"""The Content-Security-Policy in a real browser: it blocks what it should, and the pages that need
more than our own static files still work. (Every browser test fails on any violation Chromium
reports: see new_context in conftest.py.)"""

from __future__ import annotations

import pytest

from .conftest import login, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_injected_inline_script_does_not_run(browser, live_server, rat_home):
    """The policy is really enforced: a script slipped into a page is refused, and reported.
    (Its own context: new_context's would fail the test on the violation this one expects.)"""
    ctx = browser.new_context(base_url=live_server.url)
    try:
        page = ctx.new_page()
        reports = []
        page.on("console", lambda message: reports.append(message.text))
        login(page)
        page.evaluate("""() => {
            const s = document.createElement("script");
            s.textContent = "window.injected = true";
            document.body.appendChild(s);
            document.body.insertAdjacentHTML("beforeend", '<img src="/nothing.png" onerror="window.injected = true">');
        }""")
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.injected === undefined")
        assert sum("Content Security Policy" in r for r in reports) >= 2, reports
    finally:
        ctx.close()


def test_the_api_docs_work_under_the_policy(page, rat_home):
    login(page)
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Gentling API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()  # the operations, read from the OpenAPI file


def test_the_animal_pages_charts_load(page, rat_home):
    household, rat = rat_home
    login(page)
    page.goto(f"/h/{household.public_id}/animals/{rat.public_id}/")
    charts = page.locator(".chart img")
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        wait_until(page, "img => img.complete && img.naturalWidth > 0", charts.nth(i).element_handle())
