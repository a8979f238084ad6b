"""Every amount of money is at most 9,999,999,999,999.99: the largest that every database
stores and reads back exactly. An amount over it is refused: beside a page's field (and the
admin's) saying what to enter, by the API and the services naming the field; the largest is
kept, and every page reading the project still answers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gates.models import ArchitectureEstimate
from planning.services import set_next_stage_ask
from portfolio import money
from portfolio.errors import DomainError
from portfolio.models import Project, SpendEntry
from portfolio.services import change_spend
from tests.builders import make_project, record_spend

LARGEST = "9999999999999.99"
# 16 digits before the point; 16 digits with 2 decimals, which SQLite read back as 1e14; 10**30
# in plain digits ("1e30" is refused for its exponent: test_exponent_refused.py).
TOO_LARGE = ["9999999999999999", "99999999999999.99", "10000000000000", "1" + "0" * 30]
MESSAGE = "at most 9,999,999,999,999.99 (13 digits before the decimal point)."
BESIDE = f"Enter an amount of {MESSAGE}"


def pages_reading(project: Project) -> list[str]:
    return [
        reverse("project_detail", args=[project.key]),
        reverse("home"),
        reverse("project_list"),
        reverse("project_list_csv"),
    ]


def assert_every_page_reads(client, project: Project) -> None:
    for url in pages_reading(project):
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)  # a CSV streams: read it to the end


def test_the_limit_is_13_digits_before_the_point_and_2_after():
    assert Decimal(LARGEST) == money.LARGEST_AMOUNT
    assert not money.too_large(Decimal(LARGEST))
    assert money.too_large(Decimal("9999999999999.991"))


# --- The next-stage ask (the planner's form) ---------------------------------------------------


@pytest.mark.parametrize("value", TOO_LARGE)
def test_a_next_stage_ask_over_the_limit_is_refused_beside_the_field(client, alice, project, value):
    client.force_login(alice)
    response = client.post(
        reverse("next_stage_ask_edit", args=[project.key]), {"next_stage_ask": value}
    )
    assert response.status_code == 400
    assert f"Ask: {BESIDE}" in response.content.decode()  # the summary
    project.refresh_from_db()
    assert project.next_stage_ask is None
    assert_every_page_reads(client, project)


@pytest.mark.parametrize("person", ["alice", "bob"])
def test_the_largest_next_stage_ask_is_kept_exactly_and_every_page_reads_it(
    client, project, person, request
):
    user = request.getfixturevalue(person)
    client.force_login(user)
    response = client.post(
        reverse("next_stage_ask_edit", args=[project.key]),
        {"next_stage_ask": "9,999,999,999,999.99"},
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).next_stage_ask == Decimal(LARGEST)
    assert_every_page_reads(client, project)
    edit = client.get(reverse("next_stage_ask_edit", args=[project.key])).text
    assert f'value="{LARGEST}"' in edit


def test_the_service_refuses_an_ask_over_the_limit(alice, project):
    with pytest.raises(DomainError, match="Next-stage ask: at most") as refused:
        set_next_stage_ask(project=project, ask=Decimal("1e30"), actor=alice)
    assert refused.value.field == "next_stage_ask"


# --- A proposal ---------------------------------------------------------------------------------


def test_a_proposal_high_over_the_limit_is_refused_and_nothing_saved(client, alice, bob):
    client.force_login(alice)
    response = client.post(
        reverse("proposal_create"),
        {
            "key": "HUGE-1",
            "title": "Huge",
            "product_manager": str(bob.pk),
            "projected_low": "1",
            "projected_expected": "2",
            "projected_high": "99999999999999.99",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["projected_high"] == [BESIDE]
    assert not Project.objects.filter(key="HUGE-1").exists()


def test_a_proposal_at_the_limit_is_saved_and_its_page_reads(client, alice, bob):
    client.force_login(alice)
    response = client.post(
        reverse("proposal_create"),
        {"key": "BIG-1", "title": "Big", "projected_high": LARGEST},
    )
    assert response.status_code == 302
    project = Project.objects.get(key="BIG-1")
    assert project.projected_high == Decimal(LARGEST)
    assert client.get(response["Location"]).status_code == 200


# --- The architecture estimate ------------------------------------------------------------------


ESTIMATE = {
    "build_cost": "100000",
    "monthly_run_cost": "2000",
    "retraining_cadence": "quarterly",
    "cost_per_retrain": "5000",
}


@pytest.mark.parametrize("name", ["build_cost", "monthly_run_cost", "cost_per_retrain"])
def test_an_estimate_cost_over_the_limit_is_refused_beside_it(client, alice, carol, name):
    project = make_project(researcher=alice, current_gate=2)  # the estimate is asked for
    client.force_login(carol)
    url = reverse("architecture_estimate_edit", args=[project.key])
    response = client.post(url, ESTIMATE | {name: "99999999999999.99"})
    assert response.status_code == 400
    assert MESSAGE in response.context["form"].errors[name][0]
    assert not ArchitectureEstimate.objects.filter(project=project).exists()
    assert_every_page_reads(client, project)
    assert client.get(url).status_code == 200


# --- Spend and outcomes -------------------------------------------------------------------------


def test_a_spend_amount_over_the_limit_is_refused_beside_it(client, alice, project):
    client.force_login(alice)
    response = client.post(
        reverse("spend_create", args=[project.key]),
        {"spent_on": "2026-02-02", "amount": "10000000000000", "category": "compute"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [BESIDE]
    assert not SpendEntry.objects.exists()


def test_spend_that_would_take_the_projects_total_over_the_limit_is_refused(alice, project):
    record_spend(project, datetime.date(2026, 2, 2), LARGEST)
    with pytest.raises(DomainError, match="the project's spend would come to") as refused:
        record_spend(project, datetime.date(2026, 2, 3), "0.01")
    assert refused.value.field == "amount"
    project.refresh_from_db()
    assert project.spend_total == Decimal(LARGEST)


def test_a_correction_that_would_take_the_total_over_the_limit_is_refused(adam, alice, project):
    record_spend(project, datetime.date(2026, 2, 2), "9999999999000")
    entry = record_spend(project, datetime.date(2026, 2, 3), "1")
    with pytest.raises(DomainError, match="the project's spend would come to"):
        change_spend(entry=entry, actor=adam, amount=Decimal(1000))
    project.refresh_from_db()
    assert project.spend_total == Decimal("9999999999001")


# --- The model fields, and so the admin's full_clean -----------------------------------------


def test_the_model_fields_refuse_an_amount_over_the_limit(alice):
    project = make_project(researcher=alice)
    # Not saved: the database refuses it too (test_limits_in_the_database.py).
    project.next_stage_ask = Decimal("99999999999999.99")
    with pytest.raises(ValidationError) as refused:
        project.full_clean()
    assert refused.value.message_dict["next_stage_ask"] == [BESIDE]


def test_an_admin_correction_over_the_limit_is_refused(adam, project):
    from portfolio.services import correct_project

    with pytest.raises(DomainError, match="Next-stage ask: at most"):
        correct_project(project=project, actor=adam, next_stage_ask=Decimal("1e14"))
