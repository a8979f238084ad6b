"""A decision's rationale has one limit on the page and in the API: the model's, 10,000
characters.

The API refused a rationale over 10,000 characters while the gate review's decision form
took any length, so the page recorded rationales no script could send. Over the limit,
both record nothing: the API says "Rationale: at most 10,000 characters.", the page says what
to do beside the field, "Shorten it to at most 10,000 characters." (its summary puts the label
before it), as of a vote's comment (tests/api/test_vote_comment_limit.py). The API's side:
tests/api/test_rationale_limit.py.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from gates.models import RATIONALE_MAX, GateDecision
from portfolio.errors import DomainError
from portfolio.models import Status
from tests.builders import decide, make_project, scorecard_post

pytestmark = pytest.mark.django_db

TOO_LONG = "Rationale: at most 10,000 characters."
SHORTEN = "Shorten it to at most 10,000 characters."


@pytest.fixture
def project(alice, bob):
    """GL-0120, at gate 1, which Bob (its product manager) decides."""
    return make_project(key="GL-0120", researcher=alice, product_manager=bob)


def _hold(rationale: str) -> dict:
    data = {
        "gate": "1",
        "decision": "hold",
        "decided_on": "2026-01-10",
        "funding_granted": "0",
        "probability_of_success": "",
        "rationale": rationale,
        "decisions_seen": "0",
    }
    data.update(scorecard_post(1))
    return data


def test_the_model_s_limit_is_the_one():
    assert RATIONALE_MAX == 10_000
    assert GateDecision._meta.get_field("rationale").max_length == RATIONALE_MAX


def test_the_page_refuses_one_more_saying_what_to_do(client, bob, project):
    client.force_login(bob)
    url = reverse("decision_create", args=[project.key])
    answer = client.post(url, _hold("x" * 10_001))
    assert answer.status_code == 400
    page = answer.content.decode()
    assert f"Rationale: {SHORTEN}" in page  # the summary
    # Beside the rationale, after the date field.
    assert page.rindex(SHORTEN) > page.index('id="field-rationale"')
    assert not GateDecision.objects.exists()
    project.refresh_from_db()
    assert project.status == Status.ACTIVE

    answer = client.post(url, _hold("x" * 10_000))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert GateDecision.objects.get().rationale == "x" * 10_000


def test_the_textarea_says_its_limit(client, bob, project):
    client.force_login(bob)
    page = client.get(reverse("gate_review", args=[project.key])).content.decode()
    textarea = page[page.index('name="rationale"') - 200 : page.index('name="rationale"') + 200]
    assert 'maxlength="10000"' in textarea


def test_the_service_holds_every_caller_to_it(project):
    with pytest.raises(DomainError) as refused:
        decide(project, 1, "hold", decided_on=datetime.date(2026, 1, 10), rationale="x" * 10_001)
    assert [(p.field, p.message) for p in refused.value.problems] == [("rationale", TOO_LONG)]
    assert not GateDecision.objects.exists()
