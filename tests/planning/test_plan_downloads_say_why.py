"""The plan's downloads say why each project is left out, as the page does (planning.md).

An executive takes the CSV (or the JSON) to a meeting: a project the plan leaves out
carries the page's explanation in ``why_not_funded``, empty for a funded one.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from planning import inputs, services
from tests.builders import PLAN_AS_OF, candidate, plan_json, plan_rows
from tests.planning.test_plan_page import reason_cell

# The page's own test case (test_plan_page): N does not fit, and E, ranked below it, was
# funded first within its bucket's target. P is pinned out, X has an ECV below 0, Q no ask.
QUERY = {
    "budget": "100",
    "as_of": PLAN_AS_OF,
    "horizon": "1",
    "discount_rate": "0",
    "target_efficiency": "0.4",
    "target_new_category": "0.2",
    "pin_out": "P",
}
N_SAYS = (
    "asks EUR 50.00: its bucket's target had EUR 20.00 left and the budget EUR 25.00 at its "
    "turn; funded before it though ranked below: E (Efficiency (cost savings) target)."
)


@pytest.fixture
def portfolio(db, bob):
    candidate("R", value=300, ask=35, bucket="revenue")
    candidate("N", value=300, ask=50, bucket="new_category")
    candidate("E", value=100, ask=40)
    candidate("P", value=1000, ask=10, bucket="revenue")
    candidate("X", value=10, ask=30, bucket="revenue")
    candidate("Q", value=100, ask=None)


def _csv(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {row["key"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}


def test_the_csv_says_why_each_project_is_left_out_as_the_page_does(client, bob, portfolio):
    client.force_login(bob)
    page = client.get(reverse("plan"), QUERY).content.decode()
    rows = _csv(client.get(reverse("plan_csv"), QUERY))
    why = {key: row["why_not_funded"] for key, row in rows.items()}
    assert why == {
        "P": "pinned out",
        "R": "",
        "E": "",
        "N": N_SAYS,
        "X": "ECV not above 0",
        "Q": "no ask",
    }
    # The same words the page's Funded column shows beside "does not fit".
    assert reason_cell(page, "N") == f"does not fit {N_SAYS}"
    assert rows["N"]["reason"] == "over_budget" and rows["N"]["funded"] == "false"


def test_a_saved_scenarios_csv_says_why_too(client, bob, portfolio):
    request = inputs.from_query(_query_dict(), defaults={})
    scenario = services.save_scenario(name="Meeting", request=request, actor=bob)
    client.force_login(bob)
    rows = _csv(client.get(reverse("scenario_csv", args=[scenario.pk])))
    assert rows["N"]["why_not_funded"] == N_SAYS
    assert rows["E"]["why_not_funded"] == ""


def _query_dict():
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(QUERY)
    return query


def test_the_json_says_why_each_project_is_left_out(portfolio):
    result = plan_json(
        "--budget",
        "100",
        "--target",
        "efficiency=0.4",
        "--target",
        "new_category=0.2",
        "--pin-out",
        "P",
    )
    why = {key: row["why_not_funded"] for key, row in plan_rows(result).items()}
    assert why == {
        "P": "pinned out",
        "R": "",
        "E": "",
        "N": N_SAYS,
        "X": "ECV not above 0",
        "Q": "no ask",
    }


def test_a_project_that_does_not_fit_at_all_says_so_in_the_csv(client, bob, db):
    candidate("A", value=400, ask=80)
    client.force_login(bob)
    query = {"budget": "70", "as_of": PLAN_AS_OF, "horizon": "1", "discount_rate": "0"}
    rows = _csv(client.get(reverse("plan_csv"), query))
    assert rows["A"]["why_not_funded"] == "asks EUR 80.00: more than the whole budget of EUR 70.00."
