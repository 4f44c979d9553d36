"""How large a request says its body is: the API's Idempotency-Key and the web's one-time
token keep a fingerprint of bodies held in memory only (DATA_UPLOAD_MAX_MEMORY_SIZE)."""

from __future__ import annotations

from django.conf import settings


def over_memory_limit(request) -> bool:
    """Whether the declared body is larger than Django keeps in memory (a backup upload)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    return declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
