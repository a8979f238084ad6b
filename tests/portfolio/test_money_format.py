"""One currency (CURRENCY, ISO 4217) shown with every amount; one format per context."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from portfolio.env import env_currency, env_one_currency
from portfolio.services import record_spend
from portfolio.templatetags import numbers
from tests.builders import make_project


def test_the_currency_is_an_iso_code_read_from_the_environment(monkeypatch):
    monkeypatch.delenv("CURRENCY", raising=False)
    assert env_currency("CURRENCY", "EUR") == "EUR"
    monkeypatch.setenv("CURRENCY", "usd")
    assert env_currency("CURRENCY", "EUR") == "USD"
    for bad in ("$", "EURO", "E1R", ""):
        monkeypatch.setenv("CURRENCY", bad)
        with pytest.raises(ImproperlyConfigured, match="CURRENCY must be an ISO 4217"):
            env_currency("CURRENCY", "EUR")


def test_the_apis_older_name_of_the_currency_is_read_and_may_not_disagree(monkeypatch):
    """PORTFOLIO_CURRENCY (once the API's own setting) and CURRENCY are one currency."""
    monkeypatch.delenv("CURRENCY", raising=False)
    monkeypatch.setenv("PORTFOLIO_CURRENCY", "chf")
    assert env_one_currency("CURRENCY", "PORTFOLIO_CURRENCY", "EUR") == "CHF"
    monkeypatch.setenv("CURRENCY", "CHF")
    assert env_one_currency("CURRENCY", "PORTFOLIO_CURRENCY", "EUR") == "CHF"
    monkeypatch.setenv("CURRENCY", "USD")
    with pytest.raises(ImproperlyConfigured, match="CURRENCY=USD and PORTFOLIO_CURRENCY=CHF"):
        env_one_currency("CURRENCY", "PORTFOLIO_CURRENCY", "EUR")
    monkeypatch.delenv("PORTFOLIO_CURRENCY")
    assert env_one_currency("CURRENCY", "PORTFOLIO_CURRENCY", "EUR") == "USD"


def test_amounts_have_one_rounding_per_context(settings):
    settings.CURRENCY = "GBP"
    assert numbers.money(Decimal("16277.77")) == "GBP 16,278"
    assert numbers.money(Decimal("0.5")) == "GBP 1"  # half up, not to even
    assert numbers.money(Decimal("-0.4")) == "GBP 0"  # never "-0"
    assert numbers.money_cents(Decimal("16277.77")) == "GBP 16,277.77"
    assert numbers.amount(Decimal("26712345.49")) == "26,712,345"
    assert numbers.ledger(Decimal("0")) == "0.00"
    assert numbers.money(None) == numbers.amount("") == "—"


def test_ratios_and_percentages():
    assert numbers.ratio(Decimal("0.2499")) == "0.25"
    assert numbers.percent(Decimal("0.4")) == "40%"
    assert numbers.percent(Decimal("0.125")) == "12.5%"
    assert numbers.percent(Decimal("0.1176"), 1) == "11.8%"
    assert numbers.decimal(Decimal("7.50")) == "7.5"


def test_every_page_with_money_names_the_currency(client, settings, alice, bob):
    settings.CURRENCY = "USD"
    project = make_project(key="CUR-1", researcher=alice, product_manager=bob)
    record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 2, 3),
        amount=Decimal("1234.56"),
        category="compute",
        note="",
    )
    client.force_login(bob)
    detail = client.get(reverse("project_detail", args=["CUR-1"])).content.decode()
    assert "USD 1,235" in detail  # spend to date, whole units
    assert "USD 1,234.56" in detail  # the timeline's ledger entry, to the cent
    assert "Spend (USD)" in detail  # the monthly table's heading
    listing = client.get(reverse("project_list")).content.decode()
    assert "Spend (USD)" in listing and "Expected (USD)" in listing
    review = client.get(reverse("gate_review", args=["CUR-1"])).content.decode()
    assert "USD 250,000" in review
    assert "EUR" not in detail + listing + review


def test_exact_fractions_are_written_like_decimals(settings):
    from fractions import Fraction

    settings.CURRENCY = "EUR"
    assert numbers.money_cents(Fraction(456763, 4)) == "EUR 114,190.75"
    assert numbers.money(Fraction(1, 2)) == "EUR 1"  # half up, as for a Decimal
    assert numbers.ledger(Fraction(1, 3)) == "0.33"


def test_audit_summaries_write_money_as_the_pages_do(alice, bob, carol):
    from portfolio.models import AuditEntry
    from tests.builders import greenlight, record_outcome, record_spend

    project = make_project(key="AUD-1", researcher=alice, product_manager=bob)
    record_spend(project, datetime.date(2026, 2, 3), "99536.35", category="people")
    greenlight(project, bob, carol, on=datetime.date(2026, 3, 2))
    record_outcome(project, datetime.date(2026, 4, 1), "1654.9")
    summaries = list(AuditEntry.objects.filter(project=project).values_list("summary", flat=True))
    assert "Spend of EUR 99,536.35 (people) on 2026-02-03" in summaries
    assert "Realized EUR 1,654.90 in 2026-04" in summaries
