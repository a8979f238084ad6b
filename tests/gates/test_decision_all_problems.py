"""The decision form says every problem of a decision at once, each beside what it is about.

A recycle with two kill criteria left unjudged, one not met without a rationale and a
half-typed new criterion took five submits when the form said one problem at a time.
"""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from gates.models import GateDecision, KillCriterion, KillCriterionVerdict
from gates.services import NewKillCriterion, record_decision
from portfolio.errors import DomainError
from portfolio.models import AuditEntry, Project
from tests.builders import kill_criteria_post, scorecard_post

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

SAMPLE = "A labelled sample of 1,000 tickets"
AGREEMENT = "Signed data-access agreement"
PRECISION = "Precision on the 2025 hold-out"
NOT_MET_MESSAGE = (
    "A recycle with a kill criterion not met keeps alive a project it would kill: "
    "give the rationale for another round."
)
HALF_TYPED_MESSAGE = "Kill criterion 2: a number needs a comparison, and a comparison a number."


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


def criterion(statement: str) -> KillCriterion:
    return KillCriterion.objects.get(statement=statement)


def url(project) -> str:
    return reverse("decision_create", args=[project.key])


def post_data(project, **kw) -> dict:
    data = {
        "gate": "1",
        "decision": "go",
        "decided_on": "2026-01-10",
        "funding_granted": "0",
        "probability_of_success": "",
        "rationale": "",
        "decisions_seen": str(project.decisions_count),
        **scorecard_post(1),
    }
    data.update(kw)
    return data


def the_recycle_qa_sent(project) -> dict:
    """Two criteria left unjudged, one not met without a rationale, and a new criterion
    with a comparison but no number, typed in the second row."""
    return post_data(
        project,
        decision="recycle",
        funding_granted="15000",
        **{
            f"verdict-kill_{criterion(PRECISION).pk}": "not_met",
            f"verdict-kill_{criterion(PRECISION).pk}_note": "0.74 on the hold-out",
            "next-kc2_statement": "Recall on the 2025 tickets",
            "next-kc2_comparison": ">=",
        },
    )


def summary_of(body: str) -> list[tuple[str, str]]:
    """The error summary at the top of the form: (link, message) for each item."""
    summary = body[body.index("The decision was not recorded") :]
    summary = summary[: summary.index("</ul>")]
    return [
        (href, html.unescape(message))
        for href, message in re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', summary)
    ]


def verdict_row(body: str, statement: str) -> str:
    start = body.index(f'id="id_verdict-kill_{criterion(statement).pk}_label"')
    ends = [body.find(end, start) for end in ('class="kill-mark-row', "</fieldset>")]
    return html.unescape(body[start : min(end for end in ends if end != -1)])


def between(body: str, start: str, end: str) -> str:
    at = body.index(start)
    return html.unescape(body[at : body.index(end, at)])


def nothing_written(project: Project, audit_before: int) -> None:
    project.refresh_from_db()
    assert project.decisions_count == 1
    assert GateDecision.objects.filter(project=project).count() == 1
    assert not KillCriterionVerdict.objects.exists()
    assert KillCriterion.objects.count() == 3
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_recycle_with_four_problems_is_refused_once_with_all_four(client, recycled, bob, htmx):
    client.force_login(bob)
    audit_before = AuditEntry.objects.count()
    response = client.post(url(recycled), the_recycle_qa_sent(recycled), **(HTMX if htmx else {}))
    assert response.status_code == 400
    body = response.content.decode()

    sample, agreement = criterion(SAMPLE), criterion(AGREEMENT)
    # Every problem in the summary, in the order of the page, each linking to its field.
    assert summary_of(body) == [
        (f"#id_verdict-kill_{sample.pk}_0", f"Mark the kill criterion “{SAMPLE}” met or not met."),
        (
            f"#id_verdict-kill_{agreement.pk}_0",
            f"Mark the kill criterion “{AGREEMENT}” met or not met.",
        ),
        ("#id_next-kc2_target", HALF_TYPED_MESSAGE),
        ("#id_rationale", f"Rationale: {NOT_MET_MESSAGE}"),
    ]
    # Each beside what it is about.
    assert f"Mark the kill criterion “{SAMPLE}” met or not met." in verdict_row(body, SAMPLE)
    assert f"Mark the kill criterion “{AGREEMENT}” met or not met." in verdict_row(body, AGREEMENT)
    assert "met or not met" not in verdict_row(body, PRECISION)
    row_2 = between(body, 'id="field-next-kc2_target"', 'id="field-next-kc3_statement"')
    assert HALF_TYPED_MESSAGE in row_2
    assert NOT_MET_MESSAGE in between(body, 'id="field-rationale"', "</textarea>")
    # Nothing typed is lost.
    assert 'value="Recall on the 2025 tickets"' in body
    assert '<option value="&gt;=" selected>' in body
    assert 'value="0.74 on the hold-out"' in body
    precision = criterion(PRECISION).pk
    assert re.search(rf'value="not_met"[^>]*id="id_verdict-kill_{precision}_1"[^>]*checked', body)
    assert 'value="15000' in body
    nothing_written(recycled, audit_before)


def test_once_every_problem_is_corrected_the_second_submit_records_it(client, recycled, bob):
    client.force_login(bob)
    data = the_recycle_qa_sent(recycled)
    assert client.post(url(recycled), data).status_code == 400
    data |= {
        f"verdict-kill_{criterion(SAMPLE).pk}": "met",
        f"verdict-kill_{criterion(AGREEMENT).pk}": "met",
        "next-kc2_target": "0.7",
        "rationale": "0.74 is within reach with the new labels.",
    }
    response = client.post(url(recycled), data)
    assert response.status_code == 302, response.content.decode()
    recycle = GateDecision.objects.get(project=recycled, sequence=2)
    assert sorted((v.criterion.statement, v.met) for v in recycle.kill_verdicts.all()) == [
        (SAMPLE, True),
        (PRECISION, False),
        (AGREEMENT, True),
    ]
    assert [(c.position, c.statement, c.threshold) for c in recycle.kill_criteria.all()] == [
        (1, "Recall on the 2025 tickets", "≥ 0.7")
    ]


def test_an_unconfirmed_kill_says_all_it_lacks(client, project, bob):
    client.force_login(bob)
    data = post_data(project, decision="kill", funding_granted="50000")
    response = client.post(url(project), data)
    assert response.status_code == 400
    body = response.content.decode()
    messages = [message for _, message in summary_of(body)]
    assert messages == [
        "Funding granted: A kill grants no funding: money is released with a go (the next "
        "stage) or a recycle (another round). Leave it at 0.",
        "Rationale: Give the rationale for a kill or a hold.",
        f"A kill ends {project.key} for good and no decision can follow it: "
        f"tick “Yes, kill {project.key}” to confirm.",
    ]
    assert "A kill grants no funding" in between(
        body, 'id="field-funding_granted"', 'id="field-probability_of_success"'
    )
    assert "Give the rationale" in between(body, 'id="field-rationale"', "</textarea>")
    assert not GateDecision.objects.exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_what_the_form_cannot_read_is_shown_with_what_the_rules_refuse(client, project, bob, htmx):
    client.force_login(bob)
    data = post_data(
        project,
        decided_on="2026-02-30",
        **scorecard_post(1, met="no"),
        **{"next-kc1_statement": ""},
    )
    response = client.post(url(project), data, **(HTMX if htmx else {}))
    assert response.status_code == 400
    messages = [message for _, message in summary_of(response.content.decode())]
    # The scorecard first, as on the page: each row a go lacks, once.
    unmet = [m for m in messages if m.endswith(": Not met: a go needs it met.")]
    assert unmet and messages[: len(unmet)] == unmet
    assert messages[len(unmet) :] == [
        "Decided on: “2026-02-30” is not a date (February has 28 days in 2026).",
        "A go registers one to five kill criteria: the evidence that would kill the project "
        "at the gate 2 review.",
    ]
    assert not GateDecision.objects.exists()


def test_a_row_the_form_cannot_read_is_not_refused_twice(client, project, bob):
    client.force_login(bob)
    data = post_data(
        project,
        **kill_criteria_post(PRECISION),
        **{
            "next-kc3_statement": "Latency in ms",
            "next-kc3_comparison": "<=",
            "next-kc3_target": "fast",
            "next-kc4_target": "12",
        },
    )
    response = client.post(url(project), data)
    assert response.status_code == 400
    body = response.content.decode()
    # The form's own word on row 3, not also the rules' on what it could not read; row 4,
    # after an empty row, is named by its number on the page.
    assert [message for _, message in summary_of(body)] == [
        "Kill criterion 3: enter the number as digits, e.g. 0.8.",
        "Kill criterion 4: say what evidence it asks for.",
        "Kill criterion 4: a number needs a comparison, and a comparison a number.",
    ]
    assert "Kill criterion 4: say what evidence" in between(
        body, 'id="field-next-kc4_statement"', 'id="field-next-kc4_comparison"'
    )
    assert not GateDecision.objects.exists()


def test_the_service_refuses_once_naming_every_problem(recycled, bob):
    with pytest.raises(DomainError) as refused:
        record_decision(
            project=recycled,
            gate=1,
            decision="recycle",
            actor=bob,
            decided_on=datetime.date(2026, 1, 10),
            kill_verdicts=[],
            kill_criteria=[NewKillCriterion("Recall", ">=")],
        )
    problems = [(p.field, p.item, p.part, p.message) for p in refused.value.problems]
    assert problems == [
        ("kill_verdicts", None, None, f"Mark the kill criterion “{SAMPLE}” met or not met."),
        ("kill_verdicts", None, None, f"Mark the kill criterion “{AGREEMENT}” met or not met."),
        ("kill_verdicts", None, None, f"Mark the kill criterion “{PRECISION}” met or not met."),
        (
            "kill_criteria",
            1,
            "target",
            "Kill criterion 1: a number needs a comparison, and a comparison a number.",
        ),
    ]
    assert [p.subject for p in refused.value.problems[:3]] == list(
        KillCriterion.objects.order_by("position")
    )
    assert GateDecision.objects.count() == 1
