from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from gates.services import record_decision
from portfolio.models import Status
from tests.builders import (
    TEST_KILL_CRITERION,
    add_estimate,
    add_study,
    decide,
    full_marks,
    make_project,
)

pytestmark = pytest.mark.django_db


def url(project) -> str:
    return reverse("gate_review", args=[project.key])


def test_it_shows_the_gate_review_to_the_projects_pm(client, project, bob):
    client.force_login(bob)
    response = client.get(url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Gate 1: Exploration" in body
    assert 'action="{}"'.format(reverse("decision_create", args=[project.key])) in body
    assert "Record decision" in body
    assert "No decision yet" in body


def test_it_requires_login(client, project):
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["alice", "carol", "pete"])
def test_it_refuses_who_may_not_decide(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(project)).status_code == 403


def test_an_executive_may_review_any_project(client, project, erin):
    client.force_login(erin)
    assert client.get(url(project)).status_code == 200


def test_it_hides_drafts(client, alice, bob):
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(bob)
    assert client.get(url(draft)).status_code == 404
    client.force_login(alice)
    assert client.get(url(draft)).status_code == 404


def test_it_is_404_for_an_unknown_project(client, bob):
    client.force_login(bob)
    assert client.get(reverse("gate_review", args=["NOPE"])).status_code == 404


def test_it_lists_the_required_deliverables_present_or_missing(client, project, alice, bob):
    record_decision(
        project=project,
        gate=1,
        decision="go",
        actor=bob,
        decided_on=datetime.date(2026, 1, 10),
        scores=full_marks(1),
        kill_criteria=[TEST_KILL_CRITERION],
    )
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "Gate 2: Feasibility" in body
    assert "✗ missing" in body
    assert "A go needs: Feasibility study" in body
    assert reverse("feasibility_study_edit", args=[project.key]) in body

    add_study(project, alice)
    body = client.get(url(project)).content.decode()
    assert "✓ present" in body
    assert "A go needs" not in body


def test_it_shows_the_scorecard_of_the_current_gate(client, project, bob):
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "The hypothesis can be tested" in body  # must-meet at gate 1
    assert "Size of the prize" in body  # should-meet, weight 3
    assert "× 3" in body
    assert "Weighted total" in body
    assert "of 60" in body  # 10 × (3 + 2 + 1)


def test_it_shows_the_numbers_a_pm_weighs(client, alice, bob, carol):
    project = make_project(
        researcher=alice,
        product_manager=bob,
        projected_expected=Decimal("250000"),
        probability_of_success=Decimal("0.4"),
        funding_granted_total=Decimal("50000"),
        spend_total=Decimal("20000"),
        next_stage_ask=Decimal("50000"),
    )
    add_estimate(
        project,
        carol,
        build_cost=Decimal("30000"),
        monthly_run_cost=Decimal("1000"),
        retraining_cadence="none",
        cost_per_retrain=Decimal("0"),
    )
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "EUR 100,000 – EUR 400,000" in body  # projected range
    assert "40%" in body  # probability
    assert "20,000" in body and "50,000" in body and "40% used" in body
    # The planner's ECV: 0.4 · (250000 · AF − 12 · 1000 · AF − 30000) − 50000, AF over 3 years at 10%
    assert "174,748.31" in body
    assert "3.4950" in body  # PI = ECV / ask
    assert "2.4869" in body  # the annuity factor, among the formula's inputs
    assert "build EUR 30,000" in body


def test_spend_before_any_funding_is_not_shown_as_over_the_funding(client, alice, bob):
    project = make_project(researcher=alice, product_manager=bob, spend_total=Decimal("5000"))
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "no funding granted yet" in body
    assert "over the funding granted" not in body
    assert "tile-warning" not in body


def test_spend_beyond_the_funding_granted_is_a_warning(client, alice, bob):
    project = make_project(
        researcher=alice,
        product_manager=bob,
        funding_granted_total=Decimal("4000"),
        spend_total=Decimal("5000"),
    )
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "of EUR 4,000 funding granted" in body
    assert "over the funding granted" in body


def test_without_an_estimate_the_ecv_is_an_upper_bound_and_says_so(client, project, bob):
    project.next_stage_ask = Decimal("50000")
    project.save()
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "198,685.20" in body  # 0.4 · 250000 · AF − 50000
    assert "an upper bound" in body


def test_without_an_ask_there_is_no_ecv(client, project, bob):
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "No ask" in body
    assert "change the ask" in body  # Bob is the project's product manager


def test_it_uses_the_latest_probability(client, project, bob):
    record_decision(
        project=project,
        gate=1,
        decision="recycle",
        actor=bob,
        decided_on=datetime.date(2026, 1, 10),
        probability_of_success=Decimal("0.25"),
        kill_criteria=[TEST_KILL_CRITERION],
    )
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "25%" in body
    assert "latest, from a gate decision" in body


def test_it_lists_earlier_decisions(client, project, bob):
    record_decision(
        project=project,
        gate=1,
        decision="recycle",
        actor=bob,
        decided_on=datetime.date(2026, 1, 10),
        rationale="Waiting for the data-sharing agreement.",
        funding_granted=Decimal("1500"),
        scores=full_marks(1, score=5),
        kill_criteria=[TEST_KILL_CRITERION],
    )
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "Earlier decisions" in body
    assert "Waiting for the data-sharing agreement." in body
    assert "2026-01-10" in body
    assert "Bob Product" in body
    assert "1,500" in body
    assert "30" in body  # scorecard total 5 × 6


def test_a_closed_project_shows_its_final_state_and_no_form(client, project, bob):
    record_decision(
        project=project,
        gate=1,
        decision="kill",
        actor=bob,
        decided_on=datetime.date(2026, 1, 10),
        rationale="No data.",
    )
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "Killed" in body
    assert "no further decision can be recorded" in body
    assert "Record decision" not in body
    assert reverse("decision_create", args=[project.key]) not in body


def test_it_reviews_with_a_fixed_number_of_queries(
    client, project, bob, django_assert_max_num_queries
):
    for day in (10, 11, 12):
        decide(project, 1, "recycle", bob, decided_on=datetime.date(2026, 1, day))
    client.force_login(bob)
    # The decision panel adds its own fixed set: gatekeepers, open votes, kill criteria.
    with django_assert_max_num_queries(32):
        assert client.get(url(project)).status_code == 200


def deliverables_section(body: str) -> str:
    start = body.index('id="deliverables-heading"')
    return body[start : body.index("</section>", start)]


def test_a_gate_that_requires_no_deliverable_says_so_first(client, project, bob):
    # Gate 1 listed three deliverables as "not written", and only then said it needs none.
    client.force_login(bob)
    section = deliverables_section(client.get(url(project)).content.decode())
    note = "Gate 1: Exploration requires no deliverable: it is judged on the proposal (above)."
    assert note in section
    assert section.index(note) < section.index('<li class="deliverable')
    assert section.count("not written · optional") == 3
    assert "✗" not in section and 'class="badge">required' not in section


def test_deliverables_a_gate_does_not_require_read_optional(client, project, alice, bob):
    decide(project, 1, "go", bob)
    client.force_login(bob)
    section = deliverables_section(client.get(url(project)).content.decode())
    assert section.count("✗ missing") == 1  # the feasibility study
    assert section.count("not written · optional") == 2  # the estimate, the business case
    assert "requires no deliverable" not in section


def test_the_required_decision_is_starred_as_its_required_date_is(client, project, bob):
    """The note "Fields marked * are required." sat above a starred "Decided on" and an
    unstarred Decision, which is required too (a decision without one is refused)."""
    client.force_login(bob)

    body = client.get(url(project)).content.decode()

    star = '<span class="required-mark" aria-hidden="true"> *</span>'
    assert f'<legend id="decision-legend">Decision{star}</legend>' in body
    assert f'<label for="id_decided_on">Decided on</label>{star}' in body
