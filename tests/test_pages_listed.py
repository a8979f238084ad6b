"""Every page is in the every-page check (tests/browser/pages.py), the day it is added.

The permission matrix lists every URL; each that answers a GET with a page of its own must
be in ``pages.PAGES``, where axe-core (WCAG 2.2 AA) and the 390 px phone checks draw it.
The replaced-history page and "password changed" were missing: drawn by no browser test.
"""

from __future__ import annotations

from tests.browser import pages
from tests.test_permission_matrix import ADMIN, MATRIX

# URLs with no page of their own, and why.
NOT_PAGES = {
    ADMIN: "Django's admin: its own pages, not the app's templates",
    "api_metrics": "JSON",
    "api_token_revoke": "a POST from the API tokens page",
    "board_pack": "a POST that asks for the pack (its status page is listed)",
    "board_pack_download": "a PDF",
    "dashboard_csv": "CSV",
    "decision_create": "a POST from the gate review page",
    "estimate_take": "a POST from the project page",
    "health": "a plain-text health check",
    "logout": "a POST that signs out",
    "notification_read": "a POST from the notifications page",
    "notification_read_all": "a POST from the notifications page",
    "person_roles": "a POST from the people page",
    "person_unlock": "a POST from the people page",
    "plan_csv": "CSV",
    "portfolio_export": "a ZIP of CSV files",
    "portfolio_export_workbook": "an Excel workbook",
    "project_list_csv": "CSV",
    "proposal_submit": "a POST from the proposal page",
    "scenario_adopt": "a POST from the scenarios page",
    "scenario_csv": "CSV",
    "scenario_delete": "a POST from the scenarios page",
    "scenario_rename": "a POST from the scenarios page",
    "scorecard_preview": "an htmx fragment of the gate review page (drawn there)",
    "sso_callback": "a redirect back from the identity provider",
    "sso_start": "a redirect to the identity provider",
    "vote_cast": "a POST from the gate review page",
}


def test_every_page_of_the_matrix_is_drawn_by_the_every_page_check():
    listed = {case.url_name for case in pages.PAGES}
    missing = sorted(set(MATRIX) - listed - set(NOT_PAGES))
    assert not missing, (
        f"pages no browser test draws (add them to tests/browser/pages.py): {missing}"
    )


def test_the_exemptions_name_urls_that_exist_and_are_not_pages():
    assert set(NOT_PAGES) <= set(MATRIX), sorted(set(NOT_PAGES) - set(MATRIX))
    assert not set(NOT_PAGES) & {case.url_name for case in pages.PAGES}
