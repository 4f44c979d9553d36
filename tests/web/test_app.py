"""The installable app's parts (web/views/app.py): the manifest and its icons, the service
worker and its cache's name, and `/today`, where the installed app opens."""

from __future__ import annotations

import io

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from gentling.web.views import app

pytestmark = pytest.mark.django_db


def test_the_manifest_opens_the_app_standalone_at_today_with_icons_that_exist(client):
    answer = client.get("/manifest.webmanifest")
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = answer.json()
    assert (manifest["start_url"], manifest["display"], manifest["scope"]) == ("/today", "standalone", "/")
    assert manifest["name"] == "Gentling" and manifest["theme_color"] == app.THEME_COLOUR
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        served = client.get(icon["src"])
        assert served.status_code == 200, icon["src"]
        image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
        assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"


def test_every_page_links_the_manifest(client):
    body = client.get(reverse("guide_index")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in body


def test_the_worker_is_at_the_root_and_its_cache_is_named_after_the_static_files(client):
    answer = client.get("/sw.js")
    assert answer["Content-Type"].startswith("text/javascript")
    assert "no-cache" in answer["Cache-Control"]
    script = answer.content.decode()
    assert f'var VERSION = "{app.static_version()}";' in script
    assert '"/static/gentling/gentling.css"' in script  # kept when the worker installs


@pytest.fixture
def static_dir(tmp_path):
    """One more static folder, with the finders and the version read afresh for it."""
    with override_settings(STATICFILES_DIRS=[str(tmp_path)]):
        finders.get_finder.cache_clear()
        app.static_version.cache_clear()
        yield tmp_path
    finders.get_finder.cache_clear()
    app.static_version.cache_clear()


def test_a_changed_static_file_is_a_new_version(static_dir):
    (static_dir / "extra.css").write_text("body { color: black; }")
    before = app.static_version()
    app.static_version.cache_clear()
    assert app.static_version() == before
    (static_dir / "extra.css").write_text("body { color: brown; }")
    app.static_version.cache_clear()
    assert app.static_version() != before


def test_today_opens_the_keepers_today_or_asks_to_log_in(client, owner, household):
    assert client.get("/today")["Location"].startswith(reverse("login") + "?next=/today")
    client.force_login(owner)
    assert client.get("/today")["Location"] == reverse("today", args=[household.public_id])


def test_the_worker_shows_a_reminder_and_a_tap_opens_the_url_it_carries(client):
    """The push handler (services/push.py sends {title, body, url, tag}): it shows the message,
    and a tap opens the url it carries (the household's Today), only ever on this site."""
    body = client.get("/sw.js").content.decode()

    push = body[body.index('addEventListener("push"') :]
    assert "showNotification(data.title" in push and "body: data.body" in push and "data: {url: data.url" in push
    click = body[body.index('addEventListener("notificationclick"') :]
    assert "openWindow(target.href)" in click and "target.origin !== self.location.origin" in click
