"""A scenario renamed from a page opened before someone else renamed it, in a real browser:
refused, with the name saved now beside the one typed; renaming again goes through."""

from __future__ import annotations

import pytest
from django.urls import reverse

from planning import services
from planning.inputs import parse
from planning.models import Scenario
from tests.browser.expect import expect
from tests.browser.test_every_page import WCAG_22_AA
from tests.builders import PASSWORD, PLAN_AS_OF, candidate

# Live-server tests commit for real; the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_stale_rename_is_refused_and_keeps_what_was_typed(
    page, live_server, login, axe, screenshot, bob, erin
):
    candidate("A", value=400, ask=80)
    request = parse(as_of=PLAN_AS_OF, horizon="1", discount_rate="0", budget="100")
    lean = services.save_scenario(name="Lean", request=request, actor=bob)
    login(page, live_server, bob.email, PASSWORD)
    page.goto(live_server.url + reverse("scenario_list"))
    # Erin renames it meanwhile.
    services.rename_scenario(scenario=lean, name="Lean 2027", actor=erin)

    row = page.locator('tr[data-scenario="Lean"]')
    row.locator("summary", has_text="Rename").click()
    row.get_by_label("New name of “Lean”").fill("Lean plan")
    row.get_by_role("button", name="Rename").click()

    error = page.locator("#scenario-error")
    expect(error).to_contain_text("“Lean 2027” was not renamed:")
    expect(error).to_contain_text(
        "Since this page was opened, Erin Executive changed this scenario"
    )
    changed = page.locator('[data-testid="changed-since"] tr[data-field="name"]')
    expect(changed.get_by_test_id("saved-now")).to_have_text("Lean 2027")
    expect(changed.get_by_test_id("you-typed")).to_have_text("Lean plan")
    field = page.get_by_label("New name of “Lean 2027”")
    expect(field).to_have_value("Lean plan")
    assert Scenario.objects.get(pk=lean.pk).name == "Lean 2027"
    screenshot(page, "scenario-rename-refused")
    wcag = {"type": "tag", "values": WCAG_22_AA}
    assert axe.run(page, options={"runOnly": wcag}).response["violations"] == []

    page.locator('tr[data-scenario="Lean 2027"]').get_by_role("button", name="Rename").click()
    expect(page.get_by_text("Scenario “Lean 2027” renamed “Lean plan”.")).to_be_visible()
    assert Scenario.objects.get(pk=lean.pk).name == "Lean plan"
