from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Status
from tests.builders import add_estimate, add_study, decide, make_project

URL = reverse("home")


def test_it_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_shows_the_researchers_drafts_and_submitted_projects(client, alice, bob, rita):
    make_project(key="DRAFT-1", title="My draft", researcher=alice, status=Status.DRAFT)
    make_project(key="OPEN-1", title="My open one", researcher=alice, product_manager=bob)
    make_project(key="RITA-1", title="Not mine", researcher=rita, product_manager=bob)
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "DRAFT-1" in body and "My draft" in body
    assert "OPEN-1" in body
    assert "RITA-1" not in body
    assert reverse("proposal_submit", args=["DRAFT-1"]) in body


def test_it_tells_the_researcher_what_the_next_gate_needs(client, alice, bob):
    project = make_project(key="AT-2", researcher=alice, product_manager=bob)
    decide(project, 1, "go", bob)
    client.force_login(alice)
    response = client.get(URL)
    body = response.content.decode()
    assert "Write the feasibility study" in body
    assert reverse("feasibility_study_edit", args=["AT-2"]) in body


def test_it_stops_asking_once_the_study_is_written(client, alice, bob):
    project = make_project(key="AT-2", researcher=alice, product_manager=bob)
    decide(project, 1, "go", bob)
    add_study(project, alice)
    client.force_login(alice)
    response = client.get(URL)
    assert reverse("feasibility_study_edit", args=["AT-2"]) not in response.content.decode()


def test_it_offers_a_researcher_without_projects_a_first_proposal(client, alice):
    client.force_login(alice)
    response = client.get(URL)
    assert "You have no proposals yet." in response.content.decode()


def test_it_uses_a_constant_number_of_queries_for_researchers(
    client, alice, bob, django_assert_max_num_queries
):
    client.force_login(alice)
    for n in range(3):
        make_project(key=f"A-{n}", researcher=alice, product_manager=bob)
    with django_assert_max_num_queries(10) as small:
        client.get(URL)
    for n in range(3, 30):
        make_project(key=f"A-{n}", researcher=alice, product_manager=bob)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL)
    assert "A-29" in response.content.decode()


def test_it_shows_the_pm_review_queue_oldest_first(client, bob, pete, alice):
    newer = make_project(key="NEW", researcher=alice, product_manager=bob)
    newer.submitted_on = datetime.date(2026, 2, 1)
    newer.save()
    older = make_project(key="OLD", researcher=alice, product_manager=bob)
    older.submitted_on = datetime.date(2025, 12, 1)
    older.save()
    make_project(key="PETES", researcher=alice, product_manager=pete)
    make_project(key="DONE", researcher=alice, product_manager=bob, status=Status.KILLED)
    client.force_login(bob)
    response = client.get(URL)
    body = response.content.decode()
    assert body.index("OLD") < body.index("NEW")
    assert "PETES" not in body
    assert "DONE" not in body
    assert reverse("gate_review", args=["OLD"]) in body
    queue = response.context["review_queue"]
    assert [item.project.key for item in queue] == ["OLD", "NEW"]
    assert queue[0].days_waiting == (timezone.localdate() - datetime.date(2025, 12, 1)).days


def test_it_counts_waiting_from_the_last_decision(client, bob, alice):
    project = make_project(key="HELD", researcher=alice, product_manager=bob)
    decided = timezone.localdate() - datetime.timedelta(days=3)
    decide(project, 1, "hold", bob, decided_on=decided)
    client.force_login(bob)
    response = client.get(URL)
    item = response.context["review_queue"][0]
    assert item.waiting_since == decided
    assert item.days_waiting == 3


def test_it_lists_missing_deliverables_in_the_review_queue(client, bob, alice):
    project = make_project(key="G2", researcher=alice, product_manager=bob)
    decide(project, 1, "go", bob)
    client.force_login(bob)
    response = client.get(URL)
    needs = response.context["review_queue"][0].needs
    assert [need.kind for need in needs] == ["feasibility_study"]
    assert "Feasibility study" in response.content.decode()


def test_it_uses_a_constant_number_of_queries_for_the_review_queue(
    client, bob, alice, django_assert_max_num_queries
):
    client.force_login(bob)
    make_project(key="Q-0", researcher=alice, product_manager=bob)
    with django_assert_max_num_queries(10) as small:
        client.get(URL)
    for n in range(1, 25):
        make_project(key=f"Q-{n}", researcher=alice, product_manager=bob)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(URL)


def test_it_shows_the_architect_projects_waiting_for_an_estimate(client, carol, alice, bob):
    at_gate_1 = make_project(key="G1", researcher=alice, product_manager=bob)
    at_gate_2 = make_project(key="G2", researcher=alice, product_manager=bob)
    decide(at_gate_2, 1, "go", bob)
    estimated = make_project(key="EST", researcher=alice, product_manager=bob)
    decide(estimated, 1, "go", bob)
    add_estimate(estimated, carol)
    killed = make_project(key="DEAD", researcher=alice, product_manager=bob)
    decide(killed, 1, "go", bob)
    decide(killed, 2, "kill", bob)
    client.force_login(carol)
    response = client.get(URL)
    keys = [p.key for p in response.context["estimate_queue"]["unassigned"]]
    assert keys == ["G2"]
    assert at_gate_1.key not in keys
    assert reverse("architecture_estimate_edit", args=["G2"]) in response.content.decode()


def test_it_shows_the_executive_the_dashboard_and_latest_decisions(client, erin, alice, bob):
    for n in range(22):
        project = make_project(key=f"D-{n:02d}", researcher=alice, product_manager=bob)
        decide(project, 1, "go", bob)
    client.force_login(erin)
    response = client.get(URL)
    body = response.content.decode()
    assert reverse("dashboard") in body
    assert len(response.context["latest_decisions"]) == 20
    assert "D-21" in body


def test_a_latest_decision_without_a_rationale_says_so(client, erin, alice, bob):
    """A go needs no rationale: its cell was left blank, where Funding says "—" and the
    gate review's earlier decisions write "—" too."""
    project = make_project(key="NO-WHY", researcher=alice, product_manager=bob)
    decide(project, 1, "go", bob, rationale="")
    client.force_login(erin)
    body = client.get(URL).content.decode()
    assert '<td data-label="Rationale">—</td>' in body
    assert '<td data-label="Rationale"></td>' not in body


def test_it_welcomes_a_person_without_a_role(client, db):
    from tests.builders import make_user

    nobody = make_user("nobody@example.com")
    client.force_login(nobody)
    response = client.get(URL)
    assert response.status_code == 200
    assert "no role yet" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put"])
def test_it_only_answers_get(client, alice, method):
    client.force_login(alice)
    assert getattr(client, method)(URL).status_code == 405


def test_it_tells_the_researcher_what_the_following_gate_will_need(client, alice, bob):
    make_project(key="AT-1", researcher=alice, product_manager=bob)
    client.force_login(alice)
    response = client.get(URL)
    body = response.content.decode()
    assert "Nothing for gate 1" in body
    assert "Gate 2 will need the feasibility study" in body
    assert reverse("feasibility_study_edit", args=["AT-1"]) in body
