"""A date typed as YYYY-MM-DD that is no day of the calendar says so, not "Enter a date as
YYYY-MM-DD." (which it is written as): "“2026-02-30” is not a date (February has 28 days
in 2026).". Every date field of the pages is ``portfolio.forms.DateField``; a month field
(``MonthField``) says it of "2026-13"."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.builders import greenlight, make_project
from tests.portfolio.test_typed_dates import DATE_FIELDS

IMPOSSIBLE_DAYS = {
    "2026-02-30": "“2026-02-30” is not a date (February has 28 days in 2026).",
    "2024-02-30": "“2024-02-30” is not a date (February has 29 days in 2024).",
    "2026-04-31": "“2026-04-31” is not a date (April has 30 days in 2026).",
    "2026-01-00": "“2026-01-00” is not a date (January has 31 days in 2026).",
    "2026-13-01": "“2026-13-01” is not a date (a year has 12 months).",
    "2026-00-10": "“2026-00-10” is not a date (a year has 12 months).",
}
IMPOSSIBLE_MONTHS = {
    "2026-13": "“2026-13” is not a month (a year has 12 months).",
    "2026-00": "“2026-00” is not a month (a year has 12 months).",
    **IMPOSSIBLE_DAYS,
}


@pytest.mark.parametrize(("form", "name"), DATE_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_every_date_field_says_a_day_is_not_in_the_calendar(form, name):
    field = form.base_fields[name]
    cases = IMPOSSIBLE_MONTHS if name == "month" else IMPOSSIBLE_DAYS
    for typed, message in cases.items():
        with pytest.raises(ValidationError) as refused:
            field.clean(f" {typed} ")
        assert refused.value.messages == [message], typed


def test_a_decision_dated_february_30_says_why(client, project, bob):
    client.force_login(bob)
    url = reverse("decision_create", args=[project.key])
    response = client.post(url, {"decision": "go", "decided_on": "2026-02-30"})
    assert response.status_code == 400
    assert response.context["form"].errors["decided_on"] == [
        "“2026-02-30” is not a date (February has 28 days in 2026)."
    ]
    assert "Enter a date as YYYY-MM-DD" not in response.content.decode()


def test_an_adoption_month_13_says_why(client, alice, bob, carol):
    project = make_project(
        researcher=alice, product_manager=bob, submitted_on=datetime.date(2025, 12, 1)
    )
    greenlight(project, bob, carol, on=datetime.date(2026, 1, 1))
    client.force_login(bob)
    url = reverse("adoption_create", args=[project.key])
    response = client.post(url, {"month": "2026-13", "active_users": "5", "tasks_completed": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["month"] == [
        "“2026-13” is not a month (a year has 12 months)."
    ]
