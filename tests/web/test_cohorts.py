"""Cohort pages (issue 16, part 4): making one, its days to each step, compared and cut, and its
curve as an SVG chart; members read, writers make, outsiders find nothing."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.models import Cohort
from gentling.services.cohorts import create_cohort
from tests.factories import bring_to_step, make_animal

from .helpers import db_state, text, today


@pytest.fixture
def two(owner, household):
    quick = bring_to_step(owner, household, "first-pickups", now=timezone.now(), name="Quick", cage="A")
    newer = make_animal(household, today=today(), name="Newer", days_ago=7, cage="B")
    return (
        create_cohort(keeper=owner, household=household, name="Breeders", animals=[quick.public_id]),
        create_cohort(keeper=owner, household=household, name="Rescues", animals=[newer.public_id]),
    )


def test_a_carer_makes_a_cohort_of_ticked_animals(client, carer, household):
    luna = make_animal(household, today=today(), name="Luna", days_ago=5)
    client.force_login(carer)

    response = client.post(
        reverse("cohorts", args=[household.public_id]),
        {"name": "Spring intake", "animals": [luna.public_id], "once": uuid.uuid4().hex},
    )

    cohort = Cohort.objects.get()
    assert response["Location"] == reverse("cohort", args=[household.public_id, cohort.public_id])
    assert list(cohort.animals.all()) == [luna]


def test_a_bad_name_is_said_and_nothing_is_made(client, owner, household):
    client.force_login(owner)
    before = db_state()

    response = client.post(reverse("cohorts", args=[household.public_id]), {"name": "  "})

    assert response.status_code == 200 and "Name the cohort" in text(response)
    assert db_state() == before and not Cohort.objects.exists()


def test_the_page_shows_days_to_each_step_and_the_curve(client, viewer, household, two):
    breeders, rescues = two
    client.force_login(viewer)

    page = client.get(reverse("cohort", args=[household.public_id, breeders.public_id]) + f"?with={rescues.public_id}")

    body = text(page)
    assert "Days to each step" in body and "Breeders (1)" in body and "Rescues (1)" in body
    assert re.search(r"First pick-ups \d+ days 1 of 1 not yet half 0 of 1", body)
    chart = re.search(r'<img src="([^"]+)" alt="Chart: the share', page.content.decode()).group(1)
    svg = client.get(chart.replace("&amp;", "&"))
    assert svg["Content-Type"] == "image/svg+xml"
    assert (
        "Reached &#x27;First pick-ups&#x27;" in svg.content.decode()
        or "Reached 'First pick-ups'" in svg.content.decode()
    )
    assert "Breeders: 100%" in svg.content.decode() and "Rescues: 0%" in svg.content.decode()


def test_a_cohort_cut_by_source(client, owner, household, two):
    breeders, rescues = two
    both = create_cohort(
        keeper=owner, household=household, name="Both", animals=[a.public_id for c in two for a in c.animals.all()]
    )
    client.force_login(owner)

    body = text(client.get(reverse("cohort", args=[household.public_id, both.public_id]) + "?by=source"))

    assert "Both · Breeder (1)" in body and "Both · Rescue (1)" in body


def test_an_unknown_cut_is_said_plainly(client, owner, household, two):
    client.force_login(owner)
    url = reverse("cohort", args=[household.public_id, two[0].public_id])

    response = client.get(url + "?by=colour", follow=True)

    assert "Unknown way to cut a cohort 'colour'" in text(response)


def test_a_viewer_cannot_make_one_and_an_outsider_finds_nothing(client, viewer, outsider, household, two):
    client.force_login(viewer)
    assert client.post(reverse("cohorts", args=[household.public_id]), {"name": "Mine"}).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("cohort", args=[household.public_id, two[0].public_id])).status_code == 404
    assert client.get(reverse("cohort_chart", args=[household.public_id, two[0].public_id])).status_code == 404
    assert client.get(reverse("cohorts", args=[household.public_id])).status_code == 404


def test_the_study_data_loads_in_pandas_with_the_right_types(client, owner, household, two):
    import io

    import pandas as pd
    from lifelines import KaplanMeierFitter

    breeders, rescues = two
    client.force_login(owner)

    response = client.get(
        reverse("cohort_study", args=[household.public_id, breeders.public_id]) + f"?with={rescues.public_id}"
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    data = pd.read_csv(io.StringIO(body), parse_dates=["arrival_date"])
    assert list(data.columns) == [
        "cohort", "animal_id", "animal_name", "species", "sex", "source", "protocol", "arrival_date",
        "step", "step_title", "days", "reached",
    ]  # fmt: skip
    assert str(data["days"].dtype) == "int64" and str(data["reached"].dtype) == "bool"
    assert str(data["arrival_date"].dtype).startswith("datetime64")
    assert set(data["cohort"]) == {"Breeders", "Rescues"}
    pickups = data[data["step"] == "first-pickups"].set_index("cohort")
    assert bool(pickups.loc["Breeders", "reached"]) and not bool(pickups.loc["Rescues", "reached"])
    assert pickups.loc["Rescues", "days"] == 7  # seen for the week it has been home
    # Ready for survival analysis as it is.
    fit = KaplanMeierFitter().fit(pickups["days"], pickups["reached"])
    assert fit.event_observed.sum() == 1


@pytest.fixture
def tickled(owner, household):
    """Two tickling cohorts: 'Tickled' (two rats, call counts on three days) and 'Late' (one rat, one day)."""
    from datetime import datetime, time, timedelta

    from gentling.domain.validation import SessionInput
    from gentling.services.sessions import log_session

    def tickle(rat, day, calls):
        start = datetime.combine(day, time(9), timezone.get_current_timezone())
        entry = SessionInput(start, start + timedelta(minutes=3), ["tickled"], measures={"calls_50khz": calls})
        log_session(keeper=owner, household=household, animals=[rat], entry=entry, now=start + timedelta(hours=1))

    start = today() - timedelta(days=6)
    a, b, c = (
        make_animal(household, today=today(), name=n, source="breeder", days_ago=8, protocol="rat-tickling")
        for n in ("Ada", "Bea", "Cy")
    )
    for n, calls in enumerate((10, 30, 50)):
        tickle(a, start + timedelta(days=n), calls)
        tickle(b, start + timedelta(days=n), calls + 10)
    tickle(c, start, 4)
    return (
        create_cohort(keeper=owner, household=household, name="Tickled", animals=[a.public_id, b.public_id]),
        create_cohort(keeper=owner, household=household, name="Late", animals=[c.public_id]),
    )


def test_the_measures_over_sessions_are_shown_per_cohort(client, viewer, household, tickled):
    done, late = tickled
    client.force_login(viewer)
    url = reverse("cohort", args=[household.public_id, done.public_id]) + f"?with={late.public_id}"
    page = text(client.get(url))
    assert "Measures over sessions" in page and "50-kHz calls (calls)" in page
    assert "15 mean of 2" in page and "35 mean of 2" in page and "55 mean of 2" in page  # (10+20)/2 ...
    assert "4 mean of 1" in page
    # Led by the cohort with fewer sessions, the table still has a row for each of the other's.
    led_by_late = text(
        client.get(reverse("cohort", args=[household.public_id, late.public_id]) + f"?with={done.public_id}")
    )
    assert "4 mean of 1" in led_by_late and "55 mean of 2" in led_by_late
    chart = client.get(
        reverse("cohort_measure_chart", args=[household.public_id, done.public_id]) + "?measure=calls_50khz"
    )
    assert chart["Content-Type"] == "image/svg+xml" and b"50-kHz calls" in chart.content


def test_the_per_session_study_data_has_a_column_per_measure_and_loads_typed(
    client, owner, outsider, household, tickled
):
    import io

    import pandas as pd

    done, late = tickled
    client.force_login(owner)
    query = f"?with={late.public_id}"
    response = client.get(reverse("cohort_sessions", args=[household.public_id, done.public_id]) + query)
    data = pd.read_csv(io.StringIO(b"".join(response.streaming_content).decode()), parse_dates=["day"])
    assert list(data.columns)[-1] == "calls_50khz" and len(data) == 7
    assert str(data["calls_50khz"].dtype) == "int64" and str(data["session_number"].dtype) == "int64"
    assert str(data["day"].dtype).startswith("datetime64")
    assert data.groupby("cohort")["calls_50khz"].mean().to_dict() == {"Late": 4, "Tickled": 35}

    parquet = client.get(reverse("cohort_sessions_parquet", args=[household.public_id, done.public_id]) + query)
    frame = pd.read_parquet(io.BytesIO(parquet.content))
    assert len(frame) == 7 and str(frame["day"].dtype).startswith("datetime64")
    assert frame["calls_50khz"].sum() == data["calls_50khz"].sum()

    client.force_login(outsider)
    for name in ("cohort_sessions", "cohort_sessions_parquet", "cohort_measure_chart"):
        assert client.get(reverse(name, args=[household.public_id, done.public_id])).status_code == 404


def test_without_pyarrow_the_parquet_download_says_what_to_install(client, owner, household, tickled, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed: importing it fails
    client.force_login(owner)
    response = client.get(reverse("cohort_sessions_parquet", args=[household.public_id, tickled[0].public_id]))
    assert response.status_code == 501
    assert "pip install 'gentling[study]'" in response.content.decode() and "CSV" in response.content.decode()
