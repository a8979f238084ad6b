"""The planner's numbers written with an exponent are refused with an example that fits the
field, one that is itself accepted: a horizon "e.g. 3 (not 3e0)", a discount rate "e.g. 0.1
(not 1e-1)", a bucket target "e.g. 0.3 (not 3e-1)"; a budget keeps "e.g. 1000000 (not 1e6)".

Before, every field said "e.g. 1000000 (not 1e6)" (``portfolio.money.plain_digits_message``'s
default), on the planning page, in the API's /api/v1/plan and in the admin's plan settings;
typed as told, 1000000 was refused again (a horizon of 1 to 10, a rate below 1, a share
from 0 to 1).
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from api import tokens
from planning.inputs import parse
from planning.models import PlanSettings
from portfolio.models import AuditEntry
from tests.builders import PLAN_AS_OF, candidate

SIMPLE = {"as_of": PLAN_AS_OF, "horizon": "1", "discount_rate": "0"}

HORIZON = "Horizon: write the number in plain digits, e.g. 3 (not 3e0)."
RATE = "Discount rate: write the number in plain digits, e.g. 0.1 (not 1e-1)."
TARGET = "Target for revenue: write the number in plain digits, e.g. 0.3 (not 3e-1)."
BUDGET = "Budget: write the amount in plain digits, e.g. 1000000 (not 1e6)."
GENERIC = "e.g. 1000000 (not 1e6)"


@pytest.fixture
def three(db, bob):
    candidate("A", value=400, ask=80)
    candidate("B", value=200, ask=50, bucket="revenue")
    candidate("C", value=60, ask=20, bucket="new_category")


def _example(message: str) -> str:
    return re.search(r"e\.g\. (\S+) \(not", message).group(1)


PAGE_CASES = [
    ({"budget": "4000000", "horizon": "1e1"}, "horizon", HORIZON),
    ({"budget": "4000000", "discount_rate": "1e-1"}, "discount_rate", RATE),
    ({"budget": "4000000", "target_revenue": "2e1"}, "target_revenue", TARGET),
    ({"budget": "1e6"}, "budget", BUDGET),
]


@pytest.mark.parametrize(("query", "name", "message"), PAGE_CASES)
def test_the_plan_page_gives_an_example_that_fits_the_field(
    client, erin, three, query, name, message
):
    client.force_login(erin)
    response = client.get(reverse("plan"), SIMPLE | query)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())

    # Typing the example as told, the plan is made.
    typed = SIMPLE | query | {name: _example(message)}
    again = client.get(reverse("plan"), typed)
    assert again.status_code == 200, html.unescape(again.content.decode())


def _api(user):
    _token, secret = tokens.create_token(actor=user, name="test", scope="read")
    return {"headers": {"Authorization": f"Bearer {secret}"}}


@pytest.mark.parametrize(
    ("query", "field", "detail"),
    [
        (
            {"budget": "4000000", "horizon": "1e1"},
            "horizon",
            "horizon: Input should be a number written in plain digits, e.g. 3 (not 3e0).",
        ),
        ({"budget": "4000000", "discount_rate": "1e-1"}, "discount_rate", RATE),
        ({"budget": "4000000", "target": "revenue=2e1"}, "target", TARGET),
        ({"budget": "4000000", "target_revenue": "2e1"}, "target_revenue", TARGET),
    ],
)
def test_the_api_plan_gives_an_example_that_fits_the_field(
    client, erin, three, query, field, detail
):
    answer = client.get("/api/v1/plan", SIMPLE | query, **_api(erin))
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == field
    assert answer.json()["detail"] == detail

    name = next(iter(set(query) - {"budget"}))
    example = _example(detail)
    fixed = query | {name: f"revenue={example}" if name == "target" else example}
    assert client.get("/api/v1/plan", SIMPLE | fixed, **_api(erin)).status_code == 200


def test_every_example_is_accepted_by_the_parser():
    request = parse(
        budget=_example(BUDGET),
        as_of=PLAN_AS_OF,
        horizon=_example(HORIZON),
        discount_rate=_example(RATE),
        targets={"revenue": _example(TARGET)},
    )
    assert (request.budget, request.horizon) == (Decimal(1_000_000), 3)
    assert (request.discount_rate, request.targets) == (Decimal("0.1"), {"revenue": Decimal("0.3")})


# --- The admin's plan settings ---------------------------------------------------------------

FORM = {
    "budget": "2500000",
    "horizon": "5",
    "discount_rate": "0.08",
    "target_efficiency": "0.5",
    "target_revenue": "",
    "target_new_category": "0.25",
}
CHANGE = "/admin/planning/plansettings/1/change/"


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        # Beside the admin's field, what to write without the field's name (above it).
        ("horizon", "1e1", "Write the number in plain digits, e.g. 3 (not 3e0)."),
        ("discount_rate", "1e-1", "Write the number in plain digits, e.g. 0.1 (not 1e-1)."),
        ("target_revenue", "2e1", "Write the number in plain digits, e.g. 0.3 (not 3e-1)."),
        ("target_efficiency", "5e-1", "Write the number in plain digits, e.g. 0.3 (not 3e-1)."),
        ("budget", "1e6", "Write the amount in plain digits, e.g. 1000000 (not 1e6)."),
    ],
)
def test_the_admin_s_plan_settings_give_an_example_that_fits_the_field(
    client, adam, name, typed, message
):
    client.force_login(adam)
    assert client.post("/admin/planning/plansettings/add/", FORM).status_code == 302
    changes = AuditEntry.objects.count()

    response = client.post(CHANGE, FORM | {name: typed})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert message in page
    assert GENERIC not in page or name == "budget"
    assert PlanSettings.load().horizon == 5 and AuditEntry.objects.count() == changes

    # Typing the example as told, the settings are saved.
    example = _example(page[page.index(message) :])
    fixed = FORM | {"target_efficiency": "", "target_new_category": ""} | {name: example}
    assert client.post(CHANGE, fixed).status_code == 302
    assert getattr(PlanSettings.load(), name) == Decimal(example)
