"""Recording adoption: the greenlit product's PM, month by month; the rules of the format."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio import services
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import Adoption
from tests.builders import greenlight, make_project

JAN = datetime.date(2026, 1, 1)


@pytest.fixture
def product(alice, bob, carol):
    """Greenlit on the first of January: January is its first month (greenlit by its first day)."""
    project = make_project(
        key="PROD", researcher=alice, product_manager=bob, submitted_on=datetime.date(2025, 12, 1)
    )
    return greenlight(project, bob, carol, on=JAN)


def url(project) -> str:
    return reverse("adoption_create", args=[project.key])


def test_the_pm_records_a_month(client, product, bob):
    client.force_login(bob)
    response = client.post(
        url(product),
        {
            "month": "2026-02",
            "active_users": "120",
            "tasks_completed": "3400",
            "minutes_per_task": "6.10",
            "baseline_minutes_per_task": "9.00",
        },
    )
    assert response.status_code == 302
    row = Adoption.objects.get(project=product)
    assert (row.month, row.active_users, row.tasks_completed) == (
        datetime.date(2026, 2, 1),
        120,
        3400,
    )
    assert row.minutes_per_task == Decimal("6.10")


def test_the_project_page_shows_the_learning_curve_and_minutes_saved(client, product, bob):
    for month, users, now in ((1, 50, "8.00"), (2, 80, "7.00"), (3, 120, "6.00")):
        services.record_adoption(
            project=product,
            actor=bob,
            month=datetime.date(2026, month, 1),
            active_users=users,
            tasks_completed=100,
            minutes_per_task=Decimal(now),
            baseline_minutes_per_task=Decimal("9.00"),
        )
    client.force_login(bob)
    text = client.get(product.get_absolute_url()).content.decode()
    assert "Active users by month" in text
    assert "learning curve" in text
    assert "600 minutes saved" in text  # 100 × (1 + 2 + 3)


def test_the_dashboard_writes_minutes_saved_whole_as_the_project_page_does(
    client, product, bob, erin
):
    """The dashboard said "2,941,069.44 minutes saved" where the project page rounds to the
    minute; both now say whole minutes (the exact number stays in data-value)."""
    services.record_adoption(
        project=product,
        actor=bob,
        month=JAN,
        active_users=40,
        tasks_completed=1001,
        minutes_per_task=Decimal("8.55"),
        baseline_minutes_per_task=Decimal("9.00"),
    )
    client.force_login(erin)
    text = client.get(reverse("dashboard")).content.decode()
    assert 'data-value="450.45">450</span> minutes saved' in text  # 1001 × 0.45
    assert "450 minutes saved" in client.get(product.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"month": datetime.date(2026, 1, 2)}, "month", "first day"),
        ({"month": datetime.date(2025, 12, 1)}, "month", "greenlit on 2026-01-01"),
        ({"month": datetime.date(2999, 1, 1)}, "month", "has not started"),
        ({"active_users": -1}, "active_users", "negative"),
        ({"tasks_completed": -1}, "tasks_completed", "negative"),
        ({"minutes_per_task": Decimal("-1")}, "minutes_per_task", "negative"),
        ({"minutes_per_task": Decimal("1.234")}, "minutes_per_task", "2 decimals"),
        ({"baseline_minutes_per_task": Decimal("0")}, "baseline_minutes_per_task", "more than 0"),
    ],
)
def test_bad_input_is_refused_with_the_field(product, bob, fields, field, message):
    values = {"month": JAN, "active_users": 1, "tasks_completed": 1, **fields}
    with pytest.raises(DomainError) as refused:
        services.record_adoption(project=product, actor=bob, **values)
    assert refused.value.field == field
    assert message in refused.value.message
    assert not Adoption.objects.exists()


def test_one_row_per_month(product, bob):
    services.record_adoption(
        project=product, actor=bob, month=JAN, active_users=1, tasks_completed=1
    )
    with pytest.raises(DomainError, match="already has adoption"):
        services.record_adoption(
            project=product, actor=bob, month=JAN, active_users=2, tasks_completed=2
        )


def test_only_greenlit_products_and_their_pm(project, product, bob, pete, erin):
    for actor, target in ((bob, project), (pete, product), (erin, product)):
        with pytest.raises(PermissionDenied):
            services.record_adoption(
                project=target, actor=actor, month=JAN, active_users=1, tasks_completed=1
            )


def test_a_refused_form_answers_400_with_the_field_message(client, product, bob):
    client.force_login(bob)
    response = client.post(url(product), {"month": "2025-06", "active_users": "1"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "greenlit on 2026-01-01" in text or "This field is required" in text
    assert not Adoption.objects.exists()


def test_the_form_says_which_month_comes_first(client, product, bob):
    client.force_login(bob)
    assert "January 2026" in client.get(url(product)).content.decode()


def test_recording_is_audited(product, bob):
    services.record_adoption(
        project=product, actor=bob, month=JAN, active_users=7, tasks_completed=70
    )
    assert product.audit_entries.filter(action="adoption.recorded").exists()


def test_a_product_greenlit_after_the_first_starts_the_month_after(alice, bob, carol):
    """The rule of adoption.csv (and of outcomes): greenlit on or before the month's first day."""
    later = greenlight(make_project(researcher=alice, product_manager=bob), bob, carol)  # 01-05
    with pytest.raises(DomainError, match="adoption starts with 2026-02"):
        services.record_adoption(
            project=later, actor=bob, month=JAN, active_users=1, tasks_completed=1
        )
    services.record_adoption(
        project=later, actor=bob, month=datetime.date(2026, 2, 1), active_users=1, tasks_completed=1
    )


def test_the_headline_says_the_latest_month_and_the_total_apart(client, product, bob):
    # The files allow a month with tasks and no active users (docs/interchange.md): kept, and
    # the headline says what it is, not "0 active users in March 2026; 1,500 tasks completed".
    for month, users, tasks in ((1, 40, 1000), (2, 1, 1), (3, 0, 500)):
        services.record_adoption(
            project=product,
            actor=bob,
            month=datetime.date(2026, month, 1),
            active_users=users,
            tasks_completed=tasks,
        )
    client.force_login(bob)
    text = " ".join(client.get(product.get_absolute_url()).content.decode().split())
    assert (
        "March 2026, the latest month: no active users recorded, 500 tasks completed. "
        "Since January 2026: 1,501 tasks completed." in text
    )
    assert "0 active users in" not in text
    services.record_adoption(
        project=product,
        actor=bob,
        month=datetime.date(2026, 4, 1),
        active_users=1,
        tasks_completed=1,
    )
    text = " ".join(client.get(product.get_absolute_url()).content.decode().split())
    assert "April 2026, the latest month: 1 active user, 1 task completed." in text
