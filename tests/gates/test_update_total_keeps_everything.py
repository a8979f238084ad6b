"""Without JavaScript, "Update the total" redraws the whole gate review with everything typed
in the decision form kept: the scorecard, the decision's fields, the chair's verdicts on the
kill criteria with their notes and the next review's kill criteria. Nothing is recorded.

The verdicts and the new kill criteria came back empty (only the decision form was rebuilt
from the POST), so a product manager who checked the total lost that work.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from gates.models import GateDecision, KillCriterion, KillCriterionVerdict
from gates.services import NewKillCriterion, record_decision
from portfolio.models import AuditEntry, Project
from tests.builders import criteria, scorecard_post

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

SAMPLE = "A labelled sample of 1,000 tickets"
AGREEMENT = "Signed data-access agreement"
PRECISION = "Precision on the 2025 hold-out"


@pytest.fixture
def recycled(project, bob) -> Project:
    """A project recycled at gate 1, held to three kill criteria in its second round."""
    record_decision(
        project=project,
        gate=1,
        decision="recycle",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        kill_criteria=[
            NewKillCriterion(SAMPLE),
            NewKillCriterion(AGREEMENT),
            NewKillCriterion(PRECISION, ">=", Decimal("0.8")),
        ],
    )
    project.refresh_from_db()
    return project


def kill(statement: str) -> str:
    """The verdict's field name for the pending kill criterion ``statement``."""
    return f"verdict-kill_{KillCriterion.objects.get(statement=statement).pk}"


class DecideForm(HTMLParser):
    """What the decision form (section#decide) shows: each field's value as the browser
    would send it (text, number and hidden inputs, ticked radios and boxes, the chosen
    option, a textarea's text)."""

    def __init__(self, body: str):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._depth = 0  # inside section#decide's <form>
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id") == "decide":
            self._depth = 1
            return
        if not self._depth:
            return
        if tag == "section":
            self._depth += 1
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
            else:
                self.values[name] = attrs.get("value", "")
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "section" and self._depth:
            self._depth -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            # Django writes a newline after <textarea>, which the browser drops.
            self.values[self._textarea] += (
                data.removeprefix("\n") if not self.values[self._textarea] else data
            )


def what_was_typed(recycled) -> dict:
    must = next(c for c in criteria(1) if c.is_must_meet)
    return {
        "gate": "1",
        "decisions_seen": str(recycled.decisions_count),
        f"must_{must.pk}": "yes",
        "decision": "go",
        "decided_on": "2026-02-03",
        "funding_granted": "250000",
        "probability_of_success": "35",
        "rationale": "The sample is in; the agreement is signed.",
        kill(SAMPLE): "met",
        f"{kill(SAMPLE)}_note": "1,204 tickets labelled by two annotators",
        kill(AGREEMENT): "not_met",
        f"{kill(AGREEMENT)}_note": "Legal signs on Friday",
        "next-kc1_statement": "Labelled tickets in the training set",
        "next-kc1_comparison": ">=",
        "next-kc1_target": "1000",
        "next-kc2_statement": "Signed pilot agreement with one business unit",
        "next-kc2_comparison": "",
        "next-kc2_target": "",
    }


def preview(client, project, data, **extra):
    return client.post(reverse("scorecard_preview", args=[project.key]), data, **extra)


def nothing_recorded(project: Project, audit_before: int) -> None:
    project.refresh_from_db()
    assert project.decisions_count == 1
    assert GateDecision.objects.filter(project=project).count() == 1
    assert not KillCriterionVerdict.objects.exists()
    assert KillCriterion.objects.count() == 3
    assert AuditEntry.objects.count() == audit_before


def test_the_page_it_redraws_keeps_every_verdict_note_and_new_kill_criterion(client, recycled, bob):
    client.force_login(bob)
    audit_before = AuditEntry.objects.count()
    typed = what_was_typed(recycled)
    response = preview(client, recycled, typed)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    shown = DecideForm(body).values
    for name, value in typed.items():
        assert shown.get(name) == value, name
    # The criterion left unjudged stays unjudged; the rows not typed stay empty.
    assert kill(PRECISION) not in shown
    assert shown[f"{kill(PRECISION)}_note"] == ""
    for n in (3, 4, 5):
        assert shown[f"next-kc{n}_statement"] == shown[f"next-kc{n}_target"] == ""
    nothing_recorded(recycled, audit_before)


def test_a_preview_is_not_a_submission_what_is_half_typed_is_not_refused(client, recycled, bob):
    """A go with a kill criterion not met, one left unjudged and a comparison with no
    number would be refused by "Record decision"; the total says nothing of it."""
    client.force_login(bob)
    audit_before = AuditEntry.objects.count()
    typed = what_was_typed(recycled) | {"next-kc2_comparison": "<", "rationale": ""}
    body = preview(client, recycled, typed).content.decode()

    assert "The decision was not recorded" not in body
    assert "a number needs a comparison" not in body
    assert "met or not met" not in body
    assert 'aria-invalid="true"' not in body
    assert DecideForm(body).values["next-kc2_comparison"] == "<"
    nothing_recorded(recycled, audit_before)


def test_the_page_it_redraws_records_the_decision_as_typed(client, recycled, bob):
    """What the redrawn page sends with "Record decision" is what was typed before."""
    client.force_login(bob)
    typed = (
        what_was_typed(recycled)
        | scorecard_post(1)
        | {kill(AGREEMENT): "met", kill(PRECISION): "met"}
    )
    shown = DecideForm(preview(client, recycled, typed).content.decode()).values

    response = client.post(reverse("decision_create", args=[recycled.key]), shown)
    assert response.status_code == 302, response.content.decode()
    decision = GateDecision.objects.get(project=recycled, sequence=2)
    assert decision.funding_granted == Decimal("250000")
    assert {(v.criterion.statement, v.met, v.note) for v in decision.kill_verdicts.all()} == {
        (SAMPLE, True, "1,204 tickets labelled by two annotators"),
        (AGREEMENT, True, "Legal signs on Friday"),
        (PRECISION, True, ""),
    }
    assert [(c.statement, c.comparison, c.target) for c in decision.kill_criteria.all()] == [
        ("Labelled tickets in the training set", ">=", Decimal("1000")),
        ("Signed pilot agreement with one business unit", "", None),
    ]


def test_a_kill_keeps_its_confirmation_and_the_tick(client, recycled, bob):
    """A refused kill asked to confirm it; the total redrawn keeps the box, ticked as it was."""
    client.force_login(bob)
    typed = what_was_typed(recycled) | {"decision": "kill", "confirm_kill": "yes"}
    body = preview(client, recycled, typed).content.decode()
    assert f"Kill {recycled.key} for good?" in body
    assert DecideForm(body).values.get("confirm_kill") == "yes"

    typed.pop("confirm_kill")
    body = preview(client, recycled, typed).content.decode()
    assert f"Kill {recycled.key} for good?" in body
    assert "confirm_kill" not in DecideForm(body).values

    body = preview(client, recycled, typed | {"decision": "hold"}).content.decode()
    # Kept in the page for Kill to show (static/js/gates.js), hidden for a hold.
    assert (
        'id="field-confirm_kill" role="group" aria-labelledby="confirm-kill-heading" data-confirm-kill hidden>'
        in body
    )


def test_with_javascript_it_still_answers_only_the_total(client, recycled, bob):
    client.force_login(bob)
    audit_before = AuditEntry.objects.count()
    response = preview(
        client, recycled, what_was_typed(recycled) | scorecard_post(1, score=5), **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="scorecard-total"')
    assert "<html" not in body and "kill-verdicts" not in body
    assert "Must-meet: 2 of 2 met" in body
    nothing_recorded(recycled, audit_before)
