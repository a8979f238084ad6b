"""Every form and filter, fed anything: never a crash, never half a change.

Hypothesis posts random and malformed values to every POST view, as the person
allowed to use it: text, huge strings, unicode, NUL bytes, negative, huge, NaN
and infinite numbers, impossible dates, missing fields, repeated fields, and
raw bodies. The GET views that read filters from the query string get the same.
Whatever comes, the answer is a page (200 with the form's errors, or a redirect
after success) or a refusal with a message (400, 403, 404, 413), never a 500;
and when the answer is not a success, nothing was written.

Each example runs in a savepoint that is rolled back, so examples do not see
each other's writes. GREENLIGHT_FUZZ_EXAMPLES raises the number of examples
for a longer hunt (the default keeps the suite quick).
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gates.models import (
    ArchitectureEstimate,
    BusinessCase,
    Criterion,
    CriterionScore,
    FeasibilityStudy,
    GateDecision,
)
from portfolio.models import (
    Adoption,
    Artifact,
    ArtifactReuse,
    AuditEntry,
    Outcome,
    Project,
    SpendEntry,
    SpendMonth,
    Status,
    User,
)
from tests.builders import PASSWORD, greenlight, make_personas, make_project
from tests.kept import copy_for_a_test, kept_for_the_module
from tests.written import row_counts, rows_of

EXAMPLES = int(os.environ.get("GREENLIGHT_FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ_MANY_PAGES = settings(FUZZ, max_examples=EXAMPLES * 3)  # one test, several pages

ANSWERS = {200, 302, 303, 400, 403, 404, 413}
SUBMITTED_ON = datetime.date(2025, 1, 6)

# --- Values ---------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "1\x00",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e309",
    "-1e309",
    "1e-400",
    "-1",
    "-0",
    "0",
    "0.001",
    "12.345",
    "1" * 40,
    "9" * 17,
    "9223372036854775808",  # 2**63: SQLite takes no larger integer
    "9000000000000000000",  # fits, but two of them overflow a sum
    "1000000001",
    "1,000.00",
    "$12",
    "0x10",
    "1_000",
    "２",  # a full-width digit
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "2026-1-1",
    "31/12/2026",
    "2026-03",
    "yes",
    "no",
    "on",
    "None",
    "null",
    "[]",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "\u202egnp.exe",
    "\ufeffBOM",
    "💥",
    "İstanbul ß",
    "line\r\nbreak",
    "x" * 5000,
]

dates = st.builds(
    lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
    st.integers(-10, 12000),
    st.integers(-1, 14),
    st.integers(-1, 33),
)
WILD = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(datetime.date.isoformat),
    dates,
    st.builds("{}\x00{}".format, st.text(max_size=8), st.text(max_size=8)),  # PostgreSQL: no NUL
    st.integers(1000, 200_000).map(lambda n: "9" * n),
    st.integers(1000, 200_000).map(lambda n: "é" * n),
)


def form_payload(fields: dict[str, list[str]]) -> st.SearchStrategy[dict]:
    """Some of the fields, each valid, wild, or repeated; perhaps unknown fields too."""

    def value(valid: list[str]):
        single = st.one_of(st.sampled_from(valid), WILD) if valid else WILD
        return st.one_of(single, single, st.lists(single, min_size=2, max_size=3))

    known = st.fixed_dictionaries({}, optional={name: value(v) for name, v in fields.items()})
    unknown = st.dictionaries(st.text(min_size=1, max_size=12), WILD, max_size=2)
    return st.builds(lambda a, b: {**b, **a}, known, unknown)


# --- The world ------------------------------------------------------------------------------


def _build_world() -> SimpleNamespace:
    personas = make_personas()
    alice, rita, bob, pete = (personas[name] for name in ("alice", "rita", "bob", "pete"))
    carol, erin, adam = (personas[name] for name in ("carol", "erin", "adam"))
    owned = {"researcher": alice, "product_manager": bob, "submitted_on": SUBMITTED_ON}
    others = make_project(key="OTHERS", researcher=rita, product_manager=pete)
    return SimpleNamespace(
        alice=alice,
        bob=bob,
        carol=carol,
        erin=erin,
        adam=adam,
        active=make_project(key="ACTIVE", **owned),
        draft=make_project(key="DRAFT", status=Status.DRAFT, researcher=alice, product_manager=bob),
        greenlit=greenlight(make_project(key="GREEN", **owned), bob, carol),
        shared_artifact=Artifact.objects.create(
            key="AR-9001",
            project=others,
            kind="model",
            name="Shared",
            created_on=datetime.date(2025, 1, 1),
        ),
    )


@pytest.fixture(scope="module")
def kept_world(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """Built once per module (tests/kept.py); a project through every gate is slow to make."""
    with kept_for_the_module(django_db_blocker, _build_world) as built:
        yield built


@pytest.fixture
def world(kept_world, db) -> SimpleNamespace:
    return copy_for_a_test(kept_world)


WRITTEN = (
    Project,
    SpendEntry,
    SpendMonth,
    Outcome,
    Adoption,
    Artifact,
    ArtifactReuse,
    GateDecision,
    CriterionScore,
    FeasibilityStudy,
    ArchitectureEstimate,
    BusinessCase,
    AuditEntry,
    User,
)


def _snapshot() -> tuple:
    projects = tuple(
        Project.objects.order_by("pk").values_list(
            "key", "status", "current_gate", "updated_at", "spend_total", "funding_granted_total"
        )
    )
    return projects, row_counts(rows_of(model) for model in WRITTEN)


# --- POST: every form -----------------------------------------------------------------------


def proposal_fields(w) -> dict[str, list[str]]:
    return {
        "key": ["NEW-1", w.draft.key, w.active.key.lower()],
        "title": ["Predict churn"],
        "research_type": ["applied", "science"],
        "bucket": ["efficiency", "revenue", "new_category"],
        "product_manager": [str(w.bob.pk), str(w.alice.pk)],
        "value_kind": ["revenue", "cost_savings"],
        "projected_low": ["100", "0"],
        "projected_expected": ["200"],
        "projected_high": ["300", "150"],
        "probability_of_success": ["35", "0.35", "1", "0"],
        "business_case": ["Keep customers."],
        "hypothesis": ["Churn is predictable."],
    }


def criteria_fields(w) -> dict[str, list[str]]:
    fields = {}
    for criterion in Criterion.objects.filter(gate__number=1, is_active=True):
        if criterion.is_must_meet:
            fields[f"must_{criterion.pk}"] = ["yes", "no", ""]
        else:
            fields[f"score_{criterion.pk}"] = [str(n) for n in range(11)] + [""]
    return fields


def decision_fields(w) -> dict[str, list[str]]:
    return {
        "gate": ["1", "2"],
        "decision": ["go", "kill", "hold", "recycle"],
        "decided_on": ["2025-02-03", SUBMITTED_ON.isoformat(), "2025-01-01"],
        "funding_granted": ["0", "1000.50", ""],
        "probability_of_success": ["50", "0.5", ""],
        "rationale": ["Because.", ""],
        "decisions_seen": ["0", "1", ""],
        # The next review's kill criteria (a go or a recycle needs one), well or badly formed.
        "next-kc1_statement": ["Precision on the hold-out", ""],
        "next-kc1_comparison": ["", ">=", "about"],
        "next-kc1_target": ["", "0.8", "fast"],
        **criteria_fields(w),
    }


ESTIMATE_FIELDS = {
    "build_cost": ["1000", "0"],
    "monthly_run_cost": ["10"],
    "retraining_cadence": ["none", "monthly", "quarterly", "semiannual", "annual"],
    "cost_per_retrain": ["0", "500"],
    "platform_reused": ["Feature store"],
    "build_or_buy_note": ["Build."],
}


def _redirected(response) -> bool:
    return response.status_code in (302, 303)


def _decision_recorded(response) -> bool:
    # With htmx a recorded decision answers 200 with the review and its summary.
    return _redirected(response) or (
        response.status_code == 200 and b" recorded; " in response.content
    )


@dataclass(frozen=True)
class Form:
    url_name: str
    persona: str
    fields: Callable[[SimpleNamespace], dict[str, list[str]]]
    project: str | None = None  # the world's project in the URL
    htmx: bool = False
    succeeded: Callable = _redirected
    statuses: frozenset = field(default=frozenset(ANSWERS))

    def url(self, w) -> str:
        args = [getattr(w, self.project).key] if self.project else []
        return reverse(self.url_name, args=args)

    def __str__(self) -> str:
        return self.url_name + (" (htmx)" if self.htmx else "")


FORMS = [
    Form("proposal_create", "alice", proposal_fields),
    Form("proposal_edit", "alice", proposal_fields, project="draft"),
    Form("proposal_submit", "alice", lambda w: {}, project="draft"),
    Form(
        "spend_create",
        "alice",
        lambda w: {
            "spent_on": ["2025-02-03", "2024-12-31"],
            "amount": ["120.50", "0.01"],
            "category": ["people", "compute", "data", "vendor", "other"],
            "note": ["GPU hours"],
        },
        project="active",
    ),
    Form(
        "outcome_create",
        "bob",
        lambda w: {"month": ["2025-03", "2025-01", "2025-03-15"], "realized_value": ["1000"]},
        project="greenlit",
    ),
    Form(
        "outcome_create",
        "bob",
        lambda w: {
            "month": ["2025-03"],
            "realized_value": ["1000", "400000.01", "1000000"],
            "confirm_value": ["on", ""],
            "confirmed_value": ["400000.01", "1000000.00", ""],
        },
        project="greenlit",
    ),
    Form(
        "adoption_create",
        "bob",
        lambda w: {
            "month": ["2025-03", "2025-01"],
            "active_users": ["120", "0", "1000000000"],
            "tasks_completed": ["3400", "1000000000"],
            "minutes_per_task": ["6.10", "", "100000"],
            "baseline_minutes_per_task": ["9.00", ""],
        },
        project="greenlit",
    ),
    Form(
        "artifact_create",
        "alice",
        lambda w: {
            "kind": ["model", "dataset", "report", "code"],
            "name": ["Triage model", "Shared"],
            "description": ["What it does."],
            "location": ["https://example.com/model"],
        },
        project="active",
    ),
    Form(
        "artifact_reuse",
        "alice",
        lambda w: {"artifact": [str(w.shared_artifact.pk)]},
        project="active",
    ),
    Form(
        "feasibility_study_edit",
        "alice",
        lambda w: {
            "findings": ["It works."],
            "hypothesis_held": ["yes", "partly", "no", "inconclusive"],
            "evidence": ["A pilot."],
            "confidence": ["low", "medium", "high"],
            "recommended_next_step": ["continue", "another_round", "pivot", "stop"],
            "preview": ["1"],
        },
        project="active",
    ),
    Form(
        "architecture_estimate_edit",
        "carol",
        lambda w: {**ESTIMATE_FIELDS, "preview": ["1"]},
        project="active",
    ),
    Form(
        "architecture_estimate_edit",
        "carol",
        lambda w: {**ESTIMATE_FIELDS, "preview": ["1"]},
        project="active",
        htmx=True,
    ),
    Form(
        "business_case_edit",
        "bob",
        lambda w: {
            "customer_problem": ["Slow reviews."],
            "value_rationale": ["Hours saved."],
            "strategic_fit": ["Core."],
            "risks": ["Data access."],
        },
        project="active",
    ),
    Form("scorecard_preview", "bob", criteria_fields, project="active"),
    Form("scorecard_preview", "bob", criteria_fields, project="active", htmx=True),
    Form("decision_create", "bob", decision_fields, project="active", succeeded=_decision_recorded),
    Form(
        "decision_create",
        "erin",
        decision_fields,
        project="active",
        htmx=True,
        succeeded=_decision_recorded,
    ),
    Form(
        "password_change",
        "alice",
        lambda w: {
            "old_password": [PASSWORD],
            "new_password1": ["another-horse-battery-staple-43"],
            "new_password2": ["another-horse-battery-staple-43"],
        },
    ),
    # django-axes answers 429 once an address has failed too often.
    Form(
        "login",
        "anonymous",
        lambda w: {"username": ["alice@example.com"], "password": [PASSWORD]},
        statuses=frozenset(ANSWERS | {429}),
    ),
    Form("portfolio_import", "adam", lambda w: {"replace": ["on", "off"]}),
]


def _check_answer(response, *, statuses=ANSWERS) -> None:
    assert response.status_code in statuses, response.status_code
    if response.streaming:
        b"".join(response.streaming_content)  # a streamed body fails while it is read
    body = b"" if response.streaming else response.content
    assert b"Traceback" not in body
    if response.status_code in (400, 403, 404, 413):
        assert body.strip(), "a refusal says why"


def _post(client, w, form: Form, payload: dict | bytes, *, encoding: str):
    with transaction.atomic():
        client.cookies.clear()
        if form.persona != "anonymous":
            client.force_login(getattr(w, form.persona))
        before = _snapshot()
        post = functools.partial(
            client.post, form.url(w), headers={"HX-Request": "true"} if form.htmx else {}
        )
        if encoding == "multipart":
            response = post(payload)
        elif encoding == "urlencoded":
            response = post(
                urlencode(payload, doseq=True), content_type="application/x-www-form-urlencoded"
            )
        else:  # bytes that are no form at all, announced as one
            response = post(payload, content_type=encoding)
        changed = _snapshot() != before
        transaction.set_rollback(True)
    return response, changed


RAW = st.tuples(
    st.binary(max_size=2000),
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=BoUnDaRy",
            "multipart/form-data",
            "application/json",
        ]
    ),
)


@pytest.mark.parametrize("form", FORMS, ids=str)
@FUZZ
@given(data=st.data())
def test_a_form_takes_any_input_without_a_crash_or_a_partial_write(form, world, client, data):
    encoding = data.draw(st.sampled_from(["multipart", "urlencoded", "raw"]), label="encoding")
    if encoding == "raw":
        payload, encoding = data.draw(RAW, label="raw body")
    else:
        payload = data.draw(form_payload(form.fields(world)), label="payload")

    response, changed = _post(client, world, form, payload, encoding=encoding)

    _check_answer(response, statuses=form.statuses)
    if not form.succeeded(response):
        assert not changed, f"{response.status_code} but the database changed"


# Found by QA, not by the fuzzing above: a number the database cannot hold (or whose sums it
# cannot hold) gets through only when every other field is valid, which random payloads
# rarely are. Each integer a person types, with the rest of the form valid.
HUGE_NUMBERS = ["9223372036854775808", "99999999999999999999", "9000000000000000000"]
ADOPTION_MONTH = {
    "month": "2025-03",
    "active_users": "120",
    "tasks_completed": "3400",
    "minutes_per_task": "6.10",
    "baseline_minutes_per_task": "9.00",
}


@pytest.mark.parametrize("number", HUGE_NUMBERS)
@pytest.mark.parametrize("name", [name for name in ADOPTION_MONTH if name != "month"])
def test_a_number_too_large_to_keep_is_refused_not_a_500(world, client, name, number):
    form = next(form for form in FORMS if form.url_name == "adoption_create")

    response, changed = _post(
        client, world, form, {**ADOPTION_MONTH, name: number}, encoding="urlencoded"
    )

    _check_answer(response)
    assert response.status_code == 400
    assert not changed
    assert "at most" in " ".join(response.context["form"].errors[name])


def test_sign_in_refuses_an_overlong_address_with_a_message(client, world):
    """Found by the fuzzing: it reached the database (SQLite) and django-axes (PostgreSQL)."""
    response = client.post(reverse("login"), {"username": "a" * 60_000, "password": "x"})

    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.content.decode()


# --- GET: filters in the query string, keys in the path ---------------------------------------

FILTERS = {
    "project_list": {
        "q": ["ACTIVE", "alice"],
        "status": ["active", "draft", "greenlit"],
        "gate": ["1", "4"],
        "bucket": ["efficiency"],
        "research_type": ["applied"],
        "pm": ["bob@example.com"],
        "sort": ["key", "-title", "-spend_total"],
        "page": ["1", "2", "-1", "last"],
    },
    "dashboard": {
        "as_of": ["2025-06-30", "2024-01-01"],
        "bucket": ["revenue"],
        "research_type": ["science"],
        "product_manager": ["bob@example.com", "BOB@example.com"],
    },
}
FILTERS["project_list_csv"] = FILTERS["project_list"]
FILTERS["api_metrics"] = FILTERS["dashboard"]
FILTERS["dashboard_csv"] = FILTERS["dashboard"]


FILTER_PAGES = [
    ("project_list", False),
    ("project_list", True),
    ("project_list_csv", False),
    ("dashboard", False),
    ("dashboard", True),
    ("dashboard_csv", False),
    ("api_metrics", False),
]


@FUZZ_MANY_PAGES
@given(data=st.data())
def test_a_filter_takes_any_query_string(world, client, data):
    url_name, htmx = data.draw(st.sampled_from(FILTER_PAGES), label="page")
    query = data.draw(form_payload(FILTERS[url_name]), label="query")
    kwargs = {}
    if url_name == "dashboard_csv":
        kwargs["table"] = data.draw(st.sampled_from(["funnel", "series", "risk", "zombies"]))
    client.force_login(world.erin)

    response = client.get(
        reverse(url_name, kwargs=kwargs),
        query,
        headers={"HX-Request": "true"} if htmx else {},
    )

    _check_answer(response)


KEY_PAGES = [
    "project_detail",
    "proposal_edit",
    "spend_create",
    "outcome_create",
    "artifact_create",
    "artifact_reuse",
    "gate_review",
    "feasibility_study_edit",
    "architecture_estimate_edit",
    "business_case_edit",
]


@FUZZ_MANY_PAGES
@given(
    url_name=st.sampled_from(KEY_PAGES),
    key=st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=40), WILD),
)
def test_a_page_takes_any_project_key(world, client, url_name, key):
    """A key in the address that names no project is a 404, whatever it holds."""
    template = reverse(url_name, args=["KEY"])
    url = template.replace("KEY", quote(key, safe=""))
    client.force_login(world.erin)

    response = client.get(url)

    _check_answer(response)
