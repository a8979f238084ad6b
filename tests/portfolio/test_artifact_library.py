"""/artifacts/: every artifact, with its producing project and its reuse; filters in the URL."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.urls import reverse

from portfolio import services
from portfolio.models import Status
from tests.builders import decide, make_project

URL = reverse("artifact_library")


@pytest.fixture
def library(alice, rita, bob):
    killed = make_project(key="DEAD", title="Churn study", researcher=rita, product_manager=bob)
    decide(killed, 1, "kill", bob, decided_on=datetime.date(2026, 2, 1))
    killed.refresh_from_db()
    assert killed.status == Status.KILLED
    labels = services.register_artifact(
        project=killed,
        actor=rita,
        kind="dataset",
        name="Labelled claims",
        key="AR-0001",
        created_on=datetime.date(2026, 1, 20),
    )
    live = make_project(key="LIVE", title="Triage", researcher=alice, product_manager=bob)
    model = services.register_artifact(
        project=live,
        actor=alice,
        kind="model",
        name="Triage model",
        key="AR-0002",
        created_on=datetime.date(2026, 1, 25),
    )
    services.link_reused_artifact(
        project=live, artifact=labels, actor=alice, used_on=datetime.date(2026, 3, 1)
    )
    return {"labels": labels, "model": model}


def test_it_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "erin", "adam"])
def test_every_role_sees_the_library(client, library, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 200
    assert b"AR-0001" in response.content and b"AR-0002" in response.content


def test_it_says_what_was_salvaged_from_a_killed_project(client, library, erin):
    client.force_login(erin)
    text = client.get(URL).content.decode()
    assert "2 artifacts: 1 reused, 1 salvaged from killed projects" in text
    assert "Killed" in text


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?kind=model", "AR-0002", "AR-0001"),
        ("?reuse=reused", "AR-0001", "AR-0002"),
        ("?reuse=unused", "AR-0002", "AR-0001"),
        ("?origin=killed", "AR-0001", "AR-0002"),
        ("?origin=open", "AR-0002", "AR-0001"),
        ("?q=claims", "AR-0001", "AR-0002"),
        ("?q=triage", "AR-0002", "AR-0001"),
    ],
)
def test_it_filters_from_the_url(client, library, erin, query, shown, hidden):
    client.force_login(erin)
    text = client.get(URL + query).content.decode()
    assert shown in text
    assert hidden not in text


def test_htmx_gets_just_the_table(client, library, erin):
    client.force_login(erin)
    response = client.get(URL + "?kind=model", headers={"HX-Request": "true"})
    text = response.content.decode()
    assert 'id="artifact-table"' in text
    assert "<html" not in text
    assert "HX-Request" in response["Vary"]


def test_a_drafts_artifacts_are_hidden_from_everyone_but_its_author(client, alice, rita, bob):
    from portfolio.models import Artifact

    draft = make_project(key="DRAFTY", status=Status.DRAFT, researcher=alice, product_manager=bob)
    Artifact.objects.create(
        key="AR-0099", project=draft, kind="model", name="Secret", created_on=datetime.date.today()
    )
    client.force_login(rita)
    assert b"AR-0099" not in client.get(URL).content
    client.force_login(alice)
    assert b"AR-0099" in client.get(URL).content


def test_queries_stay_constant_as_the_library_grows(
    client, library, alice, erin, django_assert_max_num_queries
):
    live = make_project(key="MORE", researcher=alice)
    for n in range(30):
        services.register_artifact(
            project=live, actor=alice, kind="code", name=f"Tool {n}", key=f"AR-1{n:03d}"
        )
    client.force_login(erin)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("?kind=spaceship&page=999", "Kind: not one of the listed kinds."),
        ("?reuse=often", "Reuse: not one of the listed choices."),
        ("?origin=lost", "Producing project: not one of the listed statuses."),
        ("?q=" + "x" * 201, "Search: at most 200 characters (you typed 201)."),
    ],
)
def test_a_filter_that_cannot_be_read_is_named_and_nothing_listed(
    client, library, erin, query, said
):
    """As the project list says it: a library without the filter would look like its answer,
    every artifact. The page answers, with the problem, never an error page."""
    client.force_login(erin)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(URL + query, headers=headers)
        assert response.status_code == 200
        text = html.unescape(response.content.decode())
        assert "These filters cannot be applied" in text
        assert said in text
        assert "AR-0001" not in text and "AR-0002" not in text


def test_its_search_box_says_what_it_searches(client, library, erin):
    """As the project list's does: the box had no placeholder."""
    client.force_login(erin)
    page = client.get(URL).content.decode()
    box = re.search(r'<input[^>]*name="q"[^>]*>', page).group(0)
    assert 'type="search"' in box
    assert 'placeholder="Key, name, description or project"' in box
    assert 'autocomplete="off"' in box
