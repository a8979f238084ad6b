"""Optimistic concurrency through the API: ``ETag`` on the GET, ``If-Match`` on the PUT.

The pages refuse a save from a page drawn before someone else saved the record (the hidden
``version_seen``, ``portfolio.edits``); the API's PUTs of the same records do it with HTTP's
preconditions. The ETag is the digest the pages use; a stale ``If-Match`` is a 412 that
writes nothing; ``If-Match: *`` or none saves as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.urls import reverse

from gates.forms import VoteForm
from gates.models import ArchitectureEstimate, BusinessCase, FeasibilityStudy, Vote
from gates.services import my_open_vote, vote_values
from planning.forms import NextStageAskForm
from portfolio import edits
from portfolio.models import AuditEntry, Project
from tests.builders import add_estimate, make_project
from tests.page_forms import form_data

STUDY = {
    "findings": "It works.",
    "hypothesis_held": "yes",
    "evidence": "A pilot.",
    "confidence": "high",
    "recommended_next_step": "continue",
}
ESTIMATE = {"build_cost": "1000", "monthly_run_cost": "10", "retraining_cadence": "none"}
CASE = {"customer_problem": "Slow reviews.", "value_rationale": "Hours saved."}


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    writer: str  # the fixture of the person who saves it
    first: dict  # a body that saves
    second: dict  # another body that saves something else

    def url(self, key: str) -> str:
        return f"/api/v1/projects/{key}/{self.path}"


ROUTES = [
    Route(
        "feasibility-study",
        "deliverables/feasibility-study",
        "alice",
        STUDY,
        STUDY | {"findings": "It works twice."},
    ),
    Route(
        "architecture-estimate",
        "deliverables/architecture-estimate",
        "carol",
        ESTIMATE,
        ESTIMATE | {"build_cost": "2000"},
    ),
    Route("business-case", "deliverables/business-case", "bob", CASE, CASE | {"risks": "Few."}),
    Route(
        "next-stage-ask",
        "next-stage-ask",
        "alice",
        {"next_stage_ask": "25000.00"},
        {"next_stage_ask": "30000.00"},
    ),
    # Bob chairs the open gate 3 review: his vote.
    Route(
        "vote",
        "review/vote",
        "bob",
        {"gate": 3, "recommendation": "go", "comment": "Ready."},
        {"gate": 3, "recommendation": "hold", "comment": "Wait for the pilot."},
    ),
]


def _stored(route: Route, project: Project):
    """What the record holds now (to compare before and after a refused PUT)."""
    if route.name == "next-stage-ask":
        return Project.objects.get(pk=project.pk).next_stage_ask
    if route.name == "vote":
        vote = Vote.objects.filter(project=project).first()
        return None if vote is None else (vote.recommendation, vote.comment)
    model = {
        "feasibility-study": FeasibilityStudy,
        "architecture-estimate": ArchitectureEstimate,
        "business-case": BusinessCase,
    }[route.name]
    row = model.objects.filter(project=project).first()
    return None if row is None else {name: getattr(row, name) for name in route.second}


@pytest.fixture
def setup(request, api_as, alice, bob, carol):
    """(route, project, the writer's client), the record already written once."""
    route: Route = request.param
    project = make_project(key="ETAG", researcher=alice, product_manager=bob, current_gate=3)
    people = {"alice": alice, "bob": bob, "carol": carol}
    api = api_as(people[route.writer])
    answer = put(api, route.url("ETAG"), route.first)
    assert answer.status_code == 200, answer.content
    return route, project, api


def put(api, url: str, body: dict, if_match: str | None = None):
    headers = dict(api.headers)
    if if_match is not None:
        headers["If-Match"] = if_match
    return api.client.put(url, json.dumps(body), content_type="application/json", headers=headers)


routes = pytest.mark.parametrize("setup", ROUTES, ids=[r.name for r in ROUTES], indirect=True)


@routes
def test_the_get_gives_a_quoted_strong_etag(setup):
    route, _project, api = setup
    answer = api.get(route.url("ETAG"))
    assert answer.status_code == 200, answer.content
    etag = answer["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    # The same record, the same tag.
    assert api.get(route.url("ETAG"))["ETag"] == etag


@routes
def test_a_put_with_the_current_etag_saves_and_gives_the_new_one(setup):
    route, project, api = setup
    before = _stored(route, project)
    etag = api.get(route.url("ETAG"))["ETag"]
    answer = put(api, route.url("ETAG"), route.second, if_match=etag)
    assert answer.status_code == 200, answer.content
    assert _stored(route, project) != before
    new = answer["ETag"]
    assert new != etag
    assert api.get(route.url("ETAG"))["ETag"] == new
    # And that tag saves the next change.
    again = put(api, route.url("ETAG"), route.first, if_match=new)
    assert again.status_code == 200, again.content


@routes
def test_a_put_with_a_stale_etag_is_a_412_and_saves_nothing(setup):
    route, project, api = setup
    stale = api.get(route.url("ETAG"))["ETag"]
    # Someone else saves in between (here: the same person from another script).
    assert put(api, route.url("ETAG"), route.second).status_code == 200
    before = _stored(route, project)
    entries = AuditEntry.objects.count()

    answer = put(api, route.url("ETAG"), route.first, if_match=stale)

    assert answer.status_code == 412, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:greenlight:problem:changed-since"
    assert problem["status"] == 412
    assert "changed since" in problem["detail"]
    assert "Nothing was saved" in problem["detail"]
    assert _stored(route, project) == before
    assert AuditEntry.objects.count() == entries
    # The answer names the current tag, to read again with.
    assert answer["ETag"] == api.get(route.url("ETAG"))["ETag"]


@routes
def test_the_412_says_who_changed_it_and_when(setup, api_as, alice, bob, carol):
    route, project, api = setup
    stale = api.get(route.url("ETAG"))["ETag"]
    assert put(api, route.url("ETAG"), route.second).status_code == 200
    answer = put(api, route.url("ETAG"), route.first, if_match=stale)
    assert answer.status_code == 412
    writer = {"alice": alice, "bob": bob, "carol": carol}[route.writer]
    assert f"by {writer}" in answer.json()["detail"]


@routes
def test_no_if_match_or_a_star_saves_as_before(setup):
    route, project, api = setup
    assert put(api, route.url("ETAG"), route.second).status_code == 200
    after_second = _stored(route, project)
    assert put(api, route.url("ETAG"), route.first, if_match="*").status_code == 200
    assert _stored(route, project) != after_second


@routes
def test_an_etag_not_of_this_record_is_a_412(setup):
    route, project, api = setup
    before = _stored(route, project)
    for sent in ('"0123456789abcdef0123"', 'W/"' + "x" * 20 + '"'):
        answer = put(api, route.url("ETAG"), route.second, if_match=sent)
        assert answer.status_code == 412, (sent, answer.content)
    assert _stored(route, project) == before


@routes
def test_a_malformed_if_match_is_a_400(setup):
    route, project, api = setup
    answer = put(api, route.url("ETAG"), route.second, if_match="no quotes")
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == "If-Match"


@routes
def test_the_etag_is_the_digest_the_page_uses(setup):
    route, project, api = setup
    etag = api.get(route.url("ETAG"))["ETag"].strip('"')
    project = Project.objects.get(pk=project.pk)
    if route.name == "next-stage-ask":
        form = NextStageAskForm(project=project)
    elif route.name == "vote":
        form = VoteForm(saved=vote_values(my_open_vote(project, project.product_manager)))
    else:
        from gates import forms

        form_class, name = {
            "feasibility-study": (forms.FeasibilityStudyForm, "feasibility_study"),
            "architecture-estimate": (forms.ArchitectureEstimateForm, "architecture_estimate"),
            "business-case": (forms.BusinessCaseForm, "pm_business_case"),
        }[route.name]
        form = form_class(instance=getattr(project, name))
    assert edits.digest(form.version_values()) == etag


def test_a_permission_refusal_comes_before_the_precondition(api_as, alice, bob, carol):
    make_project(key="ETAG", researcher=alice, product_manager=bob, current_gate=3)
    answer = put(api_as(carol), "/api/v1/projects/ETAG/next-stage-ask", {}, if_match='"stale"')
    assert answer.status_code == 403
    answer = put(api_as(carol), "/api/v1/projects/NOPE/next-stage-ask", {}, if_match='"stale"')
    assert answer.status_code == 404


def test_a_deliverable_not_written_yet_is_a_404_and_if_match_a_412(api_as, alice, bob):
    make_project(key="ETAG", researcher=alice, product_manager=bob)
    api = api_as(alice)
    url = "/api/v1/projects/ETAG/deliverables/feasibility-study"
    assert api.get(url).status_code == 404
    answer = put(api, url, STUDY, if_match='"0123456789abcdef0123"')
    assert answer.status_code == 412, answer.content
    assert not FeasibilityStudy.objects.exists()
    assert put(api, url, STUDY).status_code == 200


def test_no_vote_cast_yet_is_a_404_and_if_match_a_412(api_as, alice, bob):
    make_project(key="ETAG", researcher=alice, product_manager=bob, current_gate=3)
    api = api_as(bob)
    url = "/api/v1/projects/ETAG/review/vote"
    assert api.get(url).status_code == 404
    vote = {"gate": 3, "recommendation": "go"}
    answer = put(api, url, vote, if_match='"0123456789abcdef0123"')
    assert answer.status_code == 412, answer.content
    assert answer.json()["detail"].startswith("You have no vote in the open review")
    assert "Send it without If-Match" in answer.json()["detail"]
    assert not Vote.objects.exists()
    # A first vote, as before: no If-Match.
    first = put(api, url, vote)
    assert first.status_code == 200, first.content
    assert first["ETag"] == api.get(url)["ETag"]


def test_a_vote_changed_on_the_page_is_not_overwritten_by_a_script(
    client, api_as, alice, bob, carol
):
    project = make_project(key="ETAG", researcher=alice, product_manager=bob, current_gate=3)
    add_estimate(project, carol)  # Carol judges with Bob: the page shows the vote form
    api = api_as(bob)
    url = "/api/v1/projects/ETAG/review/vote"
    assert put(api, url, {"gate": 3, "recommendation": "go"}).status_code == 200
    etag = api.get(url)["ETag"]
    # Bob changes his vote on the review page meanwhile (the page's form, as drawn).
    client.force_login(bob)
    action = reverse("vote_cast", args=[project.key])
    page = form_data(
        client.get(reverse("gate_review", args=[project.key])).content.decode(), action
    )
    assert client.post(action, page | {"vote-recommendation": "kill"}).status_code == 302

    answer = put(api, url, {"gate": 3, "recommendation": "hold"}, if_match=etag)

    assert answer.status_code == 412, answer.content
    assert "Your vote changed since it was read: last by Bob Product on" in answer.json()["detail"]
    assert Vote.objects.get(voter=bob).recommendation == "kill"
