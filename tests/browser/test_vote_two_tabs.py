"""Two tabs on a gatekeeper's vote, in a real browser: the second save is refused.

Tab A casts a go; tab B, opened before, casts a kill. B is told it cast its vote since the
page was opened, sees the go saved now beside the kill it typed (kept in the form), and
nothing of B is written; casting again from B, knowingly, goes through.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from gates.defaults import create_default_gatekeepers
from gates.models import Gate, Gatekeeper, Vote
from tests.browser.expect import expect
from tests.browser.test_every_page import WCAG_22_AA
from tests.builders import PASSWORD, add_estimate, add_study, make_project

# Live-server tests commit for real; the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)
    create_default_gatekeepers(Gate, Gatekeeper)


def test_the_second_tab_is_refused_and_keeps_what_was_typed(
    page, live_server, login, axe, screenshot, alice, bob, carol
):
    project = make_project(
        key="TWO-VOTES", researcher=alice, product_manager=bob, current_gate=3, decisions_count=2
    )
    add_study(project, alice)
    add_estimate(project, carol)
    url = live_server.url + reverse("gate_review", args=[project.key])
    login(page, live_server, carol.email, PASSWORD)
    tab_a = page
    tab_a.goto(url)
    tab_b = page.context.new_page()
    tab_b.goto(url)

    tab_a.locator("label.decision-choice", has_text="Go").click()
    tab_a.get_by_role("button", name="Cast my vote").click()
    expect(tab_a.get_by_text("Your go vote is recorded")).to_be_visible()

    tab_b.locator("label.decision-choice", has_text="Kill").click()
    tab_b.get_by_label("Comment").fill("Too costly.")
    tab_b.get_by_role("button", name="Cast my vote").click()
    summary = tab_b.locator(".vote-form [data-error-summary]")
    expect(summary).to_contain_text("Your vote was not saved: you cast or changed it since")
    expect(summary).to_contain_text("Since this page was opened, you cast your vote on ")
    expect(summary).not_to_contain_text("please correct")
    row = tab_b.locator('[data-testid="changed-since"] tr[data-field="recommendation"]')
    expect(row.get_by_test_id("saved-now")).to_have_text("Go")
    expect(row.get_by_test_id("you-typed")).to_have_text("Kill")
    rows = tab_b.locator('[data-testid="changed-since"] tbody tr')
    expect(rows).to_have_count(2)  # the recommendation and the comment: nothing hidden
    expect(tab_b.locator('input[name="vote-recommendation"][value="kill"]')).to_be_checked()
    expect(tab_b.get_by_label("Comment")).to_have_value("Too costly.")
    assert Vote.objects.get(voter=carol).recommendation == "go"
    screenshot(tab_b, "vote-second-tab-refused")
    wcag = {"type": "tag", "values": WCAG_22_AA}
    assert axe.run(tab_b, options={"runOnly": wcag}).response["violations"] == []

    # B has seen the go, and casts the kill again: it goes through.
    tab_b.get_by_role("button", name="Change my vote").click()
    expect(tab_b.get_by_text("Your kill vote is changed")).to_be_visible()
    assert Vote.objects.get(voter=carol).recommendation == "kill"
