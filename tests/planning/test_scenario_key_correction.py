"""An admin corrects a project's key: saved scenarios and the adopted plan follow it."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from planning import services
from planning.inputs import parse
from planning.models import Scenario
from portfolio import services as portfolio_services
from portfolio.models import AuditEntry, Project
from tests.builders import PLAN_AS_OF, candidate

SIMPLE = {"as_of": PLAN_AS_OF, "horizon": "1", "discount_rate": "0"}


@pytest.fixture
def three(db, bob):
    candidate("GL-0072", value=400, ask=80)
    candidate("GL-0073", value=200, ask=50, bucket="revenue")
    candidate("GL-0074", value=60, ask=20, bucket="new_category")


def save(name: str, actor, **settings) -> Scenario:
    return services.save_scenario(name=name, request=parse(**SIMPLE, **settings), actor=actor)


def correct_key_in_the_admin(client, admin_user, old_key: str, new_key: str):
    project = Project.objects.get(key=old_key)
    client.force_login(admin_user)
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(
        {"key": new_key, "audit_entries-TOTAL_FORMS": "0", "audit_entries-INITIAL_FORMS": "0"}
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_scenario_pinning_a_project_follows_its_key_corrected_in_the_admin(
    client, bob, adam, three
):
    lean = save("Lean", bob, budget="100", pin_out=["GL-0072"])
    rich = save("Rich", bob, budget="1000", pin_in=["GL-0072", "GL-0073"])

    correct_key_in_the_admin(client, adam, "GL-0072", "GL-7272")

    client.force_login(bob)
    listing = client.get(reverse("scenario_list")).content.decode()
    assert "pinned out GL-7272" in listing
    assert "GL-0072" not in listing
    response = client.get(reverse("scenario_csv", args=[lean.pk]))
    assert response.status_code == 200, response.content.decode()
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["GL-7272"]["funded"] == "false"
    response = client.get(reverse("scenario_compare"), {"a": lean.pk, "b": rich.pk})
    assert response.status_code == 200, response.content.decode()
    assert 'data-key="GL-7272"' in response.content.decode()
    rich.refresh_from_db()
    assert rich.settings["pin_in"] == ["GL-7272", "GL-0073"]
    entry = AuditEntry.objects.get(action="scenario.key_followed", object_id=str(lean.pk))
    assert entry.summary == (
        "Plan scenario “Lean”: GL-0072 is now GL-7272 (its key corrected by an admin)"
    )
    assert entry.actor == adam


def test_the_adopted_plan_still_funds_a_project_whose_key_was_corrected(
    client, bob, erin, adam, three
):
    lean = save("Lean", bob, budget="100")  # GL-0072 and GL-0074 funded
    services.adopt_scenario(scenario=lean, actor=erin)
    lean.refresh_from_db()
    day = lean.adopted_at.date().isoformat()

    correct_key_in_the_admin(client, adam, "GL-0072", "GL-7272")

    lean.refresh_from_db()
    assert lean.funded_keys == ["GL-7272", "GL-0074"]  # the same projects, as adopted
    client.force_login(erin)
    review = " ".join(client.get(reverse("gate_review", args=["GL-7272"])).content.decode().split())
    assert f"In the plan as adopted on {day} (scenario Lean)." in review
    entry = AuditEntry.objects.get(action="scenario.key_followed")
    assert entry.changes["funded_keys"] == [["GL-0072", "GL-0074"], ["GL-7272", "GL-0074"]]


def test_the_correction_service_rewrites_the_pins_in_its_transaction(bob, adam, three):
    lean = save("Lean", bob, budget="100", pin_out=["GL-0072"], pin_in=["GL-0074"])
    other = save("Other", bob, budget="100")
    project = Project.objects.get(key="GL-0072")

    portfolio_services.correct_project(project=project, actor=adam, key="GL-7272")

    lean.refresh_from_db()
    other.refresh_from_db()
    assert lean.settings["pin_out"] == ["GL-7272"] and lean.settings["pin_in"] == ["GL-0074"]
    assert other.settings["pin_out"] == [] and other.settings["pin_in"] == []
    assert AuditEntry.objects.filter(action="scenario.key_followed").count() == 1
    # Worked out again under the new key: refused for no project before.
    assert services.funded_today(lean) == frozenset({"GL-0073", "GL-0074"})


def test_a_correction_refused_leaves_the_scenarios_as_they_were(bob, adam, three):
    lean = save("Lean", bob, budget="100", pin_out=["GL-0072"])
    project = Project.objects.get(key="GL-0072")

    with pytest.raises(Exception, match="already taken"):
        portfolio_services.correct_project(project=project, actor=adam, key="GL-0073")

    lean.refresh_from_db()
    assert lean.settings["pin_out"] == ["GL-0072"]
    assert not AuditEntry.objects.filter(action="scenario.key_followed").exists()


def test_a_correction_of_another_field_leaves_the_scenarios_alone(bob, adam, three):
    lean = save("Lean", bob, budget="100", pin_out=["GL-0072"])
    project = Project.objects.get(key="GL-0072")

    portfolio_services.correct_project(project=project, actor=adam, title="A clearer title")

    lean.refresh_from_db()
    assert lean.settings["pin_out"] == ["GL-0072"]
    assert not AuditEntry.objects.filter(action="scenario.key_followed").exists()


def test_the_migration_mends_scenarios_whose_key_was_corrected_before(bob, erin, adam, three):
    # Corrected before scenarios followed keys: the audit trail says which, and when.
    import importlib

    from django.apps import apps

    migration = importlib.import_module("planning.migrations.0004_scenario_keys_follow_corrections")
    lean = save("Lean", bob, budget="100", pin_in=["GL-0072"])
    services.adopt_scenario(scenario=lean, actor=erin)  # funds GL-0072 and GL-0074
    project = Project.objects.get(key="GL-0072")
    project.key = "GL-7272"
    project.save()
    AuditEntry.objects.create(
        actor=adam,
        action="project.corrected",
        project=project,
        summary="Project GL-7272 corrected by an admin",
        changes={"key": ["GL-0072", "GL-7272"]},
    )
    later = save("Later", bob, budget="100", pin_in=["GL-7272"])
    # Saved after the correction, pinning out a project given the old key since.
    Scenario.objects.filter(pk=later.pk).update(settings=later.settings | {"pin_out": ["GL-0072"]})

    migration.keys_follow_corrections(apps, None)

    lean.refresh_from_db()
    later.refresh_from_db()
    assert lean.funded_keys == ["GL-7272", "GL-0074"]
    assert lean.settings["pin_in"] == ["GL-7272"]
    assert later.settings["pin_out"] == ["GL-0072"]  # saved after the correction: left alone
