"""Two tabs on a deliverable's page: the second save is refused, not a silent overwrite.

Tab A and tab B are both opened, A saves, B (drawn before A's save) saves: B is refused,
nothing of B is written, A's values stay, and B's page keeps what was typed, beside what is
saved now and who saved it. Saving again from that page then goes through, knowingly.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gates.models import ArchitectureEstimate, BusinessCase, FeasibilityStudy
from gates.services import save_architecture_estimate
from portfolio.edits import ChangedSince
from portfolio.models import AuditEntry
from tests.builders import add_business_case, add_estimate, add_study, decide
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


def _two_tabs(client, url: str) -> tuple[dict, dict]:
    return (
        form_data(client.get(url).content.decode(), url),
        form_data(client.get(url).content.decode(), url),
    )


@pytest.fixture
def estimated(project, carol):
    decide(project, 1, "go")
    project.refresh_from_db()
    add_estimate(project, carol, platform_reused="Old cluster")
    return project


def test_the_second_tab_of_the_estimate_is_refused_and_keeps_what_was_typed(
    client, estimated, carol
):
    url = reverse("architecture_estimate_edit", args=[estimated.key])
    client.force_login(carol)
    tab_a, tab_b = _two_tabs(client, url)
    assert tab_a["build_cost"] == "100000.00"

    saved = client.post(url, tab_a | {"build_cost": "150000"})
    assert saved.status_code == 302
    assert "Architecture estimate revised." in client.get(saved["Location"]).content.decode()

    refused = client.post(url, tab_b | {"platform_reused": "Shared inference cluster"})
    assert refused.status_code == 400
    estimate = ArchitectureEstimate.objects.get(project=estimated)
    assert estimate.build_cost == Decimal("150000.00")  # A's, not the old value
    assert estimate.platform_reused == "Old cluster"  # nothing of B
    assert AuditEntry.objects.filter(action="architectureestimate.revised").count() == 1

    body = refused.content.decode()
    assert "Since this page was opened, Carol Architect changed the architecture estimate" in body
    assert "(Build cost)" in body
    assert "Nothing was saved from this form" in body
    # What B typed is kept, in the form and beside the value saved now.
    page = form_data(body, url)
    assert page["platform_reused"] == "Shared inference cluster"
    assert 'data-field="build_cost"' in body
    assert ">150000.00</td>" in body and ">100000.00</td>" in body
    assert 'data-field="platform_reused"' in body

    # Saved again from the refused page: B has seen A's values, and it goes through.
    again = client.post(url, page)
    assert again.status_code == 302
    estimate.refresh_from_db()
    assert estimate.platform_reused == "Shared inference cluster"
    assert estimate.build_cost == Decimal("100000.00")  # B's form still said so, knowingly


def test_a_second_first_estimate_is_refused_too(client, project, carol):
    decide(project, 1, "go")
    url = reverse("architecture_estimate_edit", args=[project.key])
    client.force_login(carol)
    tab_a, tab_b = _two_tabs(client, url)
    fields = {
        "build_cost": "1000",
        "monthly_run_cost": "10",
        "retraining_cadence": "none",
        "cost_per_retrain": "0",
    }
    assert client.post(url, tab_a | fields).status_code == 302
    refused = client.post(url, tab_b | fields | {"build_cost": "2000"})
    assert refused.status_code == 400
    assert "Carol Architect wrote the architecture estimate on" in refused.content.decode()
    assert ArchitectureEstimate.objects.get(project=project).build_cost == Decimal("1000.00")


def test_the_same_values_saved_twice_are_not_a_conflict(client, estimated, carol):
    # Tab A saved without changing anything: B loses nothing, so it is not refused.
    url = reverse("architecture_estimate_edit", args=[estimated.key])
    client.force_login(carol)
    tab_a, tab_b = _two_tabs(client, url)
    assert client.post(url, tab_a).status_code == 302
    assert client.post(url, tab_b | {"platform_reused": "New"}).status_code == 302
    assert ArchitectureEstimate.objects.get(project=estimated).platform_reused == "New"


def test_a_form_without_the_version_is_not_checked(client, estimated, carol):
    # The API and pages drawn before the rule post no version: saved as before.
    estimate = save_architecture_estimate(
        project=estimated,
        actor=carol,
        build_cost=Decimal(1),
        monthly_run_cost=Decimal(1),
        retraining_cadence="none",
        cost_per_retrain=Decimal(0),
        platform_reused="",
        build_or_buy_note="",
    )
    assert estimate.build_cost == Decimal(1)


def test_the_service_refuses_a_stale_version_inside_its_transaction(estimated, carol):
    with pytest.raises(ChangedSince):
        save_architecture_estimate(
            project=estimated,
            actor=carol,
            seen="0123456789abcdef0123.0",
            build_cost=Decimal(1),
            monthly_run_cost=Decimal(1),
            retraining_cadence="none",
            cost_per_retrain=Decimal(0),
            platform_reused="",
            build_or_buy_note="",
        )
    assert ArchitectureEstimate.objects.get(project=estimated).build_cost == Decimal("100000.00")


def test_the_second_tab_of_the_feasibility_study_is_refused(client, project, alice):
    add_study(project, alice)
    url = reverse("feasibility_study_edit", args=[project.key])
    client.force_login(alice)
    tab_a, tab_b = _two_tabs(client, url)
    assert client.post(url, tab_a | {"findings": "A's findings."}).status_code == 302
    refused = client.post(url, tab_b | {"evidence": "B's evidence."})
    assert refused.status_code == 400
    study = FeasibilityStudy.objects.get(project=project)
    assert study.findings == "A's findings."
    assert study.evidence == "Two pilots on 2,000 cases."
    body = refused.content.decode()
    assert "Alice Researcher changed the feasibility study (Findings)" in body
    assert form_data(body, url)["evidence"] == "B's evidence."


def test_the_second_tab_of_the_business_case_is_refused(client, project, bob):
    add_business_case(project, bob)
    url = reverse("business_case_edit", args=[project.key])
    client.force_login(bob)
    tab_a, tab_b = _two_tabs(client, url)
    assert client.post(url, tab_a | {"customer_problem": "A's problem."}).status_code == 302
    refused = client.post(url, tab_b | {"risks": "B's risks."})
    assert refused.status_code == 400
    case = BusinessCase.objects.get(project=project)
    assert case.customer_problem == "A's problem."
    assert case.risks == ""
    body = refused.content.decode()
    assert "changed the business case" in body
    assert form_data(body, url)["risks"] == "B's risks."
