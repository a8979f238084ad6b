"""The portfolio domain: people, research projects, spend, outcomes and artifacts.

The stage-gate process (gates, criteria, deliverables, decisions) lives in the
``gates`` app, which depends on this one and never the reverse.
"""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Lower, Round
from django.urls import reverse

from portfolio import counts, money
from portfolio.limits import at_least, at_most, between
from portfolio.process import STATUS_LABELS
from portfolio.validators import (
    CountLimitValidator,
    MinutesLimitValidator,
    MoneyLimitValidator,
    is_blank,
    validate_one_line,
)

# The columns' digits; what an amount may be is less (portfolio.money): each money field
# a person fills in has a MoneyLimitValidator and a constraint (portfolio.limits), and the
# services check every amount.
MONEY = {"max_digits": 16, "decimal_places": 2}
PROBABILITY = {
    "max_digits": 5,
    "decimal_places": 4,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
}


def scaled_integer(field: str, scale: int) -> models.GeneratedField:
    """``field`` × ``scale`` rounded to an integer (half away from zero), kept by the database
    beside the field: the metrics engine reads money as integer cents and probabilities as
    ten-thousandths (portfolio/metrics/scope.py), and converting 5,000 projects' and 10,000
    decisions' numeric values in every statement cost about 4 ms of each."""
    return models.GeneratedField(
        expression=Cast(Round(F(field) * scale), models.BigIntegerField()),
        output_field=models.BigIntegerField(null=True),
        db_persist=True,
    )


class Role(models.TextChoices):
    """Each role is a Django group of the same name, with its permissions."""

    RESEARCHER = "Researcher"
    PRODUCT_MANAGER = "Product manager"
    ARCHITECT = "Architect"
    EXECUTIVE = "Executive"
    ADMIN = "Admin"


def sign_in_name(username: str | None) -> str:
    """A sign-in name as sign-in compares it: NFKC, stripped, lower-case.

    The user lookup and the lockout (django-axes) both key on this, so that
    ``Aiko@x`` and `` aiko@X`` are one person with one budget of failures.
    """
    return unicodedata.normalize("NFKC", username or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # People are named by e-mail, stored lower-case (see sign_in_name).
        return self.get(email__iexact=sign_in_name(username))

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person, named by e-mail address (stored lower-case)."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True, validators=[validate_one_line])

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            # What save() writes, also for a write past it (portfolio migration 0021).
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="user_email_stored_lower_case"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    def has_role(self, *roles: str) -> bool:
        names = self._role_names()
        return any(role in names for role in roles)

    def _role_names(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._role_cache = cached
        return cached

    @property
    def roles(self) -> list[str]:
        return [role.value for role in Role if role.value in self._role_names()]

    @property
    def is_researcher(self) -> bool:
        return self.has_role(Role.RESEARCHER)

    @property
    def is_product_manager(self) -> bool:
        return self.has_role(Role.PRODUCT_MANAGER)

    @property
    def is_architect(self) -> bool:
        return self.has_role(Role.ARCHITECT)

    @property
    def is_executive(self) -> bool:
        return self.has_role(Role.EXECUTIVE)

    @property
    def is_portfolio_admin(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMIN)


class ResearchType(models.TextChoices):
    APPLIED = "applied", "Applied"
    SCIENCE = "science", "Science"


class Bucket(models.TextChoices):
    # The order here is the order of the dashboard's rows.
    EFFICIENCY = "efficiency", "Efficiency (cost savings)"
    REVENUE = "revenue", "Revenue (grow existing)"
    NEW_CATEGORY = "new_category", "New category"


class ValueKind(models.TextChoices):
    REVENUE = "revenue", "Revenue"
    COST_SAVINGS = "cost_savings", "Cost savings"


# DRAFT, ACTIVE, ON_HOLD, GREENLIT, KILLED, from the process.
Status = models.TextChoices(
    "Status", [(status.upper(), (status, label)) for status, label in STATUS_LABELS.items()]
)


class ProjectQuerySet(models.QuerySet):
    def submitted(self):
        return self.exclude(status=Status.DRAFT)

    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def open(self):
        """Projects still in the process: active or on hold."""
        return self.filter(status__in=[Status.ACTIVE, Status.ON_HOLD])

    def active(self):
        return self.filter(status=Status.ACTIVE)

    def greenlit(self):
        return self.filter(status=Status.GREENLIT)

    def killed(self):
        return self.filter(status=Status.KILLED)

    def visible_to(self, user):
        """What a person may open: submitted projects, and their own drafts.

        The one definition of who sees a draft: its researcher, and nobody else
        (admins and superusers included), on every page, list, export and admin.
        """
        if not user.is_authenticated:
            return self.none()
        return self.filter(~Q(status=Status.DRAFT) | Q(researcher=user))


project_key_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{1,32}$", "Use 1–32 letters, digits, hyphens or underscores."
)


class Project(models.Model):
    """A research project, from proposal through the four gates.

    ``status``, ``current_gate`` and the running totals are kept up to date by
    the services that record decisions and spend, so lists and the dashboard
    read them without scanning history. The metrics engine recomputes
    everything from history for any as-of date.
    """

    key = models.CharField(max_length=32, unique=True, validators=[project_key_validator])
    title = models.CharField(max_length=200, validators=[validate_one_line])
    # A draft needs only its key and title; what else it leaves empty is filled in before
    # submission (NEEDED_TO_SUBMIT; the constraint below holds every submitted project to it).
    research_type = models.CharField(max_length=16, choices=ResearchType.choices, blank=True)
    bucket = models.CharField(max_length=16, choices=Bucket.choices, blank=True)
    researcher = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="researched_projects"
    )
    product_manager = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="managed_projects", null=True, blank=True
    )
    submitted_on = models.DateField(null=True, blank=True)
    value_kind = models.CharField(max_length=16, choices=ValueKind.choices, blank=True)
    projected_low = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MoneyLimitValidator("Low projection")],
    )
    projected_expected = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MoneyLimitValidator("Expected projection")],
    )
    projected_high = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MoneyLimitValidator("High projection")],
    )
    probability_of_success = models.DecimalField(**PROBABILITY, null=True, blank=True)
    # The same in the metrics' units (scaled_integer).
    projected_low_cents = scaled_integer("projected_low", 100)
    projected_expected_cents = scaled_integer("projected_expected", 100)
    projected_high_cents = scaled_integer("projected_high", 100)
    probability_ten_thousandths = scaled_integer("probability_of_success", 10000)
    business_case = models.TextField(blank=True)
    hypothesis = models.TextField(blank=True)
    # The money the project asks for its next stage, as it stands now (the
    # planner's "ask"); empty when it asks nothing. Editable until the decision.
    next_stage_ask = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MoneyLimitValidator("Next-stage ask")],
    )

    # Who prices production (the architecture estimate): assigned by the product
    # manager or taken from the architects' queue (portfolio.services.assignments).
    architect = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_estimates",
    )

    # Maintained by the services (see module docstring).
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    current_gate = models.PositiveSmallIntegerField(null=True, blank=True)
    decisions_count = models.PositiveIntegerField(default=0)
    last_decision_on = models.DateField(null=True, blank=True)
    latest_probability = models.DecimalField(**PROBABILITY, null=True, blank=True)
    funding_granted_total = models.DecimalField(**MONEY, default=Decimal(0))
    spend_total = models.DecimalField(**MONEY, default=Decimal(0))
    last_spend_on = models.DateField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        permissions = [
            ("view_portfolio_dashboard", "Can view the portfolio dashboard"),
            ("import_portfolio", "Can import a portfolio"),
            ("export_portfolio", "Can export the portfolio"),
        ]
        indexes = [
            models.Index(fields=["status", "current_gate"]),
            models.Index(fields=["product_manager", "status"]),
            models.Index(fields=["researcher", "status"]),
            models.Index(fields=["submitted_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(projected_low__gte=0)
                & Q(projected_low__lte=models.F("projected_expected"))
                & Q(projected_expected__lte=models.F("projected_high")),
                name="project_projected_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(probability_of_success__gte=0) & Q(probability_of_success__lte=1),
                name="project_probability_in_unit_interval",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_on__isnull=False),
                name="project_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    ~Q(research_type="")
                    & ~Q(bucket="")
                    & ~Q(value_kind="")
                    & Q(product_manager__isnull=False)
                    & Q(projected_low__isnull=False)
                    & Q(projected_expected__isnull=False)
                    & Q(projected_high__isnull=False)
                    & Q(probability_of_success__isnull=False)
                ),
                name="project_submitted_is_complete",
            ),
            # The limits of money (portfolio.limits): the validators' messages come first.
            at_most(
                "projected_low",
                money.LARGEST_AMOUNT,
                null=True,
                name="project_projected_low_within_limit",
            ),
            at_most(
                "projected_expected",
                money.LARGEST_AMOUNT,
                null=True,
                name="project_projected_expected_within_limit",
            ),
            at_most(
                "projected_high",
                money.LARGEST_AMOUNT,
                null=True,
                name="project_projected_high_within_limit",
            ),
            at_most(
                "next_stage_ask", money.LARGEST_AMOUNT, null=True, name="project_ask_within_limit"
            ),
            # The smallest values (portfolio.limits), the validators' too; a negative low
            # projection is refused by project_projected_range_ordered above.
            at_least(
                "projected_expected",
                Decimal(0),
                null=True,
                name="project_projected_expected_not_negative",
            ),
            at_least(
                "projected_high", Decimal(0), null=True, name="project_projected_high_not_negative"
            ),
            at_least("next_stage_ask", Decimal(0), null=True, name="project_ask_not_negative"),
            between(
                "latest_probability",
                Decimal(0),
                Decimal(1),
                null=True,
                name="project_latest_probability_in_unit_interval",
            ),
            # The running totals the services keep: sums of amounts the database holds to
            # be positive (spend) or not negative (funding granted).
            at_least("spend_total", Decimal(0), name="project_spend_total_not_negative"),
            at_least(
                "funding_granted_total",
                Decimal(0),
                name="project_funding_granted_total_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("project_detail", args=[self.key])

    # What a draft may leave empty and a submission needs, with how a sentence names it.
    NEEDED_TO_SUBMIT = (
        ("research_type", "research type"),
        ("bucket", "strategic bucket"),
        ("product_manager", "product manager"),
        ("value_kind", "kind of value"),
        ("projected_low", "low projection"),
        ("projected_expected", "expected value"),
        ("projected_high", "high projection"),
        ("probability_of_success", "probability of success"),
        # The researcher's case, named apart from the PM's gate 4 business case.
        ("business_case", "case for the research"),
        ("hypothesis", "hypothesis"),
    )

    def missing_to_submit(self) -> list[tuple[str, str]]:
        """The (field, name) pairs a submission needs and this draft leaves empty."""
        missing = []
        for name, label in self.NEEDED_TO_SUBMIT:
            value = getattr(self, "product_manager_id" if name == "product_manager" else name)
            if value is None or (isinstance(value, str) and is_blank(value)):
                missing.append((name, label))
        return missing

    @property
    def missing_to_submit_sentence(self) -> str:
        """ "the case for the research and the hypothesis", or "" when it can be submitted."""
        labels = [label for _, label in self.missing_to_submit()]
        if len(labels) <= 1:
            return "".join(f"the {label}" for label in labels)
        return ", ".join(f"the {label}" for label in labels[:-1]) + f" and the {labels[-1]}"

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_closed(self) -> bool:
        return self.status in (Status.GREENLIT, Status.KILLED)

    @property
    def current_probability(self) -> Decimal:
        """The latest estimate: the last decision's, else the one made at submission."""
        if self.latest_probability is not None:
            return self.latest_probability
        return self.probability_of_success


class SpendCategory(models.TextChoices):
    PEOPLE = "people", "People"
    COMPUTE = "compute", "Compute"
    DATA = "data", "Data"
    VENDOR = "vendor", "Vendor"
    OTHER = "other", "Other"


class SpendEntry(models.Model):
    # No index of its own: the (project, spent_on) index below serves every lookup by project.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="spend_entries", db_index=False
    )
    spent_on = models.DateField()
    amount = models.DecimalField(**MONEY, validators=[MoneyLimitValidator("Spend amount")])
    category = models.CharField(max_length=16, choices=SpendCategory.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "spend entries"
        ordering = ["project", "spent_on", "id"]
        indexes = [
            models.Index(fields=["project", "spent_on"]),
            models.Index(fields=["spent_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spend_amount_positive"),
            at_most("amount", money.LARGEST_AMOUNT, name="spend_amount_within_limit"),
        ]

    def __str__(self) -> str:
        return f"{self.project.key} {self.spent_on} {self.amount}"


class SpendMonth(models.Model):
    """Spend per project and calendar month, kept exact on every write path.

    The dashboard reads these instead of scanning every spend entry, so its
    cost grows with projects × months, not with the number of entries.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="spend_months")
    month = models.DateField(help_text="First day of the month.")
    amount = models.DecimalField(**MONEY, default=Decimal(0))
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["project", "month"]
        indexes = [models.Index(fields=["month"])]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="spend_month_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m} {self.amount}"


class Outcome(models.Model):
    """Value realized by a greenlit project in one calendar month."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outcomes")
    month = models.DateField(help_text="First day of the month.")
    realized_value = models.DecimalField(
        **MONEY, validators=[MinValueValidator(Decimal(0)), MoneyLimitValidator("Realized value")]
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="outcome_one_per_month"),
            models.CheckConstraint(
                condition=Q(realized_value__gte=0), name="outcome_value_not_negative"
            ),
            at_most("realized_value", money.LARGEST_AMOUNT, name="outcome_value_within_limit"),
        ]

    def __str__(self) -> str:
        return f"{self.project.key} {self.month:%Y-%m} {self.realized_value}"


class Adoption(models.Model):
    """How much a greenlit product was used in one calendar month, and the time it saves.

    ``minutes_per_task`` and ``baseline_minutes_per_task`` (the same task before the
    product) are optional: minutes saved count only months that have both.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="adoption")
    month = models.DateField(help_text="First day of the month.")
    # The limits (portfolio.counts) keep every sum the dashboard makes inside 64 bits.
    active_users = models.PositiveIntegerField(validators=[CountLimitValidator("Active users")])
    tasks_completed = models.PositiveBigIntegerField(
        validators=[CountLimitValidator("Tasks completed")]
    )
    minutes_per_task = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MinutesLimitValidator("Minutes per task")],
    )
    baseline_minutes_per_task = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0.01")),
            MinutesLimitValidator("Baseline minutes per task"),
        ],
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="adoption_one_per_month"),
            models.CheckConstraint(
                condition=Q(minutes_per_task__isnull=True) | Q(minutes_per_task__gte=0),
                name="adoption_minutes_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(baseline_minutes_per_task__isnull=True)
                | Q(baseline_minutes_per_task__gt=0),
                name="adoption_baseline_positive",
            ),
            at_most("active_users", counts.LARGEST_COUNT, name="adoption_users_within_limit"),
            at_most("tasks_completed", counts.LARGEST_COUNT, name="adoption_tasks_within_limit"),
            at_most(
                "minutes_per_task",
                counts.LARGEST_MINUTES,
                null=True,
                name="adoption_minutes_within_limit",
            ),
            at_most(
                "baseline_minutes_per_task",
                counts.LARGEST_MINUTES,
                null=True,
                name="adoption_baseline_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.key} {self.month:%Y-%m}: {self.active_users} users"


class ArtifactKind(models.TextChoices):
    MODEL = "model", "Model"
    DATASET = "dataset", "Data set"
    REPORT = "report", "Report"
    CODE = "code", "Code"
    OTHER = "other", "Other"


artifact_key_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{1,32}$", "Use 1–32 letters, digits, hyphens or underscores."
)


class Artifact(models.Model):
    """Something a project produced that other projects can reuse: a research asset.

    A killed project's artifacts stay: reusing them is salvage, not waste.
    """

    key = models.CharField(
        max_length=32,
        unique=True,
        validators=[artifact_key_validator],
        help_text="Unique, like a project key (AR-0001).",
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="artifacts")
    kind = models.CharField(max_length=16, choices=ArtifactKind.choices)
    name = models.CharField(max_length=200, validators=[validate_one_line])
    created_on = models.DateField(help_text="When the project produced it.")
    description = models.TextField(blank=True)
    location = models.CharField(
        max_length=500,
        blank=True,
        validators=[validate_one_line],
        help_text="Where to find it: a URL, a registry path.",
    )
    registered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    reused_by = models.ManyToManyField(
        Project, through="ArtifactReuse", related_name="reused_artifacts", blank=True
    )

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="artifact_name_per_project"),
            models.UniqueConstraint(Lower("key"), name="artifact_key_ignoring_case"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("artifact_detail", args=[self.key])

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ArtifactReuse(models.Model):
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="reuses")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="artifact_reuses")
    linked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    used_on = models.DateField(help_text="When the using project started building on it.")

    class Meta:
        ordering = ["used_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["artifact", "project"], name="artifact_reused_once"),
        ]


class AuditEntry(models.Model):
    """Who changed what, when: written by every service, bulk imports included."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["project", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.summary}"


class ReplacedHistory(models.Model):
    """What a project held when an import replaced it: kept for good, read-only.

    Replacing (``import_portfolio(..., replace=True)``, superusers and the command
    line only) rewrites a project's recorded history from files; nothing it held
    is lost: its fields, decisions with their scores, spend, outcomes and
    architecture estimate are copied here first, as plain values (a decision keeps
    its criteria's names and weights as they were). The project page links each.
    """

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="replaced_histories"
    )
    replaced_at = models.DateTimeField(auto_now_add=True)
    # Empty when the command line replaced it (no app user).
    replaced_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    project_fields = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    decisions = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    spend = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    outcomes = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    estimate = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-replaced_at", "-id"]
        verbose_name_plural = "replaced histories"

    def __str__(self) -> str:
        return f"History of {self.project.key} replaced on {self.replaced_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A replaced history is kept as it was: it is never edited.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("replaced_history", args=[self.project.key, self.pk])


class DataVersion(models.Model):
    """One counter, bumped in the same transaction as every change that is audited.

    Cached dashboard results are keyed by it, so a cache entry can never
    outlive the data it was computed from (see portfolio/versioning.py).
    """

    number = models.BigIntegerField(default=0)
    # On PostgreSQL, the identifier (OID) of this table when the number was last counted.
    # A restored backup re-creates the table: the identifier no longer matches, and the
    # number jumps above every version counted before (portfolio/versioning.py).
    lineage = models.BigIntegerField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"data version {self.number}"


class SpendChange(models.Model):
    """What one recorded spend entry adds to the metrics, kept with the data version it made.

    The metrics refresh brings the numbers of an earlier version up to date by adding
    these instead of computing everything again (portfolio/metrics/incremental.py). A
    version without a row here changed something else, so its numbers are computed in
    full. Written in the same transaction as the entry; the refresh deletes old rows.
    """

    version = models.BigIntegerField(db_index=True)
    # The project's deletion deletes its rows: the versions they were for then look like
    # any other change, and are computed in full.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    spent_on = models.DateField()
    cents = models.BigIntegerField()

    def __str__(self) -> str:
        return f"version {self.version}: {self.cents} cents on {self.spent_on} ({self.project_id})"


class ProjectChange(models.Model):
    """A change to a few projects, kept with what those projects added to the metrics before it.

    A service that changes projects (a decision, a vote, an edit, an outcome month) reads,
    before changing anything, every dashboard query restricted to each of those projects
    (``before``: the engine's rows by project id, as of ``as_of``) and keeps them here with
    the data versions its change made (``first_version`` to ``version``, one transaction). The
    metrics refresh then brings the last numbers up to date by taking those rows out and
    the projects' rows now in, instead of computing everything again
    (portfolio/metrics/incremental.py). Written in the change's transaction; the refresh
    deletes old rows.
    """

    version = models.BigIntegerField(db_index=True)
    first_version = models.BigIntegerField()
    as_of = models.DateField()
    # The projects' ids. Not foreign keys: a deleted project's change is simply not merged.
    projects = models.JSONField()
    before = models.JSONField()

    def __str__(self) -> str:
        return f"versions {self.first_version}–{self.version}: projects {self.projects}"


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# The in-app notifications and each person's e-mail choices live beside this module
# (it is long enough); importing them here registers them with the portfolio app.
from portfolio.notification_models import (  # noqa: E402, F401
    EmailTiming,
    Notification,
    NotificationKind,
    NotificationPreference,
)
