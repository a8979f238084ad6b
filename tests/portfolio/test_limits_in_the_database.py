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
from portfolio.limits import at_least, at_most, between, bounds_of
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
    assert message.startswith("Enter an amount of at most 9,999,999,999,999.99")
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
    # Made first: today's Project has columns the older tables lack (its generated ones).
    project = make_project(key="GL-0090")
    migrate(BEFORE)
    try:
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
    project = make_project(key="GL-0091")  # first, as above
    migrate(BEFORE)
    try:
        vote = Vote.objects.create(project=project, gate=Gate.objects.get(number=1), voter=carol)
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


# --- The smallest values: a negative cost, ask, weight or budget is the database's to refuse too


MONEY_BELOW = Decimal("-0.01")
SHARE_STEP = Decimal("0.0001")  # a probability's and a share's last decimal


def a_criterion() -> Criterion:
    return a_should_meet_criterion()


def a_gate() -> Gate:
    return Gate.objects.get(number=1)


def the_last_gate() -> Gate:
    return Gate.objects.get(number=4)


# (a row, its field, its smallest value, one unit below, the constraint): checks added with them
BELOW = [
    (draft_without_projections, "projected_expected", Decimal(0), MONEY_BELOW, "project_projected_expected_not_negative"),
    (draft_without_projections, "projected_high", Decimal(0), MONEY_BELOW, "project_projected_high_not_negative"),
    (draft_without_projections, "next_stage_ask", Decimal(0), MONEY_BELOW, "project_ask_not_negative"),
    (draft_without_projections, "latest_probability", Decimal(0), -SHARE_STEP, "project_latest_probability_in_unit_interval"),
    (estimate, "build_cost", Decimal(0), MONEY_BELOW, "estimate_build_cost_not_negative"),
    (estimate, "monthly_run_cost", Decimal(0), MONEY_BELOW, "estimate_run_cost_not_negative"),
    (estimate, "cost_per_retrain", Decimal(0), MONEY_BELOW, "estimate_retrain_cost_not_negative"),
    (a_criterion, "weight", Decimal(0), MONEY_BELOW, "criterion_weight_not_negative"),
    (a_gate, "number", 1, 0, "gate_number_in_range"),
    (plan_settings, "budget", CENT, Decimal(0), "plan_budget_positive"),
    (plan_settings, "horizon", 1, 0, "plan_horizon_in_range"),
    (plan_settings, "discount_rate", Decimal(0), -SHARE_STEP, "plan_discount_rate_in_range"),
    (plan_settings, "target_efficiency", Decimal(0), -SHARE_STEP, "plan_target_efficiency_in_unit_interval"),
    (plan_settings, "target_revenue", Decimal(0), -SHARE_STEP, "plan_target_revenue_in_unit_interval"),
    (plan_settings, "target_new_category", Decimal(0), -SHARE_STEP, "plan_target_new_category_in_unit_interval"),
]  # fmt: skip

# The running totals the services keep: no validator (no page or form writes them).
TOTALS = [
    (draft_without_projections, "spend_total", Decimal(0), MONEY_BELOW, "project_spend_total_not_negative"),
    (draft_without_projections, "funding_granted_total", Decimal(0), MONEY_BELOW, "project_funding_granted_total_not_negative"),
]  # fmt: skip

# The same checks' largest values, for the fields bounded on both sides that had no check
ABOVE = [
    (draft_without_projections, "latest_probability", Decimal(1), 1 + SHARE_STEP, "project_latest_probability_in_unit_interval"),
    (the_last_gate, "number", 4, 5, "gate_number_in_range"),
    (plan_settings, "horizon", 10, 11, "plan_horizon_in_range"),
    (plan_settings, "discount_rate", Decimal("0.9999"), Decimal(1), "plan_discount_rate_in_range"),
    (plan_settings, "target_efficiency", Decimal(1), 1 + SHARE_STEP, "plan_target_efficiency_in_unit_interval"),
    (plan_settings, "target_revenue", Decimal(1), 1 + SHARE_STEP, "plan_target_revenue_in_unit_interval"),
    (plan_settings, "target_new_category", Decimal(1), 1 + SHARE_STEP, "plan_target_new_category_in_unit_interval"),
]  # fmt: skip

# The smallest values the database kept before: the rest of the fields whose validators
# refuse less (Django's own check of a positive integer column names its column).
KEPT_BEFORE = [
    (draft_without_projections, "projected_low", Decimal(0), MONEY_BELOW, "project_projected_range_ordered"),
    (draft_without_projections, "probability_of_success", Decimal(0), -SHARE_STEP, "project_probability_in_unit_interval"),
    (outcome, "realized_value", Decimal(0), MONEY_BELOW, "outcome_value_not_negative"),
    (adoption, "active_users", 0, -1, "active_users"),
    (adoption, "tasks_completed", 0, -1, "tasks_completed"),
    (adoption, "minutes_per_task", Decimal(0), MONEY_BELOW, "adoption_minutes_not_negative"),
    (adoption, "baseline_minutes_per_task", CENT, Decimal(0), "adoption_baseline_positive"),
    (spend_entry, "amount", CENT, Decimal(0), "spend_amount_positive"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make_row", "field", "smallest", "below", "constraint"), BELOW + ABOVE + KEPT_BEFORE + TOTALS
)
def test_an_update_past_the_smallest_value_is_refused_and_the_value_kept(
    make_row, field, smallest, below, constraint
):
    row = make_row()
    rows = type(row).objects.filter(pk=row.pk)
    refused, savepoint = refused_by(constraint)
    with refused, savepoint:
        rows.update(**{field: below})

    rows.update(**{field: smallest})
    assert getattr(rows.get(), field) == smallest


@pytest.mark.parametrize(
    ("field", "below", "constraint"),
    [
        ("funding_granted", {"funding_granted": MONEY_BELOW}, "decision_funding_ok"),
        (
            "probability_of_success",
            {"probability_of_success": -SHARE_STEP},
            "decision_probability_in_unit_interval",
        ),
    ],
)
def test_a_decision_below_the_smallest_value_is_refused(field, below, constraint):
    project = make_project()
    refused, savepoint = refused_by(constraint)
    with refused, savepoint:
        GateDecision.objects.bulk_create([a_decision(project, **below)])
    assert not GateDecision.objects.exists()


def test_a_negative_vote_score_is_refused(carol):
    vote = Vote.objects.create(project=make_project(), gate=a_gate(), voter=carol)
    refused, savepoint = refused_by("score")
    with refused, savepoint:
        VoteScore.objects.bulk_create(
            [VoteScore(vote=vote, criterion=a_should_meet_criterion(), score=-1)]
        )
    refused, savepoint = refused_by("vote_probability_in_unit_interval")
    with refused, savepoint:
        Vote.objects.filter(pk=vote.pk).update(probability_of_success=-SHARE_STEP)


def test_a_negative_weight_on_a_recorded_or_a_gatekeepers_scorecard_is_refused(carol):
    """Each line keeps a copy of its criterion's weight: held to the criterion's smallest."""
    decision = a_decision(make_project())
    decision.save()
    vote = Vote.objects.create(project=decision.project, gate=a_gate(), voter=carol)
    criterion = a_should_meet_criterion()
    refused, savepoint = refused_by("score_weight_not_negative")
    with refused, savepoint:
        CriterionScore.objects.bulk_create(
            [CriterionScore(decision=decision, criterion=criterion, weight=MONEY_BELOW)]
        )
    refused, savepoint = refused_by("vote_score_weight_not_negative")
    with refused, savepoint:
        VoteScore.objects.bulk_create(
            [VoteScore(vote=vote, criterion=criterion, weight=MONEY_BELOW)]
        )

    CriterionScore.objects.bulk_create(
        [CriterionScore(decision=decision, criterion=criterion, weight=Decimal(0))]
    )
    VoteScore.objects.bulk_create([VoteScore(vote=vote, criterion=criterion, weight=Decimal(0))])
    assert CriterionScore.objects.get().weight == VoteScore.objects.get().weight == 0


def lower_bound_checks(model) -> dict[str, object]:
    """The smallest value each field is held to by a check made by at_least or between (or
    an older one written alike), by the field."""
    smallest = {}
    for constraint in model._meta.constraints:
        try:
            bounds = bounds_of(constraint)
        except (AttributeError, ValueError):
            continue  # not a bound of one field
        if bounds.smallest is not None:
            smallest[bounds.field] = bounds.smallest
    return smallest


# Fields whose smallest value a check written otherwise keeps (tested above, on the database).
KEPT_OTHERWISE = {
    ("portfolio", "project", "projected_low"),  # project_projected_range_ordered
    ("portfolio", "adoption", "baseline_minutes_per_task"),  # > 0, with 2 decimals: 0.01
}


def test_every_field_a_validator_holds_to_a_smallest_value_has_a_check_of_it():
    from django.apps import apps
    from django.core.validators import MinValueValidator

    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in {"portfolio", "gates", "planning", "api", "boardpack"}:
            continue
        checks = lower_bound_checks(model)
        for field in model._meta.concrete_fields:
            for validator in field._validators:  # its own, not the column's range
                if not isinstance(validator, MinValueValidator):
                    continue
                where = (model._meta.app_label, model._meta.model_name, field.name)
                if where in KEPT_OTHERWISE:
                    continue
                if checks.get(field.name) != validator.limit_value:
                    missing.append(".".join(where))
    assert missing == []


@pytest.mark.parametrize(("make_row", "field", "smallest", "below", "constraint"), BELOW + ABOVE)
def test_full_clean_says_only_the_field_s_message_of_its_smallest_value(
    make_row, field, smallest, below, constraint
):
    row = make_row()
    setattr(row, field, below)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    errors = refused.value.message_dict
    assert f"than or equal to {smallest}." in errors[field][0]
    # No message of a check: a target over 1 makes the targets' sum over 1 too (the model's
    # clean says so), a discount rate of 1 is refused by its clean as well.
    said = [message for messages in errors.values() for message in messages]
    assert not [message for message in said if "Constraint" in message or constraint in message]
    assert set(errors) <= {field, NON_FIELD_ERRORS}


def admin_form_data(client, url) -> dict:
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    return {k: v for k, v in data.items() if v is not None and v is not False}


def test_the_admin_says_a_criterion_s_negative_weight_alone(client, root):
    criterion = a_criterion()
    url = reverse("admin:gates_criterion_change", args=[criterion.pk])

    response = client.post(url, admin_form_data(client, url) | {"weight": "-1"})

    assert response.status_code == 200, "saved"
    assert response.context["adminform"].form.errors == {
        "weight": ["Ensure this value is greater than or equal to 0."]
    }
    assert "criterion_weight_not_negative" not in response.text
    assert Criterion.objects.get(pk=criterion.pk).weight == criterion.weight


@pytest.mark.parametrize(
    ("field", "sent", "message"),
    [
        ("budget", "0", "Ensure this value is greater than or equal to 0.01."),
        ("horizon", "0", "Ensure this value is greater than or equal to 1."),
        ("discount_rate", "-0.01", "Ensure this value is greater than or equal to 0."),
        ("target_revenue", "-0.1", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_the_admin_says_a_plan_setting_s_smallest_value_alone(client, root, field, sent, message):
    settings = plan_settings()
    url = reverse("admin:planning_plansettings_change", args=[settings.pk])
    data = {"budget": "100", "horizon": "5", "discount_rate": "0.08", "target_efficiency": ""}
    data |= {"target_revenue": "", "target_new_category": ""}

    response = client.post(url, data | {field: sent})

    assert response.status_code == 200, "saved"
    assert response.context["adminform"].form.errors == {field: [message]}
    assert "_in_range" not in response.text and "plan_budget_positive" not in response.text
    assert PlanSettings.load().budget == settings.budget


def test_the_estimate_page_says_a_negative_cost_s_message_alone(client, project, carol):
    from tests.builders import decide

    decide(project, 1, "go")  # the estimate is asked for from gate 2
    client.force_login(carol)
    url = reverse("architecture_estimate_edit", args=[project.key])
    sent = {"build_cost": "-1", "monthly_run_cost": "10", "retraining_cadence": "none"}

    response = client.post(url, sent)

    assert response.status_code == 400
    assert response.context["form"].errors == {"build_cost": ["Enter an amount of at least 0."]}
    assert "estimate_build_cost_not_negative" not in response.text
    assert not ArchitectureEstimate.objects.exists()


BEFORE_THE_SMALLEST = [
    ("portfolio", "0018_limits_in_the_database"),
    ("gates", "0017_limits_in_the_database"),
    ("planning", "0005_limit_in_the_database"),
]


@pytest.mark.django_db(transaction=True)
def test_a_row_below_a_limit_stops_the_migration_with_a_message_naming_it():
    project = make_project(key="GL-0092")  # first, as above
    migrate(BEFORE_THE_SMALLEST)
    criterion = a_criterion()
    try:
        cost = ArchitectureEstimate.objects.create(
            project=project,
            build_cost=Decimal(1),
            monthly_run_cost=Decimal(1),
            retraining_cadence="quarterly",
        )
        Project.objects.filter(pk=project.pk).update(
            next_stage_ask=Decimal(-1), latest_probability=Decimal("1.5")
        )
        ArchitectureEstimate.objects.filter(pk=cost.pk).update(build_cost=Decimal(-1))
        Criterion.objects.filter(pk=criterion.pk).update(weight=Decimal(-1))
        settings = plan_settings()
        PlanSettings.objects.update(horizon=0)

        # Each app's migration stops in its turn; its rows corrected, the next one runs.
        corrections = {
            "portfolio": lambda: Project.objects.update(
                next_stage_ask=None, latest_probability=None
            ),
            "gates": lambda: (
                ArchitectureEstimate.objects.update(build_cost=Decimal(1)),
                Criterion.objects.filter(pk=criterion.pk).update(weight=criterion.weight),
            ),
            "planning": lambda: PlanSettings.objects.update(horizon=3),
        }
        said = {}
        while corrections:
            with pytest.raises(CommandError) as stopped:
                migrate_to_the_latest()
            message = str(stopped.value)
            app = message.split(":")[0]
            said[app] = message
            corrections.pop(app)()
        migrate_to_the_latest()

        assert (
            "portfolio_project (key GL-0092): next_stage_ask is -1.00, below 0; correct it in "
            "the admin (/admin/portfolio/project/)."
        ) in said["portfolio"]
        assert (
            "portfolio_project (key GL-0092): latest_probability is 1.5000, over 1; correct it "
            "by hand in the database, to the probability of success of the project's latest "
            "decision that gave one (empty when none did)."
        ) in said["portfolio"]
        assert "2 row(s) are outside a limit" in said["portfolio"]
        assert (
            "Correct each as said (within its limits), then run migrate again."
            in (said["portfolio"])
        )
        assert (
            "gates_architectureestimate (project GL-0092): build_cost is -1.00, below 0; correct "
            "it on the project's architecture estimate page"
        ) in said["gates"]
        assert (
            f"gates_criterion (gate 1, criterion {criterion.name}): weight is -1.00, below 0; "
            "correct it in the admin (/admin/gates/criterion/)."
        ) in said["gates"]
        assert (
            f"planning_plansettings (id {settings.pk}): horizon is 0, below 1; correct it in the "
            "admin (/admin/planning/plansettings/)."
        ) in said["planning"]

        # From then on the database keeps the smallest values.
        refused, savepoint = refused_by("estimate_build_cost_not_negative")
        with refused, savepoint:
            ArchitectureEstimate.objects.update(build_cost=MONEY_BELOW)
    finally:
        Project.objects.update(next_stage_ask=None, latest_probability=None)
        ArchitectureEstimate.objects.update(build_cost=Decimal(1))
        Criterion.objects.filter(pk=criterion.pk).update(weight=criterion.weight)
        PlanSettings.objects.update(horizon=3)
        migrate_to_the_latest()


def test_a_limit_says_which_side_a_value_is_outside():
    share = between("target_revenue", Decimal(0), Decimal(1), null=True, name="share")
    bounds = bounds_of(share)
    assert (bounds.field, bounds.smallest, bounds.largest) == ("target_revenue", 0, 1)
    assert bounds.said(Decimal("-0.5")) == "below 0"
    assert bounds.said(Decimal("1.5")) == "over 1"
    assert bounds.all_said() == "below 0 or over 1"
    assert bounds_of(at_least("weight", Decimal(0), name="w")).all_said() == "below 0"
    assert bounds_of(at_most("score", SCORE_MAX, name="s")).all_said() == "over 10"
