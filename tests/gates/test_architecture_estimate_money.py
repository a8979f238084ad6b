"""The cost estimate's money: inputs to the cent, so the figures shown add up to the total."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.builders import add_estimate, decide

pytestmark = pytest.mark.django_db


def test_the_estimate_shows_its_inputs_to_the_cent_and_how_the_total_is_made(
    client, project, bob, carol
):
    decide(project, 1, "go")  # the estimate is asked for from gate 2
    add_estimate(
        project,
        carol,
        build_cost=Decimal("100000"),
        monthly_run_cost=Decimal("2500.55"),
        retraining_cadence="quarterly",
        cost_per_retrain=Decimal("4000.33"),
    )
    client.force_login(bob)  # the product manager reads it
    body = client.get(reverse("architecture_estimate_edit", args=[project.key])).content.decode()
    assert "<dd>EUR 100,000.00</dd>" in body
    assert "<dd>EUR 2,500.55</dd>" in body
    assert "EUR 4,000.33 each" in body
    # 100,000.00 + 36 × 2,500.55 + 3 × 4 × 4,000.33 = 238,023.76
    assert 'data-testid="three-year-total">EUR 238,024</strong>' in body
    assert "36 × monthly run cost" in body and "to the nearest EUR" in body


def test_the_estimate_form_says_the_currency_of_its_costs(client, project, carol):
    decide(project, 1, "go")
    client.force_login(carol)
    body = client.get(reverse("architecture_estimate_edit", args=[project.key])).content.decode()
    assert "<legend>Cost to reach and stay in production, in EUR</legend>" in body
