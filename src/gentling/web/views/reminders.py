"""Reminders: a keeper's settings page (under Data & reminders), this device's push
subscription, and the unsubscribe link of a reminder email, which works without logging in."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ... import clock
from ...domain.errors import InvalidInput
from ...services import push, selectors
from ...services.digest import reminders_for_token, unsubscribe_email
from ...services.reminders import ReminderChoice, cared_for_ids, reminders_of, set_reminders
from ..access import household_view
from ..forms import RemindersForm

FIELDS = {"remind_at": "remind_at", "channel": "channel", "scope": "scope", "time_zone": "time_zone"}


@household_view(personal=True)
def reminders(request, household):
    # A viewer may be reminded too: choosing how changes nothing of the household's.
    r = reminders_of(request.user, household)
    animals = list(selectors.animals_listed(household, status="active"))
    initial = {
        "remind_at": r.remind_at,
        "channel": r.channel,
        "scope": r.scope,
        "time_zone": r.time_zone,
        "email": request.user.email,
        "cares_for": cared_for_ids(r),
    }
    form = RemindersForm(request.POST or None, initial=initial, animals=animals)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            r = set_reminders(
                keeper=request.user,
                household=household,
                choice=ReminderChoice(
                    remind_at=data["remind_at"],
                    channel=data["channel"],
                    scope=data["scope"],
                    time_zone=data["time_zone"],
                    cares_for=data["cares_for"],
                    email=data["email"],
                ),
            )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _saved(r))
            return redirect("reminders", household.public_id)
    return render(
        request,
        "gentling/reminders.html",
        {
            "household": household,
            "nav": "reminders",
            "form": form,
            "reminders": r,
            "vapid_key": push.public_key(),
        },
    )


def _saved(r) -> str:
    if r.channel == "none":
        return "Saved: no reminders for this household."
    return f"Saved: {r.get_channel_display().lower()} every day at {r.remind_at:%H:%M}."


@require_POST
@household_view(personal=True)
def push_subscribe(request, household):
    """This device's push subscription, as the browser's PushSubscription.toJSON() gives it."""
    try:
        body = json.loads(request.body or b"{}")
        keys = body.get("keys") or {}
        push.subscribe(
            keeper=request.user,
            endpoint=str(body.get("endpoint", "")),
            p256dh=str(keys.get("p256dh", "")),
            auth=str(keys.get("auth", "")),
            now=clock.now(),
        )
    except (ValueError, AttributeError):
        return JsonResponse({"error": "Send the browser's push subscription as JSON."}, status=400)
    except InvalidInput as exc:
        return JsonResponse({"error": exc.message, "field": exc.field}, status=400)
    return JsonResponse({"subscribed": True}, status=201)


@require_POST
@household_view(personal=True)
def push_unsubscribe(request, household):
    try:
        endpoint = str(json.loads(request.body or b"{}").get("endpoint", ""))
    except (ValueError, AttributeError):
        return JsonResponse({"error": "Send the subscription's endpoint as JSON."}, status=400)
    push.unsubscribe(keeper=request.user, endpoint=endpoint)
    return JsonResponse({"subscribed": False})


@csrf_exempt  # the token is the permission; a mail client's one-click POST (RFC 8058) carries no CSRF token
def unsubscribe(request, token):
    r = reminders_for_token(token)
    if r is None:
        return render(request, "gentling/unsubscribe.html", {"unknown": True}, status=404)
    if request.method == "POST":
        unsubscribe_email(r)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return render(request, "gentling/unsubscribe.html", {"done": True, "name": r.membership.household.name})
    return render(request, "gentling/unsubscribe.html", {"token": token, "name": r.membership.household.name})
