"""The permission matrix of the JSON API: every operation × every persona, by token.

Part of the site's matrix (tests/test_permission_matrix.py, which leaves the API's
namespace to this file). ``API_MATRIX`` names each operation of the OpenAPI
schema with the answer each persona's read-write token gets; the schema is
walked, so a new endpoint fails the suite until its permissions are written down.
Besides: no token (401), a revoked or an expired token (401), and a read token
on a write (403). A refused request writes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from tests.api.conftest import Api
from tests.test_permission_matrix import (  # noqa: F401 (kept_world and world are fixtures)
    _snapshot,
    answers,
    kept_world,
    world,
)

PERSONAS = ("anonymous", "alice", "rita", "bob", "pete", "carol", "erin", "adam", "auditor")
REFUSED = {401, 403, 404}
DASHBOARD_READERS = {"bob": 200, "pete": 200, "erin": 200, "adam": 200, "auditor": 200}


def everyone(status: int, **by_persona) -> dict:
    return answers(anonymous=401, others=status, **by_persona)


@dataclass(frozen=True)
class Call:
    key: str | None  # which project of the world: active, draft, greenlit, at_gate_3, missing
    expected: dict
    body: dict = field(default_factory=dict)
    query: str = ""
    label: str = ""


STUDY = {
    "findings": "It works.",
    "hypothesis_held": "yes",
    "evidence": "A pilot.",
    "confidence": "high",
    "recommended_next_step": "continue",
}
ESTIMATE = {"build_cost": "1000", "monthly_run_cost": "10", "retraining_cadence": "none"}
CASE = {"customer_problem": "Slow reviews.", "value_rationale": "Hours saved."}
HOLD = {"gate": 1, "decision": "hold", "decided_on": "2025-02-03", "rationale": "Wait."}
SPEND = {"spent_on": "2025-02-03", "amount": "120.50", "category": "compute"}
OUTCOME = {"month": "2025-03", "realized_value": "1000"}
ARTIFACT = {"kind": "model", "name": "Triage model"}

# Reads: everyone who sees the project (drafts: their researcher only).
PROJECT_READ = [
    Call("active", everyone(200), label="submitted"),
    Call("draft", everyone(404, alice=200), label="draft"),
    Call("missing", everyone(404), label="no such project"),
]

API_MATRIX: dict[tuple[str, str], list[Call]] = {
    ("GET", "/api/v1/me"): [Call(None, everyone(200))],
    ("GET", "/api/v1/gates"): [Call(None, everyone(200))],
    ("GET", "/api/v1/projects"): [Call(None, everyone(200))],
    ("GET", "/api/v1/projects/{key}"): PROJECT_READ,
    ("GET", "/api/v1/projects/{key}/decisions"): PROJECT_READ,
    ("GET", "/api/v1/projects/{key}/deliverables"): PROJECT_READ,
    # One deliverable (its ETag): everyone who sees the project; 404 while none is written.
    ("GET", "/api/v1/projects/{key}/deliverables/feasibility-study"): [
        Call("greenlit", everyone(200), label="written"),
        Call("active", everyone(404), label="none yet"),
        Call("draft", everyone(404), label="draft"),
    ],
    ("GET", "/api/v1/projects/{key}/deliverables/architecture-estimate"): [
        Call("at_gate_3", everyone(200), label="written"),
        Call("active", everyone(404), label="none yet"),
    ],
    ("GET", "/api/v1/projects/{key}/deliverables/business-case"): [
        Call("greenlit", everyone(200), label="written"),
        Call("active", everyone(404), label="none yet"),
        Call("draft", everyone(404), label="draft"),
    ],
    ("GET", "/api/v1/projects/{key}/next-stage-ask"): PROJECT_READ,
    ("GET", "/api/v1/projects/{key}/spend"): PROJECT_READ,
    ("GET", "/api/v1/projects/{key}/outcomes"): PROJECT_READ,
    ("GET", "/api/v1/projects/{key}/artifacts"): PROJECT_READ,
    ("GET", "/api/v1/projects/{key}/audit"): PROJECT_READ,
    ("GET", "/api/v1/metrics"): [Call(None, everyone(403, **DASHBOARD_READERS))],
    # The decision panel: the review for those who decide and its gatekeepers (here, with the
    # default panel, the product manager and the executives); kill criteria as history.
    ("GET", "/api/v1/projects/{key}/review"): [
        Call("active", everyone(403, bob=200, erin=200)),
        Call("draft", everyone(404, alice=403), label="draft"),
    ],
    # Your own vote (its ETag): the same people; 404 while you have cast none (none has here).
    ("GET", "/api/v1/projects/{key}/review/vote"): [
        Call("active", everyone(403, bob=404, erin=404)),
        Call("draft", everyone(404, alice=403), label="draft"),
    ],
    ("PUT", "/api/v1/projects/{key}/review/vote"): [
        Call("active", everyone(403, bob=200), {"gate": 1, "recommendation": "hold"}),
    ],
    ("GET", "/api/v1/projects/{key}/kill-criteria"): PROJECT_READ,
    # Planning: product managers, executives, admins; the ask: the project's researcher or PM.
    ("GET", "/api/v1/plan"): [Call(None, everyone(403, bob=200, pete=200, erin=200, adam=200))],
    ("PUT", "/api/v1/projects/{key}/next-stage-ask"): [
        Call("active", everyone(403, alice=200, bob=200), {"next_stage_ask": "25000.00"}),
        Call("draft", everyone(404, alice=403), {"next_stage_ask": "25000.00"}, label="draft"),
    ],
    # The project's product manager or any executive decides.
    ("POST", "/api/v1/projects/{key}/decisions"): [
        Call("active", everyone(403, bob=201, erin=201), HOLD),
        Call("draft", everyone(404, alice=403), HOLD, label="draft"),
    ],
    # Only a deliverable's writer saves it.
    ("PUT", "/api/v1/projects/{key}/deliverables/feasibility-study"): [
        Call("active", everyone(403, alice=200), STUDY),
        Call("draft", everyone(404, alice=403), STUDY, label="draft"),
    ],
    # The project's architect (GATE3: Carol wrote it), once it is asked for (gate 2 on). Changed
    # deliberately: "active" is at gate 1, where Carol used to write one no queue asked for.
    ("PUT", "/api/v1/projects/{key}/deliverables/architecture-estimate"): [
        Call("active", everyone(403), ESTIMATE, label="gate 1"),
        Call("at_gate_3", everyone(403, carol=200), ESTIMATE, label="her estimate"),
    ],
    ("PUT", "/api/v1/projects/{key}/deliverables/business-case"): [
        Call("active", everyone(403, bob=200), CASE),
    ],
    ("POST", "/api/v1/projects/{key}/spend"): [
        Call("active", everyone(403, alice=201, bob=201, adam=201), SPEND),
        Call("draft", everyone(404, alice=403), SPEND, label="draft"),
    ],
    ("POST", "/api/v1/projects/{key}/outcomes"): [
        Call("greenlit", everyone(403, bob=201, erin=201, adam=201), OUTCOME),
        Call("active", everyone(403), OUTCOME, label="not greenlit"),
    ],
    ("POST", "/api/v1/projects/{key}/artifacts"): [
        Call("active", everyone(403, alice=201, adam=201), ARTIFACT),
        Call("draft", everyone(404, alice=403), ARTIFACT, label="draft"),
    ],
}


def _operations(schema: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


def test_every_operation_is_in_the_matrix(client):
    found = _operations(client.get("/api/v1/openapi.json").json())
    missing = sorted(found - set(API_MATRIX))
    assert not missing, f"API operations without permissions in API_MATRIX: {missing}"
    assert not sorted(set(API_MATRIX) - found), "API_MATRIX names operations that are gone"


def test_the_schema_and_docs_are_public(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


@pytest.fixture(scope="module")
def kept_secrets(kept_world, django_db_blocker) -> SimpleNamespace:  # noqa: F811
    """A read-write and a read token per persona; a revoked and an expired one of Alice's.
    Made once, in the kept world's transaction (rolled back after the module's last test)."""
    with django_db_blocker.unblock():
        return _make_secrets(kept_world)


@pytest.fixture
def secrets(kept_secrets, world) -> SimpleNamespace:  # noqa: F811
    return kept_secrets


def _make_secrets(people_and_projects: SimpleNamespace) -> SimpleNamespace:
    read_write = {
        p: tokens.create_token(actor=u, name="rw", scope="read-write")[1]
        for p, u in people_and_projects.people.items()
    }
    read = {
        p: tokens.create_token(actor=u, name="r", scope="read")[1]
        for p, u in people_and_projects.people.items()
    }
    revoked, revoked_secret = tokens.create_token(
        actor=people_and_projects.alice, name="gone", scope="read-write"
    )
    tokens.revoke_token(token=revoked, actor=people_and_projects.alice)
    expired, expired_secret = tokens.create_token(
        actor=people_and_projects.alice,
        name="old",
        scope="read-write",
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    return SimpleNamespace(
        read_write=read_write, read=read, revoked=revoked_secret, expired=expired_secret
    )


def _url(people_and_projects, path: str, call: Call) -> str:
    if call.key is not None:
        key = (
            "NO-SUCH-PROJECT"
            if call.key == "missing"
            else getattr(people_and_projects, call.key).key
        )
        path = path.replace("{key}", key)
    return path + (f"?{call.query}" if call.query else "")


def ask(client, secret: str | None, method: str, url: str, body: dict) -> tuple[int, bool]:
    """The status, and whether anything was written; rolled back afterwards."""
    with transaction.atomic():
        before = _snapshot()
        api = Api(client, secret)
        answer = api.get(url) if method == "GET" else api.send(method, url, body)
        changed = _snapshot() != before
        transaction.set_rollback(True)
    if answer.status_code >= 400:
        assert answer["Content-Type"] == "application/problem+json", (method, url)
    return answer.status_code, changed


@pytest.mark.parametrize(("method", "path"), sorted(API_MATRIX))
def test_each_persona_gets_the_expected_answer(method, path, world, secrets, client):  # noqa: F811
    wrong = []
    for call in API_MATRIX[(method, path)]:
        assert set(call.expected) == set(PERSONAS)
        url = _url(world, path, call)
        where = f"{method} {path}" + (f" ({call.label})" if call.label else "")
        for persona in PERSONAS:
            secret = secrets.read_write.get(persona)
            got, changed = ask(client, secret, method, url, call.body)
            if got != call.expected[persona]:
                wrong.append(f"{where} as {persona}: expected {call.expected[persona]}, got {got}")
            if got in REFUSED and changed:
                wrong.append(f"{where} as {persona}: refused ({got}) but wrote to the database")
        for name in ("revoked", "expired"):
            got, changed = ask(client, getattr(secrets, name), method, url, call.body)
            if got != 401 or changed:
                wrong.append(f"{where} with a {name} token: {got}, wrote: {changed}")
        if method != "GET":
            for persona in PERSONAS[1:]:
                got, changed = ask(client, secrets.read[persona], method, url, call.body)
                if got not in (403, 404) or changed:
                    wrong.append(f"{where} with {persona}'s read token: {got}, wrote: {changed}")
    assert not wrong, "\n".join(wrong)


WRITES = sorted(key for key in API_MATRIX if key[0] != "GET")


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_permission_is_checked_before_the_body(method, path, world, secrets, client):  # noqa: F811
    """Whoever may not write gets the same refusal whatever the body: an empty one was a 400
    listing the missing fields, where the full body got the 403 (or 404)."""
    wrong = []
    for call in API_MATRIX[(method, path)]:
        url = _url(world, path, call)
        for persona in PERSONAS:
            if call.expected[persona] not in REFUSED:
                continue
            got, changed = ask(client, secrets.read_write.get(persona), method, url, {})
            if got != call.expected[persona] or changed:
                wrong.append(
                    f"{method} {path} ({call.label or call.key}) as {persona} with an empty "
                    f"body: expected {call.expected[persona]}, got {got}"
                )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("path", "persona"),
    [("/api/v1/metrics?as_of=soon", "alice"), ("/api/v1/plan?budget=x", "rita")],
)
def test_a_reader_without_the_permission_is_refused_before_the_query(
    path,
    persona,
    world,  # noqa: F811
    secrets,
    client,
):
    assert ask(client, secrets.read_write[persona], "GET", path, {})[0] == 403
