"""Schemathesis against the live schema: every operation, a read and a read-write token.

Hypothesis generates requests from /api/v1/openapi.json and sends them to the app
(through WSGI, in the test's database) holding a small portfolio; each answer must
not be a server error and must conform to the schema: its status code documented,
its content type and its body as described. Bounded: a few examples per operation.
"""

from __future__ import annotations

import datetime
import random

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from tests.api.conftest import token_for
from tests.builders import add_study, decide, greenlight, make_project

EXAMPLES_PER_OPERATION = 6
KEYS = ["ACTIVE", "GATE2", "GREEN", "DRAFT", "MISSING"]

# Loaded when the tests are collected (the schema needs no database); the requests
# are made in each test, inside its database.
# The coverage phase (every boundary of every parameter) takes minutes: examples and
# bounded fuzzing keep this test in the suite's time.
CONFIG = schemathesis.Config.from_dict(
    {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=CONFIG)
_rng = random.Random(17)


@schema.hook
def map_path_parameters(context, path_parameters):
    # Mostly real projects, so that the operations get past the 404.
    if path_parameters and "key" in path_parameters:
        path_parameters["key"] = _rng.choice(KEYS)
    return path_parameters


@pytest.fixture
def small_portfolio(alice, bob, carol, erin):
    on = datetime.date(2025, 1, 6)
    owned = {"researcher": alice, "product_manager": bob, "submitted_on": on}
    make_project(key="ACTIVE", **owned)
    gate2 = make_project(key="GATE2", **owned)
    decide(gate2, 1, "go", bob, decided_on=on)
    add_study(gate2, alice)
    greenlight(make_project(key="GREEN", **owned), bob, carol)
    make_project(key="DRAFT", status="draft", researcher=alice, product_manager=bob)
    return {"erin": erin}


@pytest.fixture(autouse=True)
def _keep_the_tests_transaction():
    # Django's test client keeps the test's transaction open this way; a plain WSGI app
    # would close the connection at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


HYPOTHESIS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


def _call(case, person, scope: str) -> None:
    secret = token_for(person, scope)
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)


@schema.parametrize()
@HYPOTHESIS
def test_the_api_keeps_to_its_schema_with_a_read_token(case, small_portfolio):
    _call(case, small_portfolio["erin"], "read")


@schema.parametrize()
@HYPOTHESIS
def test_the_api_keeps_to_its_schema_with_a_read_write_token(case, small_portfolio):
    _call(case, small_portfolio["erin"], "read-write")
