"""Saved scenarios: save, list, compare, export, adopt (and the gate review that shows it)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from planning import services
from planning.inputs import parse
from planning.models import Scenario
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import AuditEntry
from tests.builders import PLAN_AS_OF, candidate

SIMPLE = {"as_of": PLAN_AS_OF, "horizon": "1", "discount_rate": "0"}


@pytest.fixture
def three(db, bob):
    candidate("A", value=400, ask=80)
    candidate("B", value=200, ask=50, bucket="revenue")
    candidate("C", value=60, ask=20, bucket="new_category")


def save(name: str, actor, **settings) -> Scenario:
    return services.save_scenario(name=name, request=parse(**SIMPLE, **settings), actor=actor)


def test_it_saves_the_plans_settings_and_pins_under_a_name(client, bob, three):
    client.force_login(bob)
    response = client.post(
        reverse("scenario_list"),
        {"name": "Lean", "budget": "100", "pin_out": "A", **SIMPLE},
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get(name="Lean")
    assert scenario.settings["budget"] == "100"
    assert scenario.settings["pin_out"] == ["A"]
    assert AuditEntry.objects.filter(action="scenario.saved").exists()
    listing = client.get(reverse("scenario_list")).content.decode()
    assert "Lean" in listing and "pinned out A" in listing


def test_a_name_is_required_and_unique(client, bob, three):
    save("Lean", bob, budget="100")
    client.force_login(bob)
    response = client.post(reverse("scenario_list"), {"name": "Lean", "budget": "100", **SIMPLE})
    assert response.status_code == 400
    assert "exists already" in response.content.decode()
    response = client.post(reverse("scenario_list"), {"name": "  ", "budget": "100", **SIMPLE})
    assert response.status_code == 400 and "give the scenario a name" in response.content.decode()
    assert Scenario.objects.count() == 1


def test_a_plan_that_cannot_be_made_is_not_saved(client, bob, three):
    client.force_login(bob)
    response = client.post(reverse("scenario_list"), {"name": "Broke", "budget": "0", **SIMPLE})
    assert response.status_code == 400
    assert "Budget: must be more than 0." in response.content.decode()
    assert not Scenario.objects.exists()


def test_compare_shows_the_projects_that_change_sides(client, bob, three):
    lean = save("Lean", bob, budget="100")  # A and C funded
    pinned = save("Revenue first", bob, budget="100", pin_in=["B"], pin_out=["A"])  # B, C
    client.force_login(bob)
    body = client.get(reverse("scenario_compare"), {"a": lean.pk, "b": pinned.pk}).content.decode()
    assert 'data-key="A" data-funded-in="first"' in body
    assert 'data-key="B" data-funded-in="second"' in body
    assert 'data-key="C"' not in body  # funded in both
    assert "100.00" in body and "70.00" in body  # funded asks of each
    assert "130.00" in body and "60.00" in body  # funded ECV of each


def test_compare_needs_two_scenarios(client, bob, three):
    client.force_login(bob)
    response = client.get(reverse("scenario_compare"), {"a": "999", "b": ""})
    assert response.status_code == 400
    assert "Choose two saved scenarios" in response.content.decode()


def test_compare_with_nothing_chosen_explains_itself_and_picks_the_two_newest(client, bob, three):
    """It showed two drop-downs alike, both on the newest scenario, and no word of what
    comparing does."""
    save("Lean", bob, budget="100")
    older = save("Revenue first", bob, budget="100", pin_in=["B"])
    newest = save("Rich", bob, budget="200")
    client.force_login(bob)

    body = client.get(reverse("scenario_compare")).content.decode()

    assert "side by side" in body and "change sides of the waterline" in body
    assert re.search(rf'<select name="a" id="id_a">.*?value="{older.pk}" selected', body, re.S)
    assert re.search(rf'<select name="b" id="id_b">.*?value="{newest.pk}" selected', body, re.S)
    assert "The two most recent are chosen" in body
    assert "compare-grid" not in body  # compared only when asked


def test_compare_with_fewer_than_two_scenarios_says_what_to_do(client, bob, three):
    save("Lean", bob, budget="100")
    client.force_login(bob)

    body = client.get(reverse("scenario_compare")).content.decode()

    assert "Save at least two scenarios" in body
    assert f'href="{reverse("plan")}"' in body


def test_a_scenarios_table_exports_as_csv(client, bob, db):
    candidate("A", value=400, ask=80, title="@SUM(A1:A9)")
    scenario = save("Lean", bob, budget="100")
    client.force_login(bob)
    response = client.get(reverse("scenario_csv", args=[scenario.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["key"] == "A" and rows[0]["funded"] == "true"
    assert rows[0]["title"] == "'@SUM(A1:A9)"


def test_an_executive_adopts_a_scenario_and_the_gate_review_says_so(client, bob, erin, three):
    lean = save("Lean", bob, budget="100")
    client.force_login(erin)
    response = client.post(reverse("scenario_adopt", args=[lean.pk]))
    assert response.status_code == 302
    lean.refresh_from_db()
    assert lean.adopted and lean.funded_keys == ["A", "C"]
    review = client.get(reverse("gate_review", args=["A"])).content.decode()
    assert "In the plan as adopted on " in review and "(scenario Lean)." in review
    review = client.get(reverse("gate_review", args=["B"])).content.decode()
    assert "adopted plan" not in review


def test_adopting_another_scenario_replaces_the_first(bob, erin, three):
    lean = save("Lean", bob, budget="100")
    other = save("Other", bob, budget="100", pin_in=["B"])
    services.adopt_scenario(scenario=lean, actor=erin)
    services.adopt_scenario(scenario=other, actor=erin)
    assert list(Scenario.objects.adopted().values_list("name", flat=True)) == ["Other"]
    assert AuditEntry.objects.filter(action="scenario.adopted").count() == 2


def test_a_product_manager_may_not_adopt(bob, three):
    lean = save("Lean", bob, budget="100")
    with pytest.raises(PermissionDenied):
        services.adopt_scenario(scenario=lean, actor=bob)
    assert not Scenario.objects.adopted().exists()


def test_a_researcher_may_not_save(alice, three):
    with pytest.raises(PermissionDenied):
        save("Mine", alice, budget="100")


def test_saving_refuses_pins_over_the_budget(bob, three):
    with pytest.raises(DomainError, match="Pinned in"):
        save("Too much", bob, budget="100", pin_in=["A", "B"])


# --- Rename and delete ---------------------------------------------------------------------


def test_its_author_renames_a_scenario_and_the_audit_trail_says_so(client, bob, three):
    lean = save("Lean", bob, budget="100")
    client.force_login(bob)

    response = client.post(reverse("scenario_rename", args=[lean.pk]), {"name": " Lean  2027 "})

    assert response.status_code == 302
    lean.refresh_from_db()
    assert lean.name == "Lean 2027"
    entry = AuditEntry.objects.get(action="scenario.renamed")
    assert entry.changes == {"name": ["Lean", "Lean 2027"]}
    assert "Lean 2027" in client.get(reverse("scenario_list")).content.decode()


def test_a_rename_onto_another_name_is_refused_beside_its_field(client, bob, three):
    lean = save("Lean", bob, budget="100")
    save("Rich", bob, budget="1000")
    client.force_login(bob)

    response = client.post(reverse("scenario_rename", args=[lean.pk]), {"name": "Rich"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "“Lean” was not renamed" in html and "exists already" in html
    assert 'aria-invalid="true"' in html
    lean.refresh_from_db()
    assert lean.name == "Lean"


def test_a_deleted_scenario_is_gone_and_its_settings_stay_in_the_audit_trail(client, bob, three):
    lean = save("Lean", bob, budget="100", pin_out="A")
    client.force_login(bob)

    response = client.post(reverse("scenario_delete", args=[lean.pk]))

    assert response.status_code == 302
    assert not Scenario.objects.exists()
    entry = AuditEntry.objects.get(action="scenario.deleted")
    assert entry.changes["settings"][0]["pin_out"] == ["A"]


def test_the_adopted_plan_cannot_be_deleted(client, bob, erin, three):
    lean = save("Lean", bob, budget="100")
    services.adopt_scenario(scenario=lean, actor=erin)
    client.force_login(erin)

    response = client.post(reverse("scenario_delete", args=[lean.pk]))

    assert response.status_code == 400
    assert "adopt another scenario before deleting it" in response.content.decode()
    assert Scenario.objects.filter(pk=lean.pk, adopted=True).exists()


def test_only_its_author_an_executive_or_an_admin_changes_a_scenario(bob, pete, erin, adam, three):
    lean = save("Lean", bob, budget="100")
    with pytest.raises(PermissionDenied):
        services.rename_scenario(scenario=lean, name="Mine now", actor=pete)
    with pytest.raises(PermissionDenied):
        services.delete_scenario(scenario=lean, actor=pete)
    services.rename_scenario(scenario=lean, name="Executive's", actor=erin)
    services.delete_scenario(scenario=lean, actor=adam)
    assert not Scenario.objects.exists()


def test_the_list_offers_rename_and_delete_only_where_they_are_allowed(client, bob, pete, three):
    save("Lean", bob, budget="100")
    client.force_login(pete)
    assert "Rename" not in client.get(reverse("scenario_list")).content.decode()
    client.force_login(bob)
    html = client.get(reverse("scenario_list")).content.decode()
    assert "Rename<span" in html and "Delete<span" in html


def test_the_list_and_compare_write_labels_dates_and_rates_as_the_plan_does(client, bob, three):
    lean = save("Lean", bob, budget="100", targets={"new_category": "0.2"})
    pinned = save("Revenue first", bob, budget="100", pin_in=["B"], pin_out=["A"])
    client.force_login(bob)
    listing = client.get(reverse("scenario_list")).content.decode()
    assert "1 year at 0.0%, raw probabilities; targets New category 20.0%" in listing
    assert "new_category 0.2" not in listing
    assert f'<td class="nowrap">{PLAN_AS_OF}</td>' in listing
    body = client.get(reverse("scenario_compare"), {"a": lean.pk, "b": pinned.pk}).content.decode()
    assert f"as of {PLAN_AS_OF}, 1 year at 0.0%, raw probabilities" in body
    assert "<td>Efficiency (cost savings)</td>" in body and "<td>efficiency</td>" not in body
    assert "<td>Revenue (grow existing)</td>" in body


def test_the_adopted_plan_says_what_it_funded_when_adopted_and_what_it_would_today(
    client, bob, erin, three
):
    # The fund list is kept as adopted; the scenario is worked out again from today's data.
    # Every page says which number is which, so that they never silently disagree.
    from portfolio.models import Project

    lean = save("Lean", bob, budget="100")
    services.adopt_scenario(scenario=lean, actor=erin)
    lean.refresh_from_db()
    day = lean.adopted_at.date().isoformat()
    Project.objects.filter(key="C").update(next_stage_ask=50)  # C no longer fits
    assert services.funded_today(lean) == frozenset({"A"})
    client.force_login(erin)
    said = f"2 funded when adopted on {day}; 1 would be funded today"
    for page in ("plan", "scenario_list"):
        body = " ".join(client.get(reverse(page)).content.decode().split())
        assert said in body, page
    review = " ".join(client.get(reverse("gate_review", args=["C"])).content.decode().split())
    assert (
        f"In the plan as adopted on {day} (scenario Lean); it no longer fits "
        "when the plan is worked out again today." in review
    )
    review = " ".join(client.get(reverse("gate_review", args=["A"])).content.decode().split())
    assert f"In the plan as adopted on {day} (scenario Lean)." in review
