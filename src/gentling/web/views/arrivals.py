"""Cages, quarantine health checks and the introduction board."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ... import clock
from ...domain import vocab
from ...domain.arrivals import arrivals_protocol
from ...domain.errors import InvalidInput
from ...models import Animal
from ...services import arrivals as svc
from ...services import selectors
from ...services.progress import local_today
from ...services.today import today_for_household
from ..access import animal_for_request, household_view, raise_for
from ..forms import KeeperForm

MOVES_SHOWN = 20  # of each cage's history
HEALTH_CHOICES = [
    (k, o.label)
    for k, o in vocab.OBSERVATIONS.items()
    if o.signal in (vocab.Signal.HEALTH, vocab.Signal.NEUTRAL, vocab.Signal.CLEARED)
]


class HealthCheckForm(KeeperForm):
    signs = forms.MultipleChoiceField(required=False, choices=HEALTH_CHOICES, widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class MeetingForm(KeeperForm):
    minutes = forms.IntegerField(min_value=1, max_value=720, label="Length (minutes)")
    behaviours = forms.MultipleChoiceField(required=False, choices=[])
    notes = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        b = arrivals_protocol().behaviours
        self.fields["behaviours"].choices = list(b.normal.items()) + list(b.danger.items())


@household_view()
def cages(request, household):
    rows = [(c, c.residents, c.moves) for c in svc.cages_with_residents(household, recent_moves=MOVES_SHOWN)]
    return render(request, "gentling/cages.html", {"household": household, "rows": rows, "nav": "cages"})


@require_POST
@household_view(write=True)
def health_check(request, household, aid):
    animal = animal_for_request(request, household, aid, write=True)
    form = HealthCheckForm(request.POST)
    if form.is_valid():
        now = clock.now()
        today = local_today(household, now)
        try:
            check = svc.record_health_check(
                keeper=request.user,
                animal=animal,
                day=today,
                signs=form.cleaned_data["signs"],
                notes=form.cleaned_data["notes"],
                now=now,
            )
        except InvalidInput as exc:
            messages.error(request, exc.message)
        else:
            if set(check.signs) & vocab.HEALTH_SIGNS:
                messages.error(
                    request,
                    f"Illness signs noted for {animal.name}: handling is paused and the quarantine "
                    "is extended. Gentling is a coach, not a vet: an exotics vet should see them.",
                )
            else:
                messages.success(request, f"Health check saved for {animal.name}.")
    return redirect("animal", household.public_id, animal.public_id)


@household_view()
def introductions(request, household):
    today = local_today(household, clock.now())
    board = today_for_household(household, today).introductions
    animals = list(selectors.animals_listed(household, status=Animal.Status.ACTIVE))
    if request.method == "POST":  # household_view already refused viewers
        newcomers = [a for a in animals if a.public_id in request.POST.getlist("newcomers")]
        residents = [a for a in animals if a.public_id in request.POST.getlist("residents")]
        try:
            with raise_for():
                intro = svc.start_introduction(
                    keeper=request.user,
                    household=household,
                    newcomers=newcomers,
                    residents=residents,
                    cage_name=request.POST.get("cage", ""),
                    day=today,
                )
        except InvalidInput as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Introduction started.")
            return redirect("introduction", household.public_id, intro.public_id)
    return render(
        request,
        "gentling/introductions.html",
        {
            "household": household,
            "board": board,
            "animals": animals,
            "nav": "introductions",
            "can_write": request.can_write,
        },
    )


@household_view()
def introduction(request, household, iid):
    with raise_for():
        intro = svc.introduction_by_id(keeper=request.user, household=household, public_id=iid)
    today = local_today(household, clock.now())
    p = arrivals_protocol()
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        now = clock.now()
        try:
            with raise_for():
                logged = svc.log_meeting(
                    keeper=request.user,
                    intro=intro,
                    started_at=now - timedelta(minutes=data["minutes"]),
                    duration_seconds=data["minutes"] * 60,
                    behaviours=data["behaviours"],
                    notes=data["notes"],
                    now=now,
                )
        except InvalidInput as exc:
            form.add_error(None, exc.message)
        else:
            for alert in logged.alerts:
                messages.error(request, alert.message)
            if not logged.alerts:
                messages.success(request, f"Meeting saved. Stage: {logged.progress.stage_title}.")
            return redirect("introduction", household.public_id, intro.public_id)
    prog = svc.introduction_of(intro, today)
    return render(
        request,
        "gentling/introduction.html",
        {
            "household": household,
            "intro": intro,
            "progress": prog,
            "protocol": p,
            "form": form,
            "stages": list(enumerate(p.introduction.stages)),
            "normal": p.behaviours.normal.items(),
            "danger": p.behaviours.danger.items(),
            "meetings": selectors.meetings_of(intro, newest_first=True),
            "newcomers": intro.newcomers.all(),
            "residents": intro.residents.all(),
            "nav": "introductions",
            "can_write": request.can_write,
            "next_minutes": prog.next_meeting_seconds // 60,
        },
    )


@require_POST
@household_view(write=True)
def introduction_cleaned(request, household, iid):
    with raise_for():
        intro = svc.introduction_by_id(keeper=request.user, household=household, public_id=iid, write=True)
        today = local_today(household, clock.now())
        svc.mark_cage_cleaned(keeper=request.user, intro=intro, day=today, today=today)
    messages.success(request, "Recorded: the shared cage was washed and rearranged.")
    return redirect("introduction", household.public_id, intro.public_id)
