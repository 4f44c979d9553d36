"""Log a session after the fact, on one page that also works with no signal.

Without script, the form posts here and the session is logged at once. With
script (static/gentling/outbox.js), the same fields go into the phone's outbox
with an Idempotency-Key made on the phone, and are sent to the API's session
endpoint as soon as there is a connection: now, on the next page load, or when
the browser says the network is back. The server stores a session sent twice
with the same key once (services/idempotency.py), so a send cut off half-way is
simply sent again. The page is kept by the service worker, so it opens offline.
"""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import redirect, render

from ... import clock
from ...domain.errors import InvalidInput
from ...domain.validation import Words
from ...models import Animal
from ...services import selectors
from ...services import sessions as svc
from ...services.progress import local_time, protocol_for
from ..access import household_view, raise_for
from ..forms import SESSION_FIELDS, SessionLogForm, apply_error
from .sessions import every_activity, measures_posted, observation_groups, report_saved, session_entry

# The service names the session's end; on this page that is its length.
LOG_FIELDS = {**SESSION_FIELDS, "ended_at": "minutes"}
TYPICAL_MINUTES = 5


@household_view(write=True)
def session_log(request, household):
    now = clock.now()
    # A save reads only the animals it names; the page (shown first, or again with its errors) lists them all.
    named = request.POST.getlist("animals")[: selectors.IDS_MAX] if request.method == "POST" else None
    animals = _animals(household, named)
    start = (local_time(household, now) - timedelta(minutes=TYPICAL_MINUTES)).replace(microsecond=0)
    form = SessionLogForm(request.POST or None, animals=animals, initial={"started_at": start})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = {a.public_id: a for a in animals}
        begin = data["started_at"]  # aware, in the household's time zone (see household_view)
        try:
            with raise_for():
                logged = svc.log_session(
                    keeper=request.user,
                    household=household,
                    animals=[chosen[i] for i in data["animals"] if i in chosen],
                    entry=session_entry(
                        data, begin, begin + timedelta(seconds=form.length_seconds()), measures_posted(request.POST)
                    ),
                    now=now,
                )
        except InvalidInput as exc:
            apply_error(form, exc, LOG_FIELDS)
        else:
            report_saved(request, logged)
            return redirect("today", household.public_id)
    if named is not None:  # shown again with its errors: every animal to choose from
        animals = _animals(household, None)
        form.fields["animals"].choices = [(a.public_id, a.name) for a in animals]
    words = Words.any_of(protocol_for(a) for a in animals)  # the service checks each sitting's own
    return render(
        request,
        "gentling/session_log.html",
        {
            "household": household,
            "form": form,
            "animals": animals,
            "activities": every_activity(words),
            "groups": observation_groups(words),
            "measures": list(words.measures.values()),
            "measured": measures_posted(request.POST),
            "api": f"/api/v1/households/{household.public_id}/sessions",
            "nav": "today",
        },
    )


def _animals(household, named: list[str] | None) -> list[Animal]:
    """The animals to choose from: those `named` (one that has left is refused by the service, which
    says why), or with none named every active animal, by name."""
    if named is None:
        return list(selectors.animals_listed(household, status=Animal.Status.ACTIVE))
    return sorted(selectors.animals_with_ids(household, named).values(), key=lambda a: (a.name, a.pk))
