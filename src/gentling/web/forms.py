"""Forms only parse what the browser sent into typed values. The rules
(lengths, dates, vocabulary) are checked once, by the services, and a
service's InvalidInput lands on the form field it names (`apply_error`)."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from ..domain import vocab
from ..domain.errors import GentlingError
from ..models import Membership

SESSION_FIELDS = {
    "started_at": "started_at", "ended_at": "length_minutes", "holds": "holds",
    "activities": "activities", "observations": "observations", "notes": "notes",
    "extended_hold_seconds": "extended_hold_minutes", "extended_hold_end": "extended_hold_end",
}


def apply_error(form: forms.Form, exc: GentlingError, aliases: dict[str, str] | None = None) -> None:
    field = (aliases or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=False, help_text="Only for resetting your password.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class HouseholdForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="A home, a rescue, a breeder or a lab.")
    time_zone = forms.ChoiceField(
        choices=[(z, z) for z in sorted(available_timezones()) if "/" in z and not z.startswith("Etc/")] + [("UTC", "UTC")],
        initial="UTC", help_text="Days start at midnight here.",
    )


class InviteForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.ROLES, initial=Membership.CARER,
                             help_text="Carers log sessions; viewers can only look.")


class AnimalForm(forms.Form):
    name = forms.CharField(max_length=200)
    species = forms.ChoiceField(choices=list(vocab.SPECIES.items()))
    sex = forms.ChoiceField(choices=list(vocab.SEXES.items()), initial="unknown")
    source = forms.ChoiceField(
        choices=list(vocab.SOURCES.items()), label="Came from",
        help_text="Sets the pace: breeder animals are quicker, rescues get extra time.",
    )
    arrival_date = forms.DateField(label="Arrived home on", widget=forms.DateInput(attrs={"type": "date"}))
    birth_date = forms.DateField(required=False, label="Born on", widget=forms.DateInput(attrs={"type": "date"}))
    birth_date_estimated = forms.BooleanField(required=False, label="The birth date is an estimate")
    cage = forms.CharField(required=False, max_length=200, help_text="The cage they live in (optional).")
    neutered_on = forms.DateField(required=False, label="Neutered on (males)", widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="A male counts as fertile for 6 weeks after neutering.")
    status = forms.ChoiceField(choices=list(vocab.STATUSES.items()), initial="active")
    air_space = forms.ChoiceField(
        required=False, label="Where will a newcomer spend its quarantine?",
        choices=[("another_room", "Another room in this home"), ("separate_building", "A different building"),
                 ("same_room", "The same room as the others")],
        help_text="Only asked when you already keep this species: newcomers start in quarantine.")
    override_reason = forms.CharField(
        required=False, max_length=2000, label="Owner's reason to override a refused cage move",
        help_text="Leave empty. Only if Gentling refused the move and you, an owner, are sure: it is recorded.")
    notes = forms.CharField(required=False, widget=forms.Textarea, max_length=5000,
                            help_text="Favourite treats, quirks, history.")
    extended_hold_opt_in = forms.BooleanField(
        required=False, label="Offer the optional extended hold (20 minutes or more) after basic trust",
        help_text="Contested practice; off by default. See the guide before choosing it.",
    )


class PhotoForm(forms.Form):
    photo = forms.ImageField(help_text="A JPEG, PNG or WebP up to 5 MB.")


class SessionForm(forms.Form):
    """What a keeper taps on the session screen (and edits afterwards)."""

    activities = forms.MultipleChoiceField(required=False, choices=[(k, t.label) for k, t in vocab.ACTIVITIES.items()])
    observations = forms.MultipleChoiceField(required=False, choices=[(k, o.label) for k, o in vocab.OBSERVATIONS.items()])
    holds = forms.CharField(required=False, max_length=500, help_text="Seconds of each pick-up, e.g. 3, 4, 2")
    extended_hold_minutes = forms.IntegerField(required=False, min_value=0, max_value=360, label="Extended hold (minutes)")
    extended_hold_end = forms.ChoiceField(required=False, label="How the extended hold ended",
                                          choices=[("", "—")] + list(vocab.EXTENDED_HOLD_ENDINGS.items()))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def clean_holds(self) -> list[int]:
        raw = self.cleaned_data["holds"].replace(";", ",")
        try:
            return [int(x) for x in raw.split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError("Write each pick-up's seconds as whole numbers, e.g. 3, 4, 2.") from None


class SessionEditForm(SessionForm):
    started_at = forms.DateTimeField(label="Started at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    length_minutes = forms.IntegerField(label="Length (minutes)", min_value=-100000, max_value=100000)
