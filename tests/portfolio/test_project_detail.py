from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio import services
from portfolio.models import Role, Status
from tests.builders import add_study, decide, greenlight, make_project, make_user


def url(project) -> str:
    return reverse("project_detail", args=[project.key])


def test_it_requires_login(client, project):
    response = client.get(url(project))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_shows_key_facts(client, project, rita):
    client.force_login(rita)
    response = client.get(url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert project.title in body
    assert "Efficiency (cost savings)" in body
    assert "Alice Researcher" in body and "Bob Product" in body
    assert "100,000" in body and "250,000" in body and "400,000" in body
    assert "40%" in body
    assert "Active" in body and "gate 1" in body


def test_it_hides_someone_elses_draft(client, alice, rita):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    client.force_login(rita)
    assert client.get(url(draft)).status_code == 404


def test_it_shows_the_author_their_draft_with_edit_and_submit(client, alice):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    client.force_login(alice)
    response = client.get(url(draft))
    body = response.content.decode()
    assert "This proposal is a draft" in body
    assert reverse("proposal_edit", args=[draft.key]) in body
    assert reverse("proposal_submit", args=[draft.key]) in body


def test_it_answers_404_for_an_unknown_key(client, alice):
    client.force_login(alice)
    assert client.get(reverse("project_detail", args=["NOPE"])).status_code == 404


def test_it_offers_actions_by_permission(client, project, alice, bob, carol, erin, rita):
    decide(project, 1, "go", bob)
    links = {
        "feasibility": reverse("feasibility_study_edit", args=[project.key]),
        "estimate": reverse("architecture_estimate_edit", args=[project.key]),
        "case": reverse("business_case_edit", args=[project.key]),
        "review": reverse("gate_review", args=[project.key]),
        "spend": reverse("spend_create", args=[project.key]),
        "artifact": reverse("artifact_create", args=[project.key]),
        "reuse": reverse("artifact_reuse", args=[project.key]),
        "outcome": reverse("outcome_create", args=[project.key]),
    }
    expected = {
        alice: {"feasibility", "spend", "artifact", "reuse"},
        bob: {"case", "review", "spend"},
        carol: {"estimate"},
        erin: {"review"},
        rita: set(),
    }
    for user, wanted in expected.items():
        client.force_login(user)
        body = client.get(url(project)).content.decode()
        shown = {name for name, link in links.items() if f'href="{link}"' in body}
        assert shown == wanted, user


def test_it_offers_outcomes_on_a_greenlit_project(client, project, bob, carol):
    greenlight(project, bob, carol)
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert reverse("outcome_create", args=[project.key]) in body
    assert reverse("gate_review", args=[project.key]) not in body


def test_it_shows_the_timeline(client, project, alice, bob):
    decide(project, 1, "go", bob, funding_granted=Decimal(50000), rationale="Promising start.")
    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 1, 20),
        amount=Decimal("1234.50"),
        category="compute",
    )
    add_study(project, alice)
    client.force_login(alice)
    response = client.get(url(project))
    body = response.content.decode()
    kinds = [event.kind for event in response.context["events"]]
    assert kinds[0] == "submission"
    assert {"decision", "spend", "deliverable"} <= set(kinds)
    assert "Go at gate 1 (Exploration)" in body
    assert "Promising start." in body
    assert "Feasibility study written" in body
    assert "1,234.50" in body


def test_a_decision_in_the_timeline_names_its_maker_and_rationale_before_its_panel(
    client, project, alice, bob
):
    """A decision with a panel (votes, kill criteria) read "Go at gate 1", then the panel,
    then "by Bob Product" on a line of its own, then the rationale: the maker and the
    rationale were cut off from the heading they belong to."""
    decide(project, 1, "go", bob, funding_granted=Decimal(50000), rationale="Promising start.")
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    start = body.index('<li class="event event-decision">')
    ends = [body.find('<li class="event ', start + 1), body.index("</section>", start)]
    event = body[start : min(end for end in ends if end > 0)]
    assert "event-panel" in event
    assert event.index("by Bob Product") < event.index("event-panel")
    assert event.index("Promising start.") < event.index("event-panel")


def test_it_shows_a_revised_deliverable_from_the_audit_trail(client, project, alice, bob):
    from gates.services import save_feasibility_study

    decide(project, 1, "go", bob)
    fields = {
        "findings": "First",
        "hypothesis_held": "yes",
        "evidence": "E",
        "confidence": "low",
        "recommended_next_step": "continue",
    }
    save_feasibility_study(project=project, actor=alice, **fields)
    save_feasibility_study(project=project, actor=alice, **{**fields, "confidence": "high"})
    client.force_login(alice)
    events = client.get(url(project)).context["events"]
    titles = [event.title for event in events if event.kind == "deliverable"]
    assert titles == ["Feasibility study written", "Feasibility study revised"]


def test_it_groups_many_spend_entries_by_month(client, project, alice):
    for day in range(1, 21):
        services.record_spend(
            project=project,
            actor=alice,
            spent_on=datetime.date(2026, 2 + day % 2, day),
            amount=Decimal(100),
            category="people",
        )
    client.force_login(alice)
    response = client.get(url(project))
    spend_events = [e for e in response.context["events"] if e.kind == "spend"]
    assert len(spend_events) == 2
    assert sum(e.extra["amount"] for e in spend_events) == Decimal(2000)
    body = response.content.decode()
    # Two months of spend: a sentence rather than a chart of two dots; the table stays.
    assert "spend-line" not in body
    assert "EUR 2,000 spent in 2 months so far" in body
    assert "Spend by month as a table" in body
    months = response.context["months"]
    assert [m.cumulative for m in months] == [Decimal(1000), Decimal(2000)]


def test_it_says_when_there_is_no_spend(client, project, alice):
    client.force_login(alice)
    response = client.get(url(project))
    assert response.context["chart"] is None
    assert "No spend recorded yet." in response.content.decode()


def test_it_shows_outcomes_and_artifacts(client, project, alice, bob, carol, rita):
    greenlight(project, bob, carol)
    services.record_outcome(
        project=project,
        actor=bob,
        month=datetime.date.today().replace(day=1),
        realized_value=Decimal(7777),
    )
    other = make_project(researcher=rita, product_manager=bob)
    shared = services.register_artifact(project=other, actor=rita, kind="dataset", name="Claims")
    services.register_artifact(project=project, actor=alice, kind="model", name="Triage model")
    services.link_reused_artifact(project=project, artifact=shared, actor=alice)
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    assert "7,777" in body
    assert "Triage model" in body
    assert "Claims" in body and other.key in body


def test_it_shows_the_audit_trail_in_a_collapsible_section(client, alice, bob):
    draft = services.create_proposal(
        actor=alice,
        key="AUD-1",
        title="Audit me",
        research_type="applied",
        bucket="revenue",
        product_manager=bob,
        value_kind="revenue",
        projected_low=Decimal(1),
        projected_expected=Decimal(2),
        projected_high=Decimal(3),
        probability_of_success=Decimal("0.5"),
        business_case="",
        hypothesis="",
    )
    services.update_proposal(project=draft, actor=alice, title="Audit me twice")
    client.force_login(alice)
    body = client.get(url(draft)).content.decode()
    assert '<details class="card audit-trail" id="audit">' in body
    assert "Draft proposal AUD-1 created" in body
    assert "Audit me → Audit me twice" in body


def test_the_audit_trail_writes_changes_as_the_page_does(client, project, adam, bob, pete):
    # Stored as values (a user's id, 0.3500, 1000.00); shown with labels, names and money.
    services.correct_project(
        project=project,
        actor=adam,
        product_manager=pete,
        probability_of_success=Decimal("0.35"),
        next_stage_ask=Decimal("1000"),
    )
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    trail = body[body.index('id="audit"') :]
    assert f"Product manager: {bob} → {pete}" in trail
    assert "→ 35%" in trail
    assert "→ EUR 1,000.00" in trail
    assert "<code>product_manager</code>" not in trail


@pytest.mark.parametrize("size", [1, 30])
def test_it_uses_a_bounded_number_of_queries(
    client, project, alice, bob, size, django_assert_max_num_queries
):
    decide(project, 1, "go", bob, funding_granted=Decimal(10000))
    for n in range(size):
        services.record_spend(
            project=project,
            actor=alice,
            spent_on=datetime.date(2026, 1 + n % 3, 10),
            amount=Decimal(10),
            category="data",
        )
    client.force_login(alice)
    # 21 (the calibrated probability reads the product manager's forecast record), and the
    # decisions' panel record: their votes, kill criteria and verdicts; one more for the replaced histories;
    # one for the metrics' SET LOCAL jit = off.
    with django_assert_max_num_queries(27):
        assert client.get(url(project)).status_code == 200


def test_events_of_one_day_are_in_the_order_they_were_recorded(client, project, bob, carol):
    """All four gates decided on one day: each deliverable between the decisions around it."""
    project.submitted_on = datetime.date.today()
    project.save()
    greenlight(project, bob, carol)
    client.force_login(bob)
    events = client.get(url(project)).context["events"]
    titles = [e.title for e in events if e.kind in ("decision", "deliverable", "submission")]
    assert titles == [
        "Proposal submitted for gate 1",
        "Go at gate 1 (Exploration)",
        "Feasibility study written",
        "Go at gate 2 (Feasibility)",
        "Architecture estimate written",
        "Go at gate 3 (Research)",
        "Business case written",
        "Go at gate 4 (Roadmap)",
    ]


def three_months_of_spend(project, actor) -> None:
    for month in (1, 2, 3):
        services.record_spend(
            project=project,
            actor=actor,
            spent_on=datetime.date(2026, month, 10),
            amount=Decimal(500),
            category="people",
        )


def test_the_spend_chart_appears_with_three_months_of_spend(client, project, alice):
    three_months_of_spend(project, alice)
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    assert "spend-line" in body
    assert "so far; the spend chart appears" not in body


def test_an_imported_projects_missing_proposal_text_is_not_called_unwritten(client, alice, rita):
    """A submission needs both texts, so a submitted project without them came in by an import
    (whose files carry no proposal text): "Not written yet" would be untrue of it."""
    imported = make_project(business_case="", hypothesis="")
    client.force_login(rita)
    body = client.get(url(imported)).content.decode()
    assert body.count("Not recorded: the project came in by an import") == 2
    assert "Not written yet." not in body

    draft = make_project(researcher=alice, status=Status.DRAFT, business_case="", hypothesis="")
    client.force_login(alice)
    body = client.get(url(draft)).content.decode()
    assert body.count("Not written yet.") >= 2 and "came in by an import" not in body


def test_the_spend_charts_tooltips_write_money_as_the_page_does(client, project, alice):
    for month, amount in ((1, "1000.31"), (2, "654.62"), (3, "1234.5")):
        services.record_spend(
            project=project,
            actor=alice,
            spent_on=datetime.date(2026, month, 10),
            amount=Decimal(amount),
            category="people",
        )
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    assert "<title>Jan 2026: EUR 1,000.31</title>" in body
    assert "<title>Feb 2026: EUR 1,654.93</title>" in body
    assert "<title>Mar 2026: EUR 2,889.43</title>" in body


def test_a_drafts_probability_is_not_called_estimated_at_submission(client, alice, project):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    client.force_login(alice)
    body = client.get(url(draft)).content.decode()
    assert "as estimated in this draft" in body
    assert "at submission" not in body
    assert "as estimated at submission" in client.get(url(project)).content.decode()


def test_a_written_deliverable_links_to_its_page_for_everyone_who_sees_the_project(
    client, project, alice, bob, rita
):
    decide(project, 1, "go", bob)
    add_study(project, alice)
    study = reverse("feasibility_study_edit", args=[project.key])
    estimate = reverse("architecture_estimate_edit", args=[project.key])
    client.force_login(rita)  # another researcher: reads, does not write
    html = client.get(url(project)).content.decode()
    assert f'<a href="{study}">Feasibility study</a>' in html
    assert f'href="{estimate}"' not in html  # not written yet: nothing to read
    assert client.get(study).status_code == 200


def test_a_person_without_a_name_is_shown_by_their_address_once(client, alice, bob):
    """The name falls back to the address: it is not followed by the address again."""
    nameless = make_user("hana.kowalski@example.org", Role.RESEARCHER)
    project = make_project(key="GL-0077", researcher=nameless, product_manager=bob)
    client.force_login(bob)
    page = client.get(url(project)).content.decode()
    facts = page[page.index('id="facts-heading"') : page.index("<dt>Submitted</dt>")]
    assert facts.count("kowalski@<wbr>") == 1
    assert facts.count("@<wbr>") == 2  # hana's address, once; Bob's, after his name
    assert bob.full_name in facts


def test_a_months_spend_is_dated_by_its_last_entry_not_the_first_of_the_month(
    client, project, alice, bob
):
    """Spend from 12 to 24 June, submitted on 11 June: the row for June was dated 1 June,
    above the submission, as if the money had been spent before the proposal existed."""
    project.submitted_on = datetime.date(2024, 6, 11)
    project.save()
    for day in range(12, 25):  # 13 entries: more than the timeline lists one by one
        services.record_spend(
            project=project,
            actor=alice,
            spent_on=datetime.date(2024, 6, day),
            amount=Decimal(100),
            category="people",
        )
    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2024, 7, 3),
        amount=Decimal(50),
        category="people",
    )
    decide(project, 1, "go", bob, decided_on=datetime.date(2024, 6, 20))
    client.force_login(alice)

    events = client.get(url(project)).context["events"]

    shown = [(e.on, e.title, e.detail) for e in events if e.kind in ("submission", "spend")]
    assert shown == [
        (datetime.date(2024, 6, 11), "Proposal submitted for gate 1", ""),
        (datetime.date(2024, 6, 24), "Spend in June 2024", "13 entries, 12–24 June"),
        (datetime.date(2024, 7, 3), "Spend in July 2024", "1 entry, 3 July"),
    ]
    # All of June's money is shown after what happened within June, not before it.
    titles = [e.title for e in events]
    assert titles.index("Go at gate 1 (Exploration)") < titles.index("Spend in June 2024")


def test_no_next_stage_ask_reads_none_yet_and_offers_to_set_it(client, project, alice, rita):
    # It read "Next-stage ask: none set the ask", one odd phrase.
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    ask = body[body.index("<dt>Next-stage ask</dt>") : body.index("<dt>Spend to date</dt>")]
    edit = reverse("next_stage_ask_edit", args=[project.key])
    assert "<small>none yet</small>" in ask
    assert f'<a class="button small" href="{edit}">Set the ask</a>' in ask
    assert "none set the ask" not in ask

    client.force_login(rita)  # may not set it: no offer
    body = client.get(url(project)).content.decode()
    ask = body[body.index("<dt>Next-stage ask</dt>") : body.index("<dt>Spend to date</dt>")]
    assert "<small>none yet</small>" in ask and edit not in ask


def test_a_next_stage_ask_offers_to_change_it(client, project, alice):
    project.next_stage_ask = Decimal("50000")
    project.save()
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    ask = body[body.index("<dt>Next-stage ask</dt>") : body.index("<dt>Spend to date</dt>")]
    edit = reverse("next_stage_ask_edit", args=[project.key])
    assert "<strong>EUR 50,000</strong>" in ask
    assert f'<a class="button small" href="{edit}">Change the ask</a>' in ask


def test_the_spend_charts_value_axis_names_the_currency(client, project, alice):
    # Its axis read "0, 200, 400…" with no currency; the dashboard's charts name it.
    three_months_of_spend(project, alice)
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    chart = body[body.index('<figure class="spend-chart">') : body.index("</svg>")]
    assert '<text class="axis-label axis-title"' in chart
    assert ">↑ Cumulative spend (EUR)</text>" in chart
