"""The limits of money, counts, minutes and scores are the database's checks too
(portfolio.limits): a row written past the validators (a queryset.update, a bulk_create) one
unit over a limit is refused, the limit itself kept. A form or the admin still says only the
field's own message. A database holding a row over a limit before the checks stops its
migration with a message naming the row."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from gates.models import (
    SCORE_MAX,
    ArchitectureEstimate,
    Criterion,
    CriterionScore,
    Gate,
    GateDecision,
    Vote,
    VoteScore,
)
from planning.models import PlanSettings
from portfolio import counts, money
from portfolio.models import Adoption, Outcome, Project, SpendEntry, Status
from tests.builders import make_project

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
MONEY_OVER = money.LARGEST_AMOUNT + CENT
MINUTES_OVER = counts.LARGEST_MINUTES + CENT
JAN = datetime.date(2026, 1, 1)


def draft_without_projections() -> Project:
    # Empty projections: one projection over the limit then breaks no other check (their order).
    return make_project(
        status=Status.DRAFT, projected_low=None, projected_expected=None, projected_high=None
    )


def spend_entry() -> SpendEntry:
    return SpendEntry.objects.create(
        project=make_project(), spent_on=JAN, amount=Decimal(1), category="compute"
    )


def outcome() -> Outcome:
    return Outcome.objects.create(project=make_project(), month=JAN, realized_value=Decimal(1))


def adoption() -> Adoption:
    return Adoption.objects.create(
        project=make_project(), month=JAN, active_users=1, tasks_completed=1
    )


def estimate() -> ArchitectureEstimate:
    return ArchitectureEstimate.objects.create(
        project=make_project(),
        build_cost=Decimal(1),
        monthly_run_cost=Decimal(1),
        retraining_cadence="quarterly",
    )


def plan_settings() -> PlanSettings:
    return PlanSettings.objects.update_or_create(pk=1)[0]


# (a row, its field, the limit, one unit over, the constraint)
UPDATED = [
    (draft_without_projections, "projected_low", money.LARGEST_AMOUNT, MONEY_OVER, "project_projected_low_within_limit"),
    (draft_without_projections, "projected_expected", money.LARGEST_AMOUNT, MONEY_OVER, "project_projected_expected_within_limit"),
    (draft_without_projections, "projected_high", money.LARGEST_AMOUNT, MONEY_OVER, "project_projected_high_within_limit"),
    (draft_without_projections, "next_stage_ask", money.LARGEST_AMOUNT, MONEY_OVER, "project_ask_within_limit"),
    (spend_entry, "amount", money.LARGEST_AMOUNT, MONEY_OVER, "spend_amount_within_limit"),
    (outcome, "realized_value", money.LARGEST_AMOUNT, MONEY_OVER, "outcome_value_within_limit"),
    (adoption, "active_users", counts.LARGEST_COUNT, counts.LARGEST_COUNT + 1, "adoption_users_within_limit"),
    (adoption, "tasks_completed", counts.LARGEST_COUNT, counts.LARGEST_COUNT + 1, "adoption_tasks_within_limit"),
    (adoption, "minutes_per_task", counts.LARGEST_MINUTES, MINUTES_OVER, "adoption_minutes_within_limit"),
    (adoption, "baseline_minutes_per_task", counts.LARGEST_MINUTES, MINUTES_OVER, "adoption_baseline_within_limit"),
    (estimate, "build_cost", money.LARGEST_AMOUNT, MONEY_OVER, "estimate_build_cost_within_limit"),
    (estimate, "monthly_run_cost", money.LARGEST_AMOUNT, MONEY_OVER, "estimate_run_cost_within_limit"),
    (estimate, "cost_per_retrain", money.LARGEST_AMOUNT, MONEY_OVER, "estimate_retrain_cost_within_limit"),
    (plan_settings, "budget", money.LARGEST_AMOUNT, MONEY_OVER, "plan_budget_within_limit"),
]  # fmt: skip


def refused_by(constraint: str):
    """The database refuses the write, naming ``constraint`` (SQLite and PostgreSQL both do);
    its own savepoint keeps the test's transaction usable on PostgreSQL."""
    return pytest.raises(IntegrityError, match=constraint), transaction.atomic()


@pytest.mark.parametrize(("make_row", "field", "largest", "over", "constraint"), UPDATED)
def test_an_update_one_over_the_limit_is_refused_and_the_limit_kept(
    make_row, field, largest, over, constraint
):
    row = make_row()
    rows = type(row).objects.filter(pk=row.pk)
    refused, savepoint = refused_by(constraint)
    with refused, savepoint:
        rows.update(**{field: over})

    rows.update(**{field: largest})
    assert getattr(rows.get(), field) == largest


def test_a_bulk_created_spend_entry_over_the_limit_is_refused(alice):
    project = make_project()
    entry = {"project": project, "spent_on": JAN, "category": "compute"}
    refused, savepoint = refused_by("spend_amount_within_limit")
    with refused, savepoint:
        SpendEntry.objects.bulk_create([SpendEntry(**entry, amount=MONEY_OVER)])

    SpendEntry.objects.bulk_create([SpendEntry(**entry, amount=money.LARGEST_AMOUNT)])
    assert SpendEntry.objects.get().amount == money.LARGEST_AMOUNT


# --- History: decisions, their scorecards and votes are only ever added ----------------------


def a_decision(project: Project, **fields) -> GateDecision:
    return GateDecision(
        project=project,
        gate=Gate.objects.get(number=1),
        decision="kill",
        decided_by=project.product_manager,
        decided_on=JAN,
        sequence=GateDecision.objects.filter(project=project).count() + 1,
        **fields,
    )


def a_should_meet_criterion() -> Criterion:
    return Criterion.objects.filter(gate__number=1, kind=Criterion.Kind.SHOULD_MEET).first()


def test_a_decision_granting_more_than_the_limit_is_refused():
    project = make_project()
    refused, savepoint = refused_by("decision_funding_within_limit")
    with refused, savepoint:
        GateDecision.objects.bulk_create([a_decision(project, funding_granted=MONEY_OVER)])

    GateDecision.objects.bulk_create([a_decision(project, funding_granted=money.LARGEST_AMOUNT)])
    assert GateDecision.objects.get().funding_granted == money.LARGEST_AMOUNT


def test_a_scorecard_score_over_ten_is_refused():
    decision = a_decision(make_project())
    decision.save()
    score = {"decision": decision, "criterion": a_should_meet_criterion()}
    refused, savepoint = refused_by("score_within_limit")
    with refused, savepoint:
        CriterionScore.objects.bulk_create([CriterionScore(**score, score=SCORE_MAX + 1)])

    CriterionScore.objects.bulk_create([CriterionScore(**score, score=SCORE_MAX)])
    assert CriterionScore.objects.get().score == 10


def test_a_vote_score_over_ten_is_refused(carol):
    project = make_project()
    vote = Vote.objects.create(project=project, gate=Gate.objects.get(number=1), voter=carol)
    score = {"vote": vote, "criterion": a_should_meet_criterion()}
    refused, savepoint = refused_by("vote_score_within_limit")
    with refused, savepoint:
        VoteScore.objects.bulk_create([VoteScore(**score, score=SCORE_MAX + 1)])

    VoteScore.objects.bulk_create([VoteScore(**score, score=SCORE_MAX)])
    assert VoteScore.objects.get().score == 10


# --- The validator speaks, the constraint does not speak twice ------------------------------


@pytest.mark.parametrize(("make_row", "field", "largest", "over", "constraint"), UPDATED)
def test_full_clean_says_only_the_field_s_message(make_row, field, largest, over, constraint):
    row = make_row()
    setattr(row, field, over)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    errors = refused.value.message_dict
    assert NON_FIELD_ERRORS not in errors
    [message] = errors[field]
    assert "at most" in message
    assert constraint not in message


def test_a_score_over_ten_is_the_field_s_error_alone(carol):
    vote = Vote.objects.create(project=make_project(), gate=Gate.objects.get(number=1), voter=carol)
    score = VoteScore(vote=vote, criterion=a_should_meet_criterion(), score=SCORE_MAX + 1)
    with pytest.raises(ValidationError) as refused:
        score.full_clean()
    assert refused.value.message_dict == {
        "score": ["Ensure this value is less than or equal to 10."]
    }


@pytest.fixture
def root(client, db, django_user_model):
    user = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(user)
    return user


def test_the_admin_says_the_spend_amount_s_message_alone(client, root, project):
    url = reverse("admin:portfolio_spendentry_add")
    data = {"project": str(project.pk), "spent_on": "2026-11-03", "category": "compute"}

    response = client.post(url, data | {"amount": str(MONEY_OVER)})

    assert response.status_code == 200, "saved"
    assert response.context["adminform"].form.errors == {
        "amount": [f"Spend amount: at most {money.LARGEST_AMOUNT_TEXT} (13 digits before the "
                   "decimal point)."]
    }  # fmt: skip
    assert "spend_amount_within_limit" not in response.text
    assert not SpendEntry.objects.exists()


def test_the_admin_says_the_budget_s_message_alone(client, root):
    settings = plan_settings()
    url = reverse("admin:planning_plansettings_change", args=[settings.pk])
    data = {"horizon": "5", "discount_rate": "0.08", "target_efficiency": "", "target_revenue": ""}
    data |= {"target_new_category": ""}

    response = client.post(url, data | {"budget": str(MONEY_OVER)})

    assert response.status_code == 200, "saved"
    [message] = response.context["adminform"].form.errors["budget"]
    assert message.startswith("Budget: at most 9,999,999,999,999.99")
    assert list(response.context["adminform"].form.errors) == ["budget"]
    assert client.post(url, data | {"budget": str(money.LARGEST_AMOUNT)}).status_code == 302
    assert PlanSettings.load().budget == money.LARGEST_AMOUNT


# --- A database that holds a row over a limit before the checks ------------------------------

BEFORE = [
    ("portfolio", "0017_text_line_endings"),
    ("gates", "0016_text_line_endings"),
    ("planning", "0004_scenario_keys_follow_corrections"),
]


def migrate_to_the_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets) -> None:
    # From the latest first: a plan both forwards and backwards is refused (another test in
    # this process may have left an app at an older migration).
    migrate_to_the_latest()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_a_row_over_a_limit_stops_the_migration_with_a_message_naming_it():
    migrate(BEFORE)
    try:
        project = make_project(key="GL-0090")
        entry = SpendEntry.objects.create(
            project=project, spent_on=JAN, amount=Decimal(1), category="compute"
        )
        SpendEntry.objects.filter(pk=entry.pk).update(amount=MONEY_OVER)
        Project.objects.filter(pk=project.pk).update(next_stage_ask=MONEY_OVER)

        with pytest.raises(CommandError) as stopped:
            migrate_to_the_latest()

        message = str(stopped.value)
        assert (
            "portfolio_project (key GL-0090): next_stage_ask is 10000000000000.00, over "
            "9999999999999.99; correct it in the admin (/admin/portfolio/project/)."
        ) in message
        assert (
            f"portfolio_spendentry (project GL-0090, spent on 2026-01-01, id {entry.pk}): "
            "amount is 10000000000000.00, over 9999999999999.99"
        ) in message
        assert "then run migrate again" in message
        # Nothing was changed: the rows are as they were, and no check was added.
        assert SpendEntry.objects.get().amount == MONEY_OVER

        # Corrected, the migration goes through, and the database keeps the limit from then on.
        SpendEntry.objects.filter(pk=entry.pk).update(amount=money.LARGEST_AMOUNT)
        Project.objects.filter(pk=project.pk).update(next_stage_ask=None)
        migrate_to_the_latest()
        refused, savepoint = refused_by("spend_amount_within_limit")
        with refused, savepoint:
            SpendEntry.objects.update(amount=MONEY_OVER)
    finally:
        SpendEntry.objects.update(amount=Decimal(1))
        Project.objects.update(next_stage_ask=None)
        migrate_to_the_latest()


@pytest.mark.django_db(transaction=True)
def test_a_vote_score_over_ten_stops_the_migration_naming_its_vote(carol):
    migrate(BEFORE)
    try:
        vote = Vote.objects.create(
            project=make_project(key="GL-0091"), gate=Gate.objects.get(number=1), voter=carol
        )
        criterion = a_should_meet_criterion()
        VoteScore.objects.create(vote=vote, criterion=criterion, score=11)

        with pytest.raises(CommandError) as stopped:
            migrate_to_the_latest()

        assert (
            "gates_votescore (project GL-0091, gate 1, voter carol@example.com, "
            f"criterion {criterion.name}): score is 11, over 10; correct it by the gatekeeper "
            "voting again"
        ) in str(stopped.value)
    finally:
        VoteScore.objects.update(score=None)
        migrate_to_the_latest()
