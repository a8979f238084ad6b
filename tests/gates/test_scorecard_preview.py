from __future__ import annotations

import pytest
from django.urls import reverse

from gates.models import GateDecision
from portfolio.models import Status
from tests.builders import criteria, make_project, scorecard_post

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(project) -> str:
    return reverse("scorecard_preview", args=[project.key])


def test_it_returns_the_weighted_total_as_a_partial(client, project, bob):
    client.force_login(bob)
    response = client.post(url(project), scorecard_post(1, score=7), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="scorecard-total"')
    assert "<html" not in body
    assert '<strong class="total" data-testid="scorecard-total">42</strong>' in body  # 7 × 6
    assert "of 60" in body
    assert "Must-meet: 2 of 2 met" in body


def test_it_counts_only_what_is_answered(client, project, bob):
    client.force_login(bob)
    prize = next(c for c in criteria(1) if c.name.startswith("Size of the prize"))
    must = next(c for c in criteria(1) if c.is_must_meet)
    data = {f"score_{prize.pk}": "10", f"must_{must.pk}": "no"}
    body = client.post(url(project), data, **HTMX).content.decode()
    assert 'data-testid="scorecard-total">30</strong>' in body  # 10 × weight 3
    assert "(1 of 3 scored)" in body
    assert "Must-meet: 0 of 2 met — a go needs all of them" in body


def test_it_ignores_invalid_answers(client, project, bob):
    client.force_login(bob)
    data = dict.fromkeys(scorecard_post(1), "eleven")
    response = client.post(url(project), data, **HTMX)
    assert response.status_code == 200
    assert 'data-testid="scorecard-total">0</strong>' in response.content.decode()


def test_without_htmx_it_shows_the_whole_page_with_the_answers_and_total(client, project, bob):
    client.force_login(bob)
    data = scorecard_post(1, score=5) | {"decision": "hold", "rationale": "Wait for Q2."}
    response = client.post(url(project), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert 'data-testid="scorecard-total">30</strong>' in body
    assert "Wait for Q2." in body  # the decision being written is kept
    assert "This field is required" not in body  # a preview is not a submission
    assert not GateDecision.objects.exists()


def test_it_records_nothing(client, project, bob):
    client.force_login(bob)
    client.post(url(project), scorecard_post(1) | {"decision": "go"}, **HTMX)
    assert not GateDecision.objects.exists()


def test_it_requires_login(client, project):
    response = client.post(url(project), scorecard_post(1), **HTMX)
    # htmx loads the sign-in page in the window, not in the total (portfolio.web.sign_in_return).
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_it_refuses_get(client, project, bob):
    client.force_login(bob)
    assert client.get(url(project)).status_code == 405


@pytest.mark.parametrize("persona", ["alice", "carol", "pete"])
def test_it_refuses_who_may_not_decide(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(project), scorecard_post(1), **HTMX).status_code == 403


def test_an_executive_may_preview_any_project(client, project, erin):
    client.force_login(erin)
    assert client.post(url(project), scorecard_post(1), **HTMX).status_code == 200


def test_it_hides_drafts(client, alice, bob):
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(bob)
    assert client.post(url(draft), {}, **HTMX).status_code == 404
