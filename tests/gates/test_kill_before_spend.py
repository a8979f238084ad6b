"""A kill is not dated before spend already recorded: spend after a kill is refused, so the
kill's date may not leave recorded spend after it either. Only a kill: a hold, or a go at
the last gate, may be dated before spend recorded later on."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from gates.models import GateDecision
from portfolio.errors import DomainError
from portfolio.models import Status
from tests.builders import (
    add_business_case,
    add_estimate,
    add_study,
    decide,
    make_project,
    record_spend,
    scorecard_post,
)

pytestmark = pytest.mark.django_db

MESSAGE = (
    "GL-0095 has spend recorded up to 2026-11-30: date the kill on or after it, "
    "or correct the spend first."
)


@pytest.fixture
def on_hold(alice, bob):
    """GL-0095, on hold since 2026-03-26, with spend recorded up to 2026-11-30."""
    project = make_project(key="GL-0095", researcher=alice, product_manager=bob)
    record_spend(project, datetime.date(2026, 2, 10), "5000")
    decide(project, 1, "hold", decided_on=datetime.date(2026, 3, 26))
    record_spend(project, datetime.date(2026, 11, 30), "1200")
    record_spend(project, datetime.date(2026, 6, 1), "800")  # recorded last, dated earlier
    project.refresh_from_db()
    return project


def kill_post(decided_on: str) -> dict:
    data = {
        "gate": "1",
        "decision": "kill",
        "decided_on": decided_on,
        "funding_granted": "0",
        "probability_of_success": "",
        "rationale": "The data does not exist.",
        "decisions_seen": "1",
        "confirm_kill": "yes",
    }
    data.update(scorecard_post(1))
    return data


def test_the_service_refuses_a_kill_dated_before_the_latest_spend(on_hold):
    with pytest.raises(DomainError) as refused:
        decide(on_hold, 1, "kill", decided_on=datetime.date(2026, 4, 1))
    assert [(p.field, p.message) for p in refused.value.problems] == [("decided_on", MESSAGE)]
    on_hold.refresh_from_db()
    assert on_hold.status == Status.ON_HOLD
    assert GateDecision.objects.filter(project=on_hold).count() == 1


def test_a_kill_on_the_day_of_the_latest_spend_is_recorded(on_hold):
    decide(on_hold, 1, "kill", decided_on=datetime.date(2026, 11, 30))
    on_hold.refresh_from_db()
    assert on_hold.status == Status.KILLED
    assert on_hold.last_decision_on == datetime.date(2026, 11, 30)


def test_the_decision_form_says_it_beside_the_date(client, on_hold, bob):
    client.force_login(bob)
    url = reverse("decision_create", args=[on_hold.key])
    response = client.post(url, kill_post("2026-04-01"))
    assert response.status_code == 400
    body = response.content.decode()
    assert MESSAGE in body
    # Beside the date field, and in the summary above the form.
    assert body.rindex(MESSAGE) > body.index('id="field-decided_on"')
    assert body.index(MESSAGE) < body.index('id="scorecard"')
    on_hold.refresh_from_db()
    assert on_hold.status == Status.ON_HOLD

    response = client.post(url, kill_post("2026-12-01"))
    assert response.status_code == 302
    on_hold.refresh_from_db()
    assert on_hold.status == Status.KILLED


def test_a_hold_dated_before_the_latest_spend_is_recorded(alice, bob):
    project = make_project(key="GL-0096", researcher=alice, product_manager=bob)
    record_spend(project, datetime.date(2026, 5, 1), "100")
    decide(project, 1, "hold", decided_on=datetime.date(2026, 4, 1))
    project.refresh_from_db()
    assert project.status == Status.ON_HOLD


def test_a_greenlight_dated_before_the_latest_spend_is_recorded(alice, bob):
    """Spend after greenlight is recorded (record_spend refuses only after a kill), so a go at
    the last gate is not held to the latest spend either."""
    project = make_project(key="GL-0097", researcher=alice, product_manager=bob)
    day = datetime.date(2026, 1, 6)
    decide(project, 1, "go", decided_on=day)
    add_study(project, alice)
    decide(project, 2, "go", decided_on=day)
    add_estimate(project)
    decide(project, 3, "go", decided_on=day)
    add_business_case(project, bob)
    record_spend(project, datetime.date(2026, 5, 1), "100")
    decide(project, 4, "go", decided_on=datetime.date(2026, 4, 1))
    record_spend(project, datetime.date(2026, 6, 1), "100")
    project.refresh_from_db()
    assert project.status == Status.GREENLIT
    assert project.last_spend_on == datetime.date(2026, 6, 1)
