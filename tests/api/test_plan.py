"""The plan through the API: planning.md's JSON from the planner's engine, the page's parameters."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from portfolio.models import AuditEntry, Project
from tests.builders import make_project


def _portfolio(alice, bob):
    on = datetime.date(2025, 1, 6)
    for n, ask in enumerate(["40000", "90000", "10000"]):
        make_project(
            key=f"PL-{n}",
            researcher=alice,
            product_manager=bob,
            submitted_on=on,
            next_stage_ask=Decimal(ask),
        )


def test_the_plan_is_the_commands(api_as, alice, bob, erin):
    _portfolio(alice, bob)
    query = "budget=60000&as_of=2025-06-30&horizon=3&discount_rate=0.1"
    answer = api_as(erin, "read").get(f"/api/v1/plan?{query}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body.pop("currency") == "EUR"
    out = StringIO()
    call_command(
        "portfolio_plan",
        "--budget",
        "60000",
        "--as-of",
        "2025-06-30",
        "--horizon",
        "3",
        "--discount-rate",
        "0.1",
        stdout=out,
    )
    assert body == json.loads(out.getvalue())
    assert {p["key"] for p in body["projects"]} == {"PL-0", "PL-1", "PL-2"}


def test_pins_and_targets_are_the_pages(api_as, alice, bob, erin):
    _portfolio(alice, bob)
    answer = api_as(erin, "read").get(
        "/api/v1/plan?budget=60000&as_of=2025-06-30&pin_out=PL-2&target=efficiency=1"
    )
    rows = {p["key"]: p for p in answer.json()["projects"]}
    assert rows["PL-2"]["funded"] is False


def test_a_malformed_question_names_the_field(api_as, erin):
    for query, field in [
        ("budget=lots", "budget"),
        ("pin_in=NOPE&budget=1", "pin_in"),
        ("horizon=99", "horizon"),
    ]:
        answer = api_as(erin, "read").get(f"/api/v1/plan?{query}")
        assert answer.status_code == 400, (query, answer.content)
        assert answer["Content-Type"] == "application/problem+json"
        assert answer.json()["field"] == field, query


def test_the_researcher_sets_the_next_stage_ask(api_as, alice, bob):
    make_project(key="ASK", researcher=alice, product_manager=bob)
    api = api_as(alice)
    answer = api.put("/api/v1/projects/ASK/next-stage-ask", {"next_stage_ask": "125000.50"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["next_stage_ask"] == {"amount": "125000.50", "currency": "EUR"}
    assert Project.objects.get(key="ASK").next_stage_ask == Decimal("125000.50")
    assert AuditEntry.objects.filter(action="project.next_stage_ask_set", actor=alice).exists()
    cleared = api.put("/api/v1/projects/ASK/next-stage-ask", {"next_stage_ask": None})
    assert cleared.json()["next_stage_ask"] is None
