"""The keeper's personal API tokens: make one (shown once, in full), see them, revoke them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ... import clock
from ...domain.errors import InvalidInput, NotFound
from ...services import api_tokens as svc
from ..forms import KeeperForm, apply_error


class TokenForm(KeeperForm):
    name = forms.CharField(max_length=200, help_text="What the token is for, e.g. 'Home Assistant' or 'my script'.")


@never_cache
@login_required
def api_tokens(request):
    form, created = TokenForm(), None
    if request.method == "POST" and "revoke" in request.POST:
        try:
            token = svc.revoke_token(keeper=request.user, token_id=int(request.POST["revoke"]), now=clock.now())
        except (ValueError, NotFound):
            messages.error(request, "No such token among yours.")
        else:
            messages.success(request, f"Revoked the token '{token.name}' ({token.prefix}…): it no longer works.")
        return redirect("api_tokens")
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, raw = svc.create_token(keeper=request.user, name=form.cleaned_data["name"], now=clock.now())
            except InvalidInput as exc:
                apply_error(form, exc)
            else:
                created, form = (token, raw), TokenForm()
    return render(
        request,
        "gentling/api_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": svc.tokens_of(request.user),
            "nav": "tokens",
            "api_root": request.build_absolute_uri("/api/v1/"),
        },
    )
