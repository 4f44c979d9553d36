"""Protocols: those the household can use, uploading its own (with a preview of the steps first),
and moving an animal to another protocol (services/protocols.py has the rules)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ... import clock
from ...domain.errors import InvalidInput
from ...services import protocols as svc
from ..access import animal_for_request, household_view, raise_for


def _uploaded(request) -> tuple[str, str]:
    """The protocol's text and file name, from a chosen file or from the text kept for the preview."""
    upload = request.FILES.get("file")
    if upload is not None:  # read no more than one byte over the limit: the service says it is too big
        name = upload.name[:200]
        return svc.protocol_text(upload.read(svc.PROTOCOL_TEXT_MAX + 1), name), name
    return request.POST.get("text", ""), request.POST.get("name", "protocol.toml")[:200]


@household_view()
def protocols(request, household):
    """The list; a POST previews an upload (nothing stored) or, confirmed, adds it."""
    preview = problem = None
    text, name = "", ""
    if request.method == "POST":
        try:
            text, name = _uploaded(request)
            preview = svc.check_protocol_text(text, name)
            if request.POST.get("confirm") == "add":
                with raise_for():
                    row = svc.add_protocol(
                        keeper=request.user, household=household, text=text, file=name, now=clock.now()
                    )
                messages.success(
                    request, f"Added {row.title} (version {row.version}). Choose it for an animal on its page."
                )
                return redirect("protocols", household.public_id)
        except InvalidInput as exc:
            problem, preview = exc.message, None
    return render(
        request,
        "gentling/protocols.html",
        {
            "household": household,
            "nav": "more",
            "choices": svc.choices(household),
            "versions": svc.versions_of(household),
            "preview": preview,
            "problem": problem,
            "text": text,
            "name": name,
            "is_owner": request.is_owner,
        },
    )


@require_POST
@household_view(write=True)
def animal_protocol(request, household, aid):
    animal = animal_for_request(request, household, aid, write=True)
    try:
        with raise_for():
            move = svc.move_animal(
                keeper=request.user,
                household=household,
                animal=animal,
                to=request.POST.get("to", ""),
                how=request.POST.get("how", "mapped"),
                now=clock.now(),
            )
    except InvalidInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Moved {animal.name} from {move.from_title} to {move.to_title}, "
            f"{'at' if move.how == 'mapped' else 'starting again at'} step '{move.to_step}'. "
            "Earlier sessions stay in the history; from today only sessions on the new protocol count.",
        )
    return redirect("animal", household.public_id, animal.public_id)
