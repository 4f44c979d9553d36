"""Helpers for the data tests: reading a feed with vobject (a parser independent
of the icalendar library that writes it) and reading CSV responses."""

from __future__ import annotations

import csv
import io

import vobject
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gentling.services.calendar import new_feed


def parse_feed(body: bytes):
    return vobject.readOne(body.decode("utf-8"))


def events(body: bytes) -> list:
    return list(getattr(parse_feed(body), "vevent_list", []))


def feed_url(keeper, household) -> str:
    return reverse("calendar_feed", args=[new_feed(keeper=keeper, household=household, now=timezone.now()).token])


def restore_upload(client, home, content: bytes | str, name: str = "backup.json", **form):
    """Post `content` as a backup file to the restore form on `home`'s data page."""
    raw = content.encode() if isinstance(content, str) else content
    upload = SimpleUploadedFile(name, raw, content_type="application/json")
    return client.post(reverse("backup_restore", args=[home.public_id]), {"backup": upload, **form})


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(body: bytes | str) -> list[list[str]]:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return list(csv.reader(io.StringIO(text, newline="")))


def csv_dicts(body: bytes | str) -> list[dict[str, str]]:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return list(csv.DictReader(io.StringIO(text, newline="")))
