"""/plan/: the form in the URL, the ranked table with its waterline, what-if with htmx."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from planning.models import PlanSettings
from tests.builders import PLAN_AS_OF, candidate, plan_json
from tests.planning.sample import expected, import_sample

ROW = re.compile(r'<tr class="plan-row[^"]*" ([^>]*)>')
ATTR = re.compile(r'data-([a-z]+)="([^"]*)"')


def table(body: str) -> list[dict]:
    """The ranked table's rows as the page marks them up (data-* attributes)."""
    return [dict(ATTR.findall(attrs)) for attrs in ROW.findall(body)]


def as_cli(rows: list[dict]) -> list[dict]:
    return [
        {
            "key": r["key"],
            "rank": int(r["rank"]),
            "funded": r["funded"] == "true",
            "reason": r["reason"],
            "ask": float(r["ask"]),
            "ecv": float(r["ecv"]),
            "pi": float(r["pi"]),
            "probability": float(r["probability"]),
        }
        for r in rows
    ]


def ranked_from_json(result: dict) -> list[dict]:
    keep = ("key", "rank", "funded", "reason", "ask", "ecv", "pi", "probability")
    return [{k: p[k] for k in keep} for p in result["projects"] if p["rank"] is not None]


@pytest.fixture
def three(db, bob):
    candidate("A", value=400, ask=80)
    candidate("B", value=200, ask=50, bucket="revenue")
    candidate("C", value=60, ask=20, bucket="new_category")


def get(client, **query):
    return client.get(reverse("plan"), query)


@pytest.mark.parametrize(
    ("filename", "query"),
    [
        ("plan-2026-11-20-budget-2m.json", {"budget": "2000000"}),
        (
            "plan-2026-11-20-budget-3m-targets-calibrated.json",
            {
                "budget": "3000000",
                "target_efficiency": "0.5",
                "target_revenue": "0.3",
                "target_new_category": "0.2",
                "probabilities": "calibrated",
            },
        ),
    ],
)
def test_the_pages_table_equals_the_cli(client, bob, filename, query):
    import_sample()
    client.force_login(bob)
    response = get(client, as_of="2026-11-20", horizon="3", discount_rate="0.10", **query)
    assert response.status_code == 200
    body = response.content.decode()
    want = expected(filename)
    assert as_cli(table(body)) == ranked_from_json(want)
    assert f"{Decimal(str(want['funded_ask'])):,.2f}" in body
    # The last ranked row's cumulative funded is the plan's funded ask.
    allocated = re.findall(r'data-cumulative-funded="([^"]*)"', body)
    assert Decimal(allocated[-1]) == Decimal(str(want["funded_ask"]))
    for project in want["projects"]:
        if project["reason"] == "no_ask":
            assert f'data-key="{project["key"]}" data-reason="no_ask"' in body


def test_it_draws_the_waterline_where_the_money_runs_out(client, bob, three):
    client.force_login(bob)
    body = get(
        client, budget="100", as_of=PLAN_AS_OF, horizon="1", discount_rate="0"
    ).content.decode()
    assert [r["key"] for r in table(body)] == ["A", "B", "C"]
    waterline = body.index('class="waterline"')
    assert body.index('data-key="A"') < waterline < body.index('data-key="B"')
    assert "does not fit" in body  # B's reason
    assert "no estimate" in body
    # Without targets or pins everything above the line is funded: the money runs out there.
    assert "Waterline: the budget of EUR 100.00 runs out here" in body


def waterline_text(body: str) -> str:
    cell = re.search(r'<tr class="waterline"><td colspan="\d+">(.*?)</td>', body, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell.group(1))).split())


def test_with_bucket_targets_the_waterline_says_how_much_above_it_is_funded(client, bob, three):
    # Revenue's share (60) funds B first; efficiency and new category have 0. What is left
    # (50) cannot hold A (80), ranked first, but holds C (20), ranked below the line.
    client.force_login(bob)
    body = get(
        client, budget="100", as_of=PLAN_AS_OF, horizon="1", discount_rate="0", target_revenue="0.6"
    ).content.decode()
    assert {r["key"]: r["reason"] for r in table(body)} == {
        "A": "over_budget",
        "B": "funded",
        "C": "funded",
    }
    assert body.index('data-key="A"') < body.index('class="waterline"') < body.index('data-key="B"')
    said = waterline_text(body)
    assert "runs out here" not in said
    assert (
        "the asks ranked above this line add up to EUR 80.00 of the budget of EUR 100.00, "
        "but only EUR 0.00 of that is funded; the plan funds EUR 70.00 in all." in said
    )
    assert "Bucket targets come first" in said
    # Cumulative funded: the money allocated down to each row, beside the cumulative ask.
    funded = dict(re.findall(r'data-key="([A-Z]+)".*?data-cumulative-funded="([^"]*)"', body, re.S))
    assert funded == {"A": "0.00", "B": "50.00", "C": "70.00"}
    assert "Cumulative funded" in body


def test_it_flags_negative_ecv(client, bob, db):
    candidate("N", value=10, ask=30)
    client.force_login(bob)
    body = get(client, budget="100", as_of=PLAN_AS_OF).content.decode()
    assert "ECV ≤ 0" in body and 'data-reason="negative_ecv"' in body


def test_it_starts_from_the_admins_settings(client, bob, three):
    PlanSettings.objects.create(
        pk=1,
        budget=Decimal("70"),
        horizon=1,
        discount_rate=Decimal(0),
        target_revenue=Decimal("0.6"),
    )
    client.force_login(bob)
    body = get(client, as_of=PLAN_AS_OF).content.decode()
    assert 'name="budget" id="id_budget" value="70.00"' in body
    assert 'name="target_revenue" id="id_target_revenue" value="0.6"' in body
    got = {r["key"]: r["reason"] for r in table(body)}
    # Pass 1: revenue's 42 cannot hold B (50), the other buckets have 0. Pass 2 over all 70:
    # A (80) does not fit, B (50) does, then C (20).
    assert got == {"A": "over_budget", "B": "funded", "C": "funded"}


def test_a_what_if_with_htmx_answers_only_the_plan_region(client, bob, three):
    client.force_login(bob)
    response = client.get(
        reverse("plan"),
        {"budget": "100", "as_of": PLAN_AS_OF, "horizon": "1", "discount_rate": "0", "pin_in": "B"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="plan"')
    assert {r["key"]: r["reason"] for r in table(body)}["B"] == "pinned_in"
    assert '<input type="hidden" name="pin_in" value="B" form="plan-form">' in body


def test_every_hx_get_has_the_same_working_href(client, bob, three):
    client.force_login(bob)
    body = get(client, budget="100", as_of=PLAN_AS_OF, pin_out="A").content.decode()
    links = re.findall(r'<a href="([^"]+)" hx-get="([^"]+)"', body)
    assert links and all(href == hx for href, hx in links)
    assert body.count("hx-get=") == len(links) + 1  # and the form, whose action is the page
    for href, _ in links[:4]:
        assert client.get(html.unescape(href)).status_code == 200


def test_pin_links_keep_the_rest_of_the_plan(client, bob, three):
    client.force_login(bob)
    body = get(client, budget="100", as_of=PLAN_AS_OF, target_revenue="0.5").content.decode()
    pin_a = html.unescape(re.search(r'href="([^"]*pin_in=A[^"]*)"', body).group(1))
    assert (
        "budget=100" in pin_a and "target_revenue=0.5" in pin_a and f"as_of={PLAN_AS_OF}" in pin_a
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"budget": "0"}, "Budget: must be more than 0."),
        (
            {"budget": "a lot"},
            "Budget: a lot is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).",
        ),
        # Python's Decimal reads 1_000 as 1000; a person typing it made a slip.
        (
            {"budget": "1_000"},
            "Budget: 1_000 is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).",
        ),
        # ...and full-width digits as ASCII ones: not what the page shows back.
        (
            {"budget": "１０００"},
            "Budget: １０００ is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).",
        ),
        (
            {"budget": "100", "target_revenue": "0.0000001"},
            "Target for revenue: at most 4 decimals (0.3333 is 33.33% of the budget).",
        ),
        (
            {"budget": "100", "discount_rate": "0_1"},
            "Discount rate: 0_1 is not a number: write it in plain digits with a point for decimals, e.g. 0.1.",
        ),
        (
            {"budget": "100", "target_revenue": "0.7", "target_efficiency": "0.4"},
            "Targets: the shares add up to 1.1, more than 1.",
        ),
        ({"budget": "100", "target_revenue": "1.5"}, "Target for revenue: a share from 0 to 1"),
        ({"budget": "100", "target_moonshots": "0.1"}, "Targets: unknown bucket “moonshots”"),
        ({"budget": "100", "pin_in": "NO-SUCH"}, "Pinned: no project has the key NO-SUCH."),
        (
            {"budget": "100", "pin_in": ["A", "B"]},
            "Pinned in: the asks of A and B add up to EUR 130.00, more than the budget of EUR 100.00.",
        ),
        # One pin is named as one, and every amount carries the currency, as on the rest of the page.
        (
            {"budget": "70", "pin_in": "A"},
            "Pinned in: A asks EUR 80.00, more than the budget of EUR 70.00.",
        ),
        (
            {"budget": "100", "horizon": "x"},
            "Horizon: x is not a number: write it in plain digits, e.g. 3.",
        ),
        ({"budget": "100", "discount_rate": "1"}, "Discount rate: at least 0 and less than 1"),
    ],
)
def test_bad_input_is_answered_with_a_clear_message(client, bob, three, query, message):
    client.force_login(bob)
    response = (
        get(client, as_of=PLAN_AS_OF, horizon="1", discount_rate="0", **query)
        if ("horizon" not in query and "discount_rate" not in query)
        else get(client, as_of=PLAN_AS_OF, **query)
    )
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert message in body
    assert 'role="alert"' in body
    # What was typed stays in the form, to be corrected.
    assert f'value="{query["budget"]}"' in body


def test_the_csv_has_every_row_with_formula_safe_text(client, bob, db):
    candidate("A", value=400, ask=80, title='=HYPERLINK("http://x")')
    client.force_login(bob)
    response = client.get(reverse("plan_csv"), {"budget": "100", "as_of": PLAN_AS_OF})
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in text
    assert text.splitlines()[0].startswith("rank,key,title,bucket")


def test_the_csv_refuses_bad_input(client, bob, db):
    client.force_login(bob)
    response = client.get(reverse("plan_csv"), {"budget": "0"})
    assert response.status_code == 400 and "Budget" in response.content.decode()


def test_queries_stay_constant_as_the_portfolio_grows(
    client, bob, db, django_assert_max_num_queries
):
    def count() -> int:
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from planning import engine

        cache.clear()
        engine.forget_inputs()
        with CaptureQueriesContext(connection) as captured:
            assert get(client, budget="1000", as_of=PLAN_AS_OF).status_code == 200
        return len(captured)

    client.force_login(bob)
    for n in range(3):
        candidate(f"S{n}", value=100 + n, ask=10)
    few = count()
    for n in range(3, 40):
        candidate(f"S{n}", value=100 + n, ask=10)
    assert count() == few
    with django_assert_max_num_queries(12):
        get(client, budget="1000", as_of=PLAN_AS_OF)


def test_it_is_refused_to_researchers(client, alice, db):
    client.force_login(alice)
    assert get(client, budget="100").status_code == 403


def test_cli_and_page_agree_on_a_hand_made_portfolio(client, bob, three):
    client.force_login(bob)
    body = get(
        client, budget="100", as_of=PLAN_AS_OF, horizon="1", discount_rate="0", pin_out="A"
    ).content.decode()
    assert as_cli(table(body)) == ranked_from_json(plan_json("--budget", "100", "--pin-out", "A"))


def test_pinning_in_a_project_the_plan_cannot_fund_is_refused_and_not_saved(client, bob, three):
    from planning.models import Scenario
    from portfolio.models import Project
    from tests.builders import decide

    decide(Project.objects.get(key="C"), 1, "kill", decided_on=datetime.date(2026, 3, 2))
    client.force_login(bob)
    response = get(client, budget="100", as_of=PLAN_AS_OF, pin_in="C")
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "Pinned in: C is killed, and the plan funds only active projects: unpin it." in body
    assert "C in</span>" not in body  # not shown as pinned
    unpinned = re.search(r'<a href="([^"]*)">Make the plan without its pins</a>', body).group(1)
    assert "pin_in" not in unpinned and "budget=100" in unpinned
    saved = client.post(
        reverse("scenario_list"),
        {"name": "With C", "budget": "100", "as_of": PLAN_AS_OF, "pin_in": "C"},
    )
    assert saved.status_code == 400
    assert not Scenario.objects.exists()


def test_a_project_pinned_both_in_and_out_is_refused(client, bob, three):
    client.force_login(bob)
    response = get(client, budget="100", as_of=PLAN_AS_OF, pin_in="A", pin_out="A")
    assert response.status_code == 400
    assert "Pinned: A cannot be pinned both in and out: choose one." in html.unescape(
        response.content.decode()
    )


def test_the_plan_writes_bucket_labels_and_dates_as_the_app_does(client, bob, three):
    client.force_login(bob)
    body = html.unescape(get(client, budget="100", as_of=PLAN_AS_OF).content.decode())
    assert "<td>New category</td>" in body and "<td>new_category</td>" not in body
    assert f"as of {PLAN_AS_OF}, 3 years at 10.0%" in body


def test_bucket_targets_show_their_share_exactly(client, bob, three):
    client.force_login(bob)
    body = get(
        client,
        budget="100",
        as_of=PLAN_AS_OF,
        target_revenue="0.3333",
        target_efficiency="0.125",
        target_new_category="0.4",
    ).content.decode()
    cells = dict(
        re.findall(r'<tr data-bucket="([a-z_]+)">.*?<td class="num">([^<]*)</td>', body, re.S)
    )
    assert cells == {"efficiency": "12.5%", "revenue": "33.33%", "new_category": "40.0%"}


def test_the_discount_rate_shows_as_typed(client, bob, three):
    """7.25% a year, not rounded to 7.3% in the plan's heading."""
    client.force_login(bob)
    body = html.unescape(
        get(client, budget="100", as_of=PLAN_AS_OF, discount_rate="0.0725").content.decode()
    )
    assert f"as of {PLAN_AS_OF}, 3 years at 7.25%" in body


def reason_cell(body: str, key: str) -> str:
    """The Funded column of ``key``'s row, as read (tags dropped, spaces collapsed)."""
    row = re.search(rf'<tr class="plan-row[^"]*" data-key="{key}".*?</tr>', body, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cells[-2])).split())


def test_a_project_above_the_line_that_does_not_fit_says_where_the_money_went(client, bob, db):
    # The QA case in small: R (revenue, 35) ranks first, N (new category, 50) second, both
    # above the line, E (efficiency, 40) last. With targets efficiency 0.4 and new category
    # 0.2 of 100, E's 40 is funded within its target first; N's own target (20) cannot hold
    # N, and of the 60 left of the budget R takes 35, leaving 25 < 50 at N's turn.
    candidate("R", value=300, ask=35, bucket="revenue")
    candidate("N", value=300, ask=50, bucket="new_category")
    candidate("E", value=100, ask=40)
    client.force_login(bob)
    body = get(
        client,
        budget="100",
        as_of=PLAN_AS_OF,
        horizon="1",
        discount_rate="0",
        target_efficiency="0.4",
        target_new_category="0.2",
    ).content.decode()
    assert {r["key"]: r["reason"] for r in table(body)} == {
        "N": "over_budget",
        "R": "funded",
        "E": "funded",
    }
    assert reason_cell(body, "N") == (
        "does not fit asks EUR 50.00: its bucket's target had EUR 20.00 left and the budget "
        "EUR 25.00 at its turn; funded before it though ranked below: "
        "E (Efficiency (cost savings) target)."
    )
    line = body.index('class="waterline"')
    assert body.index('data-key="N"') < line < body.index('data-key="E"')
    said = waterline_text(body)
    assert "once its bucket's share is spent" not in said
    assert (
        "each bucket funds its best projects within its target, wherever they rank, and only "
        "what is left of the budget then goes down the whole ranking" in said
    )


def test_a_does_not_fit_row_says_when_its_ask_is_more_than_the_whole_budget(client, bob, three):
    client.force_login(bob)
    body = get(
        client, budget="70", as_of=PLAN_AS_OF, horizon="1", discount_rate="0"
    ).content.decode()
    assert (
        reason_cell(body, "A")
        == "does not fit asks EUR 80.00: more than the whole budget of EUR 70.00."
    )


def test_a_pin_in_leaves_the_others_the_rest_and_they_say_so(client, bob, three):
    client.force_login(bob)
    body = get(
        client, budget="100", as_of=PLAN_AS_OF, horizon="1", discount_rate="0", pin_in="C"
    ).content.decode()
    # C (20) pinned in first: A (80) still fits in the 80 left, B (50) does not.
    assert reason_cell(body, "B") == (
        "does not fit asks EUR 50.00: the budget had EUR 0.00 left at its turn; funded before "
        "it though ranked below: C (pinned in)."
    )


def what_if_links(body: str) -> dict[str, list[str]]:
    """Each row's What if links by key: "pin in", "pin out", "unpin"."""
    links = {}
    for key, cell in re.findall(
        r'data-key="([A-Z]+)".*?<td class="no-print plan-actions">(.*?)</td>', body, re.S
    ):
        links[key] = re.findall(r">(pin in|pin out|unpin)<", cell)
    return links


def test_pin_in_is_offered_only_where_it_can_change_the_plan(client, bob, three):
    client.force_login(bob)
    body = get(
        client, budget="70", as_of=PLAN_AS_OF, horizon="1", discount_rate="0"
    ).content.decode()
    # A (80) asks more than the budget: a pin in could only be refused. B and C are funded:
    # a pin in changes nothing, a pin out takes their money.
    assert what_if_links(body) == {"A": [], "B": ["pin out"], "C": ["pin out"]}
    assert "A asks more than the pins leave of the budget" in body

    body = get(
        client, budget="100", as_of=PLAN_AS_OF, horizon="1", discount_rate="0", pin_in="B"
    ).content.decode()
    # B pinned in (50) leaves 50: A (80) cannot be pinned in beside it; C is funded.
    assert what_if_links(body) == {"A": [], "B": ["unpin"], "C": ["pin out"]}

    body = get(
        client, budget="100", as_of=PLAN_AS_OF, horizon="1", discount_rate="0"
    ).content.decode()
    # A funded (80), B (50) does not fit but may be pinned in instead.
    assert what_if_links(body) == {"A": ["pin out"], "B": ["pin in"], "C": ["pin out"]}


def test_a_budget_that_is_not_a_number_marks_the_field(client, bob, three):
    client.force_login(bob)
    response = get(client, budget="abc", as_of=PLAN_AS_OF)
    assert response.status_code == 400
    body = response.content.decode()
    field = re.search(
        r'<div class="field[^"]*"><label for="id_budget">.*?</div>', body, re.S
    ).group(0)
    assert 'class="field field-error"' in field
    assert (
        '<ul class="errorlist" id="id_budget_error" data-plan-error><li>Budget: abc is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).</li></ul>'
        in field
    )
    # The message is read first, then the field's help.
    assert 'aria-describedby="id_budget_error budget-help" aria-invalid="true"' in field
    # The other fields are not marked; the box below the form links to the field.
    assert body.count('aria-invalid="true"') == 1
    assert (
        '<a href="#id_budget">Budget: abc is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).</a>'
        in body
    )
    assert 'data-inputs="id_budget" data-error-id="id_budget_error"' in body


def test_a_target_over_its_range_marks_that_target(client, bob, three):
    client.force_login(bob)
    body = get(client, budget="100", as_of=PLAN_AS_OF, target_revenue="2").content.decode()
    assert (
        'id="id_target_revenue" value="2" aria-describedby="id_target_revenue_error" aria-invalid="true"'
        in body
    )
    assert body.count('aria-invalid="true"') == 1


def test_the_plans_numbers_are_text_inputs_the_server_judges(client, bob, three):
    """No <input type="number"> on the plan page: a browser sends nothing for text such an
    input cannot read (3e, 2,5), and the planner would then plan with its default horizon
    without a word. The server reads what was typed and says what is wrong."""
    client.force_login(bob)

    body = get(client, budget="100").content.decode()
    refused = get(client, budget="100", horizon="2,5")

    assert 'type="number"' not in body
    horizon = re.search(r'<input[^>]*name="horizon"[^>]*>', body).group(0)
    assert 'type="text"' in horizon and 'inputmode="numeric"' in horizon
    assert refused.status_code == 400
    assert "Horizon" in html.unescape(refused.content.decode())
