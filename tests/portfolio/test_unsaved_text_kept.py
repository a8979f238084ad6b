"""The long forms keep unsaved text in the tab (static/js/drafts.js); the server's part.

Each opts in with ``data-draft``, its key naming the signed-in person, the form and its
object; a confirmed save tells the next page to forget the text (``data-draft-saved``),
a refused one does not.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.builders import add_estimate, add_study, decide, make_project
from tests.gates.test_decision_create import post_data
from tests.gates.test_vote_cast import vote_post
from tests.portfolio.test_proposal_create import valid

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def keys_of(body: str) -> list[str]:
    return re.findall(r'<form[^>]*\sdata-draft="([^"]+)"', body)


def saved_markers(body: str) -> list[str]:
    return re.findall(r'data-draft-saved="([^"]+)"', body)


@pytest.fixture
def at_gate_2(project, carol):
    decide(project, 1, "go")
    project.refresh_from_db()
    return project


# (url name, who writes it, the form's key after the person's id)
FORMS = [
    ("proposal_create", "alice", None, "new-proposal"),
    ("feasibility_study_edit", "alice", "project", "feasibility_study:P"),
    ("business_case_edit", "bob", "project", "business_case:P"),
    ("architecture_estimate_edit", "carol", "at_gate_2", "architecture_estimate:P"),
    ("next_stage_ask_edit", "alice", "project", "next-stage-ask:P"),
    ("artifact_create", "alice", "project", "new-artifact:P"),
    ("gate_review", "bob", "project", "decision:P:1"),
]


@pytest.mark.parametrize(("url_name", "persona", "about", "form_key"), FORMS)
def test_each_long_form_keeps_its_text_under_the_signed_in_persons_key(
    client, request, url_name, persona, about, form_key
):
    person = request.getfixturevalue(persona)
    project = request.getfixturevalue(about) if about else None
    client.force_login(person)
    url = reverse(url_name, args=[project.key] if project else [])
    body = client.get(url).content.decode()
    form_key = form_key.replace(":P", f":{project.key}") if project else form_key
    assert keys_of(body) == [f"greenlight-draft:{person.pk}:{form_key}"]
    assert f'<meta name="greenlight-drafts-of" content="greenlight-draft:{person.pk}:">' in body


def test_a_draft_proposal_keeps_its_text_under_its_key(client, alice):
    draft = make_project(researcher=alice, status="draft", key="DRAFT-1")
    client.force_login(alice)
    body = client.get(reverse("proposal_edit", args=["DRAFT-1"])).content.decode()
    assert keys_of(body) == [f"greenlight-draft:{alice.pk}:proposal:{draft.key}"]


def test_another_person_on_the_same_form_has_another_key(client, project, alice, adam):
    url = reverse("artifact_create", args=[project.key])
    client.force_login(alice)
    alices = keys_of(client.get(url).content.decode())
    client.force_login(adam)
    adams = keys_of(client.get(url).content.decode())
    assert alices == [f"greenlight-draft:{alice.pk}:new-artifact:{project.key}"]
    assert adams == [f"greenlight-draft:{adam.pk}:new-artifact:{project.key}"]


def test_a_saved_deliverable_tells_the_next_page_to_forget_its_text_once(client, project, bob):
    client.force_login(bob)
    url = reverse("business_case_edit", args=[project.key])
    case = {"customer_problem": "Reviewers drown.", "value_rationale": "Hours × cost."}
    response = client.post(url, case)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Business case saved." in page
    assert saved_markers(page) == [f"greenlight-draft:{bob.pk}:business_case:{project.key}"]
    assert saved_markers(client.get(url).content.decode()) == []


def test_a_refused_save_keeps_the_text(client, project, bob):
    client.force_login(bob)
    url = reverse("business_case_edit", args=[project.key])
    response = client.post(url, {"customer_problem": "", "value_rationale": ""})
    assert response.status_code == 400
    assert saved_markers(response.content.decode()) == []
    assert saved_markers(client.get(url).content.decode()) == []


def test_a_new_proposal_saved_forgets_the_new_proposals_text(client, alice, bob):
    client.force_login(alice)
    response = client.post(reverse("proposal_create"), valid(bob), follow=True)
    assert "Draft CHURN-26 saved." in response.content.decode()
    assert saved_markers(response.content.decode()) == [f"greenlight-draft:{alice.pk}:new-proposal"]


def test_an_edited_proposal_forgets_the_text_of_the_key_its_page_was_opened_with(
    client, alice, bob
):
    make_project(researcher=alice, status="draft", key="OLD-KEY")
    client.force_login(alice)
    url = reverse("proposal_edit", args=["OLD-KEY"])
    response = client.post(url, valid(bob, key="NEW-KEY"), follow=True)
    assert "Draft NEW-KEY saved." in response.content.decode()
    assert saved_markers(response.content.decode()) == [
        f"greenlight-draft:{alice.pk}:proposal:OLD-KEY"
    ]


@pytest.mark.parametrize(
    ("url_name", "persona", "data", "form_key"),
    [
        ("next_stage_ask_edit", "alice", {"next_stage_ask": "50000"}, "next-stage-ask"),
        (
            "artifact_create",
            "alice",
            {"kind": "model", "name": "Churn model v1", "location": "s3://m/1"},
            "new-artifact",
        ),
    ],
)
def test_the_other_forms_forget_their_text_when_saved(
    client, request, project, url_name, persona, data, form_key
):
    person = request.getfixturevalue(persona)
    client.force_login(person)
    version = {}
    if url_name == "next_stage_ask_edit":
        page = client.get(reverse(url_name, args=[project.key])).content.decode()
        version = {"version_seen": re.search(r'name="version_seen" value="([^"]*)"', page)[1]}
    response = client.post(reverse(url_name, args=[project.key]), data | version, follow=True)
    assert response.redirect_chain, response.content.decode()[:2000]
    assert saved_markers(response.content.decode()) == [
        f"greenlight-draft:{person.pk}:{form_key}:{project.key}"
    ]


def test_an_estimate_saved_forgets_its_text(client, at_gate_2, carol):
    add_estimate(at_gate_2, carol)
    client.force_login(carol)
    url = reverse("architecture_estimate_edit", args=[at_gate_2.key])
    page = client.get(url).content.decode()
    version = re.search(r'name="version_seen" value="([^"]*)"', page)[1]
    estimate = {
        "build_cost": "100000",
        "monthly_run_cost": "2000",
        "retraining_cadence": "quarterly",
        "cost_per_retrain": "5000",
        "version_seen": version,
    }
    response = client.post(url, estimate, follow=True)
    assert "Architecture estimate revised." in response.content.decode()
    assert saved_markers(response.content.decode()) == [
        f"greenlight-draft:{carol.pk}:architecture_estimate:{at_gate_2.key}"
    ]


def test_a_recorded_decision_forgets_its_gates_text(client, project, bob):
    client.force_login(bob)
    response = client.post(reverse("decision_create", args=[project.key]), post_data(), follow=True)
    page = response.content.decode()
    assert "Go at Gate 1: Exploration recorded" in page
    assert saved_markers(page) == [f"greenlight-draft:{bob.pk}:decision:{project.key}:1"]


def test_a_decision_recorded_with_htmx_forgets_its_gates_text_in_the_swapped_region(
    client, project, bob
):
    client.force_login(bob)
    response = client.post(reverse("decision_create", args=[project.key]), post_data(), **HTMX)
    assert response.status_code == 200
    assert saved_markers(response.content.decode()) == [
        f"greenlight-draft:{bob.pk}:decision:{project.key}:1"
    ]


def test_a_refused_decision_keeps_its_text(client, project, bob):
    client.force_login(bob)
    data = post_data(decision="kill", rationale="")
    response = client.post(reverse("decision_create", args=[project.key]), data, **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert saved_markers(body) == []
    assert keys_of(body) == [f"greenlight-draft:{bob.pk}:decision:{project.key}:1"]


def test_a_gatekeepers_vote_keeps_its_text_and_forgets_it_when_cast(client, alice, bob, carol):
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_study(project, alice)
    add_estimate(project, carol)
    client.force_login(carol)
    review = client.get(reverse("gate_review", args=[project.key])).content.decode()
    key = f"greenlight-draft:{carol.pk}:vote:{project.key}:3"
    assert keys_of(review) == [key]
    response = client.post(reverse("vote_cast", args=[project.key]), vote_post(project))
    assert response.status_code == 302
    assert saved_markers(client.get(response["Location"]).content.decode()) == [key]
