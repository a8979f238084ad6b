"""Planning: the settings an admin edits, and saved scenarios (one of them adopted)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from portfolio import money
from portfolio.limits import at_least, at_most, between
from portfolio.models import MONEY, User
from portfolio.validators import MoneyLimitValidator

# The settings' bounds: their validators and the database's checks (portfolio.limits) read them.
SMALLEST_BUDGET = Decimal("0.01")
SHORTEST_HORIZON, LONGEST_HORIZON = 1, 10
LARGEST_DISCOUNT_RATE = Decimal("0.9999")

SHARE = {
    "max_digits": 5,
    "decimal_places": 4,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
}


class PlanSettings(models.Model):
    """The defaults of the planning page (one row): the page can override each for a what-if."""

    budget = models.DecimalField(
        **MONEY,
        default=Decimal("1000000"),
        validators=[MinValueValidator(SMALLEST_BUDGET), MoneyLimitValidator("Budget")],
        help_text="Money for the next funding round.",
    )
    horizon = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(SHORTEST_HORIZON), MaxValueValidator(LONGEST_HORIZON)],
        help_text="Years of value and running cost counted (1–10).",
    )
    discount_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(LARGEST_DISCOUNT_RATE)],
        help_text="A year's discount: 0.10 is 10%.",
    )
    target_efficiency = models.DecimalField(
        **SHARE, help_text="Share of the budget for efficiency projects (0–1); empty for none."
    )
    target_revenue = models.DecimalField(**SHARE, help_text="Share for revenue projects.")
    target_new_category = models.DecimalField(**SHARE, help_text="Share for new categories.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "plan settings"
        verbose_name_plural = "plan settings"
        constraints = [
            at_most("budget", money.LARGEST_AMOUNT, name="plan_budget_within_limit"),
            at_least("budget", SMALLEST_BUDGET, name="plan_budget_positive"),
            between("horizon", SHORTEST_HORIZON, LONGEST_HORIZON, name="plan_horizon_in_range"),
            between(
                "discount_rate",
                Decimal(0),
                LARGEST_DISCOUNT_RATE,
                name="plan_discount_rate_in_range",
            ),
            *(
                between(
                    f"target_{bucket}",
                    Decimal(0),
                    Decimal(1),
                    null=True,
                    name=f"plan_target_{bucket}_in_unit_interval",
                )
                for bucket in ("efficiency", "revenue", "new_category")
            ),
        ]

    def __str__(self) -> str:
        return "Plan settings"

    @classmethod
    def load(cls) -> PlanSettings:
        settings = cls.objects.filter(pk=1).first()
        return settings if settings is not None else cls(pk=1)

    @property
    def targets(self) -> dict[str, Decimal]:
        shares = {
            "efficiency": self.target_efficiency,
            "revenue": self.target_revenue,
            "new_category": self.target_new_category,
        }
        return {bucket: share for bucket, share in shares.items() if share is not None}

    def clean(self) -> None:
        if sum(self.targets.values(), Decimal(0)) > 1:
            raise ValidationError("The bucket targets add up to more than 1.")
        if self.discount_rate is not None and self.discount_rate >= 1:
            raise ValidationError({"discount_rate": "Less than 1 (0.10 is 10% a year)."})


class ScenarioQuerySet(models.QuerySet):
    def adopted(self):
        return self.filter(adopted=True)


class Scenario(models.Model):
    """A plan's settings and pins under a name; the adopted one's fund list is kept."""

    name = models.CharField(max_length=100, unique=True)
    settings = models.JSONField(help_text="Budget, as-of date, horizon, rate, targets and pins.")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    adopted = models.BooleanField(default=False)
    adopted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)
    # The keys the plan funded when it was adopted: gate reviews show them.
    funded_keys = models.JSONField(default=list, blank=True)

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["adopted"], condition=Q(adopted=True), name="one_adopted_scenario"
            ),
        ]

    def __str__(self) -> str:
        return self.name
