from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio.models import AuditEntry, Project, Status

URL = reverse("proposal_create")


def valid(bob, **overrides) -> dict:
    data = {
        "key": "CHURN-26",
        "title": "Predict churn",
        "research_type": "applied",
        "bucket": "revenue",
        "product_manager": str(bob.pk),
        "value_kind": "revenue",
        "projected_low": "100000",
        "projected_expected": "250000",
        "projected_high": "400000",
        "probability_of_success": "35",
        "business_case": "Keep customers.",
        "hypothesis": "Churn is predictable a month ahead.",
    }
    data.update(overrides)
    return data


def test_it_requires_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["bob", "carol", "erin"])
def test_it_is_for_researchers_only(client, db, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403


def test_it_shows_the_form(client, alice, bob):
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="key"' in body and 'name="business_case"' in body
    assert ">Bob Product</option>" in body
    assert "bob@example.com" not in body
    assert 'name="researcher"' not in body and 'name="submitted_on"' not in body


def test_it_saves_a_draft_led_by_the_signed_in_researcher(client, alice, bob):
    client.force_login(alice)
    response = client.post(URL, valid(bob))
    project = Project.objects.get(key="CHURN-26")
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
    assert project.status == Status.DRAFT
    assert project.researcher == alice
    assert project.product_manager == bob
    assert project.submitted_on is None
    assert project.projected_expected == Decimal(250000)
    assert project.probability_of_success == Decimal("0.35")
    assert AuditEntry.objects.filter(project=project, action="proposal.created").exists()


def test_it_saves_a_draft_without_business_case_or_hypothesis(client, alice, bob):
    client.force_login(alice)
    client.post(URL, valid(bob, business_case="", hypothesis=""))
    assert Project.objects.get(key="CHURN-26").is_draft


def test_it_shows_required_fields_inline(client, alice, bob):
    client.force_login(alice)
    response = client.post(URL, {})
    assert response.status_code == 400
    form = response.context["form"]
    # A draft needs only its title; the key left empty is the next free one.
    assert set(form.errors) == {"title"}
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    assert "This field is required." in body
    assert not Project.objects.exists()


def test_it_checks_the_projected_range(client, alice, bob):
    client.force_login(alice)
    response = client.post(URL, valid(bob, projected_low="300000", projected_high="200000"))
    errors = response.context["form"].errors
    assert errors["projected_low"] == ["The low projection cannot be above the expected value."]
    assert errors["projected_high"] == ["The high projection cannot be below the expected value."]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("probability_of_success", "150", "Enter a number from 0 to 100."),
        ("probability_of_success", "-1", "Enter a number from 0 to 100."),
        ("probability_of_success", "35.125", "at most two decimals"),
        ("key", "has spaces", "Use 1–32 letters"),
        ("projected_low", "-1", "Enter an amount of at least 0."),
        ("projected_low", "12.345", "Enter an amount with at most 2 decimals, e.g. 1200.50."),
        ("bucket", "moonshots", "Select a valid choice"),
    ],
)
def test_it_rejects_bad_values(client, alice, bob, field, value, message):
    client.force_login(alice)
    response = client.post(URL, valid(bob, **{field: value}))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])


def test_it_refuses_a_product_manager_who_is_not_one(client, alice, bob, carol):
    client.force_login(alice)
    response = client.post(URL, valid(bob, product_manager=str(carol.pk)))
    assert "product_manager" in response.context["form"].errors


def test_it_shows_a_taken_key_beside_the_key(client, alice, bob):
    from tests.builders import make_project

    make_project(key="churn-26")
    client.force_login(alice)
    response = client.post(URL, valid(bob))
    assert response.status_code == 400
    assert response.context["form"].errors["key"] == [
        "The key CHURN-26 is already taken: choose another (the next free one is PR-0001)."
    ]
    body = response.content.decode()
    assert "already taken" in body[body.index('id="field-key"') :]


def test_a_proposal_says_which_artifacts_it_builds_on_killed_ones_included(
    client, alice, rita, bob
):
    import datetime as dt

    from portfolio import services
    from portfolio.models import Project
    from tests.builders import decide, make_project

    dead = make_project(key="DEAD", researcher=rita, product_manager=bob)
    data_set = services.register_artifact(
        project=dead,
        actor=rita,
        kind="dataset",
        name="Labelled claims",
        key="AR-0001",
        created_on=dt.date(2026, 1, 10),
    )
    decide(dead, 1, "kill", bob, decided_on=dt.date(2026, 2, 1))
    client.force_login(alice)
    page = client.get(reverse("proposal_create")).content.decode()
    assert "AR-0001 Labelled claims (Data set, DEAD, killed)" in page

    response = client.post(
        reverse("proposal_create"),
        valid(bob, key="SALVAGE-1", builds_on=[str(data_set.pk)]),
    )

    assert response.status_code == 302
    draft = Project.objects.get(key="SALVAGE-1")
    assert list(draft.artifact_reuses.values_list("artifact__key", flat=True)) == ["AR-0001"]
    services.submit_proposal(project=draft, actor=alice, submitted_on=dt.date(2099, 1, 1))
    assert draft.artifact_reuses.get().used_on == dt.date(2099, 1, 1)
