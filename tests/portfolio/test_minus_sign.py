"""A negative number shown to a person has one minus sign everywhere, the typographic "−"
(U+2212) the calibration bias already wrote; the plan's PI and ECV and the gate review's had
the ASCII hyphen ("-0.8333"). Numbers for machines (data-* attributes, CSV) keep the "-"."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from planning.templatetags.plan_format import (
    plan_money,
    plan_pct,
    plan_ratio,
    plan_raw_ratio,
    signed,
)
from portfolio import services
from portfolio.templatetags.numbers import (
    amount,
    decimal,
    ledger,
    minus,
    money,
    money_cents,
    money_short,
    percent,
    ratio,
    raw,
    score,
    share,
    signed_bias,
)
from tests.builders import PLAN_AS_OF, candidate, greenlight, make_project

MINUS = "\u2212"


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (amount(Decimal("-1280")), "−1,280"),
        (ledger(Decimal("-1280.5")), "−1,280.50"),
        (money(Decimal("-1280")), "EUR −1,280"),
        (money_cents(Decimal("-1280")), "EUR −1,280.00"),
        (money_short(Decimal("-1279000")), "−1.27M"),
        (percent(Decimal("-0.05")), "−5%"),
        (percent(Decimal("-0.05"), 1), "−5.0%"),
        (share(Decimal("-12.5")), "−13%"),
        (ratio(Decimal("-0.25")), "−0.25"),
        (score(Decimal("-0.1234")), "−0.1234"),
        (decimal(Decimal("-7.5")), "−7.5"),
        (signed_bias(Decimal("-0.012")), "−0.0120"),
        (plan_ratio(Decimal("-0.4")), "−0.4000"),
        (plan_money(Decimal("-25")), "EUR −25.00"),
        (plan_pct(Decimal("-0.524")), "−52.4%"),
        (signed(Decimal("-0.012")), "−0.0120"),
    ],
)
def test_every_filter_writes_a_negative_number_with_the_typographic_minus(written, shown):
    assert written == shown


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (amount(Decimal("-0.4")), "0"),
        (percent(Decimal("-0.0001")), "0%"),
        (plan_ratio(Decimal("0.4")), "0.4000"),
        (signed_bias(Decimal("0.012")), "+0.0120"),
        (minus("-0"), "0"),
        (minus("—"), "—"),
    ],
)
def test_zero_and_positive_numbers_have_no_minus(written, shown):
    assert written == shown


def test_numbers_for_machines_keep_the_ascii_hyphen():
    assert raw(Decimal("-0.4")) == "-0.4"
    assert plan_raw_ratio(Decimal("-0.4")) == "-0.4000"


def _hyphen_minuses(body: str) -> list[str]:
    """Numbers in the page as read (tags and their attributes left out) written with the
    hyphen: "-0.8333", "EUR -25.00"; not a date's "2026-01"."""
    return re.findall(r"(?<![\w-])-\d[\d.,]*", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def losing(db, bob):
    return candidate("N", value=10, ask=30)  # ECV 5 − 30 = −25, PI −0.8333


def test_the_plan_writes_a_negative_pi_and_ecv_with_the_minus(client, bob, losing):
    client.force_login(bob)
    query = {"budget": "100", "as_of": PLAN_AS_OF, "horizon": "1", "discount_rate": "0"}
    body = client.get(reverse("plan"), query).content.decode()
    row = re.search(r'<tr class="plan-row[^"]*" data-key="N".*?</tr>', body, re.S).group(0)
    assert 'data-pi="-0.8333"' in row and 'data-ecv="-25.00"' in row  # for machines
    shown = re.sub(r"<[^>]+>", " ", row)
    assert "−0.8333" in shown and "EUR −25.00" in shown
    assert _hyphen_minuses(body) == []

    csv = client.get(reverse("plan_csv"), query).content.decode()
    assert ",-25.00," in csv and ",-0.8333," in csv and MINUS not in csv


def test_the_gate_review_writes_a_negative_pi_and_ecv_with_the_minus(client, bob, losing):
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=["N"])).content.decode()
    pi = re.search(r'data-figure="pi">([^<]*)<', body).group(1)
    ecv = re.search(r'data-figure="ecv">([^<]*)<', body).group(1)
    assert pi.startswith(MINUS) and ecv.startswith(f"EUR {MINUS}")
    assert _hyphen_minuses(body) == []


def test_minutes_lost_against_the_baseline_read_with_the_minus(client, alice, bob, carol, erin):
    """A month slower than its baseline counts against: its minutes saved are negative."""
    product = make_project(
        key="SLOW",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2025, 12, 1),
    )
    greenlight(product, bob, carol, on=datetime.date(2026, 1, 1))
    services.record_adoption(
        project=product,
        actor=bob,
        month=datetime.date(2026, 1, 1),
        active_users=40,
        tasks_completed=1200,
        minutes_per_task=Decimal("10.00"),
        baseline_minutes_per_task=Decimal("9.00"),
    )
    client.force_login(erin)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-value="-1200.0">−1,200</span> minutes saved' in dashboard
    page = client.get(product.get_absolute_url()).content.decode()
    assert "<strong>−1,200 minutes saved</strong>" in page
    assert _hyphen_minuses(dashboard) == [] and _hyphen_minuses(page) == []
