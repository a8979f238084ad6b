"""Date, month and time fields show the focus ring on every part reached with the keyboard.

In Chromium Tab moves through a date field's parts (day, month, year) before leaving it,
and on its last part the field no longer matches ``:focus`` (only ``:focus-within``): a
rule on ``input:focus`` alone drew no ring there, and someone tabbing through a form lost
track of where they were.
"""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from tests.browser.test_keyboard import ACTIVE, tab_to
from tests.builders import PASSWORD, greenlight, make_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def outline_of(page, selector: str) -> dict:
    return page.evaluate(
        f"""(() => {{
            const style = getComputedStyle(document.querySelector({selector!r}));
            return {{style: style.outlineStyle, width: style.outlineWidth}};
        }})()"""
    )


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ("spend/", "input[type=date][name=spent_on]"),
        ("outcomes/", "input[type=month][name=month]"),
    ],
)
def test_a_date_field_reached_by_tab_shows_the_focus_ring(
    page, live_server, login, alice, bob, carol, address, field
):
    project = make_project(key="DATES-1", researcher=alice, product_manager=bob)
    greenlight(project, bob, carol, on=datetime.date(2026, 2, 2))
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/DATES-1/{address}")
    assert outline_of(page, field)["style"] == "none"  # no ring before it has focus

    tab_to(page, field)
    parts = 0
    while page.evaluate(f"{ACTIVE}.matches({field!r})"):
        outline = outline_of(page, field)
        assert outline["style"] != "none" and outline["width"] != "0px", (parts, outline)
        parts += 1
        page.keyboard.press("Tab")  # the field's next part, then the next field
    assert parts >= 2  # month and year at least: the parts were gone through
