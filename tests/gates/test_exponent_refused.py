"""The gate review's and the estimate's numbers typed with an exponent (``1e6``) are refused
beside their field, saying to write them in plain digits, as every number field does
(``portfolio.forms.RefusesExponents``): a funding granted of ``1e6`` was recorded as
1,000,000.00, a kill criterion's Number of ``1e-4`` as 0.0001.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gates.models import ArchitectureEstimate, GateDecision, KillCriterion
from tests.builders import make_project
from tests.gates.test_decision_create import post_data, url

pytestmark = pytest.mark.django_db

AMOUNT = "Write the amount in plain digits, e.g. 1000000 (not 1e6)."


def beside(body: str, name: str) -> str:
    start = body.index(f'id="field-{name}"')
    end = body.find('<div class="field', start + 1)
    return body[start : end if end > 0 else None]


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("funding_granted", "1e6", AMOUNT),
        ("funding_granted", "2.5E4", AMOUNT),
        (
            "probability_of_success",
            "5.5e1",
            "Write the percentage in plain digits, e.g. 35 (not 3.5e1).",
        ),
    ],
)
def test_a_decision_s_number_with_an_exponent_is_refused_beside_it(
    client, project, bob, name, typed, message
):
    client.force_login(bob)
    response = client.post(url(project), post_data(**{name: typed}))
    assert response.status_code == 400
    assert message in beside(response.content.decode(), name)
    assert not GateDecision.objects.exists()


def test_a_kill_criterion_s_number_with_an_exponent_is_refused_on_its_row(client, project, bob):
    client.force_login(bob)
    criterion = {
        "next-kc1_statement": "p-value on the hold-out",
        "next-kc1_comparison": "<=",
        "next-kc1_target": "1e-4",
    }
    response = client.post(url(project), post_data(**criterion))
    assert response.status_code == 400
    body = response.content.decode()
    fieldset = body[body.index('id="new-kill-criteria"') :]
    message = "Kill criterion 1: write the number in plain digits, e.g. 0.0001 (not 1e-4)."
    assert message in fieldset[: fieldset.index("</fieldset>")]
    assert not GateDecision.objects.exists()
    assert not KillCriterion.objects.exists()
    # In plain digits, it is recorded.
    response = client.post(url(project), post_data(**criterion | {"next-kc1_target": "0.0001"}))
    assert response.status_code == 302
    assert KillCriterion.objects.get().target == Decimal("0.0001")


ESTIMATE = {
    "build_cost": "100000",
    "monthly_run_cost": "2000",
    "retraining_cadence": "quarterly",
    "cost_per_retrain": "5000",
}


@pytest.mark.parametrize("name", ["build_cost", "monthly_run_cost", "cost_per_retrain"])
def test_an_estimate_cost_with_an_exponent_is_refused_beside_it(client, alice, carol, name):
    project = make_project(researcher=alice, current_gate=2)  # the estimate is asked for
    client.force_login(carol)
    estimate_url = reverse("architecture_estimate_edit", args=[project.key])
    response = client.post(estimate_url, ESTIMATE | {name: "1e5"})
    assert response.status_code == 400
    assert response.context["form"].errors[name] == [AMOUNT]
    assert AMOUNT in beside(response.content.decode(), name)
    assert not ArchitectureEstimate.objects.filter(project=project).exists()
