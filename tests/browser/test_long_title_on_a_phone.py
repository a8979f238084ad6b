"""A project title as long as a title may be (200 characters, no space to break at) wraps
on a 390 px phone wherever it is shown, rather than making the page scroll sideways."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from portfolio import services
from portfolio.models import Status
from tests.builders import (
    PASSWORD,
    add_estimate,
    add_study,
    decide,
    make_project,
    record_spend,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LONG_TITLE = "T" * 199 + "Z"  # its end shows whether the whole title is on the page

OVERFLOW_JS = "document.documentElement.scrollWidth - window.innerWidth"
# The elements reaching past the right edge of the page, for the message.
PAST_THE_EDGE_JS = """() => [...document.body.querySelectorAll('*')]
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
  .map((element) => element.outerHTML.slice(0, 90)).slice(-3)"""


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups, the four gates and their gatekeepers, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)
    from gates.defaults import create_default_gatekeepers
    from gates.models import Gate, Gatekeeper

    create_default_gatekeepers(Gate, Gatekeeper)


@pytest.fixture
def long_titles(alice, bob, carol):
    """LONG-1 at gate 3 with an ask, its study, estimate and spend; LONG-2 at gate 2 with no
    ask (the plan's "Not ranked: no ask"); LONG-D a draft of Alice's; LONG-K killed (her
    finished projects)."""
    ranked = make_project(
        key="LONG-1",
        title=LONG_TITLE,
        researcher=alice,
        product_manager=bob,
        next_stage_ask=Decimal(40000),
    )
    decide(ranked, 1, "go", bob, funding_granted=Decimal(50000))
    add_study(ranked, alice)
    decide(ranked, 2, "go", bob)
    add_estimate(ranked, carol)
    record_spend(ranked, datetime.date(2026, 2, 3), Decimal(1200))
    services.register_artifact(
        project=ranked,
        actor=alice,
        kind="dataset",
        name="Cases",
        key="AR-0001",
        created_on=datetime.date(2026, 1, 20),
    )
    no_ask = make_project(key="LONG-2", title=LONG_TITLE, researcher=alice, product_manager=bob)
    decide(no_ask, 1, "go", bob)
    make_project(
        key="LONG-D", title=LONG_TITLE, researcher=alice, product_manager=bob, status=Status.DRAFT
    )
    killed = make_project(key="LONG-K", title=LONG_TITLE, researcher=alice, product_manager=bob)
    decide(killed, 1, "kill", bob)


PAGES = {
    "alice": [
        "/",
        "/projects/LONG-1/",
        "/projects/LONG-2/feasibility-study/",
        "/projects/LONG-D/delete/",
        "/artifacts/AR-0001/",
    ],
    "bob": [
        "/",
        "/projects/",
        "/projects/LONG-1/",
        "/projects/LONG-1/gate-review/",
        "/projects/LONG-2/gate-review/",
        "/projects/LONG-1/gate-review/?recorded=2",  # after a decision: LONG-2 next in the queue
        "/projects/LONG-1/spend/",
        "/projects/LONG-1/next-stage-ask/",
        "/projects/LONG-1/architect/",
        "/dashboard/",
        "/plan/",
    ],
    "carol": [
        "/",
        "/projects/LONG-1/architecture-estimate/",
        "/projects/LONG-1/gate-review/",
    ],
}


@pytest.mark.parametrize("person", sorted(PAGES))
def test_a_200_character_title_fits_a_phone_wherever_it_is_shown(
    page, live_server, login, alice, bob, carol, long_titles, person
):
    who = {"alice": alice, "bob": bob, "carol": carol}[person]
    page.set_viewport_size(PHONE)
    login(page, live_server, who.email, PASSWORD)
    too_wide = []
    for path in PAGES[person]:
        page.goto(f"{live_server.url}{path}")
        # The tables folded away (the dashboard's data tables, the audit trail) are read too.
        for summary in page.locator("details:not([open]) > summary").all():
            if summary.is_visible():
                summary.click()
        assert LONG_TITLE in page.content(), path
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow > 0:
            too_wide.append(f"{path}: {overflow} px {page.evaluate(PAST_THE_EDGE_JS)}")
    assert too_wide == [], "\n".join(too_wide)


def test_a_200_character_title_fits_a_phone_on_the_replace_import_confirmation(
    page, live_server, login
):
    """The confirmation lists the projects a replace would archive, with their titles."""
    from pathlib import Path

    from gates.interchange import command_line_import
    from portfolio.models import Project, Role
    from tests.builders import make_user

    sample = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
    command_line_import(sample)
    Project.objects.filter(key="RP-0001").update(title=LONG_TITLE)
    sam = make_user("sam@example.com", Role.ADMIN, is_staff=True, is_superuser=True)
    page.set_viewport_size(PHONE)
    login(page, live_server, sam.email, PASSWORD)
    page.goto(f"{live_server.url}/portfolio/import/")
    for field in ("projects", "gate_decisions", "spend", "outcomes"):
        page.locator(f"input[name={field}]").set_input_files(str(sample / f"{field}.csv"))
    csv_form = page.get_by_role("form", name="The CSV files")
    csv_form.get_by_label("Replace projects whose keys already exist").check()
    csv_form.get_by_role("button", name="Check and import", exact=True).click()
    page.get_by_role("link", name="RP-0001").wait_for()
    assert LONG_TITLE in page.content()
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow <= 0, f"{overflow} px too wide: {page.evaluate(PAST_THE_EDGE_JS)}"
