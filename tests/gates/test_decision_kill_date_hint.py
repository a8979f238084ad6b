"""The decision form says up front when a kill may be dated: a kill dated before the
project's latest recorded spend is refused (tests/gates/test_kill_before_spend.py), and the
form named that date only in the refusal. It now says it under the date field, before
anything is sent, when the project has recorded spend; the refusal stays."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from portfolio.models import Status
from tests.builders import decide, make_project, record_spend, scorecard_post

pytestmark = pytest.mark.django_db

HINT = "Spend is recorded up to 2026-11-30: date a kill on or after it."
REFUSED = (
    "GL-0095 has spend recorded up to 2026-11-30: date the kill on or after it, "
    "or correct the spend first."
)


@pytest.fixture
def on_hold(alice, bob):
    """GL-0095, on hold since 2026-03-26, with spend recorded up to 2026-11-30."""
    project = make_project(key="GL-0095", researcher=alice, product_manager=bob)
    decide(project, 1, "hold", decided_on=datetime.date(2026, 3, 26))
    record_spend(project, datetime.date(2026, 11, 30), "1200")
    record_spend(project, datetime.date(2026, 6, 1), "800")  # recorded last, dated earlier
    return project


def _date_field(page: str) -> str:
    """The decision's date field, as drawn (templates/_form/field.html)."""
    start = page.index('id="field-decided_on"')
    return page[start : page.index('id="field-funding_granted"', start)]


def test_the_form_says_it_under_the_date_before_anything_is_sent(client, bob, on_hold):
    client.force_login(bob)
    page = client.get(reverse("gate_review", args=[on_hold.key])).content.decode()
    field = _date_field(page)
    assert HINT in field
    # Read out with the date field (Django ties a field's help text to it).
    assert 'id="id_decided_on_helptext"' in field
    assert 'aria-describedby="id_decided_on_helptext"' in field
    assert page.count(HINT) == 1


def test_nothing_is_said_without_recorded_spend(client, alice, bob):
    project = make_project(key="GL-0096", researcher=alice, product_manager=bob)
    client.force_login(bob)
    page = client.get(reverse("gate_review", args=[project.key])).content.decode()
    assert "Spend is recorded up to" not in page
    assert 'id="id_decided_on_helptext"' not in _date_field(page)


def test_the_refusal_stays_and_the_hint_with_it(client, bob, on_hold):
    client.force_login(bob)
    data = {
        "gate": "1",
        "decision": "kill",
        "decided_on": "2026-04-01",
        "funding_granted": "0",
        "probability_of_success": "",
        "rationale": "The data does not exist.",
        "decisions_seen": "1",
        "confirm_kill": "yes",
        **scorecard_post(1),
    }
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        answer = client.post(reverse("decision_create", args=[on_hold.key]), data, **headers)
        assert answer.status_code == 400
        field = _date_field(answer.content.decode())
        assert HINT in field
        assert REFUSED in field
        # Read out with the date field: the refusal first, then the hint (both still drawn).
        widget = re.search(r'<input[^>]*name="decided_on"[^>]*>', field).group(0)
        assert 'aria-invalid="true"' in widget
        assert 'aria-describedby="id_decided_on_error id_decided_on_helptext"' in widget
        assert re.search(r'id="id_decided_on_error"><li>[^<]*date the kill on or after', field)
        assert f'<div class="helptext" id="id_decided_on_helptext">{HINT}</div>' in field
    on_hold.refresh_from_db()
    assert on_hold.status == Status.ON_HOLD


def test_the_date_said_is_the_latest_spend_as_it_is_now(client, bob, on_hold):
    record_spend(on_hold, datetime.date(2026, 12, 1), "50")
    client.force_login(bob)
    page = client.get(reverse("gate_review", args=[on_hold.key])).content.decode()
    assert "Spend is recorded up to 2026-12-01: date a kill on or after it." in _date_field(page)
