"""Every form that marks a field * says what * means, once, above its fields: "Fields marked
* are required." (templates/_form/required_note.html).

Only the feasibility study and the architecture estimate said it; the business case, spend,
outcome, adoption, artifact, reuse, notification settings, API token and password forms and
the gate review's decision marked fields * and left the star unexplained.
"""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from portfolio import services
from tests.builders import decide, greenlight, make_project

pytestmark = pytest.mark.django_db

NOTE = '<p class="required-note muted">Fields marked * are required.</p>'
MARK = 'class="required-mark"'


@pytest.fixture
def greenlit(alice, bob, carol):
    project = make_project(
        key="GL-0500", researcher=alice, product_manager=bob, submitted_on=datetime.date(2026, 1, 5)
    )
    return greenlight(project, bob, carol, on=datetime.date(2026, 4, 15))


@pytest.fixture
def at_gate_2(project):
    decide(project, 1, "go")
    project.refresh_from_db()
    return project


@pytest.fixture
def others_artifact(rita, bob):
    other = make_project(key="OTHER", researcher=rita, product_manager=bob)
    return services.register_artifact(project=other, actor=rita, kind="dataset", name="Claims")


# (who, the page's url name, the project fixture it is about or None)
PAGES = [
    ("bob", "business_case_edit", "project"),
    ("alice", "feasibility_study_edit", "at_gate_2"),
    ("carol", "architecture_estimate_edit", "at_gate_2"),
    ("alice", "spend_create", "project"),
    ("bob", "outcome_create", "greenlit"),
    ("bob", "adoption_create", "greenlit"),
    ("alice", "artifact_create", "project"),
    ("alice", "artifact_reuse", "project"),
    ("bob", "gate_review", "project"),
    ("alice", "notification_settings", None),
    ("alice", "api_tokens", None),
    ("alice", "password_change", None),
]


@pytest.mark.parametrize(("who", "name", "about"), PAGES, ids=[name for _, name, _ in PAGES])
def test_a_form_marking_fields_says_what_the_star_means(
    client, request, others_artifact, who, name, about
):
    client.force_login(request.getfixturevalue(who))
    args = [request.getfixturevalue(about).key] if about else []
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    body = response.content.decode()
    assert MARK in body, "no field marked *"
    assert body.count(NOTE) == 1
    assert body.index(NOTE) < body.index(MARK)


class _Optional(forms.Form):
    note = forms.CharField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput)


class _Required(_Optional):
    name = forms.CharField()


def _note(form) -> str:
    return Template('{% include "_form/required_note.html" %}').render(Context({"form": form}))


def test_a_form_with_no_field_marked_says_nothing_of_it():
    # A required hidden field is not marked: no star shown, nothing to explain.
    assert _note(_Optional()).strip() == ""
    assert NOTE in _note(_Required())
