"""Households: create, list, members and invitation links."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ... import clock
from ...domain.errors import InvalidInput, NotFound
from ...services import households as hs
from ...services import selectors
from ..access import household_view, raise_for
from ..forms import HouseholdForm, InviteForm, apply_error


def home(request):
    if not request.user.is_authenticated:
        return render(request, "gentling/welcome.html")
    mine = list(hs.households_of(request.user))
    if len(mine) == 1:
        return redirect("today", mine[0].public_id)
    return redirect("households")


@login_required
def households(request):
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = hs.create_household(
                keeper=request.user, name=form.cleaned_data["name"], time_zone=form.cleaned_data["time_zone"]
            )
        except InvalidInput as exc:
            apply_error(form, exc)
        else:
            messages.success(request, f"Created {household.name}. Add your first animal.")
            return redirect("animal_new", household.public_id)
    rows = [(h, h.role) for h in hs.households_listed(request.user)]
    return render(request, "gentling/households.html", {"rows": rows, "form": form, "nav": "households"})


@household_view()
def more(request, household):
    """On a phone, what the tab bar has no room for."""
    return render(request, "gentling/more.html", {"household": household, "nav": "more"})


@household_view()
def members(request, household):
    is_owner = request.is_owner
    form = InviteForm(request.POST or None)
    invites = selectors.open_invites(household) if is_owner else []
    return render(
        request,
        "gentling/members.html",
        {
            "household": household,
            "nav": "members",
            "form": form,
            "is_owner": is_owner,
            "memberships": selectors.members_of(household),
            "invites": [(i, request.build_absolute_uri(reverse("join", args=[i.token]))) for i in invites],
        },
    )


@require_POST
@household_view(write=True)
def invite_create(request, household):
    form = InviteForm(request.POST)
    if form.is_valid():
        with raise_for():
            hs.create_invite(by=request.user, household=household, role=form.cleaned_data["role"])
        messages.success(request, "Invitation link created: copy it from the list below and send it.")
    return redirect("members", household.public_id)


@require_POST
@household_view(write=True)
def invite_revoke(request, household, token):
    with raise_for():
        hs.revoke_invite(by=request.user, household=household, token=token)
    messages.info(request, "Invitation revoked.")
    return redirect("members", household.public_id)


def join(request, token):
    try:
        invite = hs.open_invite(token, clock.now())
    except NotFound as exc:
        return render(request, "gentling/join.html", {"error": exc.message}, status=404)
    if request.method == "POST" and request.user.is_authenticated:
        household = hs.accept_invite(keeper=request.user, token=token, now=clock.now())
        messages.success(request, f"You joined {household.name}.")
        return redirect("today", household.public_id)
    return render(request, "gentling/join.html", {"invite": invite})
