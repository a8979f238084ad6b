"""Replacing projects by an import loses nothing: what they held is archived and readable."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from gates.interchange import ImportFailed, command_line_import, import_portfolio
from gates.models import ArchitectureEstimate, CriterionScore, Gate, GateDecision
from gates.services import Score, record_decision
from portfolio.models import Outcome, Project, ReplacedHistory, SpendEntry, Status
from tests.builders import make_project
from tests.gates.replacing import edit_every_project
from tests.gates.test_import_portfolio import FILES, SAMPLE


@pytest.fixture
def folder(tmp_path):
    for name in FILES:
        shutil.copy(SAMPLE / name, tmp_path / name)
    return tmp_path


def held(project: Project) -> dict:
    return {
        "decisions": list(
            project.decisions.order_by("sequence").values_list("decision", "decided_on")
        ),
        "spend": sorted(
            (str(day), f"{amount:.2f}", note)
            for day, amount, note in SpendEntry.objects.filter(project=project).values_list(
                "spent_on", "amount", "note"
            )
        ),
        "outcomes": list(project.outcomes.order_by("month").values_list("month", "realized_value")),
    }


def archived(history: ReplacedHistory) -> dict:
    return {
        "decisions": [(d["decision"], d["decided_on"]) for d in history.decisions],
        "spend": sorted((s["spent_on"], s["amount"], s["note"]) for s in history.spend),
        "outcomes": [(o["month"], o["realized_value"]) for o in history.outcomes],
    }


def test_the_command_lines_replace_archives_everything_it_replaces(db, folder):
    command_line_import(folder)
    edit_every_project()
    greenlit = Project.objects.filter(status=Status.GREENLIT).order_by("key").first()
    before = held(greenlit)
    assert before["decisions"] and before["spend"] and before["outcomes"]

    call_command("import_portfolio", str(folder), "--replace", stdout=io.StringIO())

    history = ReplacedHistory.objects.get(project=greenlit)
    assert history.replaced_by is None
    got = archived(history)
    assert got["decisions"] == [(d, day.isoformat()) for d, day in before["decisions"]]
    assert got["spend"] == before["spend"]
    assert got["outcomes"] == [(m.isoformat(), f"{v:.2f}") for m, v in before["outcomes"]]
    assert history.project_fields["title"] == greenlit.title
    assert ReplacedHistory.objects.count() == 62


def test_a_replace_reports_the_archiving_as_it_goes(db, folder):
    command_line_import(folder)
    edit_every_project()
    seen = []

    command_line_import(folder, replace=True, progress=lambda *event: seen.append(event))

    archiving = [event for event in seen if event[0] == "archiving"]
    # 62 projects replaced: one chunk, reported when done, before any file is written.
    assert archiving == [("archiving", "projects.csv", 62, True)]
    assert seen.index(archiving[0]) < seen.index(("writing", "projects.csv", 62, True))


def test_the_import_page_says_it_is_archiving(db, adam):
    from gates import import_jobs
    from gates.models import ImportJob

    reporter = import_jobs._Reporter(ImportJob.objects.create(created_by=adam, status="running"))

    reporter.progress("archiving", "projects.csv", 1_500, finished=False)

    assert reporter.phase == "Archiving the history of the projects replaced (1,500 so far)"


def test_it_archives_a_decisions_scorecard_as_it_was(db, folder, sam, erin):
    command_line_import(folder)
    project = Project.objects.filter(status=Status.ACTIVE, current_gate=1).order_by("key").first()
    criterion = Gate.objects.get(number=1).criteria.filter(kind="should").first()
    record_decision(
        project=project,
        gate=1,
        decision="hold",
        actor=erin,
        rationale="Wait for data",
        scores=[Score(criterion=criterion, score=7)],
    )
    name = criterion.name

    import_portfolio(folder, actor=sam, replace=True)

    history = ReplacedHistory.objects.get(project=project)
    scored = [d for d in history.decisions if d["scores"]]
    assert scored[0]["scores"] == [
        {
            "criterion__name": name,
            "criterion__kind": "should",
            "met": None,
            "score": 7,
            "weight": f"{criterion.weight}",
        }
    ]
    assert not CriterionScore.objects.filter(decision__project=project).exists()
    assert history.replaced_by == sam


def test_it_archives_an_estimate_the_files_replace_and_keeps_one_they_do_not(
    db, folder, sam, carol
):
    command_line_import(folder)
    kept, replaced = Project.objects.order_by("key")[:2]
    for project in (kept, replaced):
        ArchitectureEstimate.objects.create(
            project=project,
            author=carol,
            build_cost=Decimal(1000),
            monthly_run_cost=Decimal(10),
            retraining_cadence="none",
        )
    (folder / "estimates.csv").write_text(
        "project,estimated_on,build_cost,monthly_run_cost,retrains_per_year\n"
        f"{replaced.key},2026-06-01,5000,50,12\n",
        encoding="utf-8",
    )
    edit_every_project(pk=kept.pk)  # replaced too, by the files without an estimate for it

    import_portfolio(folder, actor=sam, replace=True)

    assert ArchitectureEstimate.objects.get(project=kept).build_cost == Decimal(1000)
    assert ArchitectureEstimate.objects.get(project=replaced).build_cost == Decimal(5000)
    assert ReplacedHistory.objects.get(project=replaced).estimate["build_cost"] == "1000.00"
    assert ReplacedHistory.objects.get(project=kept).estimate is None


def test_an_import_never_touches_a_draft(db, folder, sam, alice, bob):
    draft = make_project(key="RP-0001", status=Status.DRAFT, researcher=alice, product_manager=bob)
    title = draft.title

    with pytest.raises(ImportFailed) as failure:
        import_portfolio(folder, actor=sam, replace=True)

    assert "RP-0001 is a draft proposal in the app" in failure.value.errors[0]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.title == title
    assert not ReplacedHistory.objects.exists()


# --- The archive page -------------------------------------------------------------------------


@pytest.fixture
def replaced(db, folder, sam) -> ReplacedHistory:
    command_line_import(folder)
    edit_every_project()
    import_portfolio(folder, actor=sam, replace=True)
    project = Project.objects.filter(status=Status.GREENLIT).order_by("key").first()
    return ReplacedHistory.objects.get(project=project)


def test_the_project_page_links_the_replaced_history(client, replaced, bob):
    client.force_login(bob)

    response = client.get(reverse("project_detail", args=[replaced.project.key]))

    html = response.content.decode()
    assert f"History replaced on {replaced.replaced_at:%Y-%m-%d} by Sam Superuser" in html
    assert replaced.get_absolute_url() in html


def test_the_archive_page_shows_what_was_replaced(client, replaced, alice):
    client.force_login(alice)

    response = client.get(replaced.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode().replace("<wbr>", "")  # where an address may break
    assert "by Sam Superuser" in html
    assert f"Gate decisions ({len(replaced.decisions)})" in html
    assert f"Outcomes ({len(replaced.outcomes)} months)" in html
    assert replaced.decisions[0]["decided_by__email"] in html
    # Money written as the rest of the app writes it, not as the archive keeps it.
    first = replaced.spend[0]["amount"]
    assert f"EUR {Decimal(first):,.2f}" in html
    low = replaced.project_fields["projected_low"]
    assert f"EUR {Decimal(low):,.0f}" in html
    assert "000000000<" not in html  # no raw decimals (539373.020000000)


def test_the_archive_page_is_read_only(client, replaced, sam):
    client.force_login(sam)

    assert client.post(replaced.get_absolute_url()).status_code == 405
    with pytest.raises(ValueError):
        replaced.save()


def test_the_archive_page_answers_only_under_its_own_project(client, replaced, bob):
    other = Project.objects.exclude(pk=replaced.project_id).first()
    client.force_login(bob)

    response = client.get(reverse("replaced_history", args=[other.key, replaced.pk]))

    assert response.status_code == 404


def test_the_archive_page_escapes_the_text_it_shows(client, folder, sam, bob):
    command_line_import(folder)
    project = Project.objects.get(key="RP-0001")
    SpendEntry.objects.create(
        project=project,
        spent_on=project.submitted_on,
        amount=1,
        category="other",
        note="<script>alert(1)</script>",
    )
    import_portfolio(folder, actor=sam, replace=True)
    history = ReplacedHistory.objects.get(project=project)
    client.force_login(bob)

    html = client.get(history.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_archive_page_needs_sign_in(client, replaced):
    response = client.get(replaced.get_absolute_url())

    assert response.status_code == 302


def test_replacing_keeps_every_count_of_what_was_there(db, folder, sam):
    command_line_import(folder)
    edit_every_project()
    counts = (GateDecision.objects.count(), SpendEntry.objects.count(), Outcome.objects.count())

    import_portfolio(folder, actor=sam, replace=True)

    histories = list(ReplacedHistory.objects.all())
    assert (
        sum(len(h.decisions) for h in histories),
        sum(len(h.spend) for h in histories),
        sum(len(h.outcomes) for h in histories),
    ) == counts


# --- The decision panel: votes and kill criteria ---------------------------------------------


def decided_panel(alice, bob, carol) -> Project:
    """PANEL: gate 1 go (kill criterion: a signed data agreement); at gate 2 Carol votes
    kill and Bob go, both marking the criterion; go with it not met (an override), with a
    criterion for gate 3; at gate 3 Carol's vote waits in the open review."""
    from gates.services import KillMark, NewKillCriterion, cast_vote, pending_kill_criteria
    from tests.builders import add_estimate, add_study, full_marks

    project = make_project(key="PANEL", researcher=alice, product_manager=bob)

    def go(**kw):
        project.refresh_from_db()
        record_decision(
            project=project,
            gate=project.current_gate,
            decision="go",
            actor=bob,
            scores=full_marks(project.current_gate),
            **kw,
        )
        project.refresh_from_db()

    def vote(person, recommendation, probability, **kw):
        cast_vote(
            project=project,
            gate=project.current_gate,
            actor=person,
            recommendation=recommendation,
            probability_of_success=Decimal(probability),
            **kw,
        )

    go(kill_criteria=[NewKillCriterion("Signed data agreement")])
    add_study(project, alice)
    add_estimate(project, carol)
    (criterion,) = pending_kill_criteria(project)
    vote(
        carol,
        "kill",
        "0.2",
        comment="No data",
        kill_marks=[KillMark(criterion, False, "No signature")],
    )
    vote(bob, "go", "0.7", kill_marks=[KillMark(criterion, True)])
    go(
        kill_verdicts=[KillMark(criterion, False, "Legal signs in March")],
        kill_criteria=[NewKillCriterion("Pilot users", ">=", Decimal("12.5"))],
        rationale="Legal has approved the terms; only the signature is missing.",
    )
    (pilot,) = pending_kill_criteria(project)
    vote(carol, "hold", "0.4", kill_marks=[KillMark(pilot, True)])
    return project


def test_replacing_archives_the_votes_and_kill_criteria(tmp_path, alice, bob, carol, sam):
    from gates.interchange import export_portfolio
    from gates.models import KillCriterion, Vote

    project = decided_panel(alice, bob, carol)
    export_portfolio(tmp_path)
    edit_every_project()

    import_portfolio(tmp_path, actor=sam, replace=True)

    history = ReplacedHistory.objects.get(project=project)
    first, second = history.decisions
    assert sorted(
        (v["voter__email"], v["recommendation"], v["probability_of_success"], v["comment"])
        for v in second["votes"]
    ) == [
        ("bob@example.com", "go", "0.7000", ""),
        ("carol@example.com", "kill", "0.2000", "No data"),
    ]
    assert sorted(
        (v["voter__email"], m["criterion__statement"], m["met"], m["note"])
        for v in second["votes"]
        for m in v["kill_marks"]
    ) == [
        ("bob@example.com", "Signed data agreement", True, ""),
        ("carol@example.com", "Signed data agreement", False, "No signature"),
    ]
    assert first["votes"] == []
    assert first["kill_criteria"] == [
        {
            "position": 1,
            "gate__number": 2,
            "statement": "Signed data agreement",
            "comparison": "",
            "target": None,
            "verdict__met": False,
            "verdict__note": "Legal signs in March",
            "verdict__decision__sequence": 2,
        }
    ]
    assert [
        (c["statement"], c["comparison"], c["target"], c["verdict__met"])
        for c in second["kill_criteria"]
    ] == [("Pilot users", ">=", "12.5000", None)]
    (waiting,) = history.project_fields["open_votes"]
    assert (waiting["voter__email"], waiting["recommendation"]) == ("carol@example.com", "hold")
    assert [m["criterion__statement"] for m in waiting["kill_marks"]] == ["Pilot users"]
    # The files brought the panel again: the app holds it once, from the files.
    assert Vote.objects.filter(project=project).count() == 3
    assert KillCriterion.objects.filter(project=project).count() == 2


def test_the_archive_page_shows_the_votes_and_kill_criteria(
    client, tmp_path, alice, bob, carol, sam
):
    from gates.interchange import export_portfolio

    project = decided_panel(alice, bob, carol)
    export_portfolio(tmp_path)
    edit_every_project()
    import_portfolio(tmp_path, actor=sam, replace=True)
    history = ReplacedHistory.objects.get(project=project)
    client.force_login(alice)

    html = client.get(history.get_absolute_url()).content.decode().replace("<wbr>", "")

    assert "Gatekeepers' votes (3) and kill criteria (2)" in html
    assert f"Decision 2: go at gate 2 on {history.decisions[1]['decided_on']}" in html
    assert "carol@example.com" in html and "No data" in html
    assert "Signed data agreement: not met (No signature)" in html  # Carol's mark
    assert "for the review of gate 2: not met (decision 2): Legal signs in March" in html
    assert "Pilot users ≥ 12.5, for the review of gate 3: no verdict yet" in html
    assert "The review open when the history was replaced" in html


# --- The feedback loop: artifacts, their uses, adoption ---------------------------------------

V3 = SAMPLE.parent / "sample-portfolio-v3"


def test_replacing_archives_the_adoption_uses_and_artifacts_the_files_rewrite(
    client, tmp_path, sam, bob
):
    from portfolio.models import Adoption, Artifact, ArtifactReuse

    folder = tmp_path / "v3"
    shutil.copytree(V3, folder, ignore=shutil.ignore_patterns("expected"))
    command_line_import(folder)
    adopted = Adoption.objects.order_by("project__key").first().project
    months = Adoption.objects.filter(project=adopted).count()
    reuse = ArtifactReuse.objects.select_related("artifact", "project").first()
    artifact = Artifact.objects.filter(project=adopted).first() or reuse.artifact
    Artifact.objects.filter(pk=artifact.pk).update(name="The name before the import")
    edit_every_project()

    import_portfolio(folder, actor=sam, replace=True)

    fields = ReplacedHistory.objects.get(project=adopted).project_fields
    assert len(fields["adoption"]) == months
    assert Adoption.objects.filter(project=adopted).count() == months  # from the files again
    used = ReplacedHistory.objects.get(project=reuse.project).project_fields["artifact_uses"]
    assert (reuse.artifact.key, reuse.used_on.isoformat()) in {
        (u["artifact__key"], u["used_on"]) for u in used
    }
    history = ReplacedHistory.objects.get(project=artifact.project)
    (before,) = [a for a in history.project_fields["artifacts"] if a["key"] == artifact.key]
    assert before["name"] == "The name before the import"
    assert Artifact.objects.get(pk=artifact.pk).name != "The name before the import"

    client.force_login(bob)
    html = client.get(history.get_absolute_url()).content.decode()
    assert "Its artifacts as they were" in html and "The name before the import" in html
    adoption_page = client.get(
        ReplacedHistory.objects.get(project=adopted).get_absolute_url()
    ).content.decode()
    assert f"Adoption ({months} month{'s' if months != 1 else ''})" in adoption_page


def test_replacing_keeps_the_adoption_when_the_files_bring_only_uses(tmp_path, sam):
    from portfolio.models import Adoption

    folder = tmp_path / "v3"
    shutil.copytree(V3, folder, ignore=shutil.ignore_patterns("expected"))
    command_line_import(folder)
    months = Adoption.objects.count()
    (folder / "adoption.csv").unlink()
    assert edit_every_project()

    import_portfolio(folder, actor=sam, replace=True)

    assert Adoption.objects.count() == months
    assert not any("adoption" in h.project_fields for h in ReplacedHistory.objects.all())
