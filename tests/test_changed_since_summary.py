"""The error summary above a form refused because its record changed since the page was
opened says so, on every page with that check (``portfolio.edits``): nothing typed is
wrong, so it must not ask to "correct what is marked below".

Each case opens a page twice (two tabs), saves from the first, then from the second.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from planning.services import set_next_stage_ask
from portfolio.models import Status
from tests.builders import add_business_case, add_estimate, add_study, decide, make_project
from tests.page_forms import form_data
from tests.portfolio.test_proposal_create import valid

pytestmark = pytest.mark.django_db

CORRECT = "please correct what is marked below"
CHANGED = (
    "Nothing was saved: this was changed since you opened the page, by someone else or in "
    "another tab. Review what is saved now beside what you typed, and save again."
)


def _heading(body: str) -> str:
    found = re.search(r'<p class="form-errors-heading">(.*?)</p>', body, re.S)
    assert found, "no error summary"
    return found.group(1)


def _second_tab_refused(client: Client, url: str, first: dict, second: dict) -> str:
    tab_a = form_data(client.get(url).content.decode(), url)
    tab_b = form_data(client.get(url).content.decode(), url)
    assert client.post(url, tab_a | first).status_code == 302
    refused = client.post(url, tab_b | second)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Since this page was opened" in body
    return body


def _deliverable_case(name, project, people):
    alice, bob, carol = people
    if name == "feasibility_study_edit":
        add_study(project, alice)
        return alice, {"findings": "A's findings."}, {"evidence": "B's evidence."}
    if name == "architecture_estimate_edit":
        decide(project, 1, "go")
        add_estimate(project, carol)
        return carol, {"build_cost": "150000"}, {"platform_reused": "B's cluster"}
    project.current_gate = 4
    project.save(update_fields=["current_gate"])
    add_business_case(project, bob)
    return bob, {"risks": "A's risks."}, {"strategic_fit": "B's fit."}


@pytest.mark.parametrize(
    "name", ["feasibility_study_edit", "architecture_estimate_edit", "business_case_edit"]
)
def test_a_deliverable_refused_as_changed_since_says_so(client, project, alice, bob, carol, name):
    writer, first, second = _deliverable_case(name, project, (alice, bob, carol))
    client.force_login(writer)
    body = _second_tab_refused(client, reverse(name, args=[project.key]), first, second)
    assert _heading(body) == CHANGED
    assert CORRECT not in body


def test_a_draft_refused_as_changed_since_says_so(client, alice, bob):
    typed = valid(bob, key="D-1")
    fields = {k: v for k, v in typed.items() if k not in ("key", "product_manager")}
    draft = make_project(
        key="D-1",
        researcher=alice,
        product_manager=bob,
        status=Status.DRAFT,
        **{**fields, "probability_of_success": "0.35"},
    )
    client.force_login(alice)
    url = reverse("proposal_edit", args=[draft.key])
    body = _second_tab_refused(client, url, {"hypothesis": "A's."}, {"title": "B's title"})
    assert _heading(body) == CHANGED
    assert CORRECT not in body

    submitted = _second_tab_refused(client, url, {"hypothesis": "A's again."}, {"action": "submit"})
    assert _heading(submitted).startswith(
        "The proposal was not submitted: the draft was changed since you opened this page"
    )
    assert "complete what is marked below" not in submitted


def test_the_next_stage_ask_refused_as_changed_since_says_so(project, alice, bob):
    set_next_stage_ask(project=project, ask=Decimal("50000"), actor=alice)
    url = reverse("next_stage_ask_edit", args=[project.key])
    manager, researcher = Client(), Client()
    manager.force_login(bob)
    researcher.force_login(alice)
    tab_a = form_data(manager.get(url).content.decode(), url)
    tab_b = form_data(researcher.get(url).content.decode(), url)
    assert manager.post(url, tab_a | {"next_stage_ask": "80000"}).status_code == 302
    refused = researcher.post(url, tab_b | {"next_stage_ask": "60000"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert _heading(body) == CHANGED
    assert "see below" not in _heading(body)


def test_a_form_with_a_wrong_value_still_asks_to_correct_it(client, project, alice):
    add_study(project, alice)
    client.force_login(alice)
    url = reverse("feasibility_study_edit", args=[project.key])
    page = form_data(client.get(url).content.decode(), url)
    refused = client.post(url, page | {"findings": ""})
    assert refused.status_code == 400
    assert CORRECT in _heading(refused.content.decode())
