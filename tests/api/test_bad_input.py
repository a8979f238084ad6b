"""Bad input is answered with a problem document naming the field, and nothing is written."""

from __future__ import annotations

import datetime

import pytest

from gates.models import GateDecision
from portfolio.models import AuditEntry, DataVersion, Project, SpendEntry
from tests.builders import make_project


def _snapshot():
    return (
        GateDecision.objects.count(),
        SpendEntry.objects.count(),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
        list(DataVersion.objects.values_list("number", flat=True)),
        list(Project.objects.values_list("status", "current_gate", "spend_total")),
    )


@pytest.fixture
def project(alice, bob):
    return make_project(
        key="P1", researcher=alice, product_manager=bob, submitted_on=datetime.date(2025, 1, 6)
    )


def _refused(answer, status: int, field: str | None):
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:greenlight:problem:")
    assert problem["title"] and problem["detail"]
    if field is not None:
        assert problem["field"] == field
        assert field in [e["field"] for e in problem["errors"]]
    return problem


SPEND = {"spent_on": "2025-02-03", "amount": "120.50", "category": "compute"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SPEND, "amount": "lots"}, "amount"),
        ({**SPEND, "amount": [1]}, "amount"),
        ({**SPEND, "amount": "1.005"}, "amount"),
        ({**SPEND, "amount": "-5"}, "amount"),
        ({**SPEND, "spent_on": "yesterday"}, "spent_on"),
        ({**SPEND, "spent_on": "2025-02-30"}, "spent_on"),
        ({**SPEND, "category": "snacks"}, "category"),
        ({**SPEND, "note": 12}, "note"),
        ({**SPEND, "project": "OTHER"}, "project"),  # unknown field
        ({"amount": "1", "category": "data"}, "spent_on"),  # missing
    ],
)
def test_wrong_spend_is_refused(api_as, alice, project, body, field):
    api = api_as(alice)
    before = _snapshot()
    _refused(api.post("/api/v1/projects/P1/spend", body), 400, field)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("amount", "detail", "message"),
    [
        ("0", "amount: at least 0.01.", "Amount: at least 0.01."),
        ("1.005", "amount: at most 2 decimal places.", "Amount: at most 2 decimal places."),
    ],
)
def test_the_detail_names_the_field_once(api_as, alice, project, amount, detail, message):
    """The message says the form's label; the detail puts the field's name in its place."""
    problem = _refused(
        api_as(alice).post("/api/v1/projects/P1/spend", {**SPEND, "amount": amount}), 400, "amount"
    )
    assert problem["detail"] == detail
    assert problem["errors"] == [{"field": "amount", "message": message}]


def test_a_rule_of_the_service_is_a_422_with_its_own_words(api_as, alice, project):
    api = api_as(alice)
    before = _snapshot()
    problem = _refused(
        api.post("/api/v1/projects/P1/spend", {**SPEND, "spent_on": "2024-12-31"}),
        422,
        "spent_on",
    )
    assert problem["detail"] == "The date cannot be before the project was submitted (2025-01-06)."
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("body", "field", "detail"),
    [
        # The project waits at gate 1.
        (
            {"gate": 2, "decision": "hold", "rationale": "x", "decided_on": "2025-02-03"},
            "decision",
            "The project is waiting at gate 1, not gate 2.",
        ),
        (
            {"gate": 1, "decision": "kill", "decided_on": "2025-02-03"},
            "rationale",
            "Give the rationale for a kill or a hold.",
        ),
        ({"gate": 1, "decision": "go", "decided_on": "2025-02-03"}, "scores", None),
        (
            {"gate": 1, "decision": "hold", "rationale": "x", "decided_on": "2024-01-01"},
            "decided_on",
            "A decision cannot be dated before submission (2025-01-06).",
        ),
        (
            {"gate": 1, "decision": "hold", "rationale": "x", "scores": [{"criterion": 999999}]},
            "scores[0].criterion",
            "There is no criterion 999999.",
        ),
    ],
)
def test_a_decision_against_the_process_rules_is_refused(api_as, bob, project, body, field, detail):
    api = api_as(bob)
    before = _snapshot()
    problem = _refused(api.post("/api/v1/projects/P1/decisions", body), 422, field)
    if detail:
        assert problem["detail"] == detail
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gate": "one", "decision": "go"}, "gate"),
        ({"gate": 1, "decision": "maybe"}, "decision"),
        ({"gate": 1, "decision": "go", "probability_of_success": "1.5"}, "probability_of_success"),
        (
            {"gate": 1, "decision": "go", "scores": [{"criterion": 1, "score": 11}]},
            "scores[0].score",
        ),
        (
            {"gate": 1, "decision": "go", "scores": [{"criterion": 1, "stars": 3}]},
            "scores[0].stars",
        ),
        ({"gate": 1, "decision": "go", "decided_by": "erin@example.com"}, "decided_by"),
    ],
)
def test_a_malformed_decision_is_refused(api_as, bob, project, body, field):
    api = api_as(bob)
    before = _snapshot()
    _refused(api.post("/api/v1/projects/P1/decisions", body), 400, field)
    assert _snapshot() == before


@pytest.mark.parametrize("raw", ["{", "[]", '"text"', "null", "\x00", '{"gate": 1e999}'])
def test_a_body_that_is_not_a_json_document_is_refused(api_as, bob, project, raw):
    api = api_as(bob)
    before = _snapshot()
    answer = api.post("/api/v1/projects/P1/decisions", raw=raw)
    _refused(answer, 400, None)
    assert _snapshot() == before


def test_a_huge_body_is_refused_unread(api_as, alice, project, settings):
    api = api_as(alice)
    before = _snapshot()
    body = {**SPEND, "note": "x" * (settings.API_MAX_BODY_BYTES + 1)}
    _refused(api.post("/api/v1/projects/P1/spend", body), 413, "body")
    assert _snapshot() == before


def test_a_note_too_long_for_the_rules_but_within_the_body_limit_names_the_field(
    api_as, alice, project
):
    _refused(
        api_as(alice).post("/api/v1/projects/P1/spend", {**SPEND, "note": "x" * 3000}), 400, "note"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=zombie", "status"),
        ("gate=9", "gate"),
        ("sort=colour", "sort"),
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("pm=nobody@example.com", "pm"),
    ],
)
def test_bad_filters_are_refused_not_ignored(api_as, alice, project, query, field):
    _refused(api_as(alice).get(f"/api/v1/projects?{query}"), 400, field)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("as_of=2026-13-01", "as_of"),
        ("bucket=moonshots", "bucket"),
        ("as_of=1800-01-01", "as_of"),
        # As /api/metrics: a date as YYYY-MM-DD, not a timestamp; no misspelt filter ignored.
        ("as_of=0", "as_of"),
        ("as_of=1767225600", "as_of"),
        ("as_of=2026-12-01T00:00:00Z", "as_of"),
        ("as_of=20261201", "as_of"),
        ("buckets=revenue", "buckets"),
    ],
)
def test_bad_metrics_parameters_are_refused(api_as, erin, query, field):
    _refused(api_as(erin).get(f"/api/v1/metrics?{query}"), 400, field)


def test_blank_metrics_parameters_are_no_filter_as_on_the_dashboard(api_as, erin, project):
    client = api_as(erin)
    everything = client.get("/api/v1/metrics").json()
    blank = client.get("/api/v1/metrics?as_of=&bucket=&research_type=&product_manager=")
    assert blank.status_code == 200
    assert blank.json() == everything


def test_an_unknown_project_is_a_404_problem(api_as, alice):
    _refused(api_as(alice).get("/api/v1/projects/NOPE"), 404, None)


def test_someone_elses_draft_is_a_404_too(api_as, alice, rita):
    make_project(key="SECRET", status="draft", researcher=alice)
    _refused(api_as(rita).get("/api/v1/projects/SECRET"), 404, None)
    assert api_as(alice).get("/api/v1/projects/SECRET").status_code == 200


def test_an_outcome_for_year_0_is_refused_not_a_500(api_as, bob, project, carol):
    from tests.builders import greenlight

    greenlight(project, bob, carol)
    api = api_as(bob)
    problem = _refused(
        api.post("/api/v1/projects/P1/outcomes", {"month": "0000-01", "realized_value": "1"}),
        400,
        "month",
    )
    assert "month" in problem["detail"]


def test_spend_dated_after_a_kill_is_refused_with_the_reason(api_as, alice, bob, project):
    from tests.builders import decide

    decide(project, 1, "kill", decided_on=datetime.date(2025, 2, 1))
    api = api_as(alice)
    problem = _refused(api.post("/api/v1/projects/P1/spend", SPEND), 422, "spent_on")
    assert problem["detail"] == (
        "P1 was killed on 2025-02-01: spend dated after the kill is not recorded."
    )


def test_spend_dated_up_to_a_kill_is_recorded_on_the_killed_project(api_as, alice, project):
    from tests.builders import decide

    decide(project, 1, "kill", decided_on=datetime.date(2025, 2, 3))
    answer = api_as(alice).post("/api/v1/projects/P1/spend", SPEND)  # dated the kill's day
    assert answer.status_code == 201, answer.content


@pytest.mark.parametrize("debug", [False, True])
def test_a_body_that_is_not_json_is_invalid_input(api_as, alice, project, settings, debug):
    settings.DEBUG = debug  # django-ninja puts its parser's words in the message under DEBUG
    answer = api_as(alice).post("/api/v1/projects/P1/spend", raw="not json")
    _refused(answer, 400, "body")
    assert answer.json()["type"].endswith("invalid-input")
    assert answer.json()["detail"] == "body: The body is not valid JSON."
