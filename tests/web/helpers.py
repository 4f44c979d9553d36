"""Helpers shared by the web tests: the date on the real clock, a small PNG, reading a page,
and a snapshot of everything a write could change. Animals and sessions: tests/factories.py."""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.utils import timezone

from gentling.models import (
    Animal,
    Cage,
    Household,
    HouseholdProtocol,
    Invite,
    Membership,
    OpenSession,
    Photo,
    ProgressSnapshot,
    ProtocolMove,
    Session,
)


def today() -> date:
    """The households in these tests are in UTC, and the views use the real clock."""
    return timezone.now().date()


def png_bytes(color=(200, 120, 40), size=(8, 8)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def text(response) -> str:
    """The response body as the words a reader sees: tags dropped, entities decoded, spaces collapsed."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def db_state() -> dict:
    """Everything a write through the web could change, as comparable plain values."""
    return {
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
        "households": sorted(Household.objects.values_list("public_id", "name", "time_zone")),
        "memberships": sorted(Membership.objects.values_list("household_id", "keeper_id", "role")),
        "invites": sorted(Invite.objects.values_list("token", "role", "used_by_id", "used_at")),
        "cages": sorted(Cage.objects.values_list("public_id", "household_id", "name")),
        "animals": sorted(
            tuple(str(v) for v in row)
            for row in Animal.objects.values_list(
                "public_id",
                "household_id",
                "species",
                "name",
                "sex",
                "birth_date",
                "birth_date_estimated",
                "source",
                "arrival_date",
                "cage_id",
                "status",
                "extended_hold_opt_in",
                "notes",
                "protocol",
                "household_protocol_id",
                "protocol_since",
                "protocol_start_step",
            )
        ),
        "protocols": sorted(HouseholdProtocol.objects.values_list("household_id", "protocol_id", "version")),
        "protocol_moves": sorted(ProtocolMove.objects.values_list("animal_id", "to_protocol", "to_step")),
        "sessions": sorted(
            repr(row)
            for row in Session.objects.values_list(
                "public_id",
                "animal_id",
                "keeper_id",
                "sitting",
                "started_at",
                "ended_at",
                "day",
                "activities",
                "holds",
                "observations",
                "extended_hold_seconds",
                "extended_hold_end",
                "notes",
                "alerts",
            )
        ),
        "open_sessions": sorted(
            (o.public_id, o.started_at.isoformat(), tuple(sorted(o.animals.values_list("pk", flat=True))))
            for o in OpenSession.objects.all()
        ),
        "photos": sorted(
            (p.animal_id, p.content_type, hashlib.sha256(bytes(p.data)).hexdigest()) for p in Photo.objects.all()
        ),
        # A read may move a checkpoint up; only a write bumps the revision.
        "snapshots": sorted(ProgressSnapshot.objects.values_list("animal_id", "revision")),
        **_arrivals_state(),
    }


def _arrivals_state() -> dict:
    """Quarantine, health checks, cage stays and introductions (where this version has them)."""
    from gentling import models

    out = {}
    for name in (
        "Quarantine",
        "HealthCheck",
        "CageStay",
        "Introduction",
        "IntroductionMeeting",
        "Litter",
        "AttentionDismissed",
    ):
        model = getattr(models, name, None)
        if model is not None:
            out[name] = sorted(repr(row) for row in model.objects.values_list())
    intro = getattr(models, "Introduction", None)
    if intro is not None:
        out["introduction_members"] = sorted(
            (
                i.pk,
                tuple(sorted(i.newcomers.values_list("pk", flat=True))),
                tuple(sorted(i.residents.values_list("pk", flat=True))),
            )
            for i in intro.objects.all()
        )
    return out


class _Readable(HTMLParser):
    """The text of a page and the attributes a person or a screen reader can read.

    Links, form actions, sources and the CSRF token hold random ids and tokens (letters, digits, '-'
    and '_'), so a short name like "Pip" turns up inside one now and then by chance; they are left out.
    """

    SKIPPED = {"href", "src", "action", "srcset"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("name") == "csrfmiddlewaretoken":
            return
        self.parts.extend(v for k, v in attrs if v and k not in self.SKIPPED)

    def handle_data(self, data):
        self.parts.append(data)


def visible_names(body: str, names) -> list[str]:
    """The names that a reader of ``body`` (HTML or plain text) could see, each as a whole word."""
    reader = _Readable()
    reader.feed(body)
    reader.close()
    text = "\n".join(reader.parts)
    return [n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text, re.IGNORECASE)]


@dataclass
class World:
    hid: str
    aid: str
    mouse_aid: str
    sid: str  # a logged session
    open_sid: str  # a session in progress
    token: str  # an open invitation
    other_hid: str
    resident_aid: str = ""  # a rat home long enough to be out of quarantine
    iid: str = ""  # an introduction between the two rats
