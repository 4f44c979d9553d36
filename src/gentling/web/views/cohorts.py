"""Cohorts: the list, making one, and a cohort's page with its outcome curves, compared with
other cohorts or cut by a fact of its animals (services/cohorts.py has the rules)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from ... import clock
from ...domain.errors import InvalidInput
from ...services import cohorts as svc
from ...services import selectors
from ...services.csv_export import csv_lines
from ...services.progress import local_today
from ..access import household_view, raise_for


@household_view()
def cohorts(request, household):
    problem = None
    if request.method == "POST":
        try:
            with raise_for():
                cohort = svc.create_cohort(
                    keeper=request.user,
                    household=household,
                    name=request.POST.get("name", ""),
                    animals=request.POST.getlist("animals"),
                )
        except InvalidInput as exc:
            problem = exc.message
        else:
            messages.success(request, f"Made the cohort '{cohort.name}'.")
            return redirect("cohort", household.public_id, cohort.public_id)
    return render(
        request,
        "gentling/cohorts.html",
        {
            "household": household,
            "nav": "overview",
            "cohorts": svc.cohorts_of(household),
            "animals": selectors.animals_listed(household),
            "problem": problem,
            "typed": request.POST.get("name", ""),
            "chosen": request.POST.getlist("animals"),
            "can_write": request.can_write,
        },
    )


def _chosen(request, household, cohort):
    """The cohort with those it is compared with (?with=...), and the cut (?by=...)."""
    others = [c for c in svc.cohorts_by_ids(household, request.GET.getlist("with")) if c != cohort]
    by = request.GET.get("by") or None
    return [cohort, *others], by


@household_view()
def cohort(request, household, cid):
    with raise_for():
        this = svc.cohort_by_id(request.user, household, cid)
    groups_of, by = _chosen(request, household, this)
    try:
        groups = svc.outcomes(groups_of, local_today(household, clock.now()), by=by)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect("cohort", household.public_id, cid)
    shown = svc.step_shown(groups, request.GET.get("step"))
    query = QueryDict(mutable=True)
    query.setlist("with", [c.public_id for c in groups_of[1:]])
    query.update({"by": by or "", "step": shown})
    return render(
        request,
        "gentling/cohort.html",
        {
            "household": household,
            "nav": "overview",
            "cohort": this,
            "members": svc.members_of(this),
            "others": [c for c in svc.cohorts_of(household) if c != this],
            "compared": [c.public_id for c in groups_of[1:]],
            "groups": groups,
            "rows": svc.table(groups),
            "shown": shown,
            "chart_url": reverse("cohort_chart", args=[household.public_id, cid]) + "?" + query.urlencode(),
            "study_url": reverse("cohort_study", args=[household.public_id, cid]) + "?" + query.urlencode(),
            "by": by or "",
            "cuts": svc.CUTS,
            **_measures(request, household, cid, groups_of, query),
        },
    )


def _measures(request, household, cid: str, groups_of, query: QueryDict) -> dict:
    """The measures-over-sessions part of a cohort's page: which measures, the one shown, its chart."""
    measures = svc.measures_shown(groups_of, request.GET.get("measure"))
    chart_query = query.copy()
    chart_query["measure"] = measures.name
    base = [household.public_id, cid]
    return {
        "measures": measures,
        "measure_chart_url": reverse("cohort_measure_chart", args=base) + "?" + chart_query.urlencode(),
        "sessions_url": reverse("cohort_sessions", args=base) + "?" + query.urlencode(),
        "parquet_url": reverse("cohort_sessions_parquet", args=base) + "?" + query.urlencode(),
    }


@household_view()
def cohort_measure_chart(request, household, cid):
    with raise_for():
        this = svc.cohort_by_id(request.user, household, cid)
    groups_of, _ = _chosen(request, household, this)
    shown = svc.measures_shown(groups_of, request.GET.get("measure"))
    response = HttpResponse(svc.measure_svg(shown), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


def _download(this, today, kind: str) -> str:
    return f'attachment; filename="gentling-sessions-{slugify(this.name) or "cohort"}-{today.isoformat()}.{kind}"'


@household_view()
def cohort_sessions(request, household, cid):
    """One row per animal and session with every measure: services/cohorts.SESSION_STUDY_COLUMNS."""
    with raise_for():
        this = svc.cohort_by_id(request.user, household, cid)
    groups_of, _ = _chosen(request, household, this)
    response = StreamingHttpResponse(
        csv_lines(svc.session_study_rows(groups_of)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = _download(this, local_today(household, clock.now()), "csv")
    return response


@household_view()
def cohort_sessions_parquet(request, household, cid):
    """The same rows as Parquet, typed, when pyarrow is installed (pip install 'gentling[study]')."""
    with raise_for():
        this = svc.cohort_by_id(request.user, household, cid)
    groups_of, _ = _chosen(request, household, this)
    try:
        data = svc.study_parquet(groups_of)
    except svc.ParquetUnavailable as exc:
        return HttpResponse(str(exc), status=501, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/vnd.apache.parquet")
    response["Content-Disposition"] = _download(this, local_today(household, clock.now()), "parquet")
    return response


@household_view()
def cohort_chart(request, household, cid):
    with raise_for():
        this = svc.cohort_by_id(request.user, household, cid)
    groups_of, by = _chosen(request, household, this)
    try:
        groups = svc.outcomes(groups_of, local_today(household, clock.now()), by=by)
    except InvalidInput:
        groups = svc.outcomes(groups_of, local_today(household, clock.now()))
    response = HttpResponse(svc.outcome_svg(groups, request.GET.get("step", "")), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


@household_view()
def cohort_study(request, household, cid):
    """The cohort (and those compared with it) as tidy study data: services/cohorts.STUDY_COLUMNS."""
    with raise_for():
        this = svc.cohort_by_id(request.user, household, cid)
    groups_of, _ = _chosen(request, household, this)
    today = local_today(household, clock.now())
    response = StreamingHttpResponse(
        csv_lines(svc.study_rows(groups_of, today)), content_type="text/csv; charset=utf-8"
    )
    name = slugify(this.name) or "cohort"
    response["Content-Disposition"] = f'attachment; filename="gentling-study-{name}-{today.isoformat()}.csv"'
    return response
