"""The decision panel: who judges a gate, their blind votes, and pre-registered kill criteria."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from gates.models import (
    SCORE_MAX,
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    Criterion,
    DecisionKind,
    Gate,
    GateDecision,
)
from portfolio.limits import at_least, at_most
from portfolio.models import PROBABILITY, Project, Role, User

# A vote's comment, as long as a decision's rationale may be in the API: the vote form
# took 4,000 characters and the API 10,000, so a gatekeeper whose comment a script sent
# could not change their vote on the page without cutting it. The form and the API read
# this limit (a TextField's max_length is the forms', no column's).
COMMENT_MAX = 10_000


def majority_recommendation(recommendations: list[str]) -> str | None:
    """The recommendation with the most votes; none when nobody voted or the top is a tie."""
    counts = Counter(r for r in recommendations if r).most_common()
    if not counts or (len(counts) > 1 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


class Gatekeeper(models.Model):
    """Who, besides the project's product manager (who always chairs), judges a gate.

    Heavier gates get more judges; admins edit these rows per gate.
    """

    class Kind(models.TextChoices):
        ARCHITECT = "architect", "The project's architect"
        ROLE = "role", "Everyone with a role"
        PERSON = "person", "A named person"

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="gatekeepers")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    role = models.CharField(
        max_length=32, choices=Role.choices, blank=True, help_text="For “Everyone with a role”."
    )
    person = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="For “A named person”.",
    )

    class Meta:
        ordering = ["gate", "kind", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="role") & ~Q(role="") & Q(person__isnull=True))
                | (Q(kind="person") & Q(role="") & Q(person__isnull=False))
                | (Q(kind="architect") & Q(role="") & Q(person__isnull=True)),
                name="gatekeeper_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.ROLE:
            return f"{self.gate}: every {self.role.lower()}"
        if self.kind == self.Kind.PERSON:
            return f"{self.gate}: {self.person}"
        return f"{self.gate}: the project's architect"

    def clean(self) -> None:
        if self.kind == self.Kind.ROLE and not self.role:
            raise ValidationError({"role": "Choose the role whose members judge this gate."})
        if self.kind == self.Kind.PERSON and self.person_id is None:
            raise ValidationError({"person": "Choose the person who judges this gate."})
        if self.kind != self.Kind.ROLE:
            self.role = ""
        if self.kind != self.Kind.PERSON:
            self.person = None


class FrozenAfterDecisionError(AppendOnlyError):
    def __init__(self):
        super().__init__("The decision is recorded: its votes are history and cannot change.")


class OpenUntilDecidedQuerySet(models.QuerySet):
    """Votes (and their answers) change freely until the decision; then they are history."""

    decided_lookup = "decision__isnull"

    def _refuse_if_decided(self) -> None:
        if self.filter(**{self.decided_lookup: False}).exists():
            raise FrozenAfterDecisionError()

    def update(self, **kwargs):
        self._refuse_if_decided()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_decided()
        return super().delete()

    def bulk_update(self, objs, fields, batch_size=None):
        raise FrozenAfterDecisionError()


class VotePartQuerySet(OpenUntilDecidedQuerySet):
    decided_lookup = "vote__decision__isnull"


class VotePart(models.Model):
    """An answer inside a vote: frozen with it."""

    class Meta:
        abstract = True

    def _vote_decided(self) -> bool:
        return Vote.objects.filter(pk=self.vote_id, decision__isnull=False).exists()

    def save(self, *args, **kwargs):
        if self._vote_decided():
            raise FrozenAfterDecisionError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._vote_decided():
            raise FrozenAfterDecisionError()
        return super().delete(*args, **kwargs)


class Vote(models.Model):
    """One gatekeeper's judgment at one review, blind to the others until cast.

    ``decision`` is empty while the review is open, and the vote may change;
    recording the decision fills it in and freezes the vote. A row with no
    recommendation is a gatekeeper who had not voted when the decision came.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="votes")
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="votes")
    voter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="gate_votes")
    decision = models.ForeignKey(
        GateDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="votes"
    )
    recommendation = models.CharField(max_length=8, choices=DecisionKind.choices, blank=True)
    probability_of_success = models.DecimalField(**PROBABILITY, null=True, blank=True)
    comment = models.TextField(blank=True, max_length=COMMENT_MAX)
    scorecard_total = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    voted_at = models.DateTimeField(null=True, blank=True)

    objects = OpenUntilDecidedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "gate", "voted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "voter"],
                condition=Q(decision__isnull=True),
                name="vote_one_open_per_voter",
            ),
            models.UniqueConstraint(fields=["decision", "voter"], name="vote_once_per_decision"),
            models.CheckConstraint(
                condition=Q(probability_of_success__isnull=True)
                | (Q(probability_of_success__gte=0) & Q(probability_of_success__lte=1)),
                name="vote_probability_in_unit_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter} on {self.project.key} gate {self.gate.number}"

    @property
    def has_voted(self) -> bool:
        return bool(self.recommendation)

    def save(self, *args, **kwargs):
        decided = Vote.objects.filter(pk=self.pk, decision__isnull=False)
        if not self._state.adding and decided.exists():
            raise FrozenAfterDecisionError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.decision_id is not None:
            raise FrozenAfterDecisionError()
        return super().delete(*args, **kwargs)


class VoteScore(VotePart):
    """One line of a gatekeeper's scorecard."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(SCORE_MAX)]
    )
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(1))

    objects = VotePartQuerySet.as_manager()

    class Meta:
        ordering = ["vote", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "criterion"], name="vote_score_once"),
            at_most("score", SCORE_MAX, null=True, name="vote_score_within_limit"),
            # A copy of the criterion's weight, held to the same smallest value.
            at_least("weight", Decimal(0), name="vote_score_weight_not_negative"),
        ]


class KillCriterion(AppendOnlyModel):
    """Evidence, agreed at a go or a recycle, that would kill the project at the next review."""

    class Comparison(models.TextChoices):
        AT_LEAST = ">=", "at least (≥)"
        AT_MOST = "<=", "at most (≤)"
        MORE_THAN = ">", "more than (>)"
        LESS_THAN = "<", "less than (<)"
        EQUAL = "=", "exactly (=)"

    MAXIMUM = 5

    decision = models.ForeignKey(
        GateDecision, on_delete=models.PROTECT, related_name="kill_criteria"
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="kill_criteria")
    # The gate whose review judges it: the next one after a go, the same one after a recycle.
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="kill_criteria")
    position = models.PositiveSmallIntegerField()
    statement = models.TextField()
    comparison = models.CharField(max_length=2, choices=Comparison.choices, blank=True)
    target = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["decision", "position"]
        verbose_name_plural = "kill criteria"
        constraints = [
            models.UniqueConstraint(fields=["decision", "position"], name="kill_criterion_once"),
            models.CheckConstraint(
                condition=Q(comparison="", target__isnull=True)
                | (~Q(comparison="") & Q(target__isnull=False)),
                name="kill_criterion_target_with_comparison",
            ),
        ]

    def __str__(self) -> str:
        return self.statement

    @property
    def threshold(self) -> str:
        """Its comparison and number as the pages write them: "≥ 0.8", as the form offers."""
        if not self.comparison:
            return ""
        return f"{COMPARISON_SYMBOLS[self.comparison]} {self.target.normalize():f}"


# The comparisons as written on the pages (the files and the API keep ">=" and "<=").
COMPARISON_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


class KillCriterionMark(VotePart):
    """A gatekeeper's met / not met on a kill criterion, part of their vote."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="kill_marks")
    criterion = models.ForeignKey(KillCriterion, on_delete=models.PROTECT, related_name="marks")
    met = models.BooleanField()
    note = models.TextField(blank=True)

    objects = VotePartQuerySet.as_manager()

    class Meta:
        ordering = ["vote", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "criterion"], name="kill_mark_once"),
        ]


class KillCriterionVerdict(AppendOnlyModel):
    """The chair's final met / not met on a kill criterion, recorded with the next decision."""

    criterion = models.OneToOneField(
        KillCriterion, on_delete=models.PROTECT, related_name="verdict"
    )
    decision = models.ForeignKey(
        GateDecision, on_delete=models.PROTECT, related_name="kill_verdicts"
    )
    met = models.BooleanField()
    note = models.TextField(blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["decision", "criterion"]


class VoteReminder(models.Model):
    """An e-mail asking a gatekeeper to vote, so each is sent once per review."""

    class Kind(models.TextChoices):
        OPENED = "opened", "The review opened"
        OVERDUE = "overdue", "Still no vote after the reminder delay"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    # The review: the project's decisions so far when it opened (each decision opens the next).
    review_round = models.PositiveIntegerField()
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "review_round", "person", "kind"], name="vote_reminder_once"
            ),
        ]
