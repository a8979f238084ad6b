from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from gates.models import GateDecision
from gates.services import NewKillCriterion, record_decision
from portfolio.models import AuditEntry, Status
from tests.builders import (
    TEST_KILL_CRITERION,
    add_study,
    criteria,
    full_marks,
    kill_criteria_post,
    make_project,
    scorecard_post,
    verdicts_post,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(project) -> str:
    return reverse("decision_create", args=[project.key])


def post_data(gate: int = 1, **kw) -> dict:
    data = {
        "gate": str(gate),
        "decision": "go",
        "decided_on": "2026-01-10",
        "funding_granted": "25000",
        "probability_of_success": "55",  # a percentage, as the proposal takes it
        "rationale": "",
        "decisions_seen": "0",
    }
    data.update(scorecard_post(gate))
    data.update(kw)
    if data["decision"] in ("kill", "hold") and "funding_granted" not in kw:
        data["funding_granted"] = "0"  # only a go or a recycle grants funding
    if data["decision"] in ("go", "recycle") and not any(k.startswith("next-") for k in kw):
        data.update(kill_criteria_post())  # a go or a recycle registers one at least
    return data


def test_it_records_a_go_and_redirects_back(
    client, project, bob, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(project), post_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("gate_review", args=[project.key]) + "?recorded=1"

    decision = GateDecision.objects.get(project=project)
    assert decision.decision == "go"
    assert decision.gate.number == 1
    assert decision.funding_granted == Decimal("25000")
    assert decision.probability_of_success == Decimal("0.55")
    assert decision.decided_on == datetime.date(2026, 1, 10)
    assert decision.decided_by == bob
    assert decision.scorecard_total == Decimal("48")  # 8 × (3 + 2 + 1)
    assert decision.scores.count() == 5

    project.refresh_from_db()
    assert project.current_gate == 2
    assert project.funding_granted_total == Decimal("25000")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]

    page = client.get(response["Location"]).content.decode()
    assert "Go at Gate 1: Exploration recorded" in page
    # What the next gate needs, not its decision form at once.
    assert "What Gate 2: Feasibility needs" in page
    assert "Feasibility study <small>missing: written by the researcher" in page
    assert "Decide Gate 2" not in page
    # Opened again later, the review shows the form.
    assert (
        "Decide Gate 2" in client.get(reverse("gate_review", args=[project.key])).content.decode()
    )


def test_with_htmx_it_swaps_the_review_region_in_place(client, project, bob):
    client.force_login(bob)
    response = client.post(url(project), post_data(), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="review"')
    assert "<html" not in body
    assert "Go at Gate 1: Exploration recorded" in body
    assert "What Gate 2: Feasibility needs" in body  # not the next gate's form at once
    assert "Decide Gate 2" not in body
    assert "Earlier decisions" in body and "25,000" in body
    assert GateDecision.objects.filter(project=project).count() == 1
    # A reload shows the same page rather than a fresh form.
    assert response["HX-Replace-Url"].endswith("/gate-review/?recorded=1")


def test_it_records_a_kill_without_the_deliverables_or_must_meets(client, bob, alice):
    project = make_project(researcher=alice, product_manager=bob, current_gate=1)
    record_decision(
        project=project,
        gate=1,
        decision="go",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        scores=full_marks(1),
        kill_criteria=[TEST_KILL_CRITERION],
    )
    client.force_login(bob)
    data = post_data(
        gate=2,
        decision="kill",
        rationale="The data does not exist.",
        decisions_seen="1",
        confirm_kill="yes",
    )
    data.update(scorecard_post(2, met="no", score=1))
    response = client.post(url(project), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.KILLED
    page = client.get(reverse("gate_review", args=[project.key])).content.decode()
    assert "Record decision" not in page
    assert "The data does not exist." in page


def test_a_kill_without_rationale_gets_the_message_beside_the_rationale(client, project, bob):
    client.force_login(bob)
    response = client.post(url(project), post_data(decision="kill", confirm_kill="yes"), **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the rationale for a kill or a hold." in body
    start = body.index('id="field-rationale"')
    assert body.rindex("Give the rationale for a kill or a hold.") > start
    assert 'aria-invalid="true"' in body
    assert not GateDecision.objects.exists()


def test_a_refused_go_points_at_every_unmet_must_meet_row(client, project, bob):
    client.force_login(bob)
    must = [c for c in criteria(1) if c.is_must_meet]
    data = post_data()
    data[f"must_{must[0].pk}"] = "no"  # answered no
    del data[f"must_{must[1].pk}"]  # not answered
    response = client.post(url(project), data)
    assert response.status_code == 400
    body = response.content.decode()
    # Each problem is said once, beside its row: no line naming them all repeats them.
    assert "A go needs every must-meet criterion met" not in body
    # Each unmet row is marked and described; the decision options are not.
    for criterion, text in ((must[0], "Not met"), (must[1], "Not answered")):
        row = body[body.index(f'id="row-must_{criterion.pk}"') :]
        row = row[: row.index("</tr>")]
        assert "row-error" in body[body.index(f'id="row-must_{criterion.pk}"') - 40 :][:60]
        assert f'aria-invalid="true" aria-describedby="id_must_{criterion.pk}_error"' in row
        assert f'id="id_must_{criterion.pk}_error">{text}: a go needs it met.' in row
    assert (
        'id="field-decision"' in body
        and 'class="field field-error" id="field-decision"' not in body
    )
    # The summary comes first, takes the focus and links each row.
    assert body.index("The decision was not recorded") < body.index('id="scorecard"')
    assert f'href="#id_must_{must[1].pk}_0"' in body
    assert not GateDecision.objects.exists()
    # The answers are kept, so nothing is typed twice.
    assert 'value="25000' in body


def test_a_refused_scorecard_row_is_described_by_its_message_then_its_help(client, project, bob):
    """A criterion's help is read with its answers before and after a refusal, after
    what is wrong with them, as any field's is (portfolio.web.forms.BoundField)."""
    must = next(c for c in criteria(1) if c.is_must_meet)
    should = next(c for c in criteria(1) if not c.is_must_meet)
    for criterion, help_text in ((must, "Signed by legal."), (should, "10 is the best seen.")):
        criterion.help_text = help_text
        criterion.save(update_fields=["help_text"])
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[project.key])).content.decode()
    group = re.search(
        rf'<div class="yes-no" role="radiogroup" aria-labelledby="id_must_{must.pk}_label"[^>]*>',
        body,
    ).group(0)
    assert f'aria-describedby="id_must_{must.pk}_helptext"' in group
    assert "aria-invalid" not in group

    response = client.post(
        url(project), post_data(**{f"must_{must.pk}": "no", f"score_{should.pk}": "11"})
    )
    assert response.status_code == 400
    body = response.content.decode()
    group = re.search(
        rf'<div class="yes-no" role="radiogroup" aria-labelledby="id_must_{must.pk}_label"[^>]*>',
        body,
    ).group(0)
    assert 'aria-invalid="true"' in group
    assert f'aria-describedby="id_must_{must.pk}_error id_must_{must.pk}_helptext"' in group
    assert f'id="id_must_{must.pk}_error">Not met: a go needs it met.' in body
    assert f'<span class="helptext" id="id_must_{must.pk}_helptext">Signed by legal.</span>' in body
    select = re.search(rf'<select[^>]*name="score_{should.pk}"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in select
    assert f'aria-describedby="id_score_{should.pk}_error id_score_{should.pk}_helptext"' in select
    assert f'id="id_score_{should.pk}_error"' in body
    assert (
        f'<span class="helptext" id="id_score_{should.pk}_helptext">10 is the best seen.</span>'
        in body
    )


def test_a_go_without_required_deliverables_is_refused(client, project, bob, alice):
    record_decision(
        project=project,
        gate=1,
        decision="go",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        scores=full_marks(1),
        kill_criteria=[TEST_KILL_CRITERION],
    )
    client.force_login(bob)
    response = client.post(url(project), post_data(gate=2, decisions_seen="1"), **HTMX)
    assert "A go at Gate 2: Feasibility needs: Feasibility study." in response.content.decode()
    assert GateDecision.objects.count() == 1

    add_study(project, alice)
    data = post_data(gate=2, decisions_seen="1") | verdicts_post(project)
    response = client.post(url(project), data, **HTMX)
    assert "Go at Gate 2: Feasibility recorded" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"decided_on": "2026-01-01"}, "decided_on", "before submission"),
        ({"decided_on": "2099-01-01"}, "decided_on", "in the future"),
        ({"decided_on": "next tuesday"}, "decided_on", "Enter a date as YYYY-MM-DD, e.g. "),
        ({"funding_granted": "-5"}, "funding_granted", "Enter an amount of at least 0."),
        ({"funding_granted": "12.345"}, "funding_granted", "with at most 2 decimals, e.g. 1200"),
        ({"probability_of_success": "140"}, "probability_of_success", "a number from 0 to 100"),
        ({"probability_of_success": "33.333"}, "probability_of_success", "two decimals"),
        # A fraction where a percentage is asked for: not kept as 0.45 %.
        (
            {"probability_of_success": "0.45"},
            "probability_of_success",
            "Type the probability as a percentage: 45 for 45 %",
        ),
        ({"decision": "maybe"}, "decision", "Select a valid choice"),
        ({"decision": ""}, "decision", "Choose go, kill, hold or recycle."),
        ({"decision": "hold", "rationale": "  "}, "rationale", "Give the rationale"),
        (
            {"decision": "hold", "rationale": "Wait for the data.", "funding_granted": "5000"},
            "funding_granted",
            "A hold grants no funding: money is released with a go (the next stage) or a "
            "recycle (another round). Leave it at 0.",
        ),
    ],
)
def test_it_puts_each_problem_beside_its_field(client, project, bob, changes, field, message):
    client.force_login(bob)
    response = client.post(url(project), post_data(**changes))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    # Beside its field, and in the summary above the form that links to it.
    assert body.rindex(message) > body.index(f'id="field-{field}"')
    assert body.index(message) < body.index('id="scorecard"')
    assert not GateDecision.objects.exists()


def test_a_decision_dated_before_the_previous_one_is_refused(client, project, bob):
    record_decision(
        project=project,
        gate=1,
        decision="recycle",
        actor=bob,
        decided_on=datetime.date(2026, 1, 20),
        kill_criteria=[TEST_KILL_CRITERION],
    )
    client.force_login(bob)
    body = client.post(
        url(project), post_data(decided_on="2026-01-15", decisions_seen="1")
    ).content.decode()
    assert "before the previous one (2026-01-20)" in body


def test_a_stale_form_for_an_earlier_gate_is_refused_with_a_message(client, project, bob):
    record_decision(
        project=project,
        gate=1,
        decision="go",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        scores=full_marks(1),
        kill_criteria=[TEST_KILL_CRITERION],
    )
    client.force_login(bob)
    data = post_data(gate=1, decision="recycle", decisions_seen="1")
    response = client.post(url(project), data)
    assert response.status_code == 400
    assert "waiting at gate 2, not gate 1" in response.content.decode()
    assert GateDecision.objects.count() == 1


def test_a_decision_on_a_closed_project_is_refused(client, project, bob):
    record_decision(
        project=project,
        gate=1,
        decision="kill",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        rationale="Stop.",
    )
    client.force_login(bob)
    response = client.post(url(project), post_data(decision="recycle", decisions_seen="1"))
    assert response.status_code == 400
    assert "killed: no decision may follow" in response.content.decode()
    assert GateDecision.objects.count() == 1


def test_garbage_never_makes_a_500(client, project, bob):
    client.force_login(bob)
    for data in (
        {},
        {"gate": "nine", "decision": "go"},
        {"gate": "7", "decision": "go", "decided_on": "2026-01-10"},
        post_data(**{"score_999999": "11", "must_1": "perhaps"}),
        post_data(funding_granted="1e400"),
        post_data(probability_of_success="NaN"),
    ):
        response = client.post(url(project), data)
        assert response.status_code == 400, data
    assert not GateDecision.objects.exists()


def test_an_out_of_range_score_is_refused(client, project, bob):
    client.force_login(bob)
    criterion_field = next(k for k in scorecard_post(1) if k.startswith("score_"))
    body = client.post(url(project), post_data(**{criterion_field: "11"})).content.decode()
    assert "Select a valid choice" in body
    assert not GateDecision.objects.exists()


def test_it_defaults_the_date_to_today(client, project, bob):
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[project.key])).content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in body


def test_it_writes_an_audit_entry(client, project, bob):
    client.force_login(bob)
    client.post(url(project), post_data())
    entry = AuditEntry.objects.get(action="decision.recorded")
    assert entry.actor == bob
    assert entry.project == project


def test_it_requires_login(client, project):
    response = client.post(url(project), post_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not GateDecision.objects.exists()


def test_it_refuses_get(client, project, bob):
    client.force_login(bob)
    assert client.get(url(project)).status_code == 405


@pytest.mark.parametrize("persona", ["alice", "carol", "pete", "adam"])
def test_it_refuses_who_may_not_decide(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(project), post_data()).status_code == 403
    assert not GateDecision.objects.exists()


def test_an_executive_may_decide_any_project(client, project, erin):
    client.force_login(erin)
    assert client.post(url(project), post_data()).status_code == 302
    assert GateDecision.objects.get().decided_by == erin


def test_it_hides_drafts(client, alice, bob):
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(bob)
    assert client.post(url(draft), post_data()).status_code == 404


def test_an_empty_probability_keeps_the_current_estimate(client, project, bob):
    client.force_login(bob)
    page = client.get(reverse("gate_review", args=[project.key])).content.decode()
    assert 'placeholder="40"' in page  # the current estimate, as a percentage
    client.post(url(project), post_data(probability_of_success=""))
    decision = GateDecision.objects.get()
    assert decision.probability_of_success is None
    project.refresh_from_db()
    assert project.latest_probability is None
    assert project.current_probability == Decimal("0.4")


def test_an_empty_funding_box_means_no_funding(client, project, bob):
    client.force_login(bob)
    client.post(url(project), post_data(funding_granted=""))
    assert GateDecision.objects.get().funding_granted == Decimal("0")


def test_a_double_submit_records_one_decision(client, project, bob):
    """Two identical hold POSTs (a double click, two tabs): the second is refused, nothing written."""
    client.force_login(bob)
    hold = post_data(decision="hold", rationale="Wait for the pilot.", decisions_seen="0")
    assert client.post(url(project), hold).status_code == 302
    response = client.post(url(project), hold)
    body = response.content.decode()
    assert "Since this page was opened, 1 decision was recorded: Hold at Gate 1" in body
    assert "by Bob Product" in body
    assert "Nothing was recorded from this form" in body
    assert GateDecision.objects.count() == 1
    project.refresh_from_db()
    assert project.decisions_count == 1
    # The page now shows the history as it is; the form is made against it.
    assert 'name="decisions_seen" value="1"' in body


def test_a_form_without_what_it_was_made_against_is_refused(client, project, bob):
    client.force_login(bob)
    data = post_data(decision="hold", rationale="Wait.")
    del data["decisions_seen"]
    body = client.post(url(project), data).content.decode()
    assert "This form is out of date" in body
    assert not GateDecision.objects.exists()


def test_the_review_page_carries_the_decision_count(client, project, bob):
    record_decision(
        project=project,
        gate=1,
        decision="recycle",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        kill_criteria=[TEST_KILL_CRITERION],
    )
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[project.key])).content.decode()
    assert 'name="decisions_seen" value="1"' in body


# --- Funding, and the kill criteria a go or a recycle registers ------------------------


def test_a_confirmed_kill_with_funding_is_refused_and_nothing_is_counted(client, project, bob):
    client.force_login(bob)
    data = post_data(
        decision="kill", rationale="No data.", confirm_kill="yes", funding_granted="50000"
    )
    response = client.post(url(project), data)
    assert response.status_code == 400
    body = response.content.decode()
    field = body[body.index('id="field-funding_granted"') : body.index('id="field-probability')]
    assert "A kill grants no funding" in field
    assert not GateDecision.objects.exists()
    project.refresh_from_db()
    assert (project.status, project.funding_granted_total) == (Status.ACTIVE, Decimal(0))


def test_the_funding_box_says_a_kill_or_a_hold_grants_none(client, project, bob):
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[project.key])).content.decode()
    assert "A kill or a hold grants none: leave it at 0." in body


def test_a_go_without_kill_criteria_is_refused_beside_them(client, project, bob):
    client.force_login(bob)
    response = client.post(url(project), post_data(**{"next-kc1_statement": ""}))
    assert response.status_code == 400
    body = response.content.decode()
    message = (
        "A go registers one to five kill criteria: the evidence that would kill the project "
        "at the gate 2 review."
    )
    # In the summary, linking to the first criterion's statement (a field, which takes the
    # keyboard's focus, not the fieldset), and in their fieldset.
    summary = body[body.index("The decision was not recorded") :]
    assert f'<a href="#id_next-kc1_statement">{message}</a>' in summary[: summary.index("</ul>")]
    assert 'id="id_next-kc1_statement"' in body
    fieldset = body[body.index('id="new-kill-criteria"') :]
    assert message in fieldset[: fieldset.index("</fieldset>")]
    assert not GateDecision.objects.exists()


def test_a_recycle_holds_the_project_to_the_kill_criteria_it_was_given(client, project, bob):
    record_decision(
        project=project,
        gate=1,
        decision="recycle",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        kill_criteria=[NewKillCriterion("A labelled sample of 1,000 tickets")],
    )
    client.force_login(bob)
    # Another recycle cannot leave them unjudged (they would vanish with the new round)...
    again = post_data(decision="recycle", decisions_seen="1", rationale="More data.")
    body = client.post(url(project), again).content.decode()
    assert "Mark the kill criterion “A labelled sample of 1,000 tickets” met or not met." in body
    assert GateDecision.objects.count() == 1
    # ...and one not met keeps the project alive against it: that needs a rationale.
    not_met = again | verdicts_post(project, met="not_met") | {"rationale": ""}
    body = client.post(url(project), not_met).content.decode()
    assert "A recycle with a kill criterion not met" in body
    assert GateDecision.objects.count() == 1
    response = client.post(url(project), again | verdicts_post(project, met="not_met"))
    assert response.status_code == 302
    recycle = GateDecision.objects.get(sequence=2)
    assert [(v.criterion.statement, v.met) for v in recycle.kill_verdicts.all()] == [
        ("A labelled sample of 1,000 tickets", False)
    ]


def test_at_the_last_gate_only_a_recycle_asks_for_kill_criteria(client, alice, bob):
    project = make_project(researcher=alice, product_manager=bob, current_gate=4, decisions_count=3)
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[project.key])).content.decode()
    fieldset = body[body.index('id="new-kill-criteria"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert "<legend>Kill criteria for the next round (a recycle)</legend>" in fieldset
    assert "a go at Gate 4: Roadmap greenlights it and takes none" in fieldset
    assert "(a go or a recycle)" not in body


def test_each_kill_criterion_error_says_which_criterion(client, project, bob):
    client.force_login(bob)
    data = post_data(
        **{
            "next-kc1_statement": "Precision on the hold-out",
            "next-kc2_statement": "Recall on the hold-out",
            "next-kc2_comparison": "about",
            "next-kc3_statement": "Latency in ms",
            "next-kc3_comparison": "<=",
            "next-kc3_target": "fast",
        }
    )
    response = client.post(url(project), data)
    assert response.status_code == 400
    body = response.content.decode()
    summary = body[body.index("The decision was not recorded") :]
    summary = summary[: summary.index("</ul>")]
    assert "Kill criterion 2: compare with ≥, ≤, &gt;, &lt; or =." in summary
    assert "Kill criterion 3: enter the number as digits, e.g. 0.8." in summary
    assert "Comparison:" not in body and "Number:" not in body
    assert not GateDecision.objects.exists()


def test_a_kill_criterion_error_links_to_its_own_row(client, project, bob):
    client.force_login(bob)
    response = client.post(
        url(project),
        post_data(**{"next-kc2_statement": "Recall on the hold-out", "next-kc2_comparison": ">="}),
    )
    assert response.status_code == 400
    body = response.content.decode()
    summary = body[body.index("The decision was not recorded") :]
    summary = summary[: summary.index("</ul>")]
    assert '<a href="#id_next-kc2_target">Kill criterion 2: a number needs a comparison' in summary
    # And beside the row itself.
    row = body[body.index('id="id_next-kc2_statement"') : body.index('id="id_next-kc3_statement"')]
    assert "Kill criterion 2: a number needs a comparison" in row
