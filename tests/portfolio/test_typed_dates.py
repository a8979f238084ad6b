"""Dates are typed in the digits 0-9, as numbers are (``portfolio.money.digits_as_typed``).

Django's DateField reads with strptime, whose ``%Y`` takes any script's digits: a spend
dated ``２０２６-01-20`` (full-width year) was recorded on 2026-01-20, ``2026-01-2٠`` on
2026-01-20 too. Its model field reads a filter's date with ``parse_date``, which takes
``２０２６-１１-０３`` whole. The pages' date fields (``portfolio.forms.DateField``) and the
admin's (``portfolio.admin_fields``) refuse such text with the field's own message, and the
admin's change list such a date in a filter. The API's documents, its query parameters, the
plan's and the JSON metrics' ``as_of`` and the interchange files read dates with
``date.fromisoformat`` or pydantic, which take the digits 0-9 only: checked here too.
"""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

import api.forms
import gates.forms
import planning.forms
import portfolio.dashboard.forms
import portfolio.forms
import portfolio.notification_forms
from api.models import ApiToken
from portfolio.admin_fields import refuse_digit_separators
from portfolio.forms import RefusesDigitSeparators
from portfolio.models import SpendEntry
from tests.gates.test_import_portfolio import edit_line, folder, refused  # noqa: F401
from tests.portfolio.test_admin_ids import ARABIC_INDIC, FULL_WIDTH, _spend

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def written_otherwise(day: str) -> list[str]:
    """``day`` (YYYY-MM-DD or YYYY-MM) as strptime or parse_date read it, nobody types it."""
    year, rest = day[:4], day[4:]
    return [
        year.translate(FULL_WIDTH) + rest,  # strptime's %Y took it
        day[:-1] + day[-1].translate(ARABIC_INDIC),  # the day's or month's second digit
        year.translate(PERSIAN) + rest,
        day.translate(FULL_WIDTH),  # parse_date took it whole
    ]


def _page_forms() -> list[type[forms.BaseForm]]:
    modules = (
        portfolio.forms,
        portfolio.dashboard.forms,
        portfolio.notification_forms,
        gates.forms,
        planning.forms,
        api.forms,
    )
    found = []
    for module in modules:
        for value in vars(module).values():
            is_form = isinstance(value, type) and issubclass(value, forms.BaseForm)
            if is_form and value.__module__ == module.__name__:
                found.append(value)
    return found


DATE_FIELDS = [
    (form, name)
    for form in _page_forms()
    for name, field in form.base_fields.items()
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField)
]


def test_the_pages_have_date_fields():
    assert {(form.__name__, name) for form, name in DATE_FIELDS} >= {
        ("SpendForm", "spent_on"),
        ("AdoptionForm", "month"),
        ("ArtifactForm", "created_on"),
        ("ArtifactReuseForm", "used_on"),
        ("DecisionForm", "decided_on"),
        ("TokenForm", "expires_on"),
        ("DashboardFilterForm", "as_of"),
    }


@pytest.mark.parametrize(("form", "name"), DATE_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_every_date_field_of_the_pages_refuses_other_digits(form, name):
    field = form.base_fields[name]
    assert isinstance(field, RefusesDigitSeparators)  # portfolio.forms.DateField
    day = "2026-11" if name == "month" else "2026-11-13"
    for typed in written_otherwise(day):
        with pytest.raises(ValidationError) as refused_:
            field.clean(typed)
        assert refused_.value.messages == [field.error_messages["invalid"]], typed
    assert field.clean(f" {day} ") == datetime.date(2026, 11, 1 if name == "month" else 13)


# --- The pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", written_otherwise("2026-01-20"))
def test_spend_dated_in_other_digits_is_refused_on_the_page(client, project, alice, typed):
    client.force_login(alice)
    url = reverse("spend_create", args=[project.key])
    data = {"spent_on": typed, "amount": "12.50", "category": "compute", "note": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    today = timezone.localdate()
    assert response.context["form"].errors == {
        "spent_on": [f"Enter a date as YYYY-MM-DD, e.g. {today}."]
    }
    assert not SpendEntry.objects.exists()
    assert client.post(url, data | {"spent_on": "2026-01-20"}).status_code == 302


@pytest.mark.parametrize("typed", written_otherwise("2026-06-30"))
def test_the_dashboard_s_as_of_in_other_digits_is_explained(client, erin, typed):
    client.force_login(erin)
    response = client.get(reverse("dashboard"), {"as_of": typed})
    assert response.status_code == 200
    content = response.content.decode()
    assert f"As of: Enter a date as YYYY-MM-DD, e.g. {timezone.localdate()}." in content
    assert "data-metric" not in content


@pytest.mark.parametrize("typed", written_otherwise("2031-01-02"))
def test_a_token_s_expiry_in_other_digits_is_refused(client, alice, typed):
    client.force_login(alice)
    data = {"name": "Notebook", "scope": "read", "expires_on": typed}
    response = client.post(reverse("api_tokens"), data)
    assert "Enter a date as YYYY-MM-DD, e.g. " in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("typed", written_otherwise("2026-06-30"))
def test_the_plan_s_and_the_json_metrics_as_of_in_other_digits_are_refused(client, erin, typed):
    # Already refused (date.fromisoformat): checked; the plan's words are the pages' now.
    client.force_login(erin)
    response = client.get(reverse("plan"), {"budget": "100", "as_of": typed})
    today = timezone.localdate()
    assert f"As of: Enter a date as YYYY-MM-DD, e.g. {today}." in response.content.decode()
    response = client.get(reverse("api_metrics"), {"as_of": typed})
    assert response.status_code == 400
    assert response.json() == {"error": "as_of: give a date as YYYY-MM-DD."}


# --- The admin ----------------------------------------------------------------------------


@pytest.fixture
def root(client, db, django_user_model):
    user = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(user)
    return user


@pytest.mark.parametrize("typed", written_otherwise("2026-11-13"))
def test_an_admin_date_in_other_digits_is_refused(client, root, project, typed):
    response = client.post(
        reverse("admin:portfolio_spendentry_add"), _spend(str(project.pk)) | {"spent_on": typed}
    )
    assert response.status_code == 200, "saved"
    assert response.context["adminform"].form.errors == {"spent_on": ["Enter a valid date."]}
    assert not SpendEntry.objects.exists()


@pytest.mark.parametrize("typed", written_otherwise("2026-11-13"))
def test_an_admin_date_and_time_in_other_digits_is_refused(typed):
    # No admin of Greenlight's has one to edit today: Django's two boxes, a date and a time,
    # as the admin shows a models.DateTimeField.
    class WithADateAndTime(forms.Form):
        at = forms.SplitDateTimeField()
        on = forms.DateField()

    refuse_digit_separators(WithADateAndTime)
    field = WithADateAndTime.base_fields["at"]
    with pytest.raises(ValidationError) as refused_:
        field.clean([typed, "10:00:00"])
    assert refused_.value.messages == ["Enter a valid date."]
    with pytest.raises(ValidationError) as refused_:
        field.clean(["2026-11-13", "1٠:00:00"])
    assert refused_.value.messages == ["Enter a valid time."]
    assert field.clean(["2026-11-13", "10:00:00"]).date() == datetime.date(2026, 11, 13)
    form = WithADateAndTime({"at_0": "2026-11-13", "at_1": "10:00", "on": typed})
    assert form.errors == {"on": ["Enter a valid date."]}


@pytest.mark.parametrize("typed", written_otherwise("2026-11-03"))
def test_an_admin_list_is_not_filtered_by_a_date_in_other_digits(client, root, project, typed):
    entry = SpendEntry.objects.create(
        project=project, spent_on=datetime.date(2026, 11, 3), amount="1.00", category="compute"
    )
    view = reverse("admin:portfolio_spendentry_changelist")
    for lookup in ["spent_on__gte", "spent_on", "spent_on__lt"]:
        response = client.get(view, {lookup: typed})
        assert (response.status_code, response.get("Location")) == (302, view + "?e=1"), lookup
    response = client.get(view, {"spent_on__gte": "2026-11-03"})
    assert list(response.context["cl"].result_list) == [entry]
    audit = reverse("admin:portfolio_auditentry_changelist")  # a date and time
    assert client.get(audit, {"at__gte": typed}).get("Location") == audit + "?e=1"
    assert client.get(audit, {"at__gte": "2026-11-03 00:00:00+00:00"}).status_code == 200


# --- The interchange files (already strict: checked, not changed) ------------------------


@pytest.mark.parametrize("typed", written_otherwise("2026-01-14"))
def test_an_imported_date_in_other_digits_is_refused(db, folder, typed):  # noqa: F811
    edit_line(folder, "spend.csv", 2, "2026-01-14", typed)
    assert refused(folder) == [
        f"spend.csv:2: spent_on: '{typed}' is not a date: write YYYY-MM-DD (2026-03-31)"
    ]
