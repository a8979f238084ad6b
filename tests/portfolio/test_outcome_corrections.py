"""A recorded outcome or adoption month typed wrong is corrected or removed by an admin.

As spend corrections: in the admin, through services (portfolio/services/corrections.py),
audited with the values before, and merged into the dashboard's numbers as a full
computation gives them. The outcome form asks again before it keeps a month above the
project's high projection for a whole year.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio import process, services
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import Adoption, AuditEntry, Outcome, Project, Status
from tests.builders import greenlight, make_project
from tests.portfolio import test_project_change_merge as merge_tests
from tests.portfolio.test_project_change_merge import computed_afresh, merged_once, numbers

# The merge tests' fixture (the dashboard's sample portfolio), under its own name.
sample_portfolio = merge_tests.sample

JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)


@pytest.fixture
def product(alice, bob, carol):
    """Projected at 100,000 to 400,000 a year; greenlit on the first of January."""
    project = make_project(
        key="GL-0050",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2025, 12, 1),
    )
    return greenlight(project, bob, carol, on=JAN)


@pytest.fixture
def outcome(product, bob) -> Outcome:
    """A month typed wrong (1,000,000 for 100,000), confirmed as if it were right."""
    return services.record_outcome(
        project=product,
        actor=bob,
        month=FEB,
        realized_value=Decimal("1000000.00"),
        confirm_value=True,
    )


@pytest.fixture
def adoption(product, bob) -> Adoption:
    return services.record_adoption(
        project=product, actor=bob, month=FEB, active_users=900000, tasks_completed=1200
    )


# --- The admin ---------------------------------------------------------------------------------


def test_an_admin_corrects_an_outcome_month_and_the_audit_keeps_the_old_value(
    client, adam, outcome, product
):
    client.force_login(adam)
    url = reverse("admin:portfolio_outcome_change", args=[outcome.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "GL-0050" in page.content.decode()  # the project is shown, read-only

    response = client.post(url, {"realized_value": "100000.00"})

    assert response.status_code == 302, response.content.decode()[:2000]
    outcome.refresh_from_db()
    assert outcome.realized_value == Decimal("100000.00")
    entry = AuditEntry.objects.get(action="outcome.corrected")
    assert entry.actor == adam and entry.project == product
    assert entry.changes == {"realized_value": ["1000000.00", "100000.00"]}
    assert "1,000,000.00" in entry.summary
    # The project page's trail shows the correction.
    assert "corrected" in client.get(product.get_absolute_url()).content.decode()


def test_a_refused_outcome_correction_is_shown_beside_the_field_and_changes_nothing(
    client, adam, outcome
):
    client.force_login(adam)
    url = reverse("admin:portfolio_outcome_change", args=[outcome.pk])
    response = client.post(url, {"realized_value": "99999999999999"})

    assert response.status_code == 200
    assert "Realized value: at most 9,999,999,999,999.99" in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.realized_value == Decimal("1000000.00")
    assert not AuditEntry.objects.filter(action="outcome.corrected").exists()


def test_an_admin_removes_an_outcome_month_and_the_audit_keeps_what_it_was(
    client, adam, outcome, product
):
    client.force_login(adam)
    response = client.post(
        reverse("admin:portfolio_outcome_delete", args=[outcome.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Outcome.objects.exists()
    entry = AuditEntry.objects.get(action="outcome.removed")
    assert entry.actor == adam and entry.project == product
    assert entry.changes == {"month": ["2026-02-01", ""], "realized_value": ["1000000.00", ""]}
    # The month can be recorded again, right this time.
    services.record_outcome(
        project=product, actor=product.product_manager, month=FEB, realized_value=Decimal(1000)
    )


def test_an_admin_corrects_and_removes_an_adoption_month(client, adam, adoption, product):
    client.force_login(adam)
    url = reverse("admin:portfolio_adoption_change", args=[adoption.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "active_users": "90",
            "tasks_completed": "1200",
            "minutes_per_task": "",
            "baseline_minutes_per_task": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    adoption.refresh_from_db()
    assert adoption.active_users == 90
    corrected = AuditEntry.objects.get(action="adoption.corrected")
    assert corrected.changes == {"active_users": [900000, 90]}

    response = client.post(
        reverse("admin:portfolio_adoption_delete", args=[adoption.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Adoption.objects.exists()
    removed = AuditEntry.objects.get(action="adoption.removed")
    assert removed.changes["active_users"] == [90, ""]
    assert removed.changes["month"] == ["2026-02-01", ""]


def test_an_adoption_correction_over_the_limit_is_refused_in_the_admin(client, adam, adoption):
    client.force_login(adam)
    response = client.post(
        reverse("admin:portfolio_adoption_change", args=[adoption.pk]),
        {"active_users": "9000000000000000000", "tasks_completed": "1200"},
    )
    assert response.status_code == 200
    assert "Active users: at most 1,000,000,000 in a month." in response.content.decode()
    adoption.refresh_from_db()
    assert adoption.active_users == 900000


def test_months_are_not_added_in_the_admin(client, adam, product):
    client.force_login(adam)
    for name in ("portfolio_outcome_add", "portfolio_adoption_add"):
        assert client.get(reverse(f"admin:{name}")).status_code == 403


@pytest.mark.parametrize("persona", ["bob", "erin", "alice"])
def test_only_admins_correct_or_remove(outcome, adoption, persona, request):
    person = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.change_outcome(outcome=outcome, actor=person, realized_value=Decimal(1))
    with pytest.raises(PermissionDenied):
        services.delete_outcome(outcome=outcome, actor=person)
    with pytest.raises(PermissionDenied):
        services.change_adoption(adoption=adoption, actor=person, active_users=1)
    with pytest.raises(PermissionDenied):
        services.delete_adoption(adoption=adoption, actor=person)
    assert Outcome.objects.get().realized_value == Decimal("1000000.00")
    assert Adoption.objects.get().active_users == 900000


def test_the_month_itself_is_not_corrected(adam, outcome):
    with pytest.raises(DomainError, match="remove the month and record it again"):
        services.change_outcome(outcome=outcome, actor=adam, month=JAN)


def test_the_outcome_page_offers_admins_the_correction(client, adam, bob, outcome, product):
    url = reverse("outcome_create", args=[product.key])
    change = reverse("admin:portfolio_outcome_change", args=[outcome.pk])
    client.force_login(adam)
    assert change in client.get(url).content.decode()
    client.force_login(bob)
    assert change not in client.get(url).content.decode()


# --- The outcome form asks before it keeps a month above a year's high projection --------------


def post_outcome(client, project, value: str, **extra):
    data = {"month": "2026-02", "realized_value": value, **extra}
    return client.post(reverse("outcome_create", args=[project.key]), data)


def test_a_month_above_a_year_s_high_projection_is_confirmed_before_it_is_kept(
    client, bob, product
):
    client.force_login(bob)
    response = post_outcome(client, product, "1000000")

    assert response.status_code == 400
    form = response.context["form"]
    assert "more than the high projection for a whole year (EUR 400,000.00)" in " ".join(
        form.errors["realized_value"]
    )
    page = response.content.decode()
    assert '<label for="id_confirm_value">Yes, this amount is right</label>' in page
    assert 'type="checkbox" name="confirm_value"' in page
    assert not Outcome.objects.exists()

    response = post_outcome(
        client, product, "1000000", confirm_value="on", confirmed_value="1000000.00"
    )

    assert response.status_code == 302
    assert Outcome.objects.get().realized_value == Decimal("1000000.00")


def test_a_month_within_a_year_s_high_projection_needs_no_confirmation(client, bob, product):
    client.force_login(bob)
    page = client.get(reverse("outcome_create", args=[product.key])).content.decode()
    assert 'name="confirm_value"' not in page

    response = post_outcome(client, product, "400000")

    assert response.status_code == 302
    assert Outcome.objects.get().realized_value == Decimal("400000.00")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Enter an amount of at least 0."),
        ("12.345", "Enter an amount with at most 2 decimals, e.g. 1200.50."),
        (
            "lots",
            "“lots” is not an amount: write it in plain digits with a point for "
            "decimals, e.g. 1200.50 (a comma only between thousands: 1,200.50).",
        ),
    ],
)
def test_the_outcome_form_speaks_the_app_s_words(client, bob, product, value, message):
    client.force_login(bob)
    response = post_outcome(client, product, value)

    assert response.status_code == 400
    assert response.context["form"].errors["realized_value"] == [message]
    assert "Ensure " not in response.content.decode()


# --- The dashboard's numbers, merged as a full computation gives them -------------------------


def _greenlit_with_a_month(sample) -> Project:
    today = timezone.localdate()
    return next(
        p
        for p in sample.values()
        if p.status == Status.GREENLIT and process.first_outcome_month(p.last_decision_on) <= today
    )


def _an_outcome(sample) -> Outcome:
    project = _greenlit_with_a_month(sample)
    found = project.outcomes.order_by("month").last()
    if found is None:
        found = services.record_outcome(
            project=project,
            actor=project.product_manager,
            month=process.first_outcome_month(project.last_decision_on),
            realized_value=Decimal("125000.00"),
        )
    return found


def _an_adoption(sample) -> Adoption:
    project = _greenlit_with_a_month(sample)
    found = project.adoption.order_by("month").last()
    if found is None:
        found = services.record_adoption(
            project=project,
            actor=project.product_manager,
            month=process.first_outcome_month(project.last_decision_on),
            active_users=40,
            tasks_completed=900,
            minutes_per_task=Decimal("2.5"),
            baseline_minutes_per_task=Decimal("9"),
        )
    return found


def test_an_outcome_correction_is_merged(sample_portfolio, full_computations, adam):
    outcome = _an_outcome(sample_portfolio)
    before = numbers()

    services.change_outcome(
        outcome=outcome,
        actor=adam,
        realized_value=outcome.realized_value * 10 + 1,
        confirm_value=True,  # ten times the month may well be above its year's projection
    )

    after = numbers()
    assert after == computed_afresh()
    assert after != before
    assert merged_once(full_computations)


def test_an_outcome_removal_is_merged(sample_portfolio, full_computations, adam):
    outcome = _an_outcome(sample_portfolio)
    numbers()

    services.delete_outcome(outcome=outcome, actor=adam)

    assert numbers() == computed_afresh()
    assert merged_once(full_computations)


def test_an_adoption_correction_is_merged(sample_portfolio, full_computations, adam):
    adoption = _an_adoption(sample_portfolio)
    before = numbers()

    services.change_adoption(
        adoption=adoption, actor=adam, tasks_completed=adoption.tasks_completed + 500
    )

    after = numbers()
    assert after == computed_afresh()
    assert after["adoption"]["tasks_completed"] == before["adoption"]["tasks_completed"] + 500
    assert merged_once(full_computations)


def test_an_adoption_removal_is_merged(sample_portfolio, full_computations, adam):
    adoption = _an_adoption(sample_portfolio)
    numbers()

    services.delete_adoption(adoption=adoption, actor=adam)

    assert numbers() == computed_afresh()
    assert merged_once(full_computations)
