"""The project list's Researcher filter (?researcher=e-mail): only that researcher's projects,
among those the viewer may see; offered for whoever holds the role or researches a project
the viewer sees, so a former researcher's projects stay findable. The People page's and the
admin's question about a researcher's open projects link to it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio.models import Role, Status
from portfolio.services import people
from tests.builders import make_project, make_user


@pytest.fixture
def projects(alice, rita, bob):
    return {
        "alice": make_project(key="GL-0001", researcher=alice, product_manager=bob),
        "alice_on_hold": make_project(
            key="GL-0002", researcher=alice, product_manager=bob, status=Status.ON_HOLD
        ),
        "rita": make_project(key="GL-0003", researcher=rita, product_manager=bob),
        "alice_draft": make_project(key="GL-0004", researcher=alice, status=Status.DRAFT),
    }


def _keys(response) -> list[str]:
    return [project.key for project in response.context["page"].object_list]


def test_the_researcher_filter_shows_only_that_researchers_projects(client, erin, projects):
    client.force_login(erin)

    response = client.get(reverse("project_list"), {"researcher": "alice@example.com"})

    assert response.status_code == 200
    assert _keys(response) == ["GL-0001", "GL-0002"]  # not rita's, not alice's draft
    html = response.content.decode()
    assert '<option value="alice@example.com" selected>Alice Researcher</option>' in html
    assert response.context["form"].fields["researcher"].label == "Researcher"


def test_a_researcher_sees_their_own_draft_with_the_filter(client, alice, projects):
    client.force_login(alice)

    response = client.get(reverse("project_list"), {"researcher": "alice@example.com"})

    assert _keys(response) == ["GL-0001", "GL-0002", "GL-0004"]


def test_the_filter_combines_with_the_others(client, erin, rita, projects):
    make_project(key="GL-0009", researcher=rita, status=Status.ON_HOLD)
    client.force_login(erin)

    response = client.get(
        reverse("project_list"), {"researcher": "alice@example.com", "status": Status.ON_HOLD}
    )

    assert _keys(response) == ["GL-0002"]


def test_a_former_researchers_projects_stay_findable(client, adam, erin, alice, projects):
    people.remove_role(person=alice, role=Role.RESEARCHER, actor=adam, confirmed=True)
    client.force_login(erin)

    response = client.get(reverse("project_list"), {"researcher": "alice@example.com"})

    assert "Select a valid choice" not in response.content.decode()
    assert _keys(response) == ["GL-0001", "GL-0002"]


def test_nobody_is_offered_through_someone_elses_draft(client, erin, projects):
    # Dan researches only a draft: others do not see it, nor him in the filter.
    dan = make_user("dan@example.com", full_name="Dan Drafts")
    make_project(key="GL-0005", researcher=dan, status=Status.DRAFT)
    client.force_login(erin)

    response = client.get(reverse("project_list"), {"researcher": dan.email})

    offered = [person.email for person in response.context["form"].fields["researcher"].queryset]
    assert dan.email not in offered
    assert "alice@example.com" in offered and "rita@example.com" in offered
    # An address that is no choice is named, and no project listed, as the other filters do.
    assert response.context["filter_errors"] == [
        "Researcher: no researcher with that e-mail address."
    ]
    assert "GL-0005" not in response.content.decode()


def test_the_csv_is_filtered_and_named_by_the_researcher(client, erin, projects):
    client.force_login(erin)

    response = client.get(reverse("project_list_csv"), {"researcher": "alice@example.com"})

    body = b"".join(response.streaming_content).decode()
    assert "GL-0001" in body and "GL-0002" in body and "GL-0003" not in body
    assert "researcher-alice-example-com" in response["Content-Disposition"]


def test_the_people_pages_question_links_to_the_researcher_filter(client, adam, alice, projects):
    client.force_login(adam)

    response = client.post(
        reverse("person_roles", args=[alice.pk]), {"role": Role.RESEARCHER, "action": "remove"}
    )

    html = response.content.decode()
    link = "/projects/?researcher=alice%40example.com&status=active&status=on_hold"
    assert f'href="{link.replace("&", "&amp;")}"' in html
    # The link finds exactly the projects the question counts (the open ones).
    assert _keys(client.get(link)) == ["GL-0001", "GL-0002"]
