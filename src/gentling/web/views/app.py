"""The installable app: its web app manifest and its service worker. It opens at `/today`
(urls.py), the keeper's Today.

The service worker is served from the site's root (`/sw.js`) so that it may
look after every page. Its cache is named after the version of the static files
(`static_version`: a hash of their contents, what whitenoise's manifest would
give if the files were collected), so a new release starts a new cache and the
old one is deleted when the new worker takes over. What it keeps, and why, is
in the worker itself (templates/gentling/sw.js).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

# What every page needs, kept when the worker is installed (the rest is kept as it is first used).
PRECACHE = (
    "gentling/gentling.css",
    "gentling/gentling.js",
    "gentling/outbox.js",
    "gentling/bouts.js",
    "gentling/vendor/htmx-2.0.11.min.js",
    "gentling/icons/icon-192.png",
)
THEME_COLOUR = "#7a4b1f"  # --brand in gentling.css
BACKGROUND_COLOUR = "#f7f4ef"  # --bg


@cache
def static_version() -> str:
    """A short hash of every static file's path and contents: it changes with any of them."""
    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            digest.update(path.encode())
            with storage.open(path) as f:
                digest.update(f.read())
    return digest.hexdigest()[:12]


@cache_control(max_age=3600)
def manifest(request) -> JsonResponse:
    icon = "gentling/icons/"
    answer = JsonResponse(
        {
            "name": "Gentling",
            "short_name": "Gentling",
            "description": "Taming pet rats and mice, one calm session at a time.",
            "id": "/today",
            "start_url": "/today",
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "theme_color": THEME_COLOUR,
            "background_color": BACKGROUND_COLOUR,
            "icons": [
                {"src": static(icon + "icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static(icon + "icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static(icon + "icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
    )
    answer["Content-Type"] = "application/manifest+json"
    return answer


@cache_control(no_cache=True)
def service_worker(request) -> HttpResponse:
    """No-cache: the browser checks for a new worker on every visit, as a release needs."""
    precache = json.dumps([static(path) for path in PRECACHE])
    context = {
        "version": static_version(),
        "precache": precache,
        "outbox": json.dumps(static("gentling/outbox.js")),
        "icon": json.dumps(static("gentling/icons/icon-192.png")),
    }
    script = render_to_string("gentling/sw.js", context)
    return HttpResponse(script, content_type="text/javascript; charset=utf-8")
