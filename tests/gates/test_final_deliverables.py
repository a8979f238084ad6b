"""A closed project's deliverables are final: a save sent to one is refused, and says so."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from gates.models import ArchitectureEstimate
from tests.builders import add_study, decide, greenlight

pytestmark = pytest.mark.django_db


def test_a_refused_estimate_save_shows_the_stored_estimate_and_why(client, project, carol):
    greenlight(project, architect=carol)  # build EUR 100,000; three years EUR 232,000
    client.force_login(carol)
    response = client.post(
        reverse("architecture_estimate_edit", args=[project.key]),
        {
            "build_cost": "1000",
            "monthly_run_cost": "10",
            "retraining_cadence": "none",
            "cost_per_retrain": "0",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    # The page shows the estimate as stored, not the numbers the refused form carried...
    assert "<dt>Build cost</dt><dd>EUR 100,000" in body
    assert 'data-testid="three-year-total">EUR 232,000</strong>' in body
    assert "<dd>EUR 1,000" not in body
    # ...and says that nothing was saved, and why.
    summary = re.search(r'<div class="form-errors".*?</div>', body, re.S).group(0)
    assert "Nothing was saved." in summary
    assert "The project is greenlit: its deliverables are final." in summary
    assert ArchitectureEstimate.objects.get(project=project).build_cost == Decimal("100000")


def test_a_refused_study_save_on_a_killed_project_says_why(client, project, alice, bob):
    decide(project, 1, "go")
    add_study(project, alice, findings="The signal is there.")
    decide(project, 2, "kill")
    client.force_login(alice)
    response = client.post(
        reverse("feasibility_study_edit", args=[project.key]),
        {"findings": "Rewritten after the kill.", "hypothesis_held": "yes", "confidence": "high"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The signal is there." in body
    assert "Rewritten after the kill." not in body
    assert "The project is killed: its deliverables are final." in body
