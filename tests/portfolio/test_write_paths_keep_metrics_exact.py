"""Every write path keeps what the dashboard serves equal to the metrics spec.

The dashboard reads maintained data (the monthly spend rollup, the projects'
running fields) and caches by data version. After each kind of write, the
numbers served by /api/metrics must equal the numbers computed from the raw
history, and the maintained data must equal what the history implies.
"""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gates.interchange import command_line_import
from gates.models import GateDecision
from portfolio import metrics, process, rollups
from portfolio.models import Project, SpendEntry, User
from tests.builders import grant_roles_as_the_files_imply

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"


def as_person(user) -> Client:
    """A second browser, signed in as someone who writes; ``client`` stays the executive's."""
    writer = Client()
    writer.force_login(user)
    return writer


def served(client) -> dict:
    response = client.get(reverse("api_metrics"))
    assert response.status_code == 200
    return response.json()


def assert_served_equals_the_spec(client) -> None:
    assert rollups.check_spend_months() == []
    for project in Project.objects.submitted():
        decisions = GateDecision.objects.filter(project=project).order_by("sequence")
        state = process.replay(
            (d.gate.number, d.decision) for d in decisions.select_related("gate")
        )
        assert (project.status, project.current_gate) == (state.status, state.current_gate), (
            project.key
        )
        assert project.decisions_count == decisions.count(), project.key
        spent = (
            SpendEntry.objects.filter(project=project).aggregate(total=Sum("amount"))["total"] or 0
        )
        assert project.spend_total == spent, project.key
    from_the_app = served(client)
    cache.clear()
    rollups.rebuild_spend_months()
    assert from_the_app == metrics.compute(as_of=timezone.localdate())


@pytest.fixture
def sample(db, erin, client):
    command_line_import(SAMPLE)
    grant_roles_as_the_files_imply()
    client.force_login(erin)
    served(client)  # cache the numbers before the write
    return Project.objects.open().order_by("key").first()


def test_the_import_keeps_the_numbers_exact(sample, client):
    assert_served_equals_the_spec(client)


def test_spend_recorded_in_the_browser_keeps_the_numbers_exact(sample, client):
    before = served(client)["headline"]["cumulative_spend"]
    response = as_person(sample.researcher).post(
        reverse("spend_create", args=[sample.key]),
        {
            "spent_on": timezone.localdate().isoformat(),
            "amount": "1234.56",
            "category": "people",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert served(client)["headline"]["cumulative_spend"] == pytest.approx(before + 1234.56)
    assert_served_equals_the_spec(client)


def test_a_decision_recorded_in_the_browser_keeps_the_numbers_exact(sample, client):
    before = served(client)["headline"]["killed"]
    response = as_person(sample.product_manager).post(
        reverse("decision_create", args=[sample.key]),
        {
            "gate": str(sample.current_gate),
            "decision": "kill",
            "decided_on": timezone.localdate().isoformat(),
            "funding_granted": "0",
            "rationale": "The data does not exist.",
            "decisions_seen": str(sample.decisions_count),
            "confirm_kill": "yes",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert served(client)["headline"]["killed"] == before + 1
    assert_served_equals_the_spec(client)


def test_an_outcome_recorded_in_the_browser_keeps_the_numbers_exact(sample, client):
    greenlit = Project.objects.greenlit().order_by("key").first()
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert greenlit.last_decision_on <= month
    greenlit.outcomes.filter(month=month).delete()
    cache.clear()
    before = served(client)["headline"]["realized_value"]
    response = as_person(greenlit.product_manager).post(
        reverse("outcome_create", args=[greenlit.key]),
        {"month": month.strftime("%Y-%m"), "realized_value": "5000"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert served(client)["headline"]["realized_value"] > before
    assert_served_equals_the_spec(client)


def test_spend_added_changed_and_removed_in_the_admin_keeps_the_numbers_exact(sample, client):
    root = User.objects.create_superuser(email="root@example.com", password="x")
    admin = as_person(root)
    add = admin.post(
        reverse("admin:portfolio_spendentry_add"),
        {
            "project": sample.pk,
            "spent_on": timezone.localdate().isoformat(),
            "amount": "700.00",
            "category": "data",
            "note": "",
        },
    )
    assert add.status_code == 302
    assert_served_equals_the_spec(client)

    entry = SpendEntry.objects.filter(project=sample).order_by("-id").first()
    change = admin.post(
        reverse("admin:portfolio_spendentry_change", args=[entry.pk]),
        {
            "project": sample.pk,
            "spent_on": entry.spent_on.isoformat(),
            "amount": "70.00",
            "category": "data",
            "note": "",
        },
    )
    assert change.status_code == 302
    assert_served_equals_the_spec(client)

    delete = admin.post(
        reverse("admin:portfolio_spendentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 302
    assert not SpendEntry.objects.filter(pk=entry.pk).exists()
    assert_served_equals_the_spec(client)


def test_an_import_with_replace_keeps_the_numbers_exact(sample, client, tmp_path):
    folder = tmp_path / "portfolio"
    shutil.copytree(SAMPLE, folder)
    spend_file = folder / "spend.csv"
    lines = spend_file.read_text().splitlines()
    # Double one project's first spend row: the replaced project's spend changes.
    key = lines[1].split(",")[0]
    first = lines[1].split(",")
    first[2] = str(Decimal(first[2]) * 2)
    lines[1] = ",".join(first)
    spend_file.write_text("\n".join(lines) + "\n")

    before = served(client)["headline"]["cumulative_spend"]
    command_line_import(folder, replace=True)
    after = served(client)["headline"]["cumulative_spend"]
    assert after != before
    assert (
        Project.objects.get(key=key).spend_total
        == SpendEntry.objects.filter(project__key=key).aggregate(total=Sum("amount"))["total"]
    )
    assert_served_equals_the_spec(client)
