"""The outcome form's tick "Yes, this amount is right" names the amount it confirms, and
follows the realized value as it is typed (static/js/outcome.js): before, it named the
amount of the last submit until the next one, so a person changing 1,500,000 to 1,600,000
read a tick for 1,500,000 beside 1,600,000. A tick given for the amount it names records
that amount; a tick given before the amount changed is taken off as it changes (without
JavaScript, the server asks about the new amount again, as before).
"""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from django.apps import apps as django_apps

from tests.browser.expect import expect
from tests.browser.test_every_page import WCAG_22_AA
from tests.builders import PASSWORD, greenlight, make_project

pytestmark = pytest.mark.django_db(transaction=True)

HIGH = "EUR 400,000.00"


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


@pytest.fixture
def greenlit(alice, bob, carol):
    project = make_project(
        key="TICK-1", researcher=alice, product_manager=bob, submitted_on=datetime.date(2025, 5, 5)
    )
    return greenlight(project, bob, carol)  # high projection: 400,000 a year


def asked_to_confirm(page, live_server, login, bob, amount: str):
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/TICK-1/outcomes/")
    page.get_by_label("Month").fill("2025-06")
    page.get_by_label("Realized value").fill(amount)
    page.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_label("Yes, this amount is right")).to_be_visible()


def test_the_tick_names_the_amount_as_it_is_typed(page, live_server, login, axe, greenlit, bob):
    asked_to_confirm(page, live_server, login, bob, "1500000")
    tick = page.get_by_label("Yes, this amount is right")
    help_text = page.locator("#id_confirm_value_helptext")
    expect(help_text).to_have_text(
        f"EUR 1,500,000.00 in one month is more than TICK-1's high projection for a whole "
        f"year ({HIGH})."
    )
    url = page.url

    value = page.get_by_label("Realized value")
    value.fill("")
    value.press_sequentially("1600000.5")
    expect(help_text).to_have_text(
        f"EUR 1,600,000.50 in one month is more than TICK-1's high projection for a whole "
        f"year ({HIGH})."
    )
    # The tick's accessible description says the same.
    expect(tick).to_have_accessible_description(re.compile(r"^EUR 1,600,000\.50 in one month"))
    assert page.url == url  # nothing was submitted
    wcag = {"type": "tag", "values": WCAG_22_AA}
    assert axe.run(page, options={"runOnly": wcag}).response["violations"] == []

    value.fill("15000")
    expect(help_text).to_contain_text("EUR 15,000.00 in one month is not more than TICK-1's")
    expect(help_text).to_contain_text("it needs no tick")
    value.fill("")
    expect(help_text).to_have_text("Type the realized value above: the tick confirms that amount.")

    # Ticked for the amount it names: that amount is recorded.
    value.fill("1600000.50")
    tick.check()
    page.get_by_role("button", name="Record outcome").click()
    expect(page).to_have_url(re.compile(r"/projects/TICK-1/$"))
    assert [str(o.realized_value) for o in greenlit.outcomes.all()] == ["1600000.50"]


def test_a_tick_given_before_the_amount_changed_is_taken_off_and_asked_again(
    page, live_server, login, greenlit, bob
):
    """The box never shows ticked beside an amount it does not confirm."""
    asked_to_confirm(page, live_server, login, bob, "1500000")
    tick = page.get_by_label("Yes, this amount is right")
    tick.check()
    page.get_by_label("Realized value").fill("1600000")
    expect(page.locator("#id_confirm_value_helptext")).to_contain_text("EUR 1,600,000.00")
    expect(tick).not_to_be_checked()
    page.get_by_role("button", name="Record outcome").click()

    expect(page.locator("#field-confirm_value")).to_contain_text("EUR 1,600,000.00 in one month")
    expect(page.get_by_label("Yes, this amount is right")).not_to_be_checked()
    assert not greenlit.outcomes.exists()


def test_without_javascript_the_tick_names_the_amount_submitted(
    browser, live_server, login, greenlit, bob
):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        asked_to_confirm(page, live_server, login, bob, "1500000")
        page.get_by_label("Realized value").fill("1600000")
        help_text = page.locator("#id_confirm_value_helptext")
        expect(help_text).to_contain_text("EUR 1,500,000.00 in one month")
        page.get_by_label("Yes, this amount is right").check()
        page.get_by_role("button", name="Record outcome").click()

        expect(page.get_by_text("was ticked for another amount").first).to_be_visible()
        expect(help_text).to_contain_text("EUR 1,600,000.00 in one month")
        assert not greenlit.outcomes.exists()
    finally:
        context.close()


NOT_PLAIN = (
    "The realized value above is not a plain number: write it in digits, e.g. 1000000 "
    "(not 1e6), for the tick to confirm it."
)


def test_an_amount_with_an_exponent_is_no_amount_to_tick(page, live_server, login, greenlit, bob):
    """The number input takes 1e6 as a number and sends it as typed; the server refuses it
    (portfolio.money.written_with_exponent). The tick's text says the amount is not a plain
    number, where it asked to type one (the person typed one, and went round in circles)."""
    asked_to_confirm(page, live_server, login, bob, "1500000")
    tick = page.get_by_label("Yes, this amount is right")
    tick.check()
    help_text = page.locator("#id_confirm_value_helptext")

    value = page.get_by_label("Realized value")
    value.fill("1e6")
    expect(help_text).to_have_text(NOT_PLAIN)
    expect(tick).not_to_be_checked()  # it confirmed 1,500,000, not this
    value.fill("2E3")
    expect(help_text).to_have_text(NOT_PLAIN)
    value.fill("")
    expect(help_text).to_have_text("Type the realized value above: the tick confirms that amount.")

    # Sent anyway, ticked: refused beside the field, nothing recorded.
    value.fill("1e6")
    tick.check()
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator("#field-realized_value")).to_contain_text(
        "Write the amount in plain digits, e.g. 1000000 (not 1e6)."
    )
    assert not greenlit.outcomes.exists()


WITHIN = "in one month is not more than TICK-1's high projection for a whole year"
NO_AMOUNT = (
    "The realized value above is not an amount: write it in plain digits, e.g. 1200.50, for "
    "the tick to confirm it."
)
DECIMALS = (
    "The realized value above has more than two decimals: write it to the cent, e.g. 1200.50, "
    "for the tick to confirm it."
)
NEGATIVE = "The realized value above is negative: the tick confirms an amount of 0 or more."
# What the server says beside the field of an amount over the largest it keeps
# (portfolio.money).
TOO_LARGE = "Enter an amount of at most 9,999,999,999,999.99 (13 digits before the decimal point)."
COMMA = (
    "“12,50” is not an amount: write it in plain digits with a point for "
    "decimals, e.g. 1200.50 (a comma only between thousands: 1,200.50)."
)


def test_the_script_s_words_are_the_server_s():
    from portfolio import money

    assert money.too_large_instruction() == TOO_LARGE
    assert money.LARGEST_AMOUNT_TEXT == "9,999,999,999,999.99"


def test_the_tick_reads_the_amount_as_the_server_does(page, live_server, login, greenlit, bob):
    """ ".5" is an amount (0.50) to the server, as "5." and "+1600000" are: the tick's text
    named no amount and asked to type one. Text the server refuses gets the server's reason,
    never "Type the realized value above" beside a value typed."""
    asked_to_confirm(page, live_server, login, bob, "2000000")
    value = page.get_by_label("Realized value")
    assert value.get_attribute("type") == "text"
    assert value.get_attribute("inputmode") == "decimal"
    help_text = page.locator("#id_confirm_value_helptext")

    value.fill(".5")
    expect(help_text).to_have_text(re.compile(rf"^EUR 0\.50 {WITHIN} \({HIGH}\): it needs no tick"))
    value.fill(" 5. ")
    expect(help_text).to_contain_text(f"EUR 5.00 {WITHIN}")
    value.fill("+1600000")
    expect(help_text).to_have_text(
        f"EUR 1,600,000.00 in one month is more than TICK-1's high projection for a whole "
        f"year ({HIGH})."
    )
    for typed, said in [
        ("100.123", DECIMALS),
        ("100.120", DECIMALS),  # three decimals, as the server counts them
        ("-5", NEGATIVE),
        ("-0.5", NEGATIVE),
        ("1e", NO_AMOUNT),
        ("e6", NO_AMOUNT),
        ("12,50", NO_AMOUNT),
        ("EUR 100", NO_AMOUNT),
        (".", NO_AMOUNT),
        ("1e6", NOT_PLAIN),
        ("1.5E3", NOT_PLAIN),
        # A comma only between thousands, as the server reads an amount.
        ("1,00", NO_AMOUNT),
        ("1600,000", NO_AMOUNT),
        ("1,600,000,", NO_AMOUNT),
        (",500", NO_AMOUNT),
        ("1,000.5,0", NO_AMOUNT),
        ("1,000e3", NOT_PLAIN),
        ("1,000.123", DECIMALS),
        ("-1,000", NEGATIVE),
        # Over the largest amount kept: what the server says beside the field.
        ("10000000000000", TOO_LARGE),
        ("10,000,000,000,000.00", TOO_LARGE),
        ("99999999999999999999999", TOO_LARGE),
    ]:
        value.fill(typed)
        expect(help_text).to_have_text(said)
    value.fill("-0")  # 0 to the server, which takes it
    expect(help_text).to_contain_text(f"EUR 0.00 {WITHIN}")
    value.fill(" 15,000.5 ")
    expect(help_text).to_contain_text(f"EUR 15,000.50 {WITHIN}")
    value.fill("1,600,000")
    expect(help_text).to_have_text(
        f"EUR 1,600,000.00 in one month is more than TICK-1's high projection for a whole "
        f"year ({HIGH})."
    )
    value.fill("9,999,999,999,999.99")  # the largest amount kept
    expect(help_text).to_contain_text("EUR 9,999,999,999,999.99 in one month is more than")


def test_a_tick_given_for_an_amount_grouped_in_thousands_records_it(
    page, live_server, login, greenlit, bob
):
    asked_to_confirm(page, live_server, login, bob, "1500000")
    value = page.get_by_label("Realized value")
    value.fill("1,600,000.50")
    help_text = page.locator("#id_confirm_value_helptext")
    expect(help_text).to_contain_text("EUR 1,600,000.50 in one month is more than")
    page.get_by_label("Yes, this amount is right").check()
    page.get_by_role("button", name="Record outcome").click()
    expect(page).to_have_url(re.compile(r"/projects/TICK-1/$"))
    assert [str(o.realized_value) for o in greenlit.outcomes.all()] == ["1600000.50"]


RECORDED = {".5": "0.50", "1,200.50": "1200.50"}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (".5", None),
        ("1,200.50", None),
        ("100.123", "Enter an amount with at most 2 decimals, e.g. 1200.50."),
        ("-5", "Enter an amount of at least 0."),
        ("12,50", COMMA),
        (
            "e6",
            "“e6” is not an amount: write it in plain digits with a point for "
            "decimals, e.g. 1200.50 (a comma only between thousands: 1,200.50).",
        ),
        ("10000000000000", TOO_LARGE),
    ],
)
def test_what_the_tick_says_of_an_amount_is_what_the_server_does(
    page, live_server, login, greenlit, bob, typed, message
):
    """The server's answer to the amounts the script reads: .5 is recorded as 0.50 and
    1,200.50 as 1200.50; the rest is refused beside the field, in the same words, and left
    in the field as typed."""
    asked_to_confirm(page, live_server, login, bob, "2000000")
    value = page.get_by_label("Realized value")
    value.fill(typed)
    page.get_by_role("button", name="Record outcome").click()
    if message is None:
        expect(page).to_have_url(re.compile(r"/projects/TICK-1/$"))
        assert [str(o.realized_value) for o in greenlit.outcomes.all()] == [RECORDED[typed]]
        return
    expect(page.locator("#field-realized_value")).to_contain_text(message)
    expect(page.get_by_label("Realized value")).to_have_value(typed)
    assert not greenlit.outcomes.exists()
