"""The session screen (timer, tap targets, hold stopwatch), and editing past sessions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ... import clock
from ...domain import vocab
from ...domain.errors import InvalidInput
from ...domain.protocol import StepKind
from ...domain.validation import SessionInput, duration_text
from ...services import selectors
from ...services import sessions as svc
from ...services.progress import local_time, local_today, progress_of, protocol_for
from ..access import household_view, raise_for
from ..forms import SESSION_FIELDS, SessionEditForm, SessionForm, apply_error


def session_entry(data: dict, start=None, end=None) -> SessionInput:
    minutes = data.get("extended_hold_minutes")
    return SessionInput(
        started_at=start,
        ended_at=end,
        activities=data["activities"],
        holds=data["holds"],
        observations=data["observations"],
        extended_hold_seconds=minutes * 60 if minutes else None,
        extended_hold_end=data["extended_hold_end"] or None,
        notes=data["notes"],
    )


@require_POST
@household_view(write=True)
def session_start(request, household):
    ids = request.POST.getlist("animals")
    animals = list(selectors.animals_with_ids(household, ids).values())
    if not animals:
        messages.error(request, "Tick at least one animal to start a session.")
        return redirect("today", household.public_id)
    try:
        with raise_for():
            timer = svc.open_session(keeper=request.user, household=household, animals=animals, now=clock.now())
    except InvalidInput as exc:  # an animal that has left since the page was shown
        messages.error(request, exc.message)
        return redirect("today", household.public_id)
    return redirect("session_open", household.public_id, timer.public_id)


def _screen(household, timer) -> dict:
    """The tap targets for the animals' current steps, and whether the extended hold is on offer."""
    today = local_today(household, clock.now())
    animals = selectors.animals_of_timer(timer)
    allowed: set[str] = set()
    extended = False
    steps = []
    for animal in animals:
        protocol = protocol_for(animal)
        prog = progress_of(animal, today)
        step = protocol.steps[prog.step_index]
        allowed |= set(step.allows) | {d.activity for d in protocol.daily}
        extended |= step.kind is StepKind.EXTENDED_HOLD
        steps.append((animal, step, prog))
    activities = [
        t
        for name, t in vocab.ACTIVITIES.items()
        if name in allowed and name not in ("extended_hold", "picked_up", "tail_lift")
    ]
    stop_rules = next((s.stop_rules for _, s, _ in steps if s.kind is StepKind.EXTENDED_HOLD), [])
    return {
        "animals": animals,
        "steps": steps,
        "activities": activities,
        "groups": observation_groups(),
        "extended": extended,
        "stop_rules": stop_rules,
        "endings": [(k, v) for k, v in vocab.EXTENDED_HOLD_ENDINGS.items() if k != "completed"],
    }


def observation_groups() -> list:
    """What may be seen, as tap targets: (title, kind, observations)."""
    return [
        ("Comfort", "comfort", [o for o in vocab.OBSERVATIONS.values() if o.signal is vocab.Signal.UP]),
        (
            "Fear or stress",
            "fear",
            [o for o in vocab.OBSERVATIONS.values() if o.signal in (vocab.Signal.DOWN, vocab.Signal.NEUTRAL)],
        ),
        (
            "Health",
            "health",
            [o for o in vocab.OBSERVATIONS.values() if o.signal in (vocab.Signal.HEALTH, vocab.Signal.CLEARED)],
        ),
    ]


@household_view(write=True)
def session_open(request, household, sid):
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Finished by its id, not by a timer read here: the service reads and locks it, so a
        # double tap saves once and the second tap is told so.
        try:
            with raise_for():
                logged = svc.finish_open_session(
                    keeper=request.user,
                    household=household,
                    public_id=sid,
                    entry=session_entry(form.cleaned_data),
                    now=clock.now(),
                )
        except svc.AlreadySaved as exc:
            messages.info(request, exc.message)
            return redirect("animal", household.public_id, exc.sessions[0].animal.public_id)
        except InvalidInput as exc:
            apply_error(form, exc, SESSION_FIELDS)
        else:
            report_saved(request, logged)
            return redirect("today", household.public_id)
    with raise_for():
        timer = svc.open_session_by_id(keeper=request.user, household=household, public_id=sid)
    if request.method != "POST":
        form = SessionForm(initial=svc.draft_initial(timer))
    return render(
        request,
        "gentling/session.html",
        {"household": household, "timer": timer, "form": form, "nav": "today", **_screen(household, timer)},
    )


@require_POST
@household_view(write=True)
def session_check(request, household, sid):
    """htmx: the guardrail alerts saving now would show, recorded or not."""
    with raise_for():
        timer = svc.open_session_by_id(keeper=request.user, household=household, public_id=sid)
    svc.save_draft(timer=timer, data={k: request.POST.getlist(k) for k in svc.DRAFT_FIELDS})
    form = SessionForm(request.POST)
    alerts, problem = {}, None
    if form.is_valid():
        now = clock.now()
        entry = session_entry(form.cleaned_data, timer.started_at, max(now, timer.started_at + timedelta(seconds=1)))
        try:
            alerts = svc.preview_alerts(
                keeper=request.user, household=household, animals=list(timer.animals.all()), entry=entry, now=now
            )
        except InvalidInput as exc:
            problem = exc.message
    else:
        problem = " ".join(e for errs in form.errors.values() for e in errs)
    return render(request, "gentling/_session_alerts.html", {"alerts": alerts, "problem": problem})


@require_POST
@household_view(write=True)
def session_discard(request, household, sid):
    with raise_for():
        svc.open_session_by_id(keeper=request.user, household=household, public_id=sid).delete()
    messages.info(request, "Session discarded; nothing was saved.")
    return redirect("today", household.public_id)


def report_saved(request, logged) -> None:
    for item in logged:
        messages.success(request, f"Saved {item.animal.name}'s session.")
        for alert in item.alerts:
            level = messages.ERROR if alert.level == "stop" else messages.WARNING
            messages.add_message(request, level, f"{item.animal.name}: {alert.message}")
        if item.moved == "up":
            messages.success(request, f"{item.animal.name} moved up a step. Well done, both of you.")
        elif item.moved == "back":
            messages.warning(request, f"{item.animal.name} went back a step: slow down, shorter and gentler.")


@household_view(write=True)
def session_edit(request, household, sid):
    with raise_for():
        session = svc.session_by_id(keeper=request.user, household=household, public_id=sid, write=True)
    initial = {
        "activities": session.activities,
        "observations": session.observations,
        "holds": ", ".join(str(h) for h in session.holds),
        "notes": session.notes,
        "extended_hold_minutes": (session.extended_hold_seconds or 0) // 60 or None,
        "extended_hold_end": session.extended_hold_end,
        "started_at": session.started_at,
        "length": duration_text(session.duration_seconds),
    }
    form = SessionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start = data["started_at"]  # aware, in the household's time zone (see household_view)
        try:
            item = svc.edit_session(
                keeper=request.user,
                household=household,
                public_id=sid,
                entry=session_entry(data, start, start + timedelta(seconds=data["length"])),
                now=clock.now(),
            )
        except InvalidInput as exc:
            apply_error(form, exc, SESSION_FIELDS)
        else:
            report_saved(request, [item])
            return redirect("animal", household.public_id, item.animal.public_id)
    return render(
        request,
        "gentling/session_edit.html",
        {"household": household, "session": session, "form": form, "nav": "overview"},
    )


@household_view(write=True)
def session_delete(request, household, sid):
    with raise_for():
        session = svc.session_by_id(keeper=request.user, household=household, public_id=sid, write=True)
    if request.method == "POST":
        with raise_for():
            svc.delete_session(keeper=request.user, household=household, public_id=sid, now=clock.now())
        messages.success(request, f"Deleted the session of {local_time(household, session.started_at):%d %b %H:%M}.")
        return redirect("animal", household.public_id, session.animal.public_id)
    return render(
        request, "gentling/session_delete.html", {"household": household, "session": session, "nav": "overview"}
    )
