"""Two tabs on the architecture estimate, in a real browser: the second save is refused.

Tab A raises the build cost and saves; tab B, opened before, changes only the platform
and saves. B is told who changed what and when, sees the build cost saved now beside what
it typed, and nothing of B is written; saving again from B, knowingly, goes through.
"""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from gates.models import ArchitectureEstimate
from tests.browser.expect import expect
from tests.browser.test_every_page import WCAG_22_AA
from tests.builders import PASSWORD, add_estimate, decide, make_project

# Live-server tests commit for real; the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def test_the_second_tab_is_refused_and_keeps_what_was_typed(
    page, live_server, login, axe, screenshot, alice, bob, carol
):
    project = make_project(key="TWO-TABS", researcher=alice, product_manager=bob)
    decide(project, 1, "go")
    add_estimate(project, carol, platform_reused="Old cluster")
    url = f"{live_server.url}/projects/TWO-TABS/architecture-estimate/"
    login(page, live_server, carol.email, PASSWORD)
    tab_a = page
    tab_a.goto(url)
    tab_b = page.context.new_page()
    tab_b.goto(url)
    expect(tab_b.get_by_label("Build cost")).to_have_value("100000.00")

    tab_a.get_by_label("Build cost").fill("150000")
    tab_a.get_by_role("button", name="Save revision").click()
    expect(tab_a.get_by_text("Architecture estimate revised.")).to_be_visible()

    tab_b.get_by_label("Platform reused").fill("Shared inference cluster")
    tab_b.get_by_role("button", name="Save revision").click()
    summary = tab_b.locator("[data-error-summary]")
    expect(summary).to_contain_text(
        "Since this page was opened, Carol Architect changed the architecture estimate "
        "(Build cost) on "
    )
    expect(summary).to_contain_text("Nothing was saved from this form")
    row = tab_b.locator('[data-testid="changed-since"] tr[data-field="build_cost"]')
    expect(row.get_by_test_id("saved-now")).to_have_text("150000.00")
    expect(row.get_by_test_id("you-typed")).to_have_text("100000.00")
    expect(tab_b.get_by_label("Platform reused")).to_have_value("Shared inference cluster")
    estimate = ArchitectureEstimate.objects.get(project=project)
    assert (estimate.build_cost, estimate.platform_reused) == (Decimal("150000.00"), "Old cluster")
    screenshot(tab_b, "estimate-second-tab-refused")
    wcag = {"type": "tag", "values": WCAG_22_AA}
    assert axe.run(tab_b, options={"runOnly": wcag}).response["violations"] == []

    # B re-applies A's build cost and saves again: it goes through, with both changes.
    tab_b.get_by_label("Build cost").fill("150000")
    tab_b.get_by_role("button", name="Save revision").click()
    expect(tab_b.get_by_text("Architecture estimate revised.")).to_be_visible()
    estimate.refresh_from_db()
    assert (estimate.build_cost, estimate.platform_reused) == (
        Decimal("150000.00"),
        "Shared inference cluster",
    )
