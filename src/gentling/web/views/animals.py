"""Animal pages: add, edit, profile with the ladder, charts and session history."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ... import clock
from ...domain.errors import InvalidInput, NotAllowed
from ...domain.ladder import ladder
from ...services import protocols, selectors
from ...services.animal_charts import CHARTS, chart_of, chart_version
from ...services.animals import AnimalDetails, add_animal, edit_animal, set_photo
from ...services.arrivals import HousingRefused, quarantine_of
from ...services.progress import local_today, progress_of, protocol_for
from ..access import animal_for_request, household_view, raise_for
from ..forms import AnimalForm, PhotoForm
from .arrivals import HealthCheckForm

SESSIONS_SHOWN = 20


def _details(data: dict) -> AnimalDetails:
    return AnimalDetails(
        name=data["name"],
        species=data["species"],
        sex=data["sex"],
        source=data["source"],
        arrival_date=data["arrival_date"],
        birth_date=data["birth_date"],
        birth_date_estimated=data["birth_date_estimated"],
        cage=data["cage"],
        status=data["status"],
        notes=data["notes"],
        extended_hold_opt_in=data["extended_hold_opt_in"],
        clear_birth_date=data["birth_date"] is None,
        neutered_on=data["neutered_on"],
        clear_neutered_on=data["neutered_on"] is None,
        air_space=data["air_space"] or None,
        override_reason=data["override_reason"],
        protocol=data.get("protocol") or None,
    )


# The add form asks what every keeper knows on day one; the rest waits under "More details".
FIRST_FIELDS = ("name", "species", "sex", "source", "arrival_date", "cage", "new_cage")
# What a cage-mate that came home the same day shares: "Add another that arrived with her".
SHARED_FIELDS = ("species", "source", "arrival_date", "birth_date", "birth_date_estimated")


def _layout(form: AnimalForm, *, adding: bool, household, is_owner: bool) -> dict:
    """The form's fields in two groups. Each is shown only where it applies: the status once an
    animal is in, the quarantine question where others of its kind live already, an owner's
    override to owners (the neutering date is shown for males only, in the page's script)."""
    hidden = {"status"} if adding else {"air_space", "protocol"}  # a protocol changes by a move
    if adding and not selectors.animals_listed(household, status="active").exists():
        hidden.add("air_space")
    if not is_owner:
        hidden.add("override_reason")
    first = [form[n] for n in FIRST_FIELDS] + ([] if adding else [form["status"]])
    more = [f for f in form if f.name not in FIRST_FIELDS and f.name not in hidden and f.name != "status"]
    more_open = any(f.errors or (f.value() not in (None, "", False) and f.name != "air_space") for f in more)
    return {"first_fields": first, "more_fields": more, "more_open": bool(more_open and form.is_bound)}


def _protocols(household) -> list[tuple[str, str]]:
    """The add form's protocol choices: the ladder first (it suits pets), then the others."""
    shown = [("ladder", "Gentling's handling ladder (rat or mouse)")]
    for c in protocols.choices(household):
        if c.kind != "ladder":
            shown.append((c.ref, f"{c.protocol.title} · {', '.join(c.protocol.species)}"))
    return shown


def _pronoun(sex: str) -> str:
    return {"female": "her", "male": "him"}.get(sex, "them")


@household_view(write=True)
def animal_new(request, household):
    today = local_today(household, clock.now())
    initial = {"arrival_date": today, "species": "rat", "source": "pet_store"}
    like = request.GET.get("like")
    if like:  # "Add another that arrived with her": the shared fields, and the same cage
        mate = animal_for_request(request, household, like)
        initial = {f: getattr(mate, f) for f in SHARED_FIELDS} | {"cage": mate.cage.name if mate.cage else ""}
    form = AnimalForm(
        request.POST or None, initial=initial, cages=selectors.cage_names(household), protocols=_protocols(household)
    )
    if request.method == "POST" and form.is_valid():
        try:
            animal, alerts = add_animal(
                keeper=request.user, household=household, details=_details(form.cleaned_data), today=today
            )
        except (InvalidInput, HousingRefused, NotAllowed) as exc:
            form.apply_error(exc)
        else:
            messages.success(request, f"{animal.name} is in. Here is the plan for today.")
            for alert in alerts:
                messages.warning(request, alert.message)
            if "another" in request.POST:
                messages.info(request, f"Now the one that arrived with {animal.name}.")
                return redirect(reverse("animal_new", args=[household.public_id]) + f"?like={animal.public_id}")
            return redirect("today", household.public_id)
    sex = form["sex"].value()
    return render(
        request,
        "gentling/animal_form.html",
        {
            "household": household,
            "form": form,
            "nav": "overview",
            "like": like,
            "with_her": _pronoun(sex if sex in ("female", "male") else ""),
            **_layout(form, adding=True, household=household, is_owner=request.is_owner),
        },
    )


@household_view(write=True)
def animal_edit(request, household, aid):
    animal = animal_for_request(request, household, aid, write=True)
    today = local_today(household, clock.now())
    initial = {
        f: getattr(animal, f)
        for f in (
            "name",
            "species",
            "sex",
            "source",
            "arrival_date",
            "birth_date",
            "birth_date_estimated",
            "status",
            "notes",
            "extended_hold_opt_in",
            "neutered_on",
        )
    }
    initial["cage"] = animal.cage.name if animal.cage else ""
    form = AnimalForm(request.POST or None, initial=initial, cages=selectors.cage_names(household))
    if request.method == "POST" and form.is_valid():
        try:
            animal, alerts = edit_animal(
                keeper=request.user, animal=animal, details=_details(form.cleaned_data), today=today
            )
        except (InvalidInput, HousingRefused, NotAllowed) as exc:
            form.apply_error(exc)
        else:
            messages.success(request, f"Saved {animal.name}.")
            for alert in alerts:
                messages.warning(request, alert.message)
            return redirect("animal", household.public_id, animal.public_id)
    return render(
        request,
        "gentling/animal_form.html",
        {
            "household": household,
            "form": form,
            "animal": animal,
            "nav": "overview",
            **_layout(form, adding=False, household=household, is_owner=request.is_owner),
        },
    )


@household_view()
def animal_detail(request, household, aid):
    animal = animal_for_request(request, household, aid)
    today = local_today(household, clock.now())
    protocol = protocol_for(animal)
    prog = progress_of(animal, today)
    titles = {s.id: s.title for s in protocol.steps}
    rungs = ladder(protocol.steps, prog.step_index, extended_hold_opt_in=animal.extended_hold_opt_in)
    quarantine = quarantine_of(animal, today)
    sessions = selectors.latest_sessions(animal, SESSIONS_SHOWN + 1)
    return render(
        request,
        "gentling/animal.html",
        {
            "household": household,
            "animal": animal,
            "progress": prog,
            "ladder": rungs,
            "nav": "overview",
            "history": [(h, titles[h.to_step]) for h in reversed(prog.history)],
            "sessions": sessions[:SESSIONS_SHOWN],
            "charts": CHARTS,
            "chart_version": chart_version(animal, today),
            "more_sessions": len(sessions) > SESSIONS_SHOWN,
            "sessions_shown": SESSIONS_SHOWN,
            "age_days": (today - animal.birth_date).days if animal.birth_date else None,
            "can_write": request.can_write,
            "photo_form": PhotoForm(),
            "quarantine": quarantine if quarantine and not quarantine.done else None,
            "health_form": HealthCheckForm(),
            "stays": selectors.cage_history(animal),
            "protocol": protocol,
            "on_ladder": not animal.protocol,
            "move_to": [c for c in protocols.choices(household, animal.species) if c.protocol is not protocol]
            if request.is_owner
            else [],
            "moves": protocols.moves_of(animal),
        },
    )


# matplotlib's SVG styles itself with a <style> element and style attributes. Shown in an <img> it
# cannot run anything; opened on its own, scripts stay blocked and only inline styles are allowed.
@csp_replace({"style-src": [UNSAFE_INLINE]})
@household_view()
def animal_chart(request, household, aid, name):
    if name not in CHARTS:
        raise Http404("No such chart")
    with raise_for():
        svg, kept, version = chart_of(request.user, household, aid, name, local_today(household, clock.now()))
    response = HttpResponse(svg, content_type="image/svg+xml")
    # The page asks for the chart with its version in the address: that answer never changes, so
    # the browser keeps it, and fetches again only when a session (or the day) changes the address.
    fixed = request.GET.get("v") == version
    response["Cache-Control"] = "private, max-age=86400, immutable" if fixed else "private, max-age=60"
    response["X-Gentling-Chart"] = "cached" if kept else "drawn"
    return response


@household_view()
def animal_photo(request, household, aid):
    animal = animal_for_request(request, household, aid)
    photo = getattr(animal, "photo", None)
    if photo is None:
        raise Http404("No photo")
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_POST
@household_view(write=True)
def animal_photo_upload(request, household, aid):
    animal = animal_for_request(request, household, aid, write=True)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        try:
            set_photo(animal=animal, upload=form.cleaned_data["photo"])
            messages.success(request, "Photo saved.")
        except InvalidInput as exc:
            messages.error(request, exc.message)
    return redirect("animal", household.public_id, animal.public_id)
