"""The handover report of one animal, as a printable page and as a PDF.

Any member of the household may see and download it (it is made to be handed
over); an outsider gets a 404 through the access helpers.
"""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.text import slugify

from ... import clock
from ...domain.errors import InvalidInput
from ...services.report import PdfUnavailable, check_paper, handover_report, report_html, report_pdf
from ..access import animal_for_request, household_view

# The report is one self-contained document, the same for the browser and for the PDF (WeasyPrint reads
# it from a string, with no server to fetch a stylesheet from): its CSS is a <style> element, a bar's
# length is a style attribute, and the inline SVG charts carry matplotlib's styles. So this page alone
# allows inline styles. No keeper's text goes into its CSS, and scripts stay blocked.
REPORT_CSP = {"style-src": [UNSAFE_INLINE]}


def _paper(request) -> str:
    return check_paper(request.GET.get("paper"))


@csp_update(REPORT_CSP)
@household_view()
def report_page(request, household, aid):
    animal = animal_for_request(request, household, aid)
    try:
        paper = _paper(request)
    except InvalidInput as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    pdf = reverse("animal_report_pdf", args=[household.public_id, animal.public_id])
    links = {
        "pdf": pdf + ("?paper=letter" if paper == "letter" else ""),
        "pdf_letter": None if paper == "letter" else pdf + "?paper=letter",
        "back": reverse("animal", args=[household.public_id, animal.public_id]),
    }
    html = report_html(handover_report(animal, clock.now()), paper=paper, links=links)
    return HttpResponse(html)


@csp_update(REPORT_CSP)  # when there is no PDF, the printable page is the answer
@household_view()
def report_pdf_download(request, household, aid):
    animal = animal_for_request(request, household, aid)
    try:
        paper = _paper(request)
    except InvalidInput as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    report = handover_report(animal, clock.now())
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
    # A PDF is shown by the browser's own viewer, which a page's policy (object-src 'none') may block.
    response._csp_exempt = True  # what django-csp's csp_exempt() sets, for this response only
    return response
