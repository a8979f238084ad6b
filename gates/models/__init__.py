"""The stage-gate process: gates and their criteria, deliverables, decisions."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from portfolio import money, process
from portfolio.limits import at_least, at_most, between
from portfolio.models import MONEY, PROBABILITY, Project, User, scaled_integer
from portfolio.validators import MoneyLimitValidator, validate_one_line


class Gate(models.Model):
    """One of the four gates; its deliverables and criteria are editable data."""

    number = models.PositiveSmallIntegerField(
        unique=True,
        validators=[MinValueValidator(process.FIRST_GATE), MaxValueValidator(process.LAST_GATE)],
    )
    name = models.CharField(max_length=64, validators=[validate_one_line])
    purpose = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            between("number", process.FIRST_GATE, process.LAST_GATE, name="gate_number_in_range"),
        ]

    def __str__(self) -> str:
        return f"Gate {self.number}: {self.name}"

    @property
    def is_last(self) -> bool:
        return self.number == process.LAST_GATE


# The kinds of deliverable (FEASIBILITY_STUDY, …), from the process's table of them.
DeliverableKind = models.TextChoices(
    "DeliverableKind",
    [(d.kind.upper(), (d.kind, d.label)) for d in process.DELIVERABLES],
)


class RequiredDeliverable(models.Model):
    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="required_deliverables")
    kind = models.CharField(max_length=32, choices=DeliverableKind.choices)

    class Meta:
        ordering = ["gate", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["gate", "kind"], name="gate_deliverable_once"),
        ]

    def __str__(self) -> str:
        return f"{self.gate}: {self.get_kind_display()}"


class Criterion(models.Model):
    class Kind(models.TextChoices):
        MUST_MEET = "must", "Must meet (yes/no)"
        SHOULD_MEET = "should", "Should meet (scored 0–10)"

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200, validators=[validate_one_line])
    help_text = models.TextField(blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Weight of a should-meet score; ignored for must-meet criteria.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Retired criteria stay on past scorecards but are not asked."
    )

    class Meta:
        ordering = ["gate", "kind", "position", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            at_least("weight", Decimal(0), name="criterion_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_must_meet(self) -> bool:
        return self.kind == self.Kind.MUST_MEET


# --- Deliverables ---------------------------------------------------------------


class FeasibilityStudy(models.Model):
    """The researcher's study: did the hypothesis hold, and what next."""

    class HypothesisHeld(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"
        INCONCLUSIVE = "inconclusive", "Inconclusive"

    class Confidence(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class NextStep(models.TextChoices):
        CONTINUE = "continue", "Continue to the next stage"
        ANOTHER_ROUND = "another_round", "Another round of research"
        PIVOT = "pivot", "Pivot the approach"
        STOP = "stop", "Stop the project"

    kind = DeliverableKind.FEASIBILITY_STUDY
    project = models.OneToOneField(
        Project,
        on_delete=models.CASCADE,
        related_name=process.DELIVERABLES_BY_KIND["feasibility_study"].relation,
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField()
    hypothesis_held = models.CharField(max_length=16, choices=HypothesisHeld.choices)
    evidence = models.TextField()
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    recommended_next_step = models.CharField(max_length=16, choices=NextStep.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "feasibility studies"

    def __str__(self) -> str:
        return f"Feasibility study of {self.project.key}"


class ArchitectureEstimate(models.Model):
    """The architect's cost to reach and stay in production."""

    class Cadence(models.TextChoices):
        NONE = "none", "Never"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        SEMIANNUAL = "semiannual", "Twice a year"
        ANNUAL = "annual", "Yearly"

    RETRAINS_PER_YEAR = process.RETRAINS_PER_YEAR

    kind = DeliverableKind.ARCHITECTURE_ESTIMATE
    project = models.OneToOneField(
        Project,
        on_delete=models.CASCADE,
        related_name=process.DELIVERABLES_BY_KIND["architecture_estimate"].relation,
    )
    # Empty only for an estimate imported without its architect (estimates.csv's
    # estimated_by is optional).
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    build_cost = models.DecimalField(
        **MONEY, validators=[MinValueValidator(Decimal(0)), MoneyLimitValidator("Build cost")]
    )
    monthly_run_cost = models.DecimalField(
        **MONEY, validators=[MinValueValidator(Decimal(0)), MoneyLimitValidator("Monthly run cost")]
    )
    retraining_cadence = models.CharField(max_length=16, choices=Cadence.choices)
    cost_per_retrain = models.DecimalField(
        **MONEY,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MoneyLimitValidator("Cost per retrain")],
    )
    platform_reused = models.CharField(max_length=200, blank=True, validators=[validate_one_line])
    build_or_buy_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            at_most("build_cost", money.LARGEST_AMOUNT, name="estimate_build_cost_within_limit"),
            at_most(
                "monthly_run_cost", money.LARGEST_AMOUNT, name="estimate_run_cost_within_limit"
            ),
            at_most(
                "cost_per_retrain", money.LARGEST_AMOUNT, name="estimate_retrain_cost_within_limit"
            ),
            at_least("build_cost", Decimal(0), name="estimate_build_cost_not_negative"),
            at_least("monthly_run_cost", Decimal(0), name="estimate_run_cost_not_negative"),
            at_least("cost_per_retrain", Decimal(0), name="estimate_retrain_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Architecture estimate of {self.project.key}"

    @property
    def retrains_per_year(self) -> int:
        return self.RETRAINS_PER_YEAR[self.retraining_cadence]

    @property
    def three_year_total(self) -> Decimal:
        """Build once, run 36 months, retrain three years' worth."""
        return (
            self.build_cost
            + 36 * self.monthly_run_cost
            + 3 * self.retrains_per_year * self.cost_per_retrain
        )


class BusinessCase(models.Model):
    """The product manager's case: who buys, why now, what it is worth."""

    kind = DeliverableKind.BUSINESS_CASE
    project = models.OneToOneField(
        Project,
        on_delete=models.CASCADE,
        related_name=process.DELIVERABLES_BY_KIND["business_case"].relation,
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    customer_problem = models.TextField()
    value_rationale = models.TextField(help_text="How the projected value range was reached.")
    strategic_fit = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Business case of {self.project.key}"


DELIVERABLE_MODELS = {
    DeliverableKind(d.kind): model
    for d in process.DELIVERABLES
    for model in (FeasibilityStudy, ArchitectureEstimate, BusinessCase)
    if model._meta.label == d.model
}
DELIVERABLE_RELATED_NAMES = {DeliverableKind(d.kind): d.relation for d in process.DELIVERABLES}


# --- Decisions -----------------------------------------------------------------


class AppendOnlyError(ValidationError):
    """A gate decision is history: it cannot be changed or removed."""

    def __init__(
        self, message="Gate decisions are records of history: never edited, never deleted."
    ):
        super().__init__(message)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError()

    def delete(self):
        raise AppendOnlyError()

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError()

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError()


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError()


# A decision's rationale: the API took 10,000 characters and the decision form any number,
# so a rationale the page took could be one no script could send. The form, the API and
# record_decision read this limit (a TextField's max_length is the forms', no column's).
RATIONALE_MAX = 10_000
# A should-meet criterion's score, on a decision's scorecard and a gatekeeper's vote: 0 to this
# (the field's validator and the database's check).
SCORE_MAX = 10

# GO, KILL, HOLD, RECYCLE, from the process.
DecisionKind = models.TextChoices(
    "DecisionKind",
    [(kind.upper(), (kind, label)) for kind, label in process.DECISION_LABELS.items()],
)


class GateDecision(AppendOnlyModel):
    """A decision at a gate. Append-only, in the model layer and (on PostgreSQL) by trigger."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="decisions")
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=8, choices=DecisionKind.choices)
    funding_granted = models.DecimalField(
        **MONEY,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MoneyLimitValidator("Funding granted")],
    )
    probability_of_success = models.DecimalField(**PROBABILITY, null=True, blank=True)
    # The same in the metrics' units (portfolio.models.scaled_integer).
    funding_granted_cents = scaled_integer("funding_granted", 100)
    probability_ten_thousandths = scaled_integer("probability_of_success", 10000)
    rationale = models.TextField(blank=True, max_length=RATIONALE_MAX)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="gate_decisions")
    decided_on = models.DateField()
    # Order of recording within the project: decisions on one date keep it.
    sequence = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    scorecard_total = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["project", "sequence"]
        indexes = [
            models.Index(fields=["decided_on"]),
            models.Index(fields=["gate", "decision"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sequence"], name="decision_sequence_unique"
            ),
            models.CheckConstraint(condition=Q(funding_granted__gte=0), name="decision_funding_ok"),
            at_most("funding_granted", money.LARGEST_AMOUNT, name="decision_funding_within_limit"),
            models.CheckConstraint(
                condition=Q(probability_of_success__isnull=True)
                | (Q(probability_of_success__gte=0) & Q(probability_of_success__lte=1)),
                name="decision_probability_in_unit_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.key} gate {self.gate.number}: {self.get_decision_display()}"

    # The panel's view of a decision, derived from its frozen votes and verdicts (prefetch
    # ``votes`` and ``kill_verdicts`` when listing many).
    @property
    def cast_votes(self) -> list:
        return [vote for vote in self.votes.all() if vote.recommendation]

    @property
    def majority(self) -> str | None:
        return majority_recommendation([vote.recommendation for vote in self.cast_votes])

    @property
    def against_majority(self) -> bool:
        majority = self.majority
        return majority is not None and majority != self.decision

    @property
    def dissenters(self) -> list:
        return [vote for vote in self.cast_votes if vote.recommendation != self.decision]

    @property
    def without_quorum(self) -> bool:
        return any(not vote.recommendation for vote in self.votes.all())

    @property
    def overrides_kill_criteria(self) -> bool:
        return self.decision == DecisionKind.GO and any(
            not verdict.met for verdict in self.kill_verdicts.all()
        )


class CriterionScore(AppendOnlyModel):
    """One line of the scorecard behind a decision, frozen with it."""

    decision = models.ForeignKey(GateDecision, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    met = models.BooleanField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(SCORE_MAX)]
    )
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(1))
    # The criterion as it was when the decision was recorded (with ``weight`` above):
    # renaming or retyping a criterion later does not rewrite a recorded scorecard.
    criterion_name = models.CharField(max_length=200, default="")
    criterion_kind = models.CharField(max_length=8, choices=Criterion.Kind.choices, default="")

    objects = AppendOnlyQuerySet.as_manager()

    @property
    def is_must_meet(self) -> bool:
        return self.criterion_kind == Criterion.Kind.MUST_MEET

    class Meta:
        ordering = ["decision", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "criterion"], name="score_once"),
            at_most("score", SCORE_MAX, null=True, name="score_within_limit"),
            # A copy of the criterion's weight, held to the same smallest value.
            at_least("weight", Decimal(0), name="score_weight_not_negative"),
        ]


class ImportJobQuerySet(models.QuerySet):
    def unfinished(self) -> ImportJobQuerySet:
        return self.filter(status__in=[ImportJob.Status.WAITING, ImportJob.Status.RUNNING])


class ImportJob(models.Model):
    """A portfolio import uploaded from the page, run by the task worker (gates/import_jobs.py).

    Its page shows the progress while it runs and the summary, or every
    problem, once it has finished; the uploaded files wait in ``ImportUpload``
    (the database, so any worker on any machine can read them) until then.
    """

    class Status(models.TextChoices):
        # A replace, checked (``outlook``), until its uploader confirms it.
        STAGED = "staged", "Awaiting confirmation"
        WAITING = "waiting", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    replace = models.BooleanField(default=False)
    upload_bytes = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    phase = models.CharField(max_length=200, blank=True)
    rows_checked = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    # FILE:LINE: column: message, one per problem, when the files were refused.
    problems = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)  # why it failed, when not for the files' problems
    # A replace of projects the app has: the worker checks the files and works out what it
    # would replace first (``outlook``), then the job waits (STAGED, from ``staged_at``) for
    # its uploader to confirm it; confirmed, it is queued again to import.
    check_first = models.BooleanField(default=False)
    outlook = models.JSONField(null=True, blank=True)
    staged_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"], name="importjob_status_idx")]

    def __str__(self) -> str:
        return f"import #{self.pk} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def in_progress(self) -> bool:
        """Queued or running: its page follows it."""
        return self.status in (self.Status.WAITING, self.Status.RUNNING)

    @property
    def problem_count(self) -> int:
        """How many problems the files had: past the listed ones, the last line counts the rest."""
        from gates.interchange.format import problem_total

        return problem_total(self.problems)


class ImportUpload(models.Model):
    """One piece of an uploaded file of an import job, deleted once the job has finished."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="uploads")
    file_name = models.CharField(max_length=40)
    sequence = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job", "file_name", "sequence"], name="importupload_piece_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} piece {self.sequence} of import #{self.job_id}"


# The decision panel (gatekeepers, votes, kill criteria) lives in its own module.
from gates.models.panel import (  # noqa: E402
    FrozenAfterDecisionError,
    Gatekeeper,
    KillCriterion,
    KillCriterionMark,
    KillCriterionVerdict,
    Vote,
    VoteReminder,
    VoteScore,
    majority_recommendation,
)

__all__ = [
    "LAST_GATE",
    "AppendOnlyError",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "ArchitectureEstimate",
    "BusinessCase",
    "Criterion",
    "CriterionScore",
    "DELIVERABLE_MODELS",
    "DELIVERABLE_RELATED_NAMES",
    "DecisionKind",
    "DeliverableKind",
    "FeasibilityStudy",
    "FrozenAfterDecisionError",
    "Gate",
    "GateDecision",
    "Gatekeeper",
    "ImportJob",
    "ImportUpload",
    "KillCriterion",
    "KillCriterionMark",
    "KillCriterionVerdict",
    "RATIONALE_MAX",
    "SCORE_MAX",
    "RequiredDeliverable",
    "Vote",
    "VoteReminder",
    "VoteScore",
    "majority_recommendation",
]
