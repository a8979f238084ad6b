"""The dashboard's data tables (the <details> under each chart) fit their boxes from 600 px
up: a table scrolls sideways in its own box only when it truly cannot fit (on a phone,
where the project's phone rules make it cards or let it scroll).

Some of them scrolled in their box at 800 to 950 px, and the "Annualized realized value
against projected range" table at every width, although the page had room or the columns
could wrap.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tests.browser.test_form_polish import sign_in_to_the_demo

pytestmark = pytest.mark.django_db(transaction=True)

# Each data table's caption, its box's scroll width and client width.
MEASURE_JS = """() => [...document.querySelectorAll('details.data-table table')]
  .map((table) => {
    const box = table.closest('.table-wrap') || table.parentElement;
    const caption = (table.querySelector('caption')?.textContent || '').trim();
    return [caption, box.scrollWidth, box.clientWidth];
  })"""


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


def test_every_data_table_fits_its_box_from_600_px_up(page, live_server, login):
    from portfolio.models import Role

    sign_in_to_the_demo(page, live_server, login, Role.EXECUTIVE)
    page.goto(f"{live_server.url}/dashboard/")
    summaries = page.locator("details.data-table > summary")
    for n in range(summaries.count()):
        summaries.nth(n).click()
    tables = page.evaluate(MEASURE_JS)
    captions = [caption for caption, *_ in tables]
    # The data tables of the demo: the headline numbers', the headline chart's, the risk
    # chart's, the outcomes', the calibration's, the decision quality's and the panel's.
    assert len(tables) >= 7, captions
    assert any(caption.startswith("Annualized realized value") for caption in captions)

    problems = []
    for width in (600, 700, 800, 850, 900, 950, 1100, 1400):
        page.set_viewport_size({"width": width, "height": 900})
        for caption, scroll_width, client_width in page.evaluate(MEASURE_JS):
            if scroll_width > client_width:
                problems.append(f"{width} px: {caption}: {scroll_width} px in {client_width}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    assert problems == []
