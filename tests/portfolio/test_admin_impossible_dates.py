"""The admin's date fields say why a date written YYYY-MM-DD is no day of the calendar, as
the pages' date fields do: "“2026-02-30” is not a date (February has 28 days in 2026).".

Before, the admin said Django's "Enter a valid date." of it, where the pages (the same
spend entry's date) said what was wrong (tests/portfolio/test_impossible_dates.py).
"""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from portfolio.admin_fields import refuse_digit_separators
from portfolio.models import SpendEntry
from tests.portfolio.test_admin_ids import _spend
from tests.portfolio.test_impossible_dates import IMPOSSIBLE_DAYS


@pytest.fixture
def root(client, db, django_user_model):
    user = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(user)
    return user


def test_an_admin_spend_dated_february_30_says_why(client, root, project):
    response = client.post(
        reverse("admin:portfolio_spendentry_add"),
        _spend(str(project.pk)) | {"spent_on": "2026-02-30"},
    )
    assert response.status_code == 200, "saved"
    assert response.context["adminform"].form.errors == {
        "spent_on": ["“2026-02-30” is not a date (February has 28 days in 2026)."]
    }
    assert "Enter a valid date." not in response.content.decode()
    assert not SpendEntry.objects.exists()


def _admin_date_fields(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    found = []
    for model, model_admin in admin.site._registry.items():
        form = model_admin.get_form(request, None)
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateField):
                found.append((f"{model.__name__}.{name}", field))
    return found


def test_every_admin_date_field_says_a_day_is_not_in_the_calendar(root):
    fields = _admin_date_fields(root)
    assert {where for where, _ in fields} >= {
        "SpendEntry.spent_on",
        "GateDecision.decided_on",
        "Artifact.created_on",
    }
    for where, field in fields:
        for typed, message in IMPOSSIBLE_DAYS.items():
            with pytest.raises(ValidationError) as refused:
                field.clean(f" {typed} ")
            assert refused.value.messages == [message], (where, typed)
        assert field.clean("2026-02-28") == datetime.date(2026, 2, 28), where
        with pytest.raises(ValidationError) as refused:
            field.clean("soon")
        assert refused.value.messages == ["Enter a valid date."], where


def test_the_date_box_of_an_admin_date_and_time_says_it_too():
    class WithADateAndTime(forms.Form):
        at = forms.SplitDateTimeField()

    refuse_digit_separators(WithADateAndTime)
    with pytest.raises(ValidationError) as refused:
        WithADateAndTime.base_fields["at"].clean(["2026-04-31", "10:00:00"])
    assert refused.value.messages == ["“2026-04-31” is not a date (April has 30 days in 2026)."]
