"""A body is read as JSON only when it is sent as JSON, and a member named twice is refused.

The API read a body sent as Content-Type: text/plain as JSON and recorded it, and kept the
last of two members of one name: {"amount": "10", "amount": "99999"} recorded 99999, where
a reader of the body (a log, a proxy, a person) may take it as 10. Every body is read in one
place (api.schemas.PlainNumbersParser): anything but application/json (or a +json type) is a
415 saying so, and a repeated member a 400 naming it, nothing saved.
"""

from __future__ import annotations

import pytest

from api.main import api
from gates.models import Gate, GateDecision
from portfolio.models import SpendEntry
from tests.api.test_bad_input import _refused
from tests.builders import make_project

SPEND = '{"spent_on": "2026-02-03", "amount": "10", "category": "compute"}'
URL = "/api/v1/projects/P1/spend"


@pytest.fixture
def project(alice, bob):
    return make_project(key="P1", researcher=alice, product_manager=bob)


def _send(api_as, user, url: str, body: str, content_type: str):
    client = api_as(user)
    return client.client.generic(
        "POST", url, body, content_type=content_type, headers=client.headers
    )


@pytest.mark.parametrize(
    ("content_type", "said"),
    [
        ("text/plain", "this request's is text/plain"),
        ("text/plain; charset=utf-8", "this request's is text/plain"),
        (
            "application/x-www-form-urlencoded",
            "this request's is application/x-www-form-urlencoded",
        ),
        ("", "it had none"),
    ],
)
def test_a_body_not_sent_as_json_is_a_415(api_as, alice, project, content_type, said):
    answer = _send(api_as, alice, URL, SPEND, content_type)
    problem = _refused(answer, 415, None)
    assert problem["detail"] == (
        f"Send the body as JSON, with the header Content-Type: application/json ({said})."
    )
    assert problem["type"] == "urn:greenlight:problem:unsupported-media-type"
    assert not SpendEntry.objects.exists()


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.greenlight+json",
    ],
)
def test_a_body_sent_as_json_is_read(api_as, alice, project, content_type):
    answer = _send(api_as, alice, URL, SPEND, content_type)
    assert answer.status_code == 201, answer.content
    assert SpendEntry.objects.count() == 1


def test_a_member_named_twice_is_refused_naming_it(api_as, alice, project):
    body = '{"spent_on": "2026-02-03", "amount": "10", "amount": "99999", "category": "compute"}'
    answer = _send(api_as, alice, URL, body, "application/json")
    problem = _refused(answer, 400, "amount")
    assert problem["detail"] == "amount: “amount” is given twice in one object: send it once."
    assert not SpendEntry.objects.exists()


def test_a_nested_member_named_twice_is_refused_naming_it(api_as, bob, project):
    criterion = Gate.objects.get(number=1).criteria.filter(kind="must").first().pk
    body = (
        '{"gate": 1, "decision": "hold", "rationale": "Wait.", '
        f'"scores": [{{"criterion": {criterion}, "met": true, "met": false}}]}}'
    )
    answer = _send(api_as, bob, "/api/v1/projects/P1/decisions", body, "application/json")
    problem = _refused(answer, 400, "scores[0].met")
    assert problem["detail"] == "scores[0].met: “met” is given twice in one object: send it once."
    assert not GateDecision.objects.exists()


def test_every_write_documents_the_415():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch"):
                assert 415 in operation["responses"], (method, path)
