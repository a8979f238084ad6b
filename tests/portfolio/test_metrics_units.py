"""The metrics' units kept by the database beside each value (portfolio.models.scaled_integer):
money in integer cents, probabilities in ten-thousandths. The engine reads these columns
instead of converting every value in every statement, so they must follow every write."""

from __future__ import annotations

from decimal import Decimal

from gates.models import GateDecision
from portfolio.models import Project
from tests.builders import decide, make_empty_draft, make_project


def units(project: Project) -> tuple:
    return tuple(
        Project.objects.filter(pk=project.pk).values_list(
            "projected_low_cents",
            "projected_expected_cents",
            "projected_high_cents",
            "probability_ten_thousandths",
        )[0]
    )


def test_a_project_s_projections_and_probability_in_the_metrics_units(alice, bob):
    project = make_project(
        key="UNITS-1",
        projected_low=Decimal("0.01"),
        projected_expected=Decimal("12345.67"),
        projected_high=Decimal("9999999999999.99"),
        probability_of_success=Decimal("0.3333"),
    )
    assert units(project) == (1, 1234567, 999999999999999, 3333)


def test_they_follow_an_edit_and_a_draft_s_empty_values(alice, bob):
    project = make_project(key="UNITS-2", probability_of_success=Decimal("0.5"))
    Project.objects.filter(pk=project.pk).update(
        projected_low=Decimal("20.05"),
        projected_expected=Decimal("20.05"),
        probability_of_success=Decimal("0.0001"),
    )
    _, expected, _, probability = units(project)
    assert (expected, probability) == (2005, 1)
    draft = make_empty_draft(key="UNITS-3")
    assert units(draft) == (None, None, None, None)


def test_a_decision_s_funding_and_probability_in_the_metrics_units(alice, bob):
    project = make_project(key="UNITS-4")
    decide(
        project,
        1,
        "go",
        funding_granted=Decimal("1500.50"),
        probability_of_success=Decimal("0.7525"),
    )
    assert GateDecision.objects.filter(project=project).values_list(
        "funding_granted_cents", "probability_ten_thousandths"
    ).get() == (150050, 7525)
