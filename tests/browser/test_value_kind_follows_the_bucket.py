"""The proposal form: picking a bucket chooses the value kind it suggests until one is chosen
by hand (static/js/value-kind.js); one chosen by hand stays."""

from __future__ import annotations

import pytest

from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def kind(page) -> str | None:
    return page.evaluate(
        "(document.querySelector('input[name=value_kind]:checked') || {}).value || null"
    )


def test_the_value_kind_follows_the_bucket_until_chosen(page, live_server, login, alice):
    login(page, live_server, alice.email, PASSWORD)
    page.goto(f"{live_server.url}/proposals/new/")
    assert kind(page) is None
    page.select_option("select[name=bucket]", "efficiency")
    assert kind(page) == "cost_savings"
    page.select_option("select[name=bucket]", "revenue")
    assert kind(page) == "revenue"

    page.check("input[name=value_kind][value=cost_savings]")  # chosen by hand: kept
    page.select_option("select[name=bucket]", "efficiency")
    page.select_option("select[name=bucket]", "revenue")
    assert kind(page) == "cost_savings"
