"""Photos travel with the backup, so the round trip stays lossless."""

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gentling.models import Household, Photo
from gentling.services.animals import set_photo
from gentling.services.backup import export_households
from gentling.services.restore import import_backup

from .conftest import NOW


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 120, 40)).save(buf, format="PNG")
    return buf.getvalue()


def test_a_photo_round_trips_through_a_backup(owner, household, rat):
    png = _png()
    set_photo(animal=rat, upload=SimpleUploadedFile("rat.png", png))
    first = export_households([household], now=NOW)
    Photo.objects.all().delete()
    import_backup(json.dumps(first), keeper=owner, now=NOW, replace=True)  # the owner restores over it
    assert bytes(Photo.objects.get().data) == png
    assert export_households(list(Household.objects.all()), now=NOW) == first
