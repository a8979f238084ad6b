"""Scenario comparison: each scenario's settings as complete as the list's, differences marked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from planning import services
from planning.inputs import parse
from planning.models import Scenario
from planning.templatetags.plan_format import plan_money
from tests.builders import PLAN_AS_OF, candidate

SIMPLE = {"as_of": PLAN_AS_OF, "horizon": "3", "discount_rate": "0.1"}


@pytest.fixture
def three(db, bob):
    candidate("A", value=400, ask=80)
    candidate("B", value=200, ask=50, bucket="revenue")
    candidate("C", value=60, ask=20, bucket="new_category")


def save(name: str, actor, **settings) -> Scenario:
    return services.save_scenario(name=name, request=parse(**SIMPLE, **settings), actor=actor)


def words(html: str) -> str:
    return " ".join(html.split())


def test_compare_writes_the_targets_and_pins_the_list_writes(client, bob, three):
    plain = save("Plain", bob, budget="100")
    pinned = save(
        "Pinned", bob, budget="100", targets={"revenue": "0.5"}, pin_in=["B"], pin_out=["A"]
    )
    client.force_login(bob)

    listing = words(client.get(reverse("scenario_list")).content.decode())
    body = words(
        client.get(reverse("scenario_compare"), {"a": plain.pk, "b": pinned.pk}).content.decode()
    )

    said = (
        "3 years at 10.0%, raw probabilities; targets Revenue (grow existing) 50.0%; "
        "pinned in B; pinned out A"
    )
    assert said in listing
    assert (
        f'<dd data-compare="settings">as of {PLAN_AS_OF}, 3 years at 10.0%, raw probabilities; '
        '<mark class="setting-differs">targets Revenue (grow existing) 50.0%</mark>; '
        '<mark class="setting-differs">pinned in B</mark>; '
        '<mark class="setting-differs">pinned out A</mark></dd>'
    ) in body
    assert (
        f'<dd data-compare="settings">as of {PLAN_AS_OF}, 3 years at 10.0%, raw probabilities; '
        '<mark class="setting-differs">no bucket targets</mark>; '
        '<mark class="setting-differs">none pinned in</mark>; '
        '<mark class="setting-differs">none pinned out</mark></dd>'
    ) in body
    assert "Settings that differ (marked): bucket targets, pinned in, pinned out." in body


def test_compare_marks_a_different_budget_date_and_rate(client, bob, three):
    lean = save("Lean", bob, budget="100")
    rich = services.save_scenario(
        name="Rich",
        request=parse(budget="1000", as_of="2026-05-31", horizon="3", discount_rate="0.08"),
        actor=bob,
    )
    client.force_login(bob)

    body = words(
        client.get(reverse("scenario_compare"), {"a": lean.pk, "b": rich.pk}).content.decode()
    )

    assert "Settings that differ (marked): budget, as-of date, horizon and rate." in body
    assert '<mark class="setting-differs">as of 2026-05-31</mark>' in body
    assert '<mark class="setting-differs">3 years at 8.0%</mark>, raw probabilities' in body
    assert f'<mark class="setting-differs">{plan_money(100)}</mark>' in body
    assert f'<mark class="setting-differs">{plan_money(1000)}</mark>' in body


def test_two_scenarios_with_the_same_settings_say_so(client, bob, three):
    one = save("One", bob, budget="100", pin_out=["A"])
    two = save("Two", bob, budget="100", pin_out=["A"])
    client.force_login(bob)

    body = words(
        client.get(reverse("scenario_compare"), {"a": one.pk, "b": two.pk}).content.decode()
    )

    assert "Both scenarios have the same settings." in body
    assert "setting-differs" not in body
    assert body.count("; pinned out A</dd>") == 2


def test_comparing_a_scenario_with_itself_asks_for_two_different_ones(client, bob, three):
    lean = save("Lean", bob, budget="100")
    client.force_login(bob)

    response = client.get(reverse("scenario_compare"), {"a": lean.pk, "b": lean.pk})

    body = words(response.content.decode())
    assert response.status_code == 400
    assert "Choose two different scenarios to compare: both are “Lean”." in body
    assert 'aria-invalid="true" aria-describedby="compare-error"' in body
    assert "compare-grid" not in body  # not two identical columns
