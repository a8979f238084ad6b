"""A scenario's rename from a page opened before someone else renamed it: refused, not a
silent overwrite. The page says who renamed it and when, shows the name saved now beside
the one typed (kept in the form), and renaming again from there goes through."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from planning import services
from planning.inputs import parse
from planning.models import Scenario
from portfolio.edits import ChangedSince
from portfolio.models import AuditEntry
from tests.builders import PLAN_AS_OF, candidate
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def lean(bob) -> Scenario:
    candidate("A", value=400, ask=80)
    request = parse(as_of=PLAN_AS_OF, horizon="1", discount_rate="0", budget="100")
    return services.save_scenario(name="Lean", request=request, actor=bob)


def rename_form(client: Client, scenario: Scenario) -> tuple[str, dict]:
    url = reverse("scenario_rename", args=[scenario.pk])
    return url, form_data(client.get(reverse("scenario_list")).content.decode(), url)


def test_a_rename_from_a_page_opened_before_anothers_is_refused(lean, bob, erin):
    author, executive = Client(), Client()
    author.force_login(bob)
    executive.force_login(erin)
    url, bobs = rename_form(author, lean)
    assert bobs["version_seen"]
    _, erins = rename_form(executive, lean)

    assert executive.post(url, erins | {"name": "Lean 2027"}).status_code == 302
    refused = author.post(url, bobs | {"name": "Lean plan"})

    assert refused.status_code == 400
    lean.refresh_from_db()
    assert lean.name == "Lean 2027"  # Erin's rename stands
    assert AuditEntry.objects.filter(action="scenario.renamed").count() == 1
    body = refused.content.decode()
    assert "“Lean 2027” was not renamed:" in body
    assert "Since this page was opened, Erin Executive changed this scenario (Name) on" in body
    assert "Nothing was saved from this form" in body
    assert 'data-field="name"' in body
    assert ">Lean 2027</td>" in body and ">Lean plan</td>" in body
    # The rename is open with what was typed; nothing typed is wrong with it.
    page = form_data(body, url)
    assert page["name"] == "Lean plan"
    assert 'aria-invalid="true"' not in body

    # Renamed again from the refused page, knowingly: it goes through.
    assert author.post(url, page).status_code == 302
    lean.refresh_from_db()
    assert lean.name == "Lean plan"


def test_the_second_tab_of_the_same_person_is_refused_too(client, lean, bob):
    client.force_login(bob)
    url, tab_a = rename_form(client, lean)
    _, tab_b = rename_form(client, lean)
    assert client.post(url, tab_a | {"name": "First"}).status_code == 302
    refused = client.post(url, tab_b | {"name": "Second"})
    assert refused.status_code == 400
    assert "Bob Product changed this scenario (Name)" in refused.content.decode()
    assert Scenario.objects.get(pk=lean.pk).name == "First"


def test_the_name_already_saved_is_not_a_conflict(client, lean, bob, erin):
    client.force_login(bob)
    url, stale = rename_form(client, lean)
    services.rename_scenario(scenario=lean, name="Lean 2027", actor=erin)
    # Typed what it is now named: nothing would be replaced.
    assert client.post(url, stale | {"name": "Lean 2027"}).status_code == 302
    assert AuditEntry.objects.filter(action="scenario.renamed").count() == 1


def test_another_refusal_still_marks_the_field(client, lean, bob):
    client.force_login(bob)
    url, page = rename_form(client, lean)
    refused = client.post(url, page | {"name": "  "})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "give the scenario a name" in body and 'aria-invalid="true"' in body


def test_the_service_refuses_a_stale_name_inside_its_transaction(lean, bob, erin):
    services.rename_scenario(scenario=lean, name="Lean 2027", actor=erin)
    with pytest.raises(ChangedSince):
        services.rename_scenario(
            scenario=lean, name="Mine", actor=bob, seen="0123456789abcdef0123.0"
        )
    assert Scenario.objects.get(pk=lean.pk).name == "Lean 2027"
    # Without a version (a page drawn before the rule): renamed as before.
    services.rename_scenario(scenario=lean, name="Mine", actor=bob)
    assert Scenario.objects.get(pk=lean.pk).name == "Mine"
