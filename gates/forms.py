"""Forms of the gate pages. They validate input; the services in gates.services save it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from gates.models import (
    RATIONALE_MAX,
    ArchitectureEstimate,
    BusinessCase,
    Criterion,
    DecisionKind,
    FeasibilityStudy,
    KillCriterion,
)
from gates.models.panel import COMMENT_MAX
from gates.services import KillMark, NewKillCriterion, Score
from portfolio.edits import KeepsVersion
from portfolio.forms import (
    CountField,
    DateField,
    LabelsWithoutColon,
    MoneyField,
    NumberTextInput,
    PercentField,
    RefusesExponents,
)
from portfolio.validators import too_long_instruction

# The one money field and form base (portfolio/forms.py), used by the gate forms.
__all__ = ["LabelsWithoutColon", "MoneyField"]


class NumberField(RefusesExponents, forms.DecimalField):
    """A number typed in plain digits 0-9: ``0.8_5``, ``１``, ``٠.٨`` and ``1e-4`` are not
    one, as everywhere else (``portfolio.money.digits_as_typed``, ``written_with_exponent``)."""

    widget = NumberTextInput
    example = ("0.0001", "1e-4")
    readable = "0.8"


def plain_decimal(value: Decimal | None) -> str:
    """0.4000 → "0.4", 60.00 → "60": for placeholders and initial values."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def probability_field(label: str, help_text: str) -> PercentField:
    """An optional probability typed as a percentage, as the proposal takes it (40 for 40%),
    kept as a fraction (0.4): one way to type it on every page. Files and the API take the
    fraction."""
    return PercentField(label=f"{label} (%)", required=False, help_text=help_text)


# --- Deliverables ---------------------------------------------------------------

# A select's empty entry, as the app's other forms write it (not Django's "- Select an option -").
CHOOSE = "Choose…"


class FeasibilityStudyForm(LabelsWithoutColon, KeepsVersion, forms.ModelForm):
    class Meta:
        model = FeasibilityStudy
        fields = ["findings", "hypothesis_held", "evidence", "confidence", "recommended_next_step"]
        labels = {
            "findings": "Findings",
            "hypothesis_held": "Did the hypothesis hold?",
            "evidence": "Evidence",
            "confidence": "Your confidence in the result",
            "recommended_next_step": "Recommended next step",
        }
        help_texts = {
            "findings": "What you did and what you found.",
            "evidence": "Experiments, data and measurements behind the findings.",
        }
        widgets = {
            "hypothesis_held": forms.RadioSelect,
            "confidence": forms.RadioSelect,
            "findings": forms.Textarea(attrs={"rows": 6}),
            "evidence": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons need no "select an option" entry: none checked means no answer.
        self.fields["hypothesis_held"].choices = FeasibilityStudy.HypothesisHeld.choices
        self.fields["confidence"].choices = FeasibilityStudy.Confidence.choices
        self.fields["recommended_next_step"].choices = [
            ("", CHOOSE),
            *FeasibilityStudy.NextStep.choices,
        ]


class ArchitectureEstimateForm(LabelsWithoutColon, KeepsVersion, forms.ModelForm):
    build_cost = MoneyField(
        label="Build cost",
        help_text="One-off cost to reach production.",
    )
    monthly_run_cost = MoneyField(
        label="Monthly run cost",
        help_text="Hosting, inference and monitoring, per month.",
    )
    cost_per_retrain = MoneyField(
        label="Cost per retraining",
        required=False,
        help_text="Compute and people, each time; leave it empty when it is never retrained.",
    )

    # What the three-year total is computed from, in the order the form asks for them.
    TOTAL_INPUTS = ("build_cost", "monthly_run_cost", "retraining_cadence", "cost_per_retrain")

    class Meta:
        model = ArchitectureEstimate
        fields = [
            "build_cost",
            "monthly_run_cost",
            "retraining_cadence",
            "cost_per_retrain",
            "platform_reused",
            "build_or_buy_note",
        ]
        labels = {
            "retraining_cadence": "How often it is retrained",
            "platform_reused": "Platform reused",
            "build_or_buy_note": "Build or buy",
        }
        help_texts = {
            "platform_reused": "Existing platform or service this builds on, if any.",
            "build_or_buy_note": "Why build rather than buy (or the reverse).",
        }
        widgets = {"build_or_buy_note": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["retraining_cadence"].choices = [
            ("", CHOOSE),
            *ArchitectureEstimate.Cadence.choices,
        ]
        # Never retrained is kept as a cost of 0 (docs/interchange.md: empty is 0); the
        # form shows it empty, as its help says.
        estimate = self.instance
        if (
            estimate.pk
            and estimate.retraining_cadence == ArchitectureEstimate.Cadence.NONE
            and not estimate.cost_per_retrain
        ):
            self.initial["cost_per_retrain"] = None

    def clean(self):
        data = super().clean()
        cadence = data.get("retraining_cadence")
        if data.get("cost_per_retrain") is None and "cost_per_retrain" not in self.errors:
            if cadence == ArchitectureEstimate.Cadence.NONE:
                data["cost_per_retrain"] = Decimal("0.00")
            elif cadence:
                self.add_error(
                    "cost_per_retrain",
                    "Give the cost of each retraining, or choose Never for how often.",
                )
        return data

    def _total_inputs_missing(self) -> tuple[list[str], list[str]]:
        """The total's inputs left empty, and those typed but refused (a negative cost)."""
        data = getattr(self, "cleaned_data", {})
        empty, wrong = [], []
        for name in self.TOTAL_INPUTS:
            typed = str(self.data.get(self.add_prefix(name), "")).strip()
            if name == "cost_per_retrain" and not typed and name not in self.errors:
                continue  # empty means none, when it is never retrained
            if not typed:
                empty.append(name)
            elif name in self.errors or data.get(name) is None:
                wrong.append(name)
        return empty, wrong

    def three_year_total(self) -> Decimal | None:
        """The total for the numbers as typed, or None while they are incomplete or invalid."""
        if not self.is_bound:
            return self.instance.three_year_total if self.instance.pk else None
        if any(self._total_inputs_missing()):
            return None
        data = self.cleaned_data
        estimate = ArchitectureEstimate(**{name: data[name] for name in self.TOTAL_INPUTS})
        return estimate.three_year_total

    def total_missing_sentence(self) -> str:
        """What the live total waits for, by name: "Fill in the build cost to see it."."""
        if not self.is_bound:
            return "Fill in the costs to see it."
        empty, wrong = self._total_inputs_missing()
        label = {name: str(self.fields[name].label).lower() for name in self.TOTAL_INPUTS}
        parts = []
        costs = [label[name] for name in empty if name != "retraining_cadence"]
        if costs:
            parts.append(f"fill in the {' and the '.join(costs)}")
        if "retraining_cadence" in empty:
            parts.append("choose how often it is retrained")
        if wrong:
            parts.append(f"correct the {' and the '.join(label[name] for name in wrong)}")
        sentence = " and ".join(parts)
        return f"{sentence[:1].upper()}{sentence[1:]} to see it." if sentence else ""


class BusinessCaseForm(LabelsWithoutColon, KeepsVersion, forms.ModelForm):
    class Meta:
        model = BusinessCase
        fields = ["customer_problem", "value_rationale", "strategic_fit", "risks"]
        labels = {
            "customer_problem": "Customer problem",
            "value_rationale": "How the value was estimated",
            "strategic_fit": "Strategic fit",
            "risks": "Risks",
        }
        help_texts = {
            "customer_problem": "Who has the problem, and what it costs them today.",
            "value_rationale": "How the projected value range was reached.",
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("customer_problem", "value_rationale", "strategic_fit", "risks")
        }


# --- Gate review ----------------------------------------------------------------

MET_CHOICES = [("yes", "Yes"), ("no", "No")]
SCORE_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(11)]


class ScorecardForm(LabelsWithoutColon, forms.Form):
    """One field per active criterion of a gate: must-meet yes/no, should-meet 0–10.

    Every answer is optional here: a kill or a hold needs no scorecard, and the
    decision service says what a go is missing.
    """

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            if criterion.is_must_meet:
                self.fields[self.field_name(criterion)] = forms.TypedChoiceField(
                    label=criterion.name,
                    choices=MET_CHOICES,
                    coerce=lambda value: value == "yes",
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                    help_text=criterion.help_text,
                )
            else:
                self.fields[self.field_name(criterion)] = forms.TypedChoiceField(
                    label=criterion.name,
                    choices=SCORE_CHOICES,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    help_text=criterion.help_text,
                )

    @staticmethod
    def field_name(criterion: Criterion) -> str:
        prefix = "must" if criterion.is_must_meet else "score"
        return f"{prefix}_{criterion.pk}"

    def rows(self):
        """(criterion, bound field) pairs, must-meet first, in the gate's order."""
        return [(c, self[self.field_name(c)]) for c in self.criteria]

    def must_rows(self):
        return [(c, f) for c, f in self.rows() if c.is_must_meet]

    def should_rows(self):
        return [(c, f) for c, f in self.rows() if not c.is_must_meet]

    def scores(self) -> list[Score]:
        """The answered criteria, for record_decision (only valid fields count)."""
        data = getattr(self, "cleaned_data", {})
        answers = []
        for criterion in self.criteria:
            value = data.get(self.field_name(criterion))
            if value is None:
                continue
            if criterion.is_must_meet:
                answers.append(Score(criterion=criterion, met=value))
            else:
                answers.append(Score(criterion=criterion, score=value))
        return answers


# Under the decision's date when the project has recorded spend: record_decision refuses a
# kill dated before it ("GL-0095 has spend recorded up to 2026-11-30: date the kill on or
# after it, or correct the spend first."), and the form says so before it is sent.
KILL_DATE_HINT = "Spend is recorded up to {day:%Y-%m-%d}: date a kill on or after it."


class DecisionForm(LabelsWithoutColon, forms.Form):
    gate = CountField(widget=forms.HiddenInput, min_value=1, max_value=4)
    # What the form was made against: the project's number of decisions when the page was
    # drawn. A second tab or a double submit then cannot record a decision on stale ground.
    decisions_seen = CountField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label="Decision",
        choices=DecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose go, kill, hold or recycle."},
    )
    decided_on = DateField(
        label="Decided on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    funding_granted = MoneyField(
        label="Funding granted",
        required=False,
        initial=Decimal(0),
        help_text="Money released for the next stage (a go) or another round (a recycle). "
        "A kill or a hold grants none: leave it at 0.",
    )
    probability_of_success = probability_field(
        "Updated probability of success",
        "Chance it ends on the product roadmap, from 0 to 100 %. "
        "Leave empty to keep the current estimate, shown greyed.",
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        max_length=RATIONALE_MAX,  # the model's, as the API's
        error_messages={"max_length": too_long_instruction(RATIONALE_MAX)},
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why. Required for a kill or a hold; the researcher receives it by e-mail.",
    )
    # A kill cannot be undone: it is recorded only with this box ticked (the page asks for it).
    confirm_kill = forms.BooleanField(label="Yes, kill the project", required=False)

    def __init__(
        self,
        *args,
        current_probability: Decimal | None = None,
        last_spend_on: datetime.date | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate
        if last_spend_on is not None:
            # The project's latest recorded spend: said up front, not only once refused.
            self.fields["decided_on"].help_text = KILL_DATE_HINT.format(day=last_spend_on)
        if current_probability is not None:
            widget = self.fields["probability_of_success"].widget
            widget.attrs["placeholder"] = plain_decimal(current_probability * 100)

    def clean(self):
        data = super().clean()
        seen = data.get("decisions_seen")
        if seen is None or seen < 0:
            # A hidden field: its message goes above the form, where it is seen.
            self.errors.pop("decisions_seen", None)
            self.add_error(None, "This form is out of date: reload the page and decide again.")
        return data

    def clean_funding_granted(self) -> Decimal:
        # An empty box means no funding, not an error.
        value = self.cleaned_data.get("funding_granted")
        return value if value is not None else Decimal("0.00")


# --- The decision panel -----------------------------------------------------------


class VoteForm(LabelsWithoutColon, KeepsVersion, forms.Form):
    """A gatekeeper's vote; the scorecard and the kill-criterion marks are forms of their own.

    Its hidden ``version_seen`` is made from the vote as stored (``saved``: the service's
    ``vote_values``, scorecard and marks included): a vote changed since in another tab or
    through the API is not silently replaced (``portfolio.edits``)."""

    gate = CountField(widget=forms.HiddenInput, min_value=1, max_value=4)
    review_round = CountField(widget=forms.HiddenInput, min_value=0)
    recommendation = forms.ChoiceField(
        label="Your recommendation",
        choices=DecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Recommend go, kill, hold or recycle."},
    )
    probability_of_success = probability_field(
        "Your probability of success",
        "Your chance it ends on the product roadmap, from 0 to 100 %. "
        "It feeds your Brier score on the dashboard.",
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=COMMENT_MAX,  # the model's, as the API's
        error_messages={"max_length": too_long_instruction(COMMENT_MAX)},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, saved: dict | None = None, **kwargs):
        self.saved = saved
        super().__init__(*args, **kwargs)

    def version_values(self) -> dict | None:
        return self.saved


MET_NOT_MET = [("met", "Met"), ("not_met", "Not met")]


class KillMarksForm(LabelsWithoutColon, forms.Form):
    """Met / not met with a note for each kill criterion the review judges."""

    def __init__(self, *args, criteria: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"kill_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.statement,
                choices=MET_NOT_MET,
                coerce=lambda value: value == "met",
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"kill_{criterion.pk}_note"] = forms.CharField(
                label="Note", required=False, max_length=2000
            )

    def rows(self):
        return [(c, self[f"kill_{c.pk}"], self[f"kill_{c.pk}_note"]) for c in self.criteria]

    def marks(self) -> list[KillMark]:
        """The criteria marked (the service says which are missing)."""
        data = getattr(self, "cleaned_data", {})
        marks = []
        for criterion in self.criteria:
            met = data.get(f"kill_{criterion.pk}")
            if met is not None:
                note = data.get(f"kill_{criterion.pk}_note", "")
                marks.append(KillMark(criterion=criterion, met=met, note=note))
        return marks


COMPARISON_CHOICES = [("", "—")] + [(c.value, c.label) for c in KillCriterion.Comparison]


def _kill_criterion_errors(n: int) -> dict[str, str]:
    """Messages that say which of the five rows they are about, as the service's do."""
    return {
        "max_length": f"Kill criterion {n}: at most %(limit_value)d characters.",
        "invalid_choice": f"Kill criterion {n}: compare with ≥, ≤, >, < or =.",
        "invalid": f"Kill criterion {n}: enter the number as digits, e.g. 0.8.",
        "exponent": f"Kill criterion {n}: write the number in plain digits, e.g. 0.0001 (not 1e-4).",
        "max_digits": f"Kill criterion {n}: at most %(max)s digits in the number.",
        "max_decimal_places": f"Kill criterion {n}: at most %(max)s decimals in the number.",
        "max_whole_digits": f"Kill criterion {n}: at most %(max)s digits before the point.",
    }


class NewKillCriteriaForm(LabelsWithoutColon, forms.Form):
    """Up to five kill criteria for the next review, registered by a go or a recycle.

    The form reads what is typed (a number as digits, a known comparison); the rules on
    a row (a statement, a number with its comparison) and on the rows together (at least
    one) are the service's, which names each row by its number here."""

    ROWS = KillCriterion.MAXIMUM

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, self.ROWS + 1):
            messages = _kill_criterion_errors(n)
            self.fields[f"kc{n}_statement"] = forms.CharField(
                label=f"Kill criterion {n}",
                required=False,
                max_length=500,
                error_messages=messages,
                widget=forms.TextInput(
                    attrs={"placeholder": "e.g. precision on the 2025 hold-out" if n == 1 else ""}
                ),
            )
            self.fields[f"kc{n}_comparison"] = forms.ChoiceField(
                label="Comparison",
                choices=COMPARISON_CHOICES,
                required=False,
                error_messages=messages,
            )
            self.fields[f"kc{n}_target"] = NumberField(
                label="Number",
                required=False,
                max_digits=15,  # 11 before the point: what every database reads back exactly
                decimal_places=4,
                error_messages=messages,
            )

    def rows(self):
        return [
            (n, self[f"kc{n}_statement"], self[f"kc{n}_comparison"], self[f"kc{n}_target"])
            for n in range(1, self.ROWS + 1)
        ]

    def criteria(self) -> list[NewKillCriterion]:
        """The rows typed in, each with its number on the page, for the service to check
        and register. A statement the form refused (too long) is passed as typed, so that
        its row still counts as one the decider gave."""
        data = getattr(self, "cleaned_data", {})
        found = []
        for n in range(1, self.ROWS + 1):
            name = f"kc{n}_statement"
            statement = data.get(name, self.data.get(self.add_prefix(name), "") or "")
            comparison = data.get(f"kc{n}_comparison", "")
            target = data.get(f"kc{n}_target")
            criterion = NewKillCriterion(statement, comparison, target, row=n)
            if criterion.typed:
                found.append(criterion)
        return found
