from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from gates.models import FeasibilityStudy
from gates.services import record_decision
from portfolio.models import AuditEntry, Status
from tests.builders import add_study, make_project

pytestmark = pytest.mark.django_db


def url(project) -> str:
    return reverse("feasibility_study_edit", args=[project.key])


STUDY = {
    "findings": "The model triages 64% of cases.",
    "hypothesis_held": "yes",
    "evidence": "Two pilots on 2,000 cases.",
    "confidence": "high",
    "recommended_next_step": "continue",
}


def test_it_shows_the_form_to_the_projects_researcher(client, project, alice):
    client.force_login(alice)
    response = client.get(url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not written yet." in body
    assert 'name="findings"' in body
    assert "Save study" in body


def test_it_writes_the_study(client, project, alice):
    client.force_login(alice)
    response = client.post(url(project), STUDY)
    assert response.status_code == 302
    assert response["Location"] == url(project)
    study = FeasibilityStudy.objects.get(project=project)
    assert study.author == alice
    assert study.hypothesis_held == "yes"
    assert AuditEntry.objects.filter(action="feasibilitystudy.created", project=project).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Feasibility study saved." in page
    assert "Written by Alice Researcher" in page


def test_it_revises_the_study(client, project, alice):
    add_study(project, alice)
    client.force_login(alice)
    response = client.get(url(project))
    assert "The model triages 64% of cases." in response.content.decode()
    assert "Save revision" in response.content.decode()
    response = client.post(url(project), STUDY | {"confidence": "low"})
    assert response.status_code == 302
    assert FeasibilityStudy.objects.get(project=project).confidence == "low"
    entry = AuditEntry.objects.get(action="feasibilitystudy.revised")
    assert entry.changes == {"confidence": ["high", "low"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"findings": ""}, "findings"),
        ({"hypothesis_held": "perhaps"}, "hypothesis_held"),
        ({"confidence": ""}, "confidence"),
        ({"evidence": ""}, "evidence"),
    ],
)
def test_it_validates(client, project, alice, changes, field):
    client.force_login(alice)
    response = client.post(url(project), STUDY | changes)
    assert response.status_code == 400
    body = response.content.decode()
    assert "errorlist" in body[body.index(f'id="field-{field}"') :]
    assert not FeasibilityStudy.objects.exists()


def test_it_requires_login(client, project):
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["rita", "bob", "carol", "erin"])
def test_only_the_projects_researcher_writes_it(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(project), STUDY).status_code == 403
    assert not FeasibilityStudy.objects.exists()


@pytest.mark.parametrize("persona", ["rita", "bob", "carol", "erin"])
def test_others_read_it_without_a_form(client, project, alice, persona, request):
    add_study(project, alice)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Two pilots on 2,000 cases." in body
    assert 'name="findings"' not in body
    assert "Only the project&#x27;s researcher writes it" in body


def test_it_hides_drafts_even_from_their_author(client, alice, bob):
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(alice)
    assert client.get(url(draft)).status_code == 404
    client.force_login(bob)
    assert client.get(url(draft)).status_code == 404


def test_a_closed_projects_study_is_final(client, project, alice, bob):
    add_study(project, alice)
    record_decision(
        project=project,
        gate=1,
        decision="kill",
        actor=bob,
        decided_on=datetime.date(2026, 1, 10),
        rationale="No data.",
    )
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    assert "its deliverables are final" in body
    assert 'name="findings"' not in body
    response = client.post(url(project), STUDY | {"findings": "Changed after the kill."})
    assert response.status_code == 400
    assert "its deliverables are final" in response.content.decode()
    assert FeasibilityStudy.objects.get().findings != "Changed after the kill."


def test_the_next_step_asks_to_choose_as_the_other_forms_do(client, project, alice):
    # It read Django's "- Select an option -"; the app's other forms say "Choose…".
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    assert '<option value="" selected>Choose…</option>' in body
    assert "Select an option" not in body


def test_it_says_which_fields_are_required_as_the_estimate_does(client, project, alice):
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    note = '<p class="required-note muted">Fields marked * are required.</p>'
    assert note in body
    assert body.index(note) < body.index('id="field-findings"')
