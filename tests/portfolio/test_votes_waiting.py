"""My work: the open reviews waiting for the signed-in gatekeeper's vote."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.urls import reverse

from gates.models import Gate, Gatekeeper
from gates.services import cast_vote, gatekeepers, review_gate
from portfolio.models import Role, Status
from portfolio.reads import worklists
from tests.builders import add_estimate, make_project, make_user

URL = reverse("home")
OPENED = datetime.date(2026, 3, 2)


def at_gate(number: int, **kw):
    kw.setdefault("last_decision_on", OPENED)
    return make_project(current_gate=number, decisions_count=number - 1, **kw)


def vote(project, actor):
    cast_vote(
        project=project,
        gate=project.current_gate,
        actor=actor,
        recommendation="go",
        probability_of_success=Decimal("0.6"),
    )


def section(client, person) -> str:
    """The text of My work's "Reviews waiting for your vote", or "" when it is not shown."""
    client.force_login(person)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    found = re.search(r'<section[^>]*aria-labelledby="votes-waiting".*?</section>', body, re.S)
    return found.group(0) if found else ""


def rows(html: str) -> list[str]:
    """Each row of the section's table as its text, spaces collapsed."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[-1], re.S)
    ]


def test_the_architect_who_wrote_the_estimate_is_asked_for_his_vote(client, alice, bob, carol):
    project = at_gate(3, key="GL-0033", title="Triage assistant", researcher=alice)
    add_estimate(project, carol)
    html = section(client, carol)
    assert "Reviews waiting for your vote" in html
    assert rows(html) == [
        "GL-0033 Triage assistant Gate 3: Research 2026-03-02 0 of 2 gatekeepers Vote : GL-0033"
    ]
    assert f'href="{reverse("gate_review", args=["GL-0033"])}#panel"' in html


def test_a_vote_cast_takes_the_review_off_the_list(client, alice, bob, carol, erin):
    project = at_gate(4, key="GL-0077", title="Roadmap bot", researcher=alice)
    add_estimate(project, carol)
    vote(project, carol)
    assert rows(section(client, erin)) == [
        "GL-0077 Roadmap bot Gate 4: Roadmap 2026-03-02 1 of 3 gatekeepers Vote : GL-0077"
    ]
    html = section(client, carol)
    assert "GL-0077" not in html
    assert "No review is waiting for your vote." in html


def test_the_chair_is_asked_too_but_not_when_judging_alone(client, alice, bob, carol):
    alone = at_gate(2, key="ALONE-1", researcher=alice)  # no estimate yet: bob judges alone
    panel = at_gate(2, key="PANEL-1", researcher=alice)
    add_estimate(panel, carol)
    html = section(client, bob)
    assert "PANEL-1" in html
    assert "ALONE-1" not in html
    assert review_gate(alone) is not None  # an open review all the same


def test_decided_and_closed_reviews_are_not_listed(client, alice, bob, erin):
    at_gate(4, key="KILLED-1", status=Status.KILLED)
    at_gate(4, key="GREEN-1", status=Status.GREENLIT)
    at_gate(4, key="DRAFT-1", status=Status.DRAFT)
    at_gate(4, key="HOLD-1", status=Status.ON_HOLD)
    html = section(client, erin)
    assert [row.split()[0] for row in rows(html)] == ["HOLD-1"]


def test_a_person_a_gate_names_sees_the_list_and_others_do_not(client, alice, rita, bob):
    Gatekeeper.objects.create(gate=Gate.objects.get(number=1), kind="person", person=rita)
    at_gate(1, key="G1-1", researcher=alice, last_decision_on=None)
    assert rows(section(client, rita))[0].startswith("G1-1 ")
    assert section(client, alice) == ""  # a researcher no gate names: no section at all


def test_it_lists_the_oldest_review_first(client, alice, bob, erin):
    at_gate(4, key="NEW-1", last_decision_on=OPENED)
    at_gate(4, key="OLD-1", last_decision_on=OPENED - datetime.timedelta(days=40))
    assert [row.split()[0] for row in rows(section(client, erin))] == ["OLD-1", "NEW-1"]


def test_the_list_is_the_panel_of_the_gate_review(alice, bob, pete, carol, erin, rita):
    """Whoever the review's panel (gates.services.gatekeepers) asks, and nobody else."""
    dana = make_user("dana@example.com", Role.ARCHITECT)
    gone = make_user("gone@example.com", Role.EXECUTIVE, is_active=False)
    Gatekeeper.objects.create(gate=Gate.objects.get(number=3), kind="person", person=rita)
    Gatekeeper.objects.create(gate=Gate.objects.get(number=3), kind="person", person=gone)
    projects = [
        at_gate(1, product_manager=bob),
        at_gate(2, product_manager=bob),
        at_gate(2, product_manager=pete),
        at_gate(3, product_manager=pete),
        at_gate(4, product_manager=bob),
        at_gate(4, product_manager=pete, status=Status.ON_HOLD),
    ]
    add_estimate(projects[2], carol)
    add_estimate(projects[3], dana)
    add_estimate(projects[4], carol)
    vote(projects[4], erin)
    everyone = [alice, bob, pete, carol, erin, rita, dana, gone]
    for person in everyone:
        expected = []
        for project in projects:
            gate = review_gate(project)
            panel = [p.pk for p in gatekeepers(project, gate)]
            voted = project.votes.filter(voter=person, decision__isnull=True).exists()
            if person.pk in panel and len(panel) > 1 and not voted:
                expected.append(project.key)
        listed = [item.project.key for item in worklists.votes_waiting(person)]
        assert sorted(listed) == sorted(expected), person
    assert [i.project.key for i in worklists.votes_waiting(rita)] == [projects[3].key]


def test_it_uses_a_constant_number_of_queries(
    client, alice, bob, carol, erin, django_assert_max_num_queries
):
    project = at_gate(4, key="Q-0", researcher=alice)
    add_estimate(project, carol)
    client.force_login(erin)
    with django_assert_max_num_queries(12) as small:
        client.get(URL)
    for n in range(1, 25):
        project = at_gate(4, key=f"Q-{n}", researcher=alice)
        add_estimate(project, carol)
        if n % 3 == 0:
            vote(project, carol)
    make_user("erin2@example.com", Role.EXECUTIVE)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL)
    assert len(rows(section(client, erin))) == 25
    assert "1 of 4 gatekeepers" in response.content.decode()
