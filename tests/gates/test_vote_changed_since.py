"""A gatekeeper's vote form open in two tabs, or the vote changed through the API while
the page is open: the stale save is refused, not a silent overwrite.

The refused page says when the vote was cast or changed, shows the vote saved now beside
what was typed (kept in the form), and casting it again from there goes through.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gates.models import Vote
from gates.services import cast_vote, pending_kill_criteria
from portfolio.edits import ChangedSince
from portfolio.models import AuditEntry, Project
from tests.builders import add_estimate, add_study, criteria, decide, make_project
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_gate_3(alice, bob, carol):
    """Bob chairs gate 3, Carol (who wrote the estimate) votes with him."""
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_study(project, alice)
    add_estimate(project, carol)
    return project


def review_url(project) -> str:
    return reverse("gate_review", args=[project.key])


def vote_url(project) -> str:
    return reverse("vote_cast", args=[project.key])


def vote_page(client, project) -> dict:
    """The vote form as the review page draws it (hidden fields included)."""
    return form_data(client.get(review_url(project)).content.decode(), vote_url(project))


def typed(project, recommendation: str, **extra) -> dict:
    data = {
        "vote-recommendation": recommendation,
        "vote-probability_of_success": "55",
        "vote-comment": "Carol's view",
    }
    for c in criteria(project.current_gate):
        data[f"vote-{'must' if c.is_must_meet else 'score'}_{c.pk}"] = (
            "yes" if c.is_must_meet else "7"
        )
    return data | extra


def test_the_second_tab_is_refused_and_keeps_what_was_typed(client, at_gate_3, carol):
    client.force_login(carol)
    tab_a, tab_b = vote_page(client, at_gate_3), vote_page(client, at_gate_3)
    assert tab_a["vote-version_seen"]

    assert client.post(vote_url(at_gate_3), tab_a | typed(at_gate_3, "go")).status_code == 302
    refused = client.post(
        vote_url(at_gate_3), tab_b | typed(at_gate_3, "kill", **{"vote-comment": "Too costly."})
    )

    assert refused.status_code == 400
    vote = Vote.objects.get(voter=carol)
    assert (vote.recommendation, vote.comment) == ("go", "Carol's view")  # tab A's
    assert AuditEntry.objects.filter(action__startswith="vote.").count() == 1
    body = refused.content.decode()
    assert "Since this page was opened, you cast your vote on" in body
    assert "Nothing was saved from this form" in body
    # The summary says what happened, not that something typed is wrong.
    assert "Your vote was not saved: you cast or changed it since you opened this page" in body
    assert "please correct what is marked below" not in body
    # Saved now beside typed, for the fields that differ; the form keeps what was typed.
    assert 'data-field="recommendation"' in body and 'data-field="comment"' in body
    assert ">Go</td>" in body and ">Kill</td>" in body
    assert 'data-field="probability_of_success"' not in body  # the same in both
    assert 'data-field="gate"' not in body and 'data-field="review_round"' not in body
    page = form_data(body, vote_url(at_gate_3))
    assert page["vote-recommendation"] == "kill"
    assert page["vote-comment"] == "Too costly."
    assert page["vote-version_seen"] != tab_b["vote-version_seen"]

    # Cast again from the refused page: made knowingly, it goes through.
    assert client.post(vote_url(at_gate_3), page).status_code == 302
    vote.refresh_from_db()
    assert (vote.recommendation, vote.comment) == ("kill", "Too costly.")


def test_a_vote_changed_through_the_api_meanwhile_is_not_overwritten(client, at_gate_3, carol):
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="hold", comment="Wait.")
    client.force_login(carol)
    page = vote_page(client, at_gate_3)
    assert page["vote-recommendation"] == "hold"
    # A script (the API calls the same service, without the page's version) changes it.
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="go", comment="Script.")

    refused = client.post(vote_url(at_gate_3), page | {"vote-comment": "Wait longer."})

    assert refused.status_code == 400
    assert Vote.objects.get(voter=carol).comment == "Script."
    body = refused.content.decode()
    assert "Since this page was opened, you changed your vote on" in body
    assert ">Script.</td>" in body and ">Wait longer.</td>" in body


def test_a_first_vote_is_cast_as_before(client, at_gate_3, carol):
    client.force_login(carol)
    page = vote_page(client, at_gate_3)
    assert client.post(vote_url(at_gate_3), page | typed(at_gate_3, "go")).status_code == 302
    assert Vote.objects.get(voter=carol).recommendation == "go"
    # And changed from the page drawn after it.
    again = vote_page(client, at_gate_3)
    assert (
        client.post(vote_url(at_gate_3), again | {"vote-recommendation": "hold"}).status_code == 302
    )
    assert Vote.objects.get(voter=carol).recommendation == "hold"


def test_the_same_vote_saved_twice_is_not_a_conflict(client, at_gate_3, carol):
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="hold", comment="Wait.")
    client.force_login(carol)
    tab_a, tab_b = vote_page(client, at_gate_3), vote_page(client, at_gate_3)
    assert client.post(vote_url(at_gate_3), tab_a).status_code == 302  # nothing changed
    answer = client.post(vote_url(at_gate_3), tab_b | {"vote-recommendation": "go"})
    assert answer.status_code == 302
    assert Vote.objects.get(voter=carol).recommendation == "go"


def test_a_changed_scorecard_is_shown_beside_what_was_typed(client, at_gate_3, carol):
    must = next(c for c in criteria(3) if c.is_must_meet)
    should = next(c for c in criteria(3) if not c.is_must_meet)
    client.force_login(carol)
    tab_a, tab_b = vote_page(client, at_gate_3), vote_page(client, at_gate_3)
    assert client.post(vote_url(at_gate_3), tab_a | typed(at_gate_3, "go")).status_code == 302
    stale = typed(at_gate_3, "go", **{f"vote-must_{must.pk}": "no", f"vote-score_{should.pk}": "3"})

    body = client.post(vote_url(at_gate_3), tab_b | stale).content.decode()

    assert f'data-field="must_{must.pk}"' in body
    assert f'data-field="score_{should.pk}"' in body
    assert ">Yes</td>" in body and ">No</td>" in body  # the answers' words, not True/False
    assert ">7</td>" in body and ">3</td>" in body
    assert 'data-field="recommendation"' not in body


def test_a_changed_kill_mark_is_shown_beside_what_was_typed(client, project, bob, carol):
    decide(project, 1, "go")  # registers a kill criterion for the gate 2 review
    add_estimate(project, carol)
    project.refresh_from_db()
    criterion = pending_kill_criteria(project)[0]
    client.force_login(carol)
    tab_a, tab_b = vote_page(client, project), vote_page(client, project)
    mark = f"vote-kill_{criterion.pk}"
    first = typed(project, "go", **{mark: "met", f"{mark}_note": "91%"})
    assert client.post(vote_url(project), tab_a | first).status_code == 302

    body = client.post(
        vote_url(project), tab_b | first | {mark: "not_met", f"{mark}_note": "78%"}
    ).content.decode()

    assert ">Met</td>" in body and ">Not met</td>" in body
    assert f"Note on “{criterion.statement}”" in body
    assert ">91%</td>" in body and ">78%</td>" in body


def test_the_service_refuses_a_stale_version_inside_its_transaction(at_gate_3, carol):
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="hold")
    with pytest.raises(ChangedSince) as refused:
        cast_vote(
            project=at_gate_3,
            gate=3,
            actor=carol,
            recommendation="kill",
            seen="0123456789abcdef0123.0",
        )
    assert refused.value.values["recommendation"] == "hold"
    assert Vote.objects.get(voter=carol).recommendation == "hold"
    # Without a version (a page drawn before the rule, the API without If-Match): saved.
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="kill")
    assert Vote.objects.get(voter=carol).recommendation == "kill"


def test_the_page_keeps_the_version_of_the_vote_as_stored(client, at_gate_3, carol):
    from gates.services import my_open_vote, vote_values
    from portfolio import edits

    cast_vote(
        project=at_gate_3,
        gate=3,
        actor=carol,
        recommendation="go",
        probability_of_success=Decimal("0.5"),
    )
    client.force_login(carol)
    seen = vote_page(client, at_gate_3)["vote-version_seen"]
    stored = my_open_vote(Project.objects.get(pk=at_gate_3.pk), carol)
    assert seen.partition(".")[0] == edits.digest(vote_values(stored))
