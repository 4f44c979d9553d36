"""Reading the report back: a PDF's words and page sizes, and dates as the report writes them."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """Every page's text, with whitespace collapsed, for phrase checks."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(io.BytesIO(data)).pages]


def long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"
