"""After a decision: what the next gate needs, the next review waiting; a kill confirmed first."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from gates.models import GateDecision
from portfolio.models import Status
from tests.builders import add_study, decide, kill_criteria_post, make_project, scorecard_post

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def post_data(gate: int = 1, **kw) -> dict:
    data = {
        "gate": str(gate),
        "decision": "go",
        "decided_on": "2026-01-10",
        "funding_granted": "0",
        "rationale": "",
        "decisions_seen": "0",
        **scorecard_post(gate),
    }
    data.update(kw)
    if data["decision"] in ("go", "recycle"):
        data.update(kill_criteria_post())  # a go or a recycle registers one at least
    return data


def decide_url(project) -> str:
    return reverse("decision_create", args=[project.key])


def test_a_kill_is_refused_until_it_is_confirmed(client, project, bob):
    client.force_login(bob)
    data = post_data(decision="kill", rationale="The data does not exist.")
    response = client.post(decide_url(project), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"A kill ends {project.key} for good" in body
    assert f"Kill {project.key} for good?" in body
    assert 'name="confirm_kill" id="id_confirm_kill" value="yes"' in body
    assert f"Yes, kill {project.key}" in body
    assert not GateDecision.objects.exists()
    project.refresh_from_db()
    assert project.status == Status.ACTIVE

    response = client.post(decide_url(project), {**data, "confirm_kill": "yes"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.KILLED


def test_an_unconfirmed_kill_without_rationale_asks_for_both(client, project, bob):
    client.force_login(bob)
    response = client.post(decide_url(project), post_data(decision="kill"), **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the rationale for a kill or a hold." in body
    assert "tick “Yes, kill" in body
    assert not GateDecision.objects.exists()


def test_other_decisions_need_no_confirmation(client, project, bob):
    client.force_login(bob)
    response = client.post(decide_url(project), post_data(decision="recycle"))
    assert response.status_code == 302
    assert "for good?" not in client.get(response["Location"]).content.decode()
    assert GateDecision.objects.get().decision == "recycle"


def test_after_a_go_the_page_shows_the_next_gates_needs_and_the_next_review(
    client, alice, bob, django_assert_max_num_queries
):
    project = make_project(researcher=alice, product_manager=bob, key="A-1")
    waiting = make_project(researcher=alice, product_manager=bob, key="B-2", title="Ready one")
    client.force_login(bob)
    response = client.post(decide_url(project), post_data(), **HTMX)
    body = response.content.decode()
    assert "What Gate 2: Feasibility needs" in body
    assert "Feasibility study <small>missing: written by the researcher" in body
    assert "Decide Gate 2" not in body
    assert "Next in your queue" in body
    assert reverse("gate_review", args=[waiting.key]) in body
    assert "Review B-2: Ready one" in body

    # Without htmx: the same, after the redirect, in a fixed number of queries.
    decide(waiting, 1, "go", decided_on=datetime.date(2026, 1, 6))
    add_study(waiting, alice)
    for n in range(3):
        make_project(researcher=alice, product_manager=bob, key=f"C-{n}")
    with django_assert_max_num_queries(40):
        page = client.get(reverse("gate_review", args=[waiting.key]) + "?recorded=1")
    body = page.content.decode()
    assert "Everything Gate 2: Feasibility requires is written" in body
    assert "Decide Gate 2" not in body


def test_an_old_recorded_link_shows_the_form(client, project, bob):
    decide(project, 1, "recycle", decided_on=datetime.date(2026, 1, 6), rationale="Again.")
    decide(project, 1, "recycle", decided_on=datetime.date(2026, 1, 7), rationale="Again.")
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[project.key]) + "?recorded=1").content.decode()
    assert "Decide Gate 1" in body


def test_an_empty_queue_says_so(client, project, bob):
    client.force_login(bob)
    body = client.post(decide_url(project), post_data(), **HTMX).content.decode()
    assert "No other project is waiting for your review." in body


def test_after_the_last_decision_the_process_has_ended(client, project, bob):
    client.force_login(bob)
    data = post_data(decision="kill", rationale="Stop.", confirm_kill="yes")
    body = client.post(decide_url(project), data, **HTMX).content.decode()
    assert f"The process has ended for {project.key}" in body
    assert "Record decision" not in body


def test_the_form_holds_the_kill_confirmation_hidden_until_kill_is_chosen(client, project, bob):
    # static/js/gates.js shows it as soon as Kill is chosen; without JavaScript it shows
    # when an unconfirmed kill is refused, as above.
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[project.key])).content.decode()
    assert (
        'id="field-confirm_kill" role="group" aria-labelledby="confirm-kill-heading" '
        "data-confirm-kill hidden>"
    ) in body
    assert f"Yes, kill {project.key}" in body


def test_the_kill_criteria_say_which_decisions_take_them(client, bob):
    # A go or a recycle takes kill criteria for the next review; at the last gate a go
    # greenlights the project and only a recycle takes them. static/js/gates.js hides the
    # fieldset for the others and shows the sentence saying none is taken.
    first = make_project(key="FIRST-1", product_manager=bob)
    last = make_project(key="LAST-4", product_manager=bob, current_gate=4)
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[first.key])).content.decode()
    assert 'id="new-kill-criteria" data-taken-by="go recycle"' in body
    assert "data-kill-criteria-none hidden>A kill or a hold takes no kill criteria" in body
    body = client.get(reverse("gate_review", args=[last.key])).content.decode()
    assert 'id="new-kill-criteria" data-taken-by="recycle"' in body
