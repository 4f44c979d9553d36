"""The session screen (timer, tap targets, hold stopwatch), and editing past sessions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ... import clock
from ...domain import alert_summary, vocab
from ...domain.alert_summary import and_list
from ...domain.errors import InvalidInput
from ...domain.protocol import StepKind
from ...domain.validation import STANDARD_WORDS, SessionInput, Words, duration_text
from ...services import selectors
from ...services import sessions as svc
from ...services.progress import local_time, local_today, progress_of, protocol_for
from ..access import household_view, raise_for
from ..forms import SESSION_FIELDS, SessionEditForm, SessionForm, apply_error

MEASURE = "measure_"  # a measure's input is named measure_<its name>


def measures_posted(post) -> dict[str, str]:
    """The measures typed on a form (empty ones are not measured); the service checks them."""
    return {k.removeprefix(MEASURE): v for k, v in list(post.items())[:200] if k.startswith(MEASURE) and v.strip()}


def session_entry(data: dict, start=None, end=None, measures: dict | None = None) -> SessionInput:
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
        measures=measures or {},
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


# Recorded by their own controls, not by a tap: the stopwatch's holds and the countdown.
RECORDED_ELSEWHERE = ("picked_up", "extended_hold")


def _screen(household, timer) -> dict:
    """The session screen's controls. What the animals' current steps ask for comes first; every
    other activity, and the pick-ups or the extended hold before their step, sit under "Other":
    whatever a keeper did can be recorded, and is checked."""
    today = local_today(household, clock.now())
    animals = selectors.animals_of_timer(timer)
    allowed: set[str] = set()
    planned_measures: set[str] = set()
    steps = []
    for animal in animals:
        protocol = protocol_for(animal)
        prog = progress_of(animal, today)
        step = protocol.steps[prog.step_index]
        allowed |= set(step.allows) | {d.activity for d in protocol.daily}
        planned_measures |= set(step.measures)
        steps.append((animal, step, prog))
    words = Words.of(protocol_for(a) for a in animals)
    taps = [t for name, t in words.activities.items() if name not in RECORDED_ELSEWHERE]
    extended = any(s.kind is StepKind.EXTENDED_HOLD for _, s, _ in steps)
    # The stop rules of the extended hold's step, shown at its countdown wherever that sits.
    stop_rules = next(
        (s.stop_rules for a in animals for s in protocol_for(a).steps if s.kind is StepKind.EXTENDED_HOLD), []
    )
    return {
        "animals": animals,
        "steps": steps,
        "activities": [t for t in taps if t.name in allowed],
        "other_activities": [t for t in taps if t.name not in allowed],
        "pickups_now": "picked_up" in allowed,
        "extended": extended,
        "groups": observation_groups(words),
        "measures": [m for m in words.measures.values() if m.name in planned_measures],
        "other_measures": [m for m in words.measures.values() if m.name not in planned_measures],
        "bouts": next((s.bouts for _, s, _ in steps if s.bouts is not None), None),
        "bouts_activity": next((s.plan[0].activity for _, s, _ in steps if s.bouts is not None and s.plan), ""),
        "stop_rules": stop_rules,
        "endings": [(k, v) for k, v in vocab.EXTENDED_HOLD_ENDINGS.items() if k != "completed"],
    }


def _other_open(screen: dict, values: dict) -> bool:
    """Whether "Other" opens by itself: something in it is filled in (a draft, a refused save)."""
    other = {t.name for t in screen["other_activities"]}
    return bool(
        other & set(values.get("activities") or ())
        or (not screen["pickups_now"] and values.get("holds"))
        or (not screen["extended"] and (values.get("extended_hold_minutes") or values.get("extended_hold_end")))
    )


def every_activity(words: Words = STANDARD_WORDS) -> list:
    """What may have been done, as tap targets, for a session told afterwards (logged, corrected):
    the extended hold has its own fields."""
    return [t for name, t in words.activities.items() if name != "extended_hold"]


def observation_groups(words: Words = STANDARD_WORDS) -> list:
    """What may be seen, as tap targets: (title, kind, observations), in the animals' protocol's words."""
    seen = list(words.observations.values())
    return [
        ("Comfort", "comfort", [o for o in seen if o.signal is vocab.Signal.UP]),
        ("Fear or stress", "fear", [o for o in seen if o.signal in (vocab.Signal.DOWN, vocab.Signal.NEUTRAL)]),
        ("Health", "health", [o for o in seen if o.signal in (vocab.Signal.HEALTH, vocab.Signal.CLEARED)]),
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
                    entry=session_entry(form.cleaned_data, measures=measures_posted(request.POST)),
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
    screen = _screen(household, timer)
    values = {name: form[name].value() for name in svc.DRAFT_FIELDS}
    return render(
        request,
        "gentling/session.html",
        {
            "household": household,
            "timer": timer,
            "form": form,
            "nav": "today",
            "other_open": _other_open(screen, values),
            **screen,
            "measured": measures_posted(request.POST) if request.method == "POST" else svc.draft_measures(timer),
        },
    )


@require_POST
@household_view(write=True)
def session_check(request, household, sid):
    """htmx: the guardrail alerts saving now would show, recorded or not."""
    with raise_for():
        timer = svc.open_session_by_id(keeper=request.user, household=household, public_id=sid)
    svc.save_draft(
        timer=timer, data={k: request.POST.getlist(k) for k in svc.DRAFT_FIELDS}, measures=measures_posted(request.POST)
    )
    form = SessionForm(request.POST)
    alerts: dict = {}
    problem = None
    if form.is_valid():
        now = clock.now()
        end = max(now, timer.started_at + timedelta(seconds=1))
        entry = session_entry(form.cleaned_data, timer.started_at, end, measures_posted(request.POST))
        try:
            alerts = svc.preview_alerts(
                keeper=request.user, household=household, animals=list(timer.animals.all()), entry=entry, now=now
            )
        except InvalidInput as exc:
            problem = exc.message
    else:
        problem = " ".join(e for errs in form.errors.values() for e in errs)
    shared = alert_summary.merge((animal.name, items) for animal, items in alerts.items())
    beside = {control: [a for a in shared if a.cause == control] for control in alert_summary.CONTROLS}
    return render(
        request,
        "gentling/_session_alerts.html",
        {
            "problem": problem,
            "shared": shared,
            "here": beside.pop("other"),
            "beside": beside.items(),
        },
    )


@require_POST
@household_view(write=True)
def session_discard(request, household, sid):
    with raise_for():
        svc.open_session_by_id(keeper=request.user, household=household, public_id=sid).delete()
    messages.info(request, "Session discarded; nothing was saved.")
    return redirect("today", household.public_id)


def report_saved(request, logged, headline: str = "") -> None:
    """One message for a saved sitting: what was saved, each warning once for all the animals it
    is about, and who moved on the ladder; as urgent as its worst line."""
    summary = svc.saved_summary(logged)
    headline = headline or f"Saved the session with {and_list([item.animal.name for item in logged])}."
    level = {"stop": messages.ERROR, "warning": messages.WARNING, "caution": messages.WARNING}
    messages.add_message(request, level.get(summary.level, messages.SUCCESS), "\n".join([headline, *summary.lines]))


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
    words = Words.of([protocol_for(session.animal)])
    form = SessionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start = data["started_at"]  # aware, in the household's time zone (see household_view)
        try:
            item = svc.edit_session(
                keeper=request.user,
                household=household,
                public_id=sid,
                entry=session_entry(
                    data, start, start + timedelta(seconds=data["length"]), measures_posted(request.POST)
                ),
                now=clock.now(),
            )
        except InvalidInput as exc:
            apply_error(form, exc, SESSION_FIELDS)
        else:
            report_saved(request, [item], f"Saved the changes to {item.animal.name}'s session.")
            return redirect("animal", household.public_id, item.animal.public_id)
    return render(
        request,
        "gentling/session_edit.html",
        {
            "household": household,
            "session": session,
            "form": form,
            "nav": "overview",
            "activities": every_activity(words),
            "groups": observation_groups(words),
            "measures": list(words.measures.values()),
            "measured": measures_posted(request.POST) if request.method == "POST" else session.measures,
            "extended": bool(session.extended_hold_seconds) or session.animal.extended_hold_opt_in,
        },
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
