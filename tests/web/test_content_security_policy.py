"""Every page a keeper sees sends a Content-Security-Policy that runs scripts only from our static
files, and no page needs more: no inline <script> with a body, no onclick=, no style= attribute.

The handover report alone allows inline styles (its reason is in web/views/reports.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

import gentling
from gentling.services.arrivals import start_introduction
from gentling.services.sessions import open_session
from tests.factories import log, make_animal

from .helpers import today

TEMPLATES = Path(gentling.__file__).parent / "templates"
REPORT = "gentling/report.html"


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.wsgi_request.path}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response, styles_inline=False) -> None:
    p = policy(response)
    assert p["script-src"] == ["'self'"], p  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert p["default-src"] == ["'self'"]
    assert p["style-src"] == (["'self'", "'unsafe-inline'"] if styles_inline else ["'self'"])
    assert p["img-src"] == ["'self'", "data:"]
    assert p["frame-ancestors"] == ["'none'"] and p["object-src"] == ["'none'"] and p["base-uri"] == ["'none'"]
    assert p["form-action"] == ["'self'"]


class _Inline(HTMLParser):
    """What in a page a strict policy would block: script bodies, on* handlers, style attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._script = "" if "src" not in dict(attrs) else None
        if tag == "style":
            self.found.append("<style> element")

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script":
            if self._script and self._script.strip():
                self.found.append(f"<script>{self._script.strip()[:60]}</script>")
            self._script = None


def inline_code(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


@pytest.fixture
def pages(client, owner, household):
    """Every screen a keeper reaches, with the data each needs, as (name, url)."""
    rat = make_animal(household, today=today(), name="Whiskerina", cage="Top Deck", days_ago=5)
    resident = make_animal(household, today=today(), name="Rosa", sex="female", days_ago=120, cage="Big cage")
    newcomer = make_animal(household, today=today(), name="Nova", sex="female", days_ago=40, cage="Nova's cage")
    intro = start_introduction(
        keeper=owner,
        household=household,
        newcomers=[newcomer],
        residents=[resident],
        cage_name="Big cage",
        day=today() - timedelta(days=6),
    )
    [logged] = log(owner, household, [rat], now=timezone.now())
    timer = open_session(keeper=owner, household=household, animals=[rat], now=timezone.now())
    h, a, s = household.public_id, rat.public_id, logged.session.public_id
    client.force_login(owner)
    return [
        ("today", reverse("today", args=[h])),
        ("session screen", reverse("session_open", args=[h, timer.public_id])),
        ("animal page", reverse("animal", args=[h, a])),
        ("overview", reverse("overview", args=[h])),
        ("new animal", reverse("animal_new", args=[h])),
        ("edit animal", reverse("animal_edit", args=[h, a])),
        ("edit session", reverse("session_edit", args=[h, s])),
        ("delete session", reverse("session_delete", args=[h, s])),
        ("people", reverse("members", args=[h])),
        ("cages", reverse("cages", args=[h])),
        ("introductions", reverse("introductions", args=[h])),
        ("introduction", reverse("introduction", args=[h, intro.public_id])),
        ("data", reverse("data", args=[h])),
        ("households", reverse("households")),
        ("api tokens", reverse("api_tokens")),
        ("password change", reverse("password_change")),
        ("guide", reverse("guide_index")),
        ("rat guide", reverse("guide", args=["rat"])),
        ("not found", f"/h/{h}/animals/no-such-rat/"),
    ]


def test_every_keeper_page_sends_a_strict_policy_and_needs_nothing_inline(client, pages):
    for name, url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), (name, response.status_code)
        assert_strict(response)
        assert inline_code(response.content.decode()) == [], name


@pytest.mark.parametrize("url_name", ["login", "signup", "password_reset", "home", "guide_index"])
def test_pages_before_logging_in_send_a_strict_policy(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert_strict(response)
    assert inline_code(response.content.decode()) == []


def test_the_locked_out_page_sends_a_strict_policy(client, db):
    for i in range(5):
        response = client.post(reverse("login"), {"username": "lola", "password": f"wrong-{i}"})
    assert response.status_code == 429
    assert_strict(response)
    assert inline_code(response.content.decode()) == []


def test_the_session_screens_live_check_needs_nothing_inline(client, owner, household):
    rat = make_animal(household, today=today(), name="Whiskerina", days_ago=5)
    timer = open_session(keeper=owner, household=household, animals=[rat], now=timezone.now())
    client.force_login(owner)
    response = client.post(
        reverse("session_check", args=[household.public_id, timer.public_id]),
        {"activities": ["picked_up"], "holds": "-3"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Hold &#x27;-3&#x27;" in response.content.decode()
    assert inline_code(response.content.decode()) == []


def test_the_handover_report_allows_inline_styles_but_no_scripts(client, owner, household):
    rat = make_animal(household, today=today(), name="Whiskerina", days_ago=5)
    client.force_login(owner)
    response = client.get(reverse("animal_report", args=[household.public_id, rat.public_id]))
    assert response.status_code == 200
    assert_strict(response, styles_inline=True)
    found = inline_code(response.content.decode())
    assert [f for f in found if f.startswith("<script") or re.match(r"<\w+ (on\w+|\w+=.javascript:)", f)] == []


def test_a_chart_may_style_itself_but_run_nothing(client, owner, household):
    rat = make_animal(household, today=today(), name="Whiskerina", days_ago=5)
    client.force_login(owner)
    response = client.get(reverse("animal_chart", args=[household.public_id, rat.public_id, "sessions"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    p = policy(response)
    assert p["style-src"] == ["'unsafe-inline'"] and p["script-src"] == ["'self'"]


def test_the_api_sends_the_policy_too(client, owner, household):
    client.force_login(owner)
    response = client.get("/api/v1/households")
    assert response.status_code == 200
    assert_strict(response)


def test_the_api_docs_need_no_inline_script(client, db):
    """django-ninja's Swagger UI: its settings are a JSON data block, its code static files."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_strict(response)
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts
    for attrs, _body in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs


TAG_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+|style)\s*=", re.DOTALL)
SCRIPT_BODY = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>\s*[^<\s]", re.DOTALL)


@pytest.mark.parametrize("path", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")))
def test_no_template_has_inline_script_or_handlers(path):
    source = (TEMPLATES / path).read_text()
    assert not SCRIPT_BODY.search(source), "an inline <script> body: move it to a file in static/gentling/"
    assert "javascript:" not in source.lower()
    attributes = {m.group(1) for m in TAG_ATTRIBUTE.finditer(source)}
    # The PDF report and the emails are read outside the web app, where no style sheet reaches.
    allowed = {"style"} if path == REPORT or path.startswith("gentling/email/") else set()
    assert attributes <= allowed, f"{sorted(attributes - allowed)}: use a listener in gentling.js or a CSS class"
