"""Forms only parse what the browser sent into typed values. The rules
(lengths, dates, vocabulary) are checked once, by the services, and a
service's InvalidInput lands on the form field it names (`apply_error`).

Every message names its field, as the services' messages do: some screens
show errors away from the fields (the session screen's live check, a message
at the top of the page), and a screen reader may read one on its own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name

from ..domain import vocab
from ..domain.errors import GentlingError, InvalidInput
from ..domain.validation import parse_duration
from ..models import Animal, Membership, Reminders
from ..services.demo import is_demo_keeper_name

SESSION_FIELDS = {
    "started_at": "started_at",
    "ended_at": "length",
    "animals": "animals",
    "holds": "holds",
    "activities": "activities",
    "observations": "observations",
    "notes": "notes",
    "extended_hold_seconds": "extended_hold_minutes",
    "extended_hold_end": "extended_hold_end",
}


def apply_error(form: forms.Form, exc: GentlingError, aliases: dict[str, str] | None = None) -> None:
    field = (aliases or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


# The codes of Django's own field checks, whose messages ("Enter a whole number.") do not say where.
DJANGO_CHECKS = frozenset(
    {
        "required",
        "invalid",
        "invalid_choice",
        "invalid_list",
        "min_value",
        "max_value",
        "max_length",
        "min_length",
        "step_size",
        "invalid_image",
        "missing",
        "empty",
    }
)


class KeeperForm(forms.Form):
    """A form whose Django-made messages start with their field's label:
    "Length (minutes): Ensure this value is greater than or equal to 1." Ours name the field already."""

    def add_error(self, field, error) -> None:
        if field in self.fields and isinstance(error, ValidationError) and not hasattr(error, "error_dict"):
            label = self.fields[field].label or pretty_name(field)
            error = ValidationError([_named(label, e) for e in error.error_list])
        super().add_error(field, error)


def _named(label: str, error: ValidationError) -> ValidationError:
    if error.code not in DJANGO_CHECKS:
        return error
    (message,) = list(error)
    return ValidationError(f"{label}: {message}", code=error.code)


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=False, help_text="Only for resetting your password.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self):
        username = super().clean_username()
        if username and is_demo_keeper_name(username):
            raise ValidationError("Username: that name belongs to the demo household; choose another.")
        return username


def _zones() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(available_timezones()) if "/" in z and not z.startswith("Etc/")] + [("UTC", "UTC")]


class HouseholdForm(KeeperForm):
    name = forms.CharField(max_length=200, help_text="A home, a rescue, a breeder or a lab.")
    time_zone = forms.ChoiceField(
        choices=_zones(),
        initial="UTC",
        help_text="Days start at midnight here.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:  # the page's script proposes the device's own zone (gentling.js)
            self.fields["time_zone"].widget.attrs["data-propose-zone"] = "yes"


class InviteForm(KeeperForm):
    role = forms.ChoiceField(
        choices=Membership.Role.choices,
        initial=Membership.Role.CARER,
        help_text="Carers log sessions; viewers can only look.",
    )


class AnimalForm(KeeperForm):
    name = forms.CharField(max_length=200)
    species = forms.ChoiceField(choices=list(vocab.SPECIES.items()))
    sex = forms.ChoiceField(choices=list(vocab.SEXES.items()), initial="unknown")
    source = forms.ChoiceField(
        choices=list(vocab.SOURCES.items()),
        label="Came from",
        help_text="Sets the pace: breeder animals are quicker, rescues get extra time.",
    )
    arrival_date = forms.DateField(label="Arrived home on", widget=forms.DateInput(attrs={"type": "date"}))
    birth_date = forms.DateField(required=False, label="Born on", widget=forms.DateInput(attrs={"type": "date"}))
    birth_date_estimated = forms.BooleanField(required=False, label="The birth date is an estimate")
    cage = forms.ChoiceField(required=False, label="Cage", help_text="The cage they live in.")
    new_cage = forms.CharField(required=False, max_length=200, label="New cage", help_text="Its name, e.g. Top deck.")
    neutered_on = forms.DateField(
        required=False,
        label="Neutered on (males)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A male counts as fertile for 6 weeks after neutering.",
    )
    status = forms.ChoiceField(choices=Animal.Status.choices, initial=Animal.Status.ACTIVE)
    air_space = forms.ChoiceField(
        required=False,
        label="Where will a newcomer spend its quarantine?",
        choices=[
            ("another_room", "Another room in this home"),
            ("separate_building", "A different building"),
            ("same_room", "The same room as the others"),
        ],
        help_text="Only asked when you already keep this species: newcomers start in quarantine.",
    )
    override_reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Owner's reason to override a refused cage move",
        help_text="Leave empty. Only if Gentling refused the move and you, an owner, are sure: it is recorded.",
    )
    notes = forms.CharField(
        required=False, widget=forms.Textarea, max_length=5000, help_text="Favourite treats, quirks, history."
    )
    extended_hold_opt_in = forms.BooleanField(
        required=False,
        label="Offer the optional extended hold (20 minutes or more) after basic trust",
        help_text="Contested practice; off by default. See the guide before choosing it.",
    )
    protocol = forms.ChoiceField(
        required=False,
        label="Protocol",
        help_text="The handling ladder suits pets. Labs: a lab protocol; or your household's own.",
    )

    def __init__(
        self, *args, cages: Sequence[str] = (), protocols: Sequence[tuple[str, str]] = (("ladder", "—"),), **kwargs
    ):
        """`cages`: the household's, by name. A cage is chosen from them, or made new on purpose:
        a typo never makes a second cage, and a new name that is an existing cage's is that cage.
        `protocols`: (ref, label) of those the household can use; the service checks the species."""
        super().__init__(*args, **kwargs)
        self.fields["protocol"].choices = list(protocols)
        self.cages = list(cages)
        self.fields["cage"].choices = [("", "No cage yet"), *((c, c) for c in self.cages), (NEW_CAGE, "New cage…")]

    def clean(self):
        data = super().clean()
        if data.get("cage") == NEW_CAGE:
            name = (data.get("new_cage") or "").strip()
            if not name:
                self.add_error("new_cage", "New cage: write its name, or choose a cage from the list.")
            data["cage"] = next((c for c in self.cages if c.casefold() == name.casefold()), name)
        return data

    def apply_error(self, exc: GentlingError) -> None:
        """A service's error, on the field it names: a new cage's name is the new cage's field."""
        apply_error(self, exc, {"cage": "new_cage"} if self.data.get("cage") == NEW_CAGE else None)


NEW_CAGE = "__new__"


class PhotoForm(KeeperForm):
    photo = forms.ImageField(help_text="A JPEG, PNG or WebP up to 5 MB.")


def started_at_field() -> forms.DateTimeField:
    """A session's start, to the second: a correction that changes only a note keeps it exactly."""
    return forms.DateTimeField(
        label="Started at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"),
    )


class NamesField(forms.MultipleChoiceField):
    """Activity or observation names: which ones exist depends on the animals' protocol, so the
    service checks them (one rule, one message); the form only bounds their number and length."""

    def valid_value(self, value: str) -> bool:
        return 0 < len(value) <= 64

    def validate(self, value: list) -> None:
        super().validate(value)
        if len(value) > 60:
            raise forms.ValidationError("Too many names in one session.")


class SessionForm(KeeperForm):
    """What a keeper taps on the session screen (and edits afterwards)."""

    activities = NamesField(required=False)
    observations = NamesField(required=False)
    holds = forms.CharField(required=False, max_length=500, help_text="Seconds of each pick-up, e.g. 3 4 2")
    extended_hold_minutes = forms.IntegerField(
        required=False, min_value=0, max_value=360, label="Extended hold (minutes)"
    )
    extended_hold_end = forms.ChoiceField(
        required=False,
        label="How the extended hold ended",
        choices=[("", "—")] + list(vocab.EXTENDED_HOLD_ENDINGS.items()),
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def clean_holds(self) -> list[int]:
        """Whole seconds, separated by whatever the phone's keyboard has: spaces, commas, semicolons."""
        holds = []
        for text in re.split(r"[,;\s]+", self.cleaned_data["holds"]):
            if not text:
                continue
            if not re.fullmatch(r"-?\d+", text):
                raise forms.ValidationError(
                    f"Hold '{text[:20]}': write each pick-up's seconds as a whole number, e.g. 3 4 2 or 3, 4, 2."
                )
            holds.append(int(text))
        return holds


class SessionEditForm(SessionForm):
    """A logged session, to correct: its start and its length keep their seconds (a 10-second
    session stays 10 seconds when only a note is changed)."""

    started_at = started_at_field()
    length = forms.CharField(label="Length", max_length=20, help_text="e.g. 10s, 5m or 1m30s; a bare number is minutes")

    def clean_length(self) -> int:
        try:
            return parse_duration(self.cleaned_data["length"], "ended_at", "Length", default_unit="m")
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None


class SessionLogForm(SessionForm):
    """A session logged after the fact (or with no signal, through the outbox: static/gentling/outbox.js
    sends the same fields to the API). Its length is minutes and seconds, two numbers any phone
    keyboard types; the service says whether the whole is plausible."""

    animals = forms.MultipleChoiceField(label="Who", error_messages={"required": "Tick at least one animal."})
    started_at = started_at_field()
    minutes = forms.IntegerField(label="Minutes", min_value=0, max_value=24 * 60, initial=5)
    seconds = forms.IntegerField(label="Seconds", min_value=0, max_value=59, initial=0, required=False)

    def __init__(self, *args, animals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["animals"].choices = [(a.public_id, a.name) for a in animals]

    def length_seconds(self) -> int:
        return self.cleaned_data["minutes"] * 60 + (self.cleaned_data["seconds"] or 0)


class RemindersForm(KeeperForm):
    """A keeper's reminders for a household; services/reminders.py checks and keeps them."""

    remind_at = forms.TimeField(
        label="Remind me at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), input_formats=["%H:%M"]
    )
    channel = forms.ChoiceField(label="How", choices=Reminders.Channel.choices, widget=forms.RadioSelect)
    email = forms.EmailField(required=False, label="Email address", help_text="Only for reminders and password resets.")
    scope = forms.ChoiceField(label="About", choices=Reminders.Scope.choices, widget=forms.RadioSelect)
    cares_for = forms.MultipleChoiceField(
        required=False, label="The animals I care for", widget=forms.CheckboxSelectMultiple
    )
    time_zone = forms.ChoiceField(label="My time zone", required=False, choices=[("", "The household's")] + _zones())

    def __init__(self, *args, animals: Sequence = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cares_for"].choices = [(a.public_id, a.name) for a in animals]
