"""Every page's date field says a date that is none in the same words, the API's, with an
example of a day it takes: "Enter a date as YYYY-MM-DD, e.g. 2026-12-02." (a spend, a
decision, an artifact, a reuse and a dashboard's as-of may be today; a token expires a month
ahead), and a day written so that is no day of the calendar "“2026-02-30” is not a date
(February has 28 days in 2026).".

Before, the decision date and the dashboard's as-of said "Enter a date as YYYY-MM-DD." with no
example, and the spend, artifact and reuse dates Django's "Enter a valid date.".
"""

from __future__ import annotations

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from api.schemas import DATE_MESSAGE
from portfolio import services
from portfolio.models import Artifact, ArtifactReuse, SpendEntry
from tests.builders import make_project
from tests.gates.test_decision_create import post_data
from tests.portfolio.test_typed_dates import DATE_FIELDS

IMPOSSIBLE = "“2026-02-30” is not a date (February has 28 days in 2026)."
NOT_A_DATE = ["next tuesday", "2026/01/20", "20-01-2026", "2026-1-20x"]


def words(day: datetime.date) -> str:
    return f"Enter a date as YYYY-MM-DD, e.g. {day.isoformat()}."


def today() -> datetime.date:
    return timezone.localdate()


def _said(response, field: str) -> list[str]:
    assert response.status_code == 400
    said = response.context["form"].errors[field]
    for message in said:
        assert html.escape(message) in response.content.decode()
    return said


# --- Each form ------------------------------------------------------------------------


DAY_FIELDS = [(form, name) for form, name in DATE_FIELDS if name != "month"]
EXAMPLES = {"expires_on": lambda: today() + datetime.timedelta(days=30)}


@pytest.mark.parametrize(("form", "name"), DAY_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_every_date_field_of_the_pages_says_the_api_s_words_with_a_day_it_takes(form, name):
    field = form.base_fields[name]
    example = EXAMPLES.get(name, today)()
    for typed in NOT_A_DATE:
        with pytest.raises(ValidationError) as refused:
            field.clean(typed)
        assert refused.value.messages == [words(example)], typed
    with pytest.raises(ValidationError) as refused:
        field.clean("2026-02-30")
    assert refused.value.messages == [IMPOSSIBLE]
    assert field.clean(example.isoformat()) == example


def test_the_words_are_the_api_s():
    assert words(datetime.date(2026, 3, 2)) == DATE_MESSAGE


# --- Each page --------------------------------------------------------------------------


def test_the_spend_page(client, project, alice):
    client.force_login(alice)
    url = reverse("spend_create", args=[project.key])
    data = {"spent_on": "next tuesday", "amount": "12.50", "category": "compute", "note": ""}

    assert _said(client.post(url, data), "spent_on") == [words(today())]
    assert _said(client.post(url, data | {"spent_on": "2026-02-30"}), "spent_on") == [IMPOSSIBLE]
    assert not SpendEntry.objects.exists()
    # Typed as told, it is taken.
    assert client.post(url, data | {"spent_on": today().isoformat()}).status_code == 302


def test_the_decision_page(client, project, bob):
    client.force_login(bob)
    url = reverse("decision_create", args=[project.key])

    said = _said(client.post(url, post_data(decided_on="next tuesday")), "decided_on")
    assert said == [words(today())]
    said = _said(client.post(url, post_data(decided_on="2026-02-30")), "decided_on")
    assert said == [IMPOSSIBLE]


def test_the_dashboard_s_as_of(client, erin):
    client.force_login(erin)
    for typed, message in (("next tuesday", words(today())), ("2026-02-30", IMPOSSIBLE)):
        response = client.get(reverse("dashboard"), {"as_of": typed})
        content = response.content.decode()
        assert f"As of: {html.escape(message)}" in content
        assert "data-metric" not in content


def test_the_artifact_page(client, project, alice):
    client.force_login(alice)
    url = reverse("artifact_create", args=[project.key])
    data = {"kind": "model", "name": "Churn model v1", "created_on": "next tuesday"}

    assert _said(client.post(url, data), "created_on") == [words(today())]
    assert _said(client.post(url, data | {"created_on": "2026-02-30"}), "created_on") == [
        IMPOSSIBLE
    ]
    assert not Artifact.objects.exists()
    assert client.post(url, data | {"created_on": today().isoformat()}).status_code == 302


def test_the_reuse_page(client, project, alice, rita, bob):
    other = make_project(key="OTHER", researcher=rita, product_manager=bob)
    artifact = services.register_artifact(project=other, actor=rita, kind="dataset", name="Claims")
    client.force_login(alice)
    url = reverse("artifact_reuse", args=[project.key])
    data = {"artifact": artifact.pk, "used_on": "next tuesday"}

    assert _said(client.post(url, data), "used_on") == [words(today())]
    assert _said(client.post(url, data | {"used_on": "2026-02-30"}), "used_on") == [IMPOSSIBLE]
    assert not ArtifactReuse.objects.exists()
    assert client.post(url, data | {"used_on": today().isoformat()}).status_code == 302


def test_the_api_tokens_page(client, alice):
    client.force_login(alice)
    data = {"name": "Notebook", "scope": "read", "expires_on": "next year"}
    in_a_month = today() + datetime.timedelta(days=30)

    assert _said(client.post(reverse("api_tokens"), data), "expires_on") == [words(in_a_month)]
    response = client.post(reverse("api_tokens"), data | {"expires_on": "2026-02-30"})
    assert _said(response, "expires_on") == [IMPOSSIBLE]


def test_the_planner_s_as_of(client, erin):
    client.force_login(erin)
    cases = {
        "next tuesday": words(today()),
        "20260630": words(today()),  # date.fromisoformat reads it; the pages do not
        "2026-02-30": IMPOSSIBLE,
    }
    for typed, message in cases.items():
        response = client.get(reverse("plan"), {"budget": "100", "as_of": typed})
        assert f"As of: {html.escape(message)}" in response.content.decode(), typed
    response = client.get(reverse("plan"), {"budget": "100", "as_of": today().isoformat()})
    assert "As of:" not in response.content.decode()
