"""The handover report of one animal, as a printable page and as a PDF.

Any member of the household may see and download it (it is made to be handed
over); an outsider gets a 404 through the access helpers.
"""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ...domain.errors import InvalidInput
from ...services.report import PdfUnavailable, check_paper, handover_report, report_html, report_pdf
from ..access import animal_for_request, household_view


def _paper(request) -> str:
    return check_paper(request.GET.get("paper"))


@household_view()
def report_page(request, household, aid):
    animal = animal_for_request(request, household, aid)
    try:
        paper = _paper(request)
    except InvalidInput as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    pdf = reverse("animal_report_pdf", args=[household.public_id, animal.public_id])
    links = {"pdf": pdf + ("?paper=letter" if paper == "letter" else ""),
             "pdf_letter": None if paper == "letter" else pdf + "?paper=letter",
             "back": reverse("animal", args=[household.public_id, animal.public_id])}
    html = report_html(handover_report(animal, timezone.now()), paper=paper, links=links)
    return HttpResponse(html)


@household_view()
def report_pdf_download(request, household, aid):
    animal = animal_for_request(request, household, aid)
    try:
        paper = _paper(request)
    except InvalidInput as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    report = handover_report(animal, timezone.now())
    try:
        pdf = report_pdf(report_html(report, paper=paper), base_url=request.build_absolute_uri("/"))
    except PdfUnavailable as exc:
        # Still useful: the printable page, with the reason on top and status 503.
        back = reverse("animal", args=[household.public_id, animal.public_id])
        return HttpResponse(report_html(report, paper=paper, notice=exc.message, links={"back": back}), status=503)
    response = HttpResponse(pdf.data, content_type="application/pdf")
    name = f"{slugify(animal.name) or 'animal'}-handover-{report.made_on.isoformat()}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
