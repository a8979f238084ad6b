"""The dashboard's numbers brought up to date after a change to a few projects.

A service that changes projects (a decision, a vote, a deliverable, an outcome month, a
spend correction) keeps what they added to the numbers before (versioning.changing); the
refresh takes that part out of the last numbers and puts the projects' part now in
(portfolio/metrics/merge.py). Whatever path the numbers take, they must be those a full
computation gives: each test compares with one. On SQLite every computation is full.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from portfolio import versioning
from portfolio.metrics import incremental, merge
from portfolio.metrics.scope import Scope
from portfolio.models import Project, ProjectChange, SpendEntry, Status
from portfolio.services.spend import change_spend
from tests.builders import (
    add_business_case,
    add_estimate,
    add_study,
    decide,
    grant_roles_as_the_files_imply,
    record_outcome,
    record_spend,
)
from tests.portfolio.dashboard_sample import import_sample

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


def numbers() -> dict:
    return incremental.dashboard(Scope.of())[0]


def computed_afresh() -> dict:
    incremental.forget()
    return incremental.dashboard(Scope.of())[0]


def merged_once(full_computations: list[int], reads: int = 2) -> bool:
    """Whether the numbers since the first were brought up to date (on PostgreSQL; on
    SQLite each of the test's ``reads``, and the one afresh, is a full computation)."""
    if ON_POSTGRESQL:
        return len(full_computations) == 2  # the first, and the one afresh to compare with
    return len(full_computations) == reads + 1


@pytest.fixture
def sample(adam):
    import_sample()
    grant_roles_as_the_files_imply()
    return {p.key: p for p in Project.objects.order_by("key")}


def open_at(sample, gate: int) -> Project:
    return next(p for p in sample.values() if p.status == Status.ACTIVE and p.current_gate == gate)


def with_deliverables(project: Project) -> Project:
    add_business_case(project)
    add_study(project)
    add_estimate(project)
    return Project.objects.get(pk=project.pk)


@pytest.mark.parametrize("kind", ["kill", "hold", "recycle"])
def test_a_decision_is_merged_into_the_last_numbers(sample, full_computations, kind):
    before = numbers()
    project = open_at(sample, 2)

    decide(project, 2, kind, probability_of_success="0.35")

    after = numbers()
    assert after == computed_afresh()
    assert after["funnel"] != before["funnel"]
    assert merged_once(full_computations)


def test_a_go_at_the_last_gate_puts_a_success_in_the_numbers(sample, full_computations):
    project = with_deliverables(open_at(sample, 4))
    numbers()

    decide(project, 4, "go", funding_granted="25000.00", probability_of_success="0.9")

    after = numbers()
    assert after == computed_afresh()
    assert project.key not in {row["key"] for row in after["risk"]}
    assert merged_once(full_computations)


def test_several_changes_to_several_projects_are_merged_at_once(sample, full_computations):
    numbers()
    first, second = open_at(sample, 1), open_at(sample, 3)
    decide(first, 1, "kill")
    decide(second, 3, "hold")
    with_deliverables(second)  # three more changes to the same project

    assert numbers() == computed_afresh()
    assert merged_once(full_computations)


def test_two_decisions_on_one_project_take_its_first_part_before(sample, full_computations):
    numbers()
    project = with_deliverables(open_at(sample, 1))
    decide(project, 1, "go", probability_of_success="0.6")
    decide(Project.objects.get(pk=project.pk), 2, "kill")

    assert numbers() == computed_afresh()
    assert merged_once(full_computations)


def test_outcome_months_move_the_feedback_loop(sample, full_computations):
    greenlit = [p for p in sample.values() if p.status == Status.GREENLIT]
    numbers()
    today = timezone.localdate()
    for project in greenlit[:3]:
        taken = set(project.outcomes.values_list("month", flat=True))
        month = today.replace(day=1)
        while month in taken:
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        record_outcome(project, month, "125000.00")

    after = numbers()
    assert after == computed_afresh()
    assert merged_once(full_computations)


@pytest.mark.parametrize("byte_order", [True, False])
def test_a_project_new_to_an_ordered_list_is_put_in_its_place_when_the_order_is_known(
    sample, full_computations, monkeypatch, byte_order
):
    """Where the database's text order is not Python's (a collation other than "C"), a
    project's first row in a list ordered by key cannot be put in its place: the numbers
    are computed in full."""
    from portfolio import process

    monkeypatch.setattr(incremental, "_text_in_byte_order", lambda: byte_order)
    today = timezone.localdate()
    project = next(
        p
        for p in sample.values()
        if p.status == Status.GREENLIT
        and not p.outcomes.exists()
        and process.first_outcome_month(p.last_decision_on) <= today
    )
    before = numbers()

    record_outcome(project, process.first_outcome_month(project.last_decision_on), "1000.00")

    after = numbers()
    assert after == computed_afresh()
    assert project.key in {row["key"] for row in after["outcome_details"]}
    assert project.key not in {row["key"] for row in before["outcome_details"]}
    if ON_POSTGRESQL and not byte_order:
        assert len(full_computations) == 3
    else:
        assert merged_once(full_computations)


def test_a_spend_correction_is_merged(sample, full_computations, adam):
    project = open_at(sample, 2)
    record_spend(project, timezone.localdate(), "500.00", actor=project.product_manager)
    numbers()
    entry = SpendEntry.objects.filter(project=project).latest("id")

    change_spend(entry=entry, actor=adam, amount=Decimal("750.00"))

    assert numbers() == computed_afresh()
    assert merged_once(full_computations)


def test_an_artifact_and_its_reuse_by_another_project_are_merged(sample, full_computations):
    from portfolio.services.artifacts import link_reused_artifact, register_artifact

    producer, user = open_at(sample, 2), open_at(sample, 3)
    before = numbers()
    artifact = register_artifact(
        project=producer, actor=producer.researcher, kind="model", name="Merge test model"
    )
    link_reused_artifact(project=user, artifact=artifact, actor=user.researcher)

    after = numbers()
    assert after == computed_afresh()
    assert after["assets"]["reused_artifacts"] == before["assets"]["reused_artifacts"] + 1
    assert merged_once(full_computations)


def test_adoption_is_merged(sample, full_computations):
    from portfolio import process
    from portfolio.services.adoption import record_adoption

    today = timezone.localdate()
    product = next(
        p
        for p in sample.values()
        if p.status == Status.GREENLIT
        and process.first_outcome_month(p.last_decision_on) <= today
        and not p.adoption.exists()
    )
    numbers()

    record_adoption(
        project=product,
        actor=product.product_manager,
        month=process.first_outcome_month(product.last_decision_on),
        active_users=40,
        tasks_completed=900,
        minutes_per_task=Decimal("2.5"),
        baseline_minutes_per_task=Decimal("9"),
    )

    after = numbers()
    assert after == computed_afresh()
    assert after["adoption"]["tasks_completed"] >= 900
    assert merged_once(full_computations)


def test_a_draft_that_builds_on_artifacts_then_its_submission_are_merged(sample, full_computations):
    """A draft is in no number, but what it builds on counts as reused for the producers."""
    from portfolio.services.artifacts import register_artifact
    from portfolio.services.proposals import create_proposal, submit_proposal

    producer = open_at(sample, 2)
    artifact = register_artifact(
        project=producer, actor=producer.researcher, kind="dataset", name="Merge test data"
    )
    before = numbers()
    researcher = producer.researcher
    draft = create_proposal(
        actor=researcher,
        builds_on=[artifact],
        title="Built on the merge test data",
        research_type="applied",
        bucket=producer.bucket,
        product_manager=producer.product_manager,
        value_kind="revenue",
        projected_low=Decimal("100000"),
        projected_expected=Decimal("200000"),
        projected_high=Decimal("300000"),
        probability_of_success=Decimal("0.4"),
        business_case="It reuses a data set.",
        hypothesis="The data set is enough.",
    )
    middle = numbers()
    submit_proposal(project=draft, actor=researcher)

    after = numbers()
    assert after == computed_afresh()
    assert middle["assets"]["reused_artifacts"] == before["assets"]["reused_artifacts"] + 1
    assert after["headline"]["projects"] == before["headline"]["projects"] + 1
    assert merged_once(full_computations, reads=3)


def test_a_change_to_nothing_the_numbers_read_keeps_them(sample, full_computations, adam, erin):
    """A role granted bumps the data version (the filter's list of product managers) but
    moves no number: on PostgreSQL the numbers are kept as they were."""
    from portfolio.services.people import set_role

    first = numbers()
    set_role(actor=adam, person=erin, role="Researcher", grant=True)

    again = numbers()
    assert again == computed_afresh()
    if ON_POSTGRESQL:
        assert all(again[name] is first[name] for name in first if name != "as_of")
    assert merged_once(full_computations)


def test_spend_on_other_projects_in_between_is_merged_too(sample, full_computations):
    numbers()
    decide(open_at(sample, 2), 2, "hold")
    other = open_at(sample, 3)
    record_spend(other, timezone.localdate(), "10.00", actor=other.product_manager)
    decide(open_at(sample, 1), 1, "kill")
    record_spend(other, timezone.localdate(), "2500.00", actor=other.product_manager)

    after = numbers()
    assert after == computed_afresh()
    assert merged_once(full_computations)


def test_spend_on_a_project_after_its_decision_is_merged(sample, full_computations):
    before = numbers()
    project = open_at(sample, 3)
    decide(project, 3, "hold")
    project = Project.objects.get(pk=project.pk)
    record_spend(project, timezone.localdate(), "1234.56", actor=project.product_manager)

    after = numbers()
    assert after == computed_afresh()
    spent = Decimal(str(after["headline"]["cumulative_spend"]))
    assert spent - Decimal(str(before["headline"]["cumulative_spend"])) == Decimal("1234.56")
    assert merged_once(full_computations)


@pytest.mark.parametrize("decision", ["kill", "hold", "go"])
def test_spend_on_a_project_before_its_decision_is_merged(sample, full_computations, decision):
    """The decision kept the project's part with the spend in it, and the last numbers are
    without: the spend is added to them first, in the group the project was in before the
    decision (a kill moves it to another), so that taking the part off takes it off."""
    before = numbers()
    project = open_at(sample, 2)
    record_spend(project, timezone.localdate(), "10.00", actor=project.product_manager)
    record_spend(project, timezone.localdate(), "2.50", actor=project.product_manager)
    decide(with_deliverables(project), 2, decision)
    if decision != "kill":  # and after it, on a project still open
        record_spend(project, timezone.localdate(), "1.00", actor=project.product_manager)

    after = numbers()
    assert after == computed_afresh()
    spent = Decimal(str(after["headline"]["cumulative_spend"]))
    added = Decimal("12.50") if decision == "kill" else Decimal("13.50")
    assert spent - Decimal(str(before["headline"]["cumulative_spend"])) == added
    assert merged_once(full_computations)


@pytest.mark.parametrize("days_before_the_kill", [0, 40])
def test_spend_on_a_killed_project_dated_up_to_its_kill_is_merged(
    sample, full_computations, days_before_the_kill
):
    """A late invoice on a killed project: its sunk cost (the killed group's spend) and the
    running spend from its month on grow, as a full computation gives."""
    project = open_at(sample, 2)
    decide(with_deliverables(project), 2, "kill")
    project = Project.objects.get(pk=project.pk)
    before = numbers()
    day = max(
        project.last_decision_on - datetime.timedelta(days=days_before_the_kill),
        project.submitted_on,
    )
    record_spend(project, day, "321.09", actor=project.product_manager)

    after = numbers()
    assert after == computed_afresh()
    spent = Decimal(str(after["headline"]["cumulative_spend"]))
    assert spent - Decimal(str(before["headline"]["cumulative_spend"])) == Decimal("321.09")
    killed = Decimal(str(after["headline"]["killed_spend"]))
    assert killed - Decimal(str(before["headline"]["killed_spend"])) == Decimal("321.09")
    assert merged_once(full_computations)


def test_a_change_to_a_project_it_did_not_name_makes_it_unmergeable(sample, full_computations):
    numbers()
    named, other = open_at(sample, 2), open_at(sample, 3)
    with transaction.atomic(), versioning.changing(named):
        decide(other, 3, "hold")  # inside, to a project the outer change did not name

    assert not ProjectChange.objects.exists()
    assert numbers() == computed_afresh()
    assert len(full_computations) == 3


@pytest.mark.postgres  # parts are kept on PostgreSQL only
def test_a_change_keeps_its_versions_and_the_part_before(sample):
    project = open_at(sample, 2)
    start = versioning.current()

    decide(project, 2, "hold")

    change = ProjectChange.objects.get()
    assert (change.first_version, change.version) == (start + 1, versioning.current())
    assert change.projects == [project.pk] and change.as_of == timezone.localdate()
    opened = {row["key"]: row for row in change.before[str(project.pk)]["open_projects"]}
    assert opened[project.key]["status"] == "active"  # as it was before the hold


@pytest.mark.postgres  # parts are kept on PostgreSQL only
def test_the_refresh_deletes_project_changes_no_refresh_needs(sample):
    from portfolio import tasks

    decide(open_at(sample, 2), 2, "hold")
    old = ProjectChange.objects.get()
    ProjectChange.objects.filter(pk=old.pk).update(
        version=old.version - tasks.KEEP_SPEND_CHANGES,
        first_version=old.version - tasks.KEEP_SPEND_CHANGES,
    )
    decide(open_at(sample, 3), 3, "hold")

    tasks.refresh_metrics.call(version=versioning.current())

    assert list(ProjectChange.objects.values_list("version", flat=True)) == [versioning.current()]


def test_a_refused_change_keeps_nothing(sample):
    project = open_at(sample, 2)
    with pytest.raises(Exception, match="rationale"):
        decide(project, 2, "kill", rationale="")
    assert not ProjectChange.objects.exists()


def test_every_query_of_the_numbers_has_a_merge_rule():
    """A new query must say how a project's part sits in its rows (merge.RULES)."""
    assert set(merge.queries()) == set(merge.RULES)


# --- The rules on their own --------------------------------------------------------------------


def test_a_largest_value_the_changed_projects_held_is_not_guessed():
    query = merge.queries()["decision_panel_waits"]
    kept = [{"gate": 1, "decisions": 3, "days": 30, "longest": 20}]
    held = [{"gate": 1, "decisions": 1, "days": 20, "longest": 20}]
    shorter = [{"gate": 1, "decisions": 1, "days": 5, "longest": 5}]
    longer = [{"gate": 1, "decisions": 1, "days": 25, "longest": 25}]

    assert merge.merged(kept, [held], shorter, query, text_in_byte_order=True) is None
    assert merge.merged(kept, [held], longer, query, text_in_byte_order=True) == [
        {"gate": 1, "decisions": 3, "days": 35, "longest": 25}
    ]
    assert merge.merged(kept, [shorter], held, query, text_in_byte_order=True) == [
        {"gate": 1, "decisions": 3, "days": 45, "longest": 20}
    ]


def test_a_row_whose_count_falls_to_zero_goes():
    query = merge.queries()["funnel"]
    zero = dict.fromkeys(("go", "kill", "hold", "recycle", "go_projects"), 0)
    kept = [{"gate": 1, "reached": 2, **zero}, {"gate": 4, "reached": 1, **zero}]
    before = [{"gate": 1, "reached": 1, **zero}, {"gate": 4, "reached": 1, **zero}]
    after = [{"gate": 1, "reached": 1, **zero, "kill": 1}]

    assert merge.merged(kept, [before], after, query, text_in_byte_order=True) == [
        {"gate": 1, "reached": 2, **zero, "kill": 1}
    ]


def test_the_series_is_not_started_earlier_or_left_without_its_start():
    query = merge.queries()["series"]

    def series(first: int, last: int, spend: int) -> list[dict]:
        return [
            {"month_index": m, "spend_c": spend, "greenlit": 0, "killed": 0}
            for m in range(first, last + 1)
        ]

    kept = series(100, 103, 10)
    assert (
        merge.merged(
            kept, [series(101, 103, 1)], series(99, 103, 1), query, text_in_byte_order=True
        )
        is None
    )
    assert (
        merge.merged(
            kept, [series(100, 103, 1)], series(101, 103, 1), query, text_in_byte_order=True
        )
        is None
    )
    assert merge.merged(
        kept, [series(101, 103, 1)], series(102, 103, 5), query, text_in_byte_order=True
    ) == [
        {"month_index": 100, "spend_c": 10, "greenlit": 0, "killed": 0},
        {"month_index": 101, "spend_c": 9, "greenlit": 0, "killed": 0},
        {"month_index": 102, "spend_c": 14, "greenlit": 0, "killed": 0},
        {"month_index": 103, "spend_c": 14, "greenlit": 0, "killed": 0},
    ]


def test_a_project_s_rows_are_replaced_where_they_were_and_new_ones_put_in_order():
    query = merge.queries()["scored_gos"]
    kept = [
        {"project_id": 1, "decided_by": "a@x"},
        {"project_id": 5, "decided_by": "a@x"},
        {"project_id": 5, "decided_by": "b@x"},
        {"project_id": 9, "decided_by": "a@x"},
    ]
    before = [{"project_id": 5, "decided_by": "a@x"}, {"project_id": 5, "decided_by": "b@x"}]
    after = [{"project_id": 5, "decided_by": "c@x"}, {"project_id": 7, "decided_by": "a@x"}]

    assert merge.merged(kept, [before], after, query, text_in_byte_order=False) == [
        {"project_id": 1, "decided_by": "a@x"},
        {"project_id": 5, "decided_by": "c@x"},
        {"project_id": 7, "decided_by": "a@x"},
        {"project_id": 9, "decided_by": "a@x"},
    ]


# --- Changes at once ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("races")
def test_changes_made_at_once_are_merged_as_a_fresh_computation_gives(adam):
    """Each change locks its projects, then the data version, before keeping their parts:
    changes made at once wait for each other, none is lost, and the merge is exact."""
    import threading

    import_sample()
    grant_roles_as_the_files_imply()
    active = list(Project.objects.filter(status=Status.ACTIVE).order_by("key"))
    held, spent_on = active[:6], active[6]
    numbers()
    barrier = threading.Barrier(len(held) + 1)
    failures: list[Exception] = []

    def run(work):
        try:
            barrier.wait()
            work()
        except Exception as error:  # collected and asserted on below
            failures.append(error)
        finally:
            connection.close()

    works = [lambda p=p: decide(p, p.current_gate, "hold") for p in held]
    works.append(
        lambda: record_spend(
            spent_on, timezone.localdate(), "75.00", actor=spent_on.product_manager
        )
    )
    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    assert ProjectChange.objects.count() == len(held)
    after = numbers()
    assert after == computed_afresh()
    assert after["headline"]["on_hold"] >= len(held)


def test_a_process_without_numbers_of_its_own_brings_the_shared_ones_up_to_date(
    sample, full_computations
):
    """A new gunicorn worker (each is recycled every 5,000 requests) finds the numbers
    another process shared in the cache, and merges the changes since into them."""
    numbers()
    incremental._kept.clear()  # this process starts afresh; the cache keeps what it shared
    decide(open_at(sample, 2), 2, "hold")

    assert numbers() == computed_afresh()
    assert merged_once(full_computations)


def test_shared_numbers_of_an_emptied_cache_are_not_used(sample, full_computations):
    from django.core.cache import cache

    numbers()
    key = incremental._SHARED_KEY.format(as_of=timezone.localdate().isoformat())
    shared = cache.get(key)
    incremental._kept.clear()
    cache.clear()  # a new generation: what was kept before is not trusted
    if ON_POSTGRESQL:
        assert shared is not None
        cache.set(key, shared, 60)
    decide(open_at(sample, 2), 2, "hold")

    assert numbers() == computed_afresh()
    assert len(full_computations) == 3


@pytest.mark.postgres
def test_a_process_shares_its_numbers_every_few_versions(sample, monkeypatch):
    monkeypatch.setattr(incremental, "SHARE_EVERY", 1)
    numbers()
    decide(open_at(sample, 2), 2, "hold")
    numbers()

    shared = incremental._shared(Scope.of(), incremental.generation())
    assert shared.version == versioning.current()
    assert shared.numbers == computed_afresh()
