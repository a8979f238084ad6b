"""Forms of the portfolio pages: they validate input; the services change state."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils import timezone

from portfolio import process
from portfolio.models import (
    Artifact,
    ArtifactKind,
    Bucket,
    Project,
    ResearchType,
    Role,
    SpendCategory,
    Status,
    User,
    ValueKind,
    artifact_key_validator,
    project_key_validator,
)
from portfolio.validators import validate_one_line

MONEY_DIGITS = {"max_digits": 16, "decimal_places": 2}


class Form(forms.Form):
    """Labels without a trailing colon: the page's layout sets them apart."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the e-mail address's length checked before any lookup.

    Django sets the field's max_length for the HTML attribute only: an address of
    thousands of characters reached the database (SQLite refuses a LIKE pattern
    over 50,000 characters) and django-axes' record of the failure (255 on
    PostgreSQL), both as a 500.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = User._meta.get_field("email").max_length
        self.fields["username"].validators.append(MaxLengthValidator(longest))

    def clean(self):
        if not settings.PASSWORD_SIGN_IN:
            # Said before any lookup: no password is checked, no failure counted.
            raise forms.ValidationError(
                "Password sign-in is turned off here: sign in with "
                f"{settings.OIDC_PROVIDER_NAME} instead.",
                code="password_sign_in_off",
            )
        return super().clean()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def money_field(label: str, *, help_text: str = "", minimum: str = "0") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(minimum),
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": minimum, "inputmode": "decimal"}),
        **MONEY_DIGITS,
    )


class ProductManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


def product_managers():
    return User.objects.filter(groups__name=Role.PRODUCT_MANAGER, is_active=True).order_by(
        "full_name", "email"
    )


class ReusableArtifactsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Artifact) -> str:
        killed = ", killed" if obj.project.status == Status.KILLED else ""
        return f"{obj.key} {obj.name} ({obj.get_kind_display()}, {obj.project.key}{killed})"


class ProposalForm(Form):
    """Every field of a proposal the researcher writes (they lead it; submission dates it)."""

    key = forms.CharField(
        max_length=32,
        validators=[project_key_validator],
        help_text="A short unique id, e.g. CHURN-2026: letters, digits, hyphens or underscores.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    title = forms.CharField(max_length=200, validators=[validate_one_line])
    research_type = forms.ChoiceField(
        label="Research type", choices=ResearchType.choices, widget=forms.RadioSelect
    )
    bucket = forms.ChoiceField(
        label="Strategic bucket",
        choices=[("", "Choose a bucket…"), *Bucket.choices],
        help_text="Where the value lands: cost savings, growth of existing revenue, or a new category.",
    )
    product_manager = ProductManagerChoiceField(
        label="Product manager",
        queryset=User.objects.none(),
        empty_label="Choose the product manager…",
        help_text="They review the proposal at each gate and are e-mailed when you submit.",
    )
    value_kind = forms.ChoiceField(
        label="Projected value is",
        choices=ValueKind.choices,
        widget=forms.RadioSelect,
    )
    projected_low = money_field("Low", help_text="Annual value if it underperforms.")
    projected_expected = money_field("Expected", help_text="Annual value expected.")
    projected_high = money_field("High", help_text="Annual value if it overperforms.")
    probability_of_success = forms.DecimalField(
        label="Probability of success",
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text="Chance it ends on the product roadmap, from 0 to 1 (0.4 means 40%).",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
    )
    business_case = forms.CharField(
        label="Business case",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Who benefits and why it is worth doing. Needed before you submit.",
    )
    hypothesis = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the research will test, stated so it can fail. Needed before you submit.",
    )
    builds_on = ReusableArtifactsField(
        label="Builds on",
        queryset=Artifact.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Models, data sets and other artifacts of earlier projects, killed ones "
        "included, that this research reuses (hold Ctrl or ⌘ to choose several).",
    )

    def __init__(self, *args, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_manager"].queryset = product_managers()
        artifacts = Artifact.objects.exclude(project__status=Status.DRAFT)
        if project is not None:
            artifacts = artifacts.exclude(project=project)
        self.fields["builds_on"].queryset = artifacts.select_related("project").order_by("key")

    @classmethod
    def initial_from(cls, project: Project) -> dict:
        initial = {name: getattr(project, name) for name in cls.base_fields if name != "builds_on"}
        initial["product_manager"] = project.product_manager_id
        initial["builds_on"] = list(project.artifact_reuses.values_list("artifact_id", flat=True))
        return initial

    @classmethod
    def data_from(cls, project: Project) -> dict:
        """The project as submitted form data, to show a refusal beside its field."""
        data = {
            name: [str(item) for item in value]
            if isinstance(value, list)
            else ("" if value is None else str(value))
            for name, value in cls.initial_from(project).items()
        }
        return data

    def clean_key(self) -> str:
        return self.cleaned_data["key"].strip()

    def clean(self):
        data = super().clean()
        low, expected, high = (
            data.get("projected_low"),
            data.get("projected_expected"),
            data.get("projected_high"),
        )
        if low is not None and expected is not None and low > expected:
            self.add_error(
                "projected_low", "The low projection cannot be above the expected value."
            )
        if expected is not None and high is not None and expected > high:
            self.add_error(
                "projected_high", "The high projection cannot be below the expected value."
            )
        return data


class SpendForm(Form):
    spent_on = forms.DateField(label="Date", widget=DateInput())
    amount = money_field("Amount", minimum="0.01")
    category = forms.ChoiceField(choices=[("", "Choose…"), *SpendCategory.choices])
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: what it paid for.",
    )

    def clean_spent_on(self) -> datetime.date:
        spent_on = self.cleaned_data["spent_on"]
        if spent_on > timezone.localdate():
            raise forms.ValidationError("Spend cannot be dated in the future.")
        return spent_on


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A calendar month, typed as YYYY-MM (or any day of it), kept as its first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": "Enter a month as YYYY-MM, e.g. 2026-03."}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class OutcomeForm(Form):
    month = MonthField(help_text="The calendar month the value was realized in.")
    realized_value = money_field("Realized value")

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        label = project.get_value_kind_display().lower()
        self.fields["realized_value"].help_text = f"The {label} realized in that month."

    def clean_month(self) -> datetime.date:
        month = self.cleaned_data["month"]
        if month > timezone.localdate():
            raise forms.ValidationError("That month has not started yet.")
        return month


class ArtifactForm(Form):
    kind = forms.ChoiceField(choices=[("", "Choose…"), *ArtifactKind.choices])
    name = forms.CharField(max_length=200, validators=[validate_one_line])
    key = forms.CharField(
        max_length=32,
        required=False,
        validators=[artifact_key_validator],
        help_text="Leave empty for the next free key (AR-0001, AR-0002, …).",
    )
    created_on = forms.DateField(
        required=False,
        widget=DateInput(),
        help_text="When the project produced it; empty for today.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    location = forms.CharField(
        max_length=500,
        required=False,
        validators=[validate_one_line],
        help_text="Where to find it: a URL, a registry or repository path.",
    )

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class ReusableArtifactField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Artifact) -> str:
        killed = ", killed" if obj.project.status == Status.KILLED else ""
        return (
            f"{obj.key} {obj.name} ({obj.get_kind_display()}) — "
            f"{obj.project.key}: {obj.project.title}{killed}"
        )


class ArtifactReuseForm(Form):
    artifact = ReusableArtifactField(
        queryset=Artifact.objects.none(),
        empty_label="Choose an artifact…",
        help_text="Artifacts other projects produced and this one uses.",
    )
    used_on = forms.DateField(
        required=False,
        widget=DateInput(),
        help_text="When this project started building on it; empty for today.",
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["artifact"].queryset = reusable_artifacts(project)


def reusable_artifacts(project: Project):
    """Other projects' artifacts this project does not link yet."""
    return (
        Artifact.objects.exclude(project=project)
        .exclude(project__status=Status.DRAFT)
        .exclude(reuses__project=project)
        .select_related("project")
        .order_by("project__key", "name")
    )


# --- The project list's filters ------------------------------------------------

GATE_CHOICES = [("", "Any gate"), *[(str(n), f"Gate {n}") for n in process.GATES]]


class ProjectFilterForm(Form):
    """The project list's search and filters, read from the URL so a view can be shared."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        validators=[validate_one_line],
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Key, title or e-mail", "autocomplete": "off"}
        ),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    gate = forms.TypedChoiceField(
        required=False, choices=GATE_CHOICES, coerce=int, empty_value=None
    )
    bucket = forms.ChoiceField(
        required=False,
        choices=[("", "Any bucket"), *[(v, label.split(" (")[0]) for v, label in Bucket.choices]],
    )
    research_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any type"), *ResearchType.choices]
    )
    pm = ProductManagerChoiceField(
        label="Product manager",
        required=False,
        queryset=User.objects.none(),
        to_field_name="email",
        empty_label="Anyone",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pm"].queryset = product_managers()

    def filters(self) -> dict:
        """The valid filters only: a bad value in a shared URL is reported and ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.errors
        }


class AdoptionForm(Form):
    """One month of a greenlit product's use."""

    month = MonthField(help_text="The calendar month the numbers are for.")
    active_users = forms.IntegerField(min_value=0, help_text="People who used it that month.")
    tasks_completed = forms.IntegerField(min_value=0, help_text="Tasks done with it that month.")
    minutes_per_task = forms.DecimalField(
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        help_text="Average minutes a task takes now, with the product (optional).",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    baseline_minutes_per_task = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        label="Baseline minutes per task",
        help_text="Minutes the same task took before the product (optional).",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )

    def clean_month(self) -> datetime.date:
        month = self.cleaned_data["month"]
        if month > timezone.localdate():
            raise forms.ValidationError("That month has not started yet.")
        return month


class ArtifactFilterForm(Form):
    """The artifact library's filters, all in the URL."""

    q = forms.CharField(
        required=False, max_length=200, label="Search", validators=[validate_one_line]
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any kind"), *ArtifactKind.choices], label="Kind"
    )
    reuse = forms.ChoiceField(
        required=False,
        label="Reuse",
        choices=[("", "Reused or not"), ("reused", "Reused"), ("unused", "Not reused yet")],
    )
    origin = forms.ChoiceField(
        required=False,
        label="Producing project",
        choices=[
            ("", "Any status"),
            ("killed", "Killed (salvage)"),
            ("greenlit", "Greenlit"),
            ("open", "Still open"),
        ],
    )
