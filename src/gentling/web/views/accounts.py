"""Sign up. Log in, log out and passwords are Django's own views (see urls.py).

Signing up from an invitation (the join page's "Sign up to join") joins its household at once
and opens its Today: the new keeper is never asked to create a household of their own first."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from ... import clock, keepers
from ...domain.errors import GentlingError
from ...services import households as hs
from ..forms import SignupForm


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend=keepers.PATH)
        target = request.GET.get("next", "")
        joined = _join_from(target, user)
        if joined is not None:
            messages.success(request, f"Welcome, {user.username}. You joined {joined.name}.")
            return redirect("today", joined.public_id)
        messages.success(request, f"Welcome, {user.username}. Create your household to begin.")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(target if target and safe else "households")
    return render(request, "registration/signup.html", {"form": form})


def _join_from(target: str, keeper):
    """The household joined, when the sign-up came from an invitation that is still open."""
    try:
        match = resolve(urlsplit(target).path) if target else None
    except Resolver404:
        return None
    if match is None or match.url_name != "join":
        return None
    try:
        return hs.accept_invite(keeper=keeper, token=match.kwargs["token"], now=clock.now())
    except GentlingError:
        return None  # expired or used meanwhile: the join page says so
