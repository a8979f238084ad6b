"""A vote's comment has one limit on the page and in the API: the model's, 10,000 characters.

The API took 10,000 characters and the vote form 4,000, so a gatekeeper whose comment a
script had sent could not change their vote on the page without cutting their comment.
Over the limit, both refuse it: the API says "Comment: at most 10,000 characters.", the
page beside the field what to do ("Shorten it to at most 10,000 characters.").
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from gates.models import Vote
from gates.models.panel import COMMENT_MAX
from gates.services import cast_vote
from portfolio.errors import DomainError
from tests.builders import add_estimate, add_study, make_project

TOO_LONG = "Comment: at most 10,000 characters."


@pytest.fixture
def project(alice, bob, carol):
    """At gate 3, whose review Carol (the architect) votes in."""
    project = make_project(
        key="GL-0115", researcher=alice, product_manager=bob, current_gate=3, decisions_count=2
    )
    add_study(project, alice)
    add_estimate(project, carol)
    return project


def _vote(comment: str) -> dict:
    return {"gate": 3, "recommendation": "hold", "comment": comment}


def _page_vote(comment: str) -> dict:
    return {
        "vote-gate": "3",
        "vote-review_round": "2",
        "vote-recommendation": "go",
        "vote-comment": comment,
    }


def test_the_model_s_limit_is_the_one(project):
    assert COMMENT_MAX == 10_000
    assert Vote._meta.get_field("comment").max_length == COMMENT_MAX


def test_the_api_takes_a_comment_of_the_limit_and_refuses_one_more(api_as, carol, project):
    api = api_as(carol)
    answer = api.put("/api/v1/projects/GL-0115/review/vote", _vote("x" * 10_001))
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == "comment"
    assert problem["detail"] == "comment: at most 10,000 characters."
    assert not Vote.objects.exclude(recommendation="").exists()

    answer = api.put("/api/v1/projects/GL-0115/review/vote", _vote("x" * 10_000))
    assert answer.status_code == 200, answer.content


def test_a_comment_sent_by_a_script_can_be_kept_on_the_page(client, api_as, carol, project):
    comment = "A long view. " * 769  # 9,997 characters: the API took it; the page took 4,000
    answer = api_as(carol).put("/api/v1/projects/GL-0115/review/vote", _vote(comment))
    assert answer.status_code == 200, answer.content
    client.force_login(carol)
    answer = client.post(reverse("vote_cast", args=["GL-0115"]), _page_vote(comment))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    vote = Vote.objects.get(voter=carol)
    assert (vote.recommendation, vote.comment) == ("go", comment.strip())


def test_the_page_refuses_one_more_saying_what_to_do(client, carol, project):
    client.force_login(carol)
    answer = client.post(reverse("vote_cast", args=["GL-0115"]), _page_vote("x" * 10_001))
    assert answer.status_code == 400
    # Beside the field what to do, the summary naming the field (the API: TOO_LONG).
    assert "Comment: Shorten it to at most 10,000 characters." in answer.content.decode()
    assert not Vote.objects.exclude(recommendation="").exists()


def test_the_service_holds_every_caller_to_it(carol, project):
    with pytest.raises(DomainError) as refused:
        cast_vote(project=project, gate=3, actor=carol, recommendation="go", comment="x" * 10_001)
    assert (refused.value.field, refused.value.message) == ("comment", TOO_LONG)
