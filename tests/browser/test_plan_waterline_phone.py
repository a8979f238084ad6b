"""The plan on a phone (390 px): the waterline's banner is read without scrolling sideways.

The ranking is a wide table that scrolls in its own box; the banner is a full-width row of
it, so its sentence was cut on both sides and could only be read by scrolling. Its text now
keeps to the visible part of the box, whatever the table's scroll. Demo data, an executive,
a budget of 300,000 with the admin's default bucket targets (seed_demo): GL-0038 is above
the line and does not fit, because GL-0084, ranked below it, is funded first within the
efficiency target.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tests.browser import demo
from tests.browser.expect import expect

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
# The admin's default bucket targets (Plan settings), which a live-server flush removes.
DEFAULT_TARGETS = "target_efficiency=0.4&target_revenue=0.35&target_new_category=0.2"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


@pytest.fixture
def executive_on_a_phone(page, live_server, login):
    from gates.management.commands.seed_demo import DEMO_USERS
    from portfolio.models import Role

    demo.seed_demo()
    email, password = next((e, p) for role, e, _, p in DEMO_USERS if role == Role.EXECUTIVE)
    page.set_viewport_size(PHONE)
    login(page, live_server, email, password)
    return page


def within(inner: dict, outer: dict) -> bool:
    return inner["x"] >= outer["x"] - 0.5 and inner["x"] + inner["width"] <= (
        outer["x"] + outer["width"] + 0.5
    )


def test_the_waterline_banner_is_read_within_the_phones_width(
    executive_on_a_phone, live_server, axe
):
    page = executive_on_a_phone
    page.goto(f"{live_server.url}/plan/?budget=300000&{DEFAULT_TARGETS}")
    wrap = page.locator(".table-wrap:has(> table.plan-table)")
    # The table still scrolls sideways in its box: only the banner keeps to the box.
    assert wrap.evaluate("box => box.scrollWidth > box.clientWidth + 100")
    banner = page.locator("tr.waterline .waterline-text")
    expect(banner).to_have_count(1)
    expect(banner).to_contain_text("Bucket targets come first")
    viewport = {"x": 0, "width": PHONE["width"]}

    for scrolled in ("box => box.scrollLeft = 0", "box => box.scrollLeft = box.scrollWidth"):
        wrap.evaluate(scrolled)
        banner.scroll_into_view_if_needed()
        text_box = banner.bounding_box()
        assert within(text_box, viewport), text_box
        assert within(text_box, wrap.bounding_box()), (text_box, wrap.bounding_box())
        # Every line of the sentence is inside the box: it wraps rather than overflows.
        assert banner.evaluate("text => text.scrollWidth <= text.clientWidth + 1")

    # GL-0038, above the line and left out, says where the money went.
    reason = page.locator('tr.plan-row[data-key="GL-0038"] .plan-why')
    expect(reason).to_contain_text("its bucket's target had EUR 60,000.00 left")
    expect(reason).to_contain_text("the budget EUR 120,000.00 at its turn")
    expect(reason).to_contain_text("GL-0084")

    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert [v["id"] for v in results.response["violations"]] == []


def test_a_budget_that_is_not_a_number_marks_the_field_in_place(
    executive_on_a_phone, live_server, axe
):
    page = executive_on_a_phone
    page.goto(f"{live_server.url}/plan/?budget=300000")
    budget = page.get_by_role("textbox", name="Budget")
    budget.fill("abc")
    budget.press("Enter")
    expect(page.locator("#plan [role=alert]")).to_contain_text(
        "Budget: abc is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50)."
    )
    expect(budget).to_have_attribute("aria-invalid", "true")
    expect(budget).to_have_accessible_description(
        "Budget: abc is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50). money for the round"
    )
    beside = page.locator("#id_budget_error")
    expect(beside).to_have_text(
        "Budget: abc is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50)."
    )
    expect(page.locator(".field-error")).to_have_count(1)
    expect(budget).to_be_focused()
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert [v["id"] for v in results.response["violations"]] == []

    budget.fill("300000")
    budget.press("Enter")
    expect(page.locator("tr.waterline")).to_have_count(1)
    expect(budget).not_to_have_attribute("aria-invalid", "true")
    expect(budget).to_have_attribute("aria-describedby", "budget-help")
    expect(page.locator("#id_budget_error")).to_have_count(0)
    expect(page.locator(".field-error")).to_have_count(0)
