"""A month's adoption counts are at most 1,000,000,000, minutes per task at most 100,000.

99999999999999999999 active users answered 500 (SQLite cannot take the integer), and two
months of 9,000,000,000,000,000,000 were kept, after which the dashboard and the board
pack answered 500 for everyone (integer overflow while summing). A number over the limit
is refused beside its field, in the app's words (what to enter, without the field's name,
which is above it), on every way in; the largest are kept and the dashboard still adds them up.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portfolio import counts, services
from portfolio.errors import DomainError
from portfolio.models import Adoption
from tests.builders import greenlight, make_project

JAN = datetime.date(2026, 1, 1)
COUNT_LIMIT = "Enter at most 1,000,000,000 for a month."
MINUTES_LIMIT = "Enter at most 100,000 minutes (about 69 days)."


@pytest.fixture
def product(alice, bob, carol):
    project = make_project(
        key="GL-0050",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2025, 12, 1),
    )
    return greenlight(project, bob, carol, on=JAN)


def post(client, project, **fields):
    data = {
        "month": "2026-02",
        "active_users": "120",
        "tasks_completed": "3400",
        "minutes_per_task": "",
        "baseline_minutes_per_task": "",
        **fields,
    }
    return client.post(reverse("adoption_create", args=[project.key]), data)


def errors_of(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def assert_dashboard_reads(client) -> None:
    for url in (reverse("dashboard"), reverse("api_metrics")):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("active_users", "99999999999999999999", COUNT_LIMIT),
        ("tasks_completed", "9223372036854775808", COUNT_LIMIT),
        ("active_users", "9000000000000000000", COUNT_LIMIT),
        ("tasks_completed", "9000000000000000000", COUNT_LIMIT),
        ("active_users", "1000000001", COUNT_LIMIT),
        ("minutes_per_task", "100000.01", MINUTES_LIMIT),
        ("baseline_minutes_per_task", "1" + "0" * 30, MINUTES_LIMIT),
    ],
)
def test_a_number_over_the_limit_is_refused_beside_its_field(
    client, product, bob, erin, field, value, message
):
    client.force_login(bob)
    response = post(client, product, **{field: value})

    assert response.status_code == 400
    assert any(message in error for error in errors_of(response, field))
    assert message in response.content.decode()
    assert not Adoption.objects.exists()
    client.force_login(erin)
    assert_dashboard_reads(client)


def test_the_largest_numbers_are_kept_and_the_dashboard_adds_them_up(client, product, bob, erin):
    client.force_login(bob)
    for month in ("2026-01", "2026-02", "2026-03"):
        response = post(
            client,
            product,
            month=month,
            active_users="1000000000",
            tasks_completed="1,000,000,000".replace(",", ""),
            minutes_per_task="0",
            baseline_minutes_per_task="100000",
        )
        assert response.status_code == 302
    assert Adoption.objects.filter(active_users=counts.LARGEST_COUNT).count() == 3

    client.force_login(erin)
    assert_dashboard_reads(client)
    adoption = client.get(reverse("api_metrics")).json()["adoption"]
    assert adoption["tasks_completed"] == 3 * counts.LARGEST_COUNT
    assert adoption["active_users_latest"] == counts.LARGEST_COUNT


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"active_users": 10**20}, "active_users"),
        ({"tasks_completed": 2**63}, "tasks_completed"),
        ({"minutes_per_task": Decimal("100000.01")}, "minutes_per_task"),
        ({"baseline_minutes_per_task": Decimal("1E+30")}, "baseline_minutes_per_task"),
    ],
)
def test_the_service_refuses_it_too(product, bob, fields, field):
    values = {"month": JAN, "active_users": 1, "tasks_completed": 1, **fields}
    with pytest.raises(DomainError) as refused:
        services.record_adoption(project=product, actor=bob, **values)
    assert refused.value.field == field
    assert "at most" in refused.value.message
    assert not Adoption.objects.exists()


def test_the_model_refuses_it_so_the_admin_does(product, bob):
    row = Adoption(
        project=product,
        month=JAN,
        active_users=counts.LARGEST_COUNT + 1,
        tasks_completed=counts.LARGEST_COUNT + 1,
        minutes_per_task=Decimal("100000.01"),
    )
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict["active_users"] == [COUNT_LIMIT]
    assert refused.value.message_dict["tasks_completed"] == [COUNT_LIMIT]
    assert refused.value.message_dict["minutes_per_task"] == [MINUTES_LIMIT]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("active_users", "-1", "Enter a whole number of 0 or more, e.g. 1200."),
        ("tasks_completed", "12.5", "Enter a whole number of 0 or more, e.g. 1200."),
        ("minutes_per_task", "-1", "Enter a number of minutes of 0 or more, e.g. 6.25."),
        ("minutes_per_task", "6.255", "Enter the minutes with at most 2 decimals, e.g. 6.25."),
        ("minutes_per_task", "123456789012", MINUTES_LIMIT),
        ("baseline_minutes_per_task", "0", "Enter more than 0 minutes (the same task before"),
        # Python's int and Decimal read 1_000 as 1000: in a form it is a slip.
        ("active_users", "1_000", "Enter a whole number of 0 or more, e.g. 1200."),
        ("minutes_per_task", "1_0", "Enter a number of minutes of 0 or more, e.g. 6.25."),
    ],
)
def test_the_form_speaks_the_app_s_words_not_django_s(client, product, bob, field, value, message):
    client.force_login(bob)
    response = post(client, product, **{field: value})

    assert response.status_code == 400
    assert any(message in error for error in errors_of(response, field))
    assert "Ensure " not in response.content.decode()
