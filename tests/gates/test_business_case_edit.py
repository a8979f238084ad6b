from __future__ import annotations

import pytest
from django.urls import reverse

from gates.models import BusinessCase
from portfolio.models import AuditEntry, Status
from tests.builders import add_business_case, make_project

pytestmark = pytest.mark.django_db

CASE = {
    "customer_problem": "Reviewers drown in cases.",
    "value_rationale": "Hours saved × cost per hour.",
    "strategic_fit": "Efficiency bucket, top-3 cost line.",
    "risks": "Labelling drift.",
}


def url(project) -> str:
    return reverse("business_case_edit", args=[project.key])


def test_it_shows_the_form_to_the_projects_pm(client, project, bob):
    client.force_login(bob)
    response = client.get(url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="customer_problem"' in body
    assert "EUR 100,000 – EUR 250,000 (expected) – EUR 400,000" in body


def test_it_writes_the_business_case(client, project, bob):
    client.force_login(bob)
    response = client.post(url(project), CASE)
    assert response.status_code == 302
    case = BusinessCase.objects.get(project=project)
    assert case.author == bob
    assert AuditEntry.objects.filter(action="businesscase.created").exists()
    assert "Business case saved." in client.get(response["Location"]).content.decode()


def test_it_revises_the_business_case(client, project, bob):
    add_business_case(project, bob)
    client.force_login(bob)
    response = client.post(url(project), CASE | {"risks": "Labelling drift; adoption."})
    assert response.status_code == 302
    assert BusinessCase.objects.get().risks == "Labelling drift; adoption."
    assert "Business case revised." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("field", ["customer_problem", "value_rationale"])
def test_it_validates(client, project, bob, field):
    client.force_login(bob)
    response = client.post(url(project), CASE | {field: ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required" in body[body.index(f'id="field-{field}"') :]
    assert not BusinessCase.objects.exists()


def test_it_requires_login(client, project):
    assert client.get(url(project)).status_code == 302


@pytest.mark.parametrize("persona", ["pete", "alice", "carol", "erin"])
def test_only_the_projects_pm_writes_it(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(project), CASE).status_code == 403
    assert not BusinessCase.objects.exists()


def test_others_read_it(client, project, bob, pete):
    add_business_case(project, bob)
    client.force_login(pete)
    body = client.get(url(project)).content.decode()
    assert "Reviewers drown in cases." in body
    assert 'name="customer_problem"' not in body


def test_it_hides_drafts(client, alice, bob):
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(bob)
    assert client.get(url(draft)).status_code == 404


NOTE = '<p class="required-note muted">Fields marked * are required.</p>'


def test_it_says_what_the_star_means_as_the_study_and_the_estimate_do(client, project, bob):
    """Customer problem and How the value was estimated are marked *: the form said nowhere
    what * means, where the feasibility study and the architecture estimate do."""
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    marks = body.count('class="required-mark"')
    assert marks == 2
    assert body.count(NOTE) == 1
    assert body.index(NOTE) < body.index('class="required-mark"')
    # Refused, it still says so, above the fields.
    refused = client.post(url(project), CASE | {"customer_problem": ""}).content.decode()
    assert refused.count(NOTE) == 1
    assert refused.index(NOTE) < refused.index('id="field-customer_problem"')
