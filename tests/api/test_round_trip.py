"""A script using only the API records a decision and spend; its metrics equal the dashboard's."""

from __future__ import annotations

import datetime
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from gates.models import GateDecision
from portfolio.metrics import compute
from portfolio.models import SpendEntry
from tests.api.conftest import token_for
from tests.builders import make_project

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api_round_trip.py"


def _script():
    spec = importlib.util.spec_from_file_location("api_round_trip", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_the_round_trip_script_reads_back_the_dashboards_numbers(
    live_server, alice, bob, erin, client, capsys, monkeypatch
):
    today = timezone.localdate()
    make_project(
        key="RT-1",
        researcher=alice,
        product_manager=bob,
        submitted_on=today - datetime.timedelta(days=30),
    )
    make_project(
        key="RT-2",
        researcher=alice,
        product_manager=bob,
        submitted_on=today - datetime.timedelta(days=30),
    )
    monkeypatch.setenv("GREENLIGHT_TOKEN", token_for(bob, "read-write"))

    status = _script().main(["--url", live_server.url, "--project", "RT-1", "--amount", "1234.56"])

    captured = capsys.readouterr()
    assert status == 0, captured.err
    from_api = json.loads(captured.out)
    decision = GateDecision.objects.get(project__key="RT-1")
    assert (decision.gate.number, decision.decision, decision.decided_by) == (1, "go", bob)
    assert SpendEntry.objects.get(project__key="RT-1").amount == Decimal("1234.56")
    assert from_api.pop("currency") == "EUR"
    assert from_api == compute(as_of=today)
    client.force_login(erin)
    assert from_api == client.get(f"/api/metrics?as_of={today}").json()
    assert from_api["headline"]["cumulative_spend"] == 1234.56
    assert from_api["headline"]["funding_granted"] == 50000.0


@pytest.mark.django_db(transaction=True)
def test_the_script_reports_a_refusal_in_the_apis_words(
    live_server, alice, bob, capsys, monkeypatch
):
    make_project(key="RT-3", researcher=alice, product_manager=bob)
    monkeypatch.setenv("GREENLIGHT_TOKEN", token_for(alice, "read-write"))
    assert _script().main(["--url", live_server.url, "--project", "RT-3"]) == 1
    # The researcher is refused the review the script reads before deciding.
    assert (
        "GET /projects/RT-3/review: 403 The review is for those who decide the project's gates"
        in capsys.readouterr().err
    )
    assert not GateDecision.objects.exists()
