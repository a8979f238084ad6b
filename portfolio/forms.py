"""Forms of the portfolio pages: they validate input; the services change state."""

from __future__ import annotations

import calendar
import copy
import datetime
import re
from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import Value
from django.db.models.functions import Coalesce, Lower, NullIf, Trim
from django.utils import timezone
from django.utils.functional import lazy

from portfolio import counts, process
from portfolio.edits import KeepsVersion
from portfolio.errors import DomainError
from portfolio.models import (
    MONEY,
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
from portfolio.money import (
    digits_as_typed,
    not_an_amount_instruction,
    plain_digits_instruction,
    without_thousands_separators,
    written_with_exponent,
)
from portfolio.services.proposals import (
    PROPOSAL_FIELDS,
    SUBMISSION_FIELDS,
    next_proposal_key,
    proposal_version,
)
from portfolio.services.spend import (
    above_a_year_s_projection,
    check_outcome,
)
from portfolio.templatetags.numbers import money_cents
from portfolio.validators import (
    MoneyLimitValidator,
    is_blank,
    plain_line_endings,
    validate_one_line,
)
from portfolio.web.forms import labelled

CENT = Decimal("0.01")


class RefusesDigitSeparators:
    """A number field that refuses ``1_000`` and ``１０００`` as not a number, with the
    field's own message (``portfolio.money.digits_as_typed``): Python's Decimal and int
    read both as 1000, but in a form the first is a slip for 1,000 or 10.00. The admin's
    number fields get it too (``portfolio.admin_fields``), and its date fields, as
    ``DateField`` here: mixed into a date field it says "Enter a valid date."."""

    def to_python(self, value):
        if isinstance(value, str) and not digits_as_typed(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class NumberTextInput(forms.TextInput):
    """A number field's input: ``<input type="text" inputmode="decimal">``, not
    ``type="number"`` (the GOV.UK Design System's advice). A number input sends nothing for
    text it cannot read (``1e``, ``e6``, ``12,50``, ``EUR 100``: its ``validity.badInput``):
    the server said "This field is required." and the text was gone. As text, what was typed
    reaches the server, which says beside the field what to write, and shows it back. A phone
    still shows its number keys (``inputmode``); no spelling check, no earlier entries
    offered. No ``min``, ``max`` or ``step``: the server says the range."""

    inputmode = "decimal"

    def __init__(self, attrs=None):
        typed = {"inputmode": self.inputmode, "spellcheck": "false", "autocomplete": "off"}
        super().__init__({**typed, **(attrs or {})})


class WholeNumberTextInput(NumberTextInput):
    """A whole number's input: ``inputmode="numeric"`` (digits only on a phone's keys)."""

    inputmode = "numeric"


class RefusesExponents(RefusesDigitSeparators):
    """A number field that refuses a number written with an exponent (``1e6``, ``2E3``,
    ``1e-2``: ``portfolio.money.written_with_exponent``), as well as what
    ``RefusesDigitSeparators`` refuses, saying to write it in plain digits.

    Django's DecimalField reads ``1e6`` with Decimal, as 1,000,000, and an
    ``<input type=number>`` takes it as a valid number and sends it as typed: a slip of the
    keyboard was kept as a million, where the interchange files refuse it. The message is the
    field's ``error_messages["exponent"]`` when given, else made from its label (the admin's
    fields, which get this class after they are made, have no such key), ``what`` it is and
    an ``example``. Text that is no number at all (``1e``, ``12,50``, ``EUR 100``) gets the
    field's ``error_messages["invalid"]`` when given, else "Write the number in plain
    digits, e.g. 1000." (``readable``), not Django's "Enter a number.". Not for a date
    (``DateField``): a date has no exponent to refuse.

    Like every refusal beside a field, these say what to write without the field's name:
    its label is above them, and the form's summary puts it before them
    (``portfolio.web.forms.labelled``): "Amount: Write the amount in plain digits, …"."""

    what = "the number"
    example = ("1000000", "1e6")  # in plain digits, and with an exponent
    readable = "1000"  # an example of what to write, for text that is no number at all

    def __init__(self, **kwargs):
        given = kwargs.get("error_messages") or {}
        super().__init__(**kwargs)
        if "invalid" not in given:
            # Not Django's "Enter a number.": what to write, with an example.
            self.error_messages["invalid"] = self.unreadable_message()

    def unreadable_message(self) -> str:
        """What the field says of text that is no number: ``1e``, ``12,50``, ``EUR 100``."""
        return f"Write {self.what} in plain digits, e.g. {self.readable}."

    def to_python(self, value):
        if isinstance(value, str) and written_with_exponent(value):
            raise forms.ValidationError(self.exponent_message(), code="exponent")
        number = super().to_python(value)
        if isinstance(number, Decimal) and not number.is_finite():
            # "NaN", "Infinity": refused here, as no number. Django's validate() would give
            # the message the value as a parameter, and a label's "(%)" is no placeholder.
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def exponent_message(self) -> str:
        if self.error_messages.get("exponent"):
            return self.error_messages["exponent"]
        example, instead_of = self.example
        return plain_digits_instruction(what=self.what, example=example, instead_of=instead_of)


def date_message(example: str = "2026-03-02") -> str:
    """What a date field says of text that is no date, the API too (``api.schemas``): with
    an example of a day the field takes."""
    return f"Enter a date as YYYY-MM-DD, e.g. {example}."


class DateField(RefusesDigitSeparators, forms.DateField):
    """A date typed in the digits 0-9, refused otherwise with the field's own message: the
    one it is given, else the API's words with a day it takes as the example ("Enter a date
    as YYYY-MM-DD, e.g. 2026-12-02.": ``example()``, today unless said; a spend, a decision,
    a dashboard's as-of may be today), said when it is refused, so that the day is current.

    Django's DateField reads with strptime, whose ``%Y`` (and the second digit of a day or
    a month) takes any script's digits: ``２０２６-11-03`` and ``2026-11-1٣`` were read as
    2026-11-03 and 2026-11-13. Every date field of the pages is one of these; the admin's
    get the same rule (``portfolio.admin_fields``), the API's documents and the interchange
    files read dates with ``date.fromisoformat``, which takes the digits 0-9 only.

    Text written as YYYY-MM-DD that is no day of the calendar says why, not "Enter a date
    as YYYY-MM-DD." (it is written so): "“2026-02-30” is not a date (February has 28 days
    in 2026).", "“2026-13-01” is not a date (a year has 12 months)."; a ``MonthField``
    says "“2026-13” is not a month (a year has 12 months).".
    """

    def __init__(self, *, example: Callable[[], datetime.date] = timezone.localdate, **kwargs):
        given = kwargs.get("error_messages") or {}
        super().__init__(**kwargs)
        self.example = example
        django_s = forms.DateField.default_error_messages["invalid"]  # "Enter a valid date."
        if "invalid" not in given and self.error_messages["invalid"] == django_s:
            self.error_messages["invalid"] = lazy(self._no_date_message, str)()

    def _no_date_message(self) -> str:
        return date_message(self.example().isoformat())

    def to_python(self, value):
        months = "%Y-%m" in (self.input_formats or ())  # a MonthField
        if isinstance(value, str) and (message := not_in_the_calendar(value.strip(), months)):
            raise forms.ValidationError(message, code="not_in_calendar")
        return super().to_python(value)


_DAY_SHAPE = re.compile(r"([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?")


def not_in_the_calendar(text: str, months: bool = False) -> str | None:
    """Why ``text``, written YYYY-MM-DD (or YYYY-MM, with ``months``), is no day (or month)
    of the calendar; None when it is one, or is not written so (the field's own message
    says that)."""
    shape = _DAY_SHAPE.fullmatch(text)
    if shape is None or not (shape[3] or months):
        return None
    year, month = int(shape[1]), int(shape[2])
    what = "a date" if shape[3] else "a month"
    if year < 1:
        return f"“{text}” is not {what} (years start at 0001)."
    if not 1 <= month <= 12:
        return f"“{text}” is not {what} (a year has 12 months)."
    if shape[3]:
        days = calendar.monthrange(year, month)[1]
        if not 1 <= int(shape[3]) <= days:
            name = datetime.date(2000, month, 1).strftime("%B")
            return f"“{text}” is not a date ({name} has {days} days in {year})."
    return None


class MoneyField(RefusesExponents, forms.DecimalField):
    """An amount of money: at least ``min_value`` (0 unless given), at most the largest
    amount kept (``portfolio.money``), at most two decimals, returned with exactly two, in
    plain digits (``1e6`` is refused: "Write the amount in plain digits, …").

    A comma may go between thousands, as the planner reads an amount
    (``portfolio.money.without_thousands_separators``): ``1,200`` and ``12,345,678.50`` are
    1200.00 and 12345678.50. A comma anywhere else (``1000,50``, ``2,5``) is refused, not
    read as 100,050 or 25: "“1000,50” is not an amount: write it in plain digits with a
    point for decimals, e.g. 1200.50 (a comma only between thousands: 1,200.50).", and so is
    any text that is no amount (``EUR 5``, ``€5``, ``1_000``): one message, as the planner's
    budget says it. The page shows the text back as typed, to correct.

    Two fixed decimals make "1000" and "1000.00" the same value, so a revision that
    changes nothing does not show up as a change in the audit trail. The limit is said
    once, with the largest amount, however many digits are typed (the columns' count of
    digits, which is more, is not the rule). Every refusal says what to enter ("Enter an
    amount of at least 0."), not the field's name, which the page shows above it.
    """

    widget = NumberTextInput
    what = "the amount"
    readable = "1200.50"

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs["max_digits"] = None
        kwargs["decimal_places"] = MONEY["decimal_places"]
        super().__init__(**kwargs)
        self.validators.append(MoneyLimitValidator(str(self.label or "Amount")))
        # What to enter (Django's own read "Ensure this value is greater than or equal to
        # 0.01."); the form's summary puts the field's label before it.
        self.error_messages.setdefault("min_value", "Enter an amount of at least %(limit_value)s.")
        self.error_messages.setdefault(
            "max_decimal_places", f"Enter an amount with at most 2 decimals, e.g. {self.readable}."
        )

    def to_python(self, value):
        typed = value
        if isinstance(value, str):
            plain = without_thousands_separators(value)
            if plain is None:
                raise forms.ValidationError(self.not_an_amount(typed), code="comma")
            value = plain
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code != "invalid" or not isinstance(typed, str):
                raise
            # "EUR 5", "€5", "1_000", "1e": what the planner says of them, and of "12,50".
            raise forms.ValidationError(self.not_an_amount(typed), code="invalid") from None

    def not_an_amount(self, typed: str) -> str:
        """What the field says of text that is no amount, a misplaced comma or anything else
        (``EUR 5``, ``1_000``): one message, the planner's budget's
        (``planning.inputs.read_number``), with this field's example."""
        return not_an_amount_instruction(typed, example=self.readable)

    def clean(self, value):
        cleaned = super().clean(value)
        return cleaned.quantize(CENT) if cleaned is not None else None


class InvisibleTextIsBlank:
    """Text with no visible character (``"\u200b"``, a byte order mark) is blank in every
    text field that strips its text, as ``"   "`` is: a required one says "This field is
    required.", an optional one keeps "". The API's text does the same
    (``portfolio.validators.is_blank``). Its line breaks are kept as ``"\\n"``, not the
    ``"\\r\\n"`` a browser sends (``portfolio.validators.plain_line_endings``).

    A field a form adds after this ``__init__`` (a kill criterion's note, one per criterion)
    is read so too: ``full_clean`` takes in those it has not yet."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _read_text_plainly(self.fields)

    def full_clean(self):
        _read_text_plainly(self.fields)
        super().full_clean()


def _read_text_plainly(fields) -> None:
    for field in fields.values():
        if (
            isinstance(field, forms.CharField)
            and field.strip
            and not getattr(field, "reads_text_plainly", False)
        ):
            field.to_python = _blank_if_invisible(field)
            field.reads_text_plainly = True


def _blank_if_invisible(field: forms.CharField):
    read = field.to_python

    def to_python(value):
        value = read(value)
        if not isinstance(value, str) or not value:
            return value
        if is_blank(value):
            return field.empty_value
        return plain_line_endings(value)

    return to_python


class LabelsWithoutColon(InvisibleTextIsBlank):
    """Labels without a trailing colon: the page's layout sets them apart. Mixed into every
    form, plain or model (``class StudyForm(LabelsWithoutColon, forms.ModelForm)``); its
    text fields take text with nothing visible as blank (``InvisibleTextIsBlank``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class Form(LabelsWithoutColon, forms.Form):
    """The base of Greenlight's plain forms."""


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


def money_field(label: str, *, help_text: str = "", minimum: str = "0") -> MoneyField:
    return MoneyField(label=label, help_text=help_text, min_value=Decimal(minimum))


class PersonChoiceField(forms.ModelChoiceField):
    """People by name (their e-mail only when no name is recorded)."""

    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


# Kept for the filters' readers; a product manager is chosen like any person.
ProductManagerChoiceField = PersonChoiceField


def by_name(people):
    """People sorted as their names read, case aside; those without a name by e-mail."""
    name = Coalesce(NullIf(Trim("full_name"), Value("")), "email")
    return people.order_by(Lower(name), Lower("email"))


def product_managers():
    return by_name(User.objects.filter(groups__name=Role.PRODUCT_MANAGER, is_active=True))


class ReusableArtifactsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Artifact) -> str:
        killed = ", killed" if obj.project.status == Status.KILLED else ""
        return f"{obj.key} {obj.name} ({obj.get_kind_display()}, {obj.project.key}{killed})"


class PercentField(RefusesExponents, forms.DecimalField):
    """A probability typed as a percentage (35 or 35.5) and kept as a fraction (0.35, 0.355)."""

    widget = NumberTextInput
    what = "the percentage"
    example = ("35", "3.5e1")
    readable = "35"

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(100))
        given = kwargs.get("error_messages") or {}
        super().__init__(**kwargs)
        # What to enter, beside the field; the form's summary puts the label before it
        # ("Probability of success (%): Enter a number from 0 to 100.").
        messages = {
            "min_value": "Enter a number from 0 to 100.",
            "max_value": "Enter a number from 0 to 100.",
            "max_whole_digits": "Enter a number from 0 to 100.",
            "max_decimal_places": "Enter a number with at most two decimals, e.g. 35.25.",
            "max_digits": "Enter a number from 0 to 100, with at most two decimals.",
        }
        self.error_messages.update({k: v for k, v in messages.items() if k not in given})

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except forms.ValidationError as error:
            # 1000.5 is over 100 and has four digits before the point: said once.
            said, kept = set(), []
            for problem, message in zip(error.error_list, error.messages, strict=True):
                if message not in said:
                    said.add(message)
                    kept.append(problem)
            raise forms.ValidationError(kept) from None

    def clean(self, value):
        percent = super().clean(value)
        if percent is not None and 0 < percent < 1:
            # 0.45 is a fraction typed where a percentage is asked for (the decision form
            # took fractions until 2026-12): refused rather than kept as 0.45 %.
            raise forms.ValidationError(
                f"Type the probability as a percentage: {(percent * 100).normalize():f} for "
                f"{(percent * 100).normalize():f} %, or 1 for 1 %.",
                code="fraction",
            )
        return None if percent is None else (percent / 100).quantize(Decimal("0.0001"))

    def prepare_value(self, value):
        # The stored fraction is shown as a percentage; typed text is shown as typed.
        if isinstance(value, Decimal | float | int):
            return format((Decimal(str(value)) * 100).normalize(), "f")
        return value


# The value kind a bucket suggests (the proposal form's default until one is chosen; the
# interchange format takes any pair: docs/interchange.md). A new category may be either.
VALUE_KIND_OF_BUCKET = {
    Bucket.EFFICIENCY: ValueKind.COST_SAVINGS,
    Bucket.REVENUE: ValueKind.REVENUE,
}


class ProposalForm(KeepsVersion, Form, forms.ModelForm):
    """A proposal as its researcher writes it: the fields of ``Project`` they own.

    It validates only; the views save through the services (``create_proposal``,
    ``update_proposal``, ``save_and_submit_proposal``). ``submitting`` adds what a
    submission needs beyond a draft (the business case and the hypothesis).
    """

    key = forms.CharField(
        max_length=32,
        required=False,
        validators=[project_key_validator],
        help_text="The next free key; yours to change (letters, digits, - or _).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    probability_of_success = PercentField(
        label="Probability of success (%)",
        help_text="Chance it ends on the product roadmap, from 0 to 100 %.",
    )
    product_manager = PersonChoiceField(
        label="Product manager",
        queryset=User.objects.none(),
        empty_label="Choose the product manager…",
        help_text="They review the proposal at each gate and are e-mailed when you submit.",
    )
    builds_on = ReusableArtifactsField(
        label="Builds on",
        queryset=Artifact.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Models, data sets and other artifacts of earlier projects, killed ones "
        "included, that this research reuses (hold Ctrl or ⌘ to choose several).",
    )

    class Meta:
        model = Project
        fields = [
            "key",
            "title",
            "research_type",
            "bucket",
            "product_manager",
            "value_kind",
            "projected_low",
            "projected_expected",
            "projected_high",
            "probability_of_success",
            "business_case",
            "hypothesis",
        ]
        labels = {
            "research_type": "Research type",
            "bucket": "Strategic bucket",
            "value_kind": "Projected value is",
            "projected_low": "Low",
            "projected_expected": "Expected",
            "projected_high": "High",
            # The researcher's case; "business case" names the PM's gate 4 deliverable.
            "business_case": "Case for the research",
        }
        help_texts = {
            "bucket": "Where the value lands: cost savings, growth of existing revenue, or a "
            "new category.",
            "value_kind": "The bucket is the strategic category; this is what the projected "
            "value counts. Usually the bucket's own: efficiency counts cost savings, revenue "
            "counts revenue (chosen for you when you pick the bucket, until you choose).",
            "projected_low": "Annual value if it underperforms.",
            "projected_expected": "Annual value expected.",
            "projected_high": "Annual value if it overperforms.",
            "business_case": "Who benefits and why it is worth researching.",
            "hypothesis": "What the research will test, stated so it can fail.",
        }
        # The limit and its message of every money field (the columns' digits are more).
        field_classes = dict.fromkeys(
            ("projected_low", "projected_expected", "projected_high"), MoneyField
        )
        widgets = {
            "research_type": forms.RadioSelect,
            "value_kind": forms.RadioSelect,
            "business_case": forms.Textarea(attrs={"rows": 5}),
            "hypothesis": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, submitting: bool = False, **kwargs):
        project = kwargs.get("instance")
        if project is not None:
            # The form writes what it cleans onto its instance: let it write on a copy, so a
            # refused edit leaves the page's project (its key in every link) as it is.
            kwargs["instance"] = copy.copy(project)
            kwargs.setdefault(
                "initial",
                {"builds_on": list(project.artifact_reuses.values_list("artifact_id", flat=True))},
            )
        else:
            kwargs.setdefault("initial", {"key": next_proposal_key()})
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        # The model checks it too, but only once the form's own checks pass: check it here,
        # so a title refused for a NUL character also says why a control character is wrong.
        self.fields["title"].validators.append(validate_one_line)
        # A draft needs only a title (and a key, offered); the rest is needed to submit.
        for name, _ in SUBMISSION_FIELDS:
            field = self.fields[name]
            field.required = False
            field.help_text = f"{field.help_text} Needed to submit.".strip()
        self.fields["product_manager"].queryset = product_managers()
        self.fields["research_type"].choices = ResearchType.choices
        self.fields["value_kind"].choices = ValueKind.choices
        self.fields["bucket"].choices = [("", "Choose a bucket…"), *Bucket.choices]
        if project is not None and project.bucket and not project.value_kind:
            # Not chosen yet: the one its bucket suggests is offered (static/js/value-kind.js
            # does the same as the bucket is picked).
            self.initial["value_kind"] = VALUE_KIND_OF_BUCKET.get(project.bucket, "")
        artifacts = Artifact.objects.exclude(project__status=Status.DRAFT)
        if project is not None:
            artifacts = artifacts.exclude(project=project)
        self.fields["builds_on"].queryset = artifacts.select_related("project").order_by("key")

    def version_values(self) -> dict | None:
        """The draft as stored, as ``update_proposal`` compares it (its key, the other
        fields, and what it builds on)."""
        return proposal_version(self.instance, builds_on=self.initial.get("builds_on"))

    def validate_unique(self):
        """Key clashes are the service's to report (it names the next free key)."""

    def validate_constraints(self):
        """The services check the rules the constraints hold (a draft may leave the range open)."""

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
        if self.submitting:
            for name, label in SUBMISSION_FIELDS:
                value = data.get(name)
                empty = value is None or (isinstance(value, str) and not value.strip())
                if empty and name not in self.errors:
                    verb = "Write" if name in ("business_case", "hypothesis") else "Give"
                    self.add_error(name, f"{verb} the {label} before submitting.")
        return data

    @classmethod
    def data_from(cls, project: Project) -> dict:
        """The draft as saved, as submitted form data: to show a refusal beside its field."""
        form = cls(instance=project)
        data = {}
        for field in form:
            value = field.field.prepare_value(field.initial)
            if isinstance(value, list | tuple):
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = "" if value is None else str(value)
        return data

    def proposal_fields(self) -> dict:
        """The cleaned proposal, as the services take it."""
        fields = {name: self.cleaned_data[name] for name in PROPOSAL_FIELDS}
        return {**fields, "builds_on": list(self.cleaned_data["builds_on"])}


class SpendForm(Form):
    spent_on = DateField(label="Date", widget=DateInput())
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


class MonthField(DateField):
    """A calendar month, typed as YYYY-MM (or any day of it), kept as its first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": "Enter a month as YYYY-MM, e.g. 2026-03."}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


TICKED_FOR_ANOTHER_AMOUNT = "“Yes, this amount is right” was ticked for another amount. "


class ConfirmsAnAmount:
    """A form whose tick ``confirm_value`` ("Yes, this amount is right") confirms one
    ``realized_value``: the page sends the amount it asked about with the tick (the hidden
    ``confirmed_value``). ``drop_outdated_tick`` drops a tick sent with another amount
    (changed after it was ticked) or none, so that the new amount is asked about again
    (``confirmation_outdated``) and nobody records an amount they did not confirm. Used by
    the outcome form and the admin's correction of an outcome month."""

    def drop_outdated_tick(self) -> None:
        # Ticked for another amount than the one now given: not a confirmation of this one.
        self.confirmation_outdated = self.is_bound and self._ticked() and not self._tick_fits()
        if self.confirmation_outdated:
            self.data = self.data.copy()
            self.data.pop(self.add_prefix("confirm_value"), None)

    def _ticked(self) -> bool:
        field = self.fields["confirm_value"]
        raw = field.widget.value_from_datadict(
            self.data, self.files, self.add_prefix("confirm_value")
        )
        return bool(field.to_python(raw))

    def _amount(self, name: str) -> Decimal | None:
        try:
            return self.fields["realized_value"].to_python(self.data.get(self.add_prefix(name)))
        except forms.ValidationError:
            return None

    def _tick_fits(self) -> bool:
        """Whether the tick was given for the amount now given (the one the page asked about)."""
        confirmed = self._amount("confirmed_value")
        return confirmed is not None and confirmed == self._amount("realized_value")


class OutcomeForm(ConfirmsAnAmount, Form):
    """One month of realized value. A month above the project's high projection for a whole
    year is most likely a typing mistake (1,000,000 for 100,000): it is recorded only once
    ``confirm_value`` is ticked, on a second submit. The service's checks (the first month,
    a month already recorded) run first, beside the form's own, so that every problem is
    said at once and the amount is confirmed only for a month that can be recorded.

    A tick confirms one amount: the page sends the amount it asked about with it (the hidden
    ``confirmed_value``). A tick sent with another amount (changed after it was ticked) or
    none is dropped, and the new amount is asked about again, so that nobody records an
    amount they did not confirm."""

    month = MonthField(help_text="The calendar month the value was realized in.")
    realized_value = MoneyField(label="Realized value")
    confirm_value = forms.BooleanField(label="Yes, this amount is right", required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.asks_confirmation = False
        # The amount a tick shown now confirms, sent back with it (a hidden input).
        self.confirmed_value = ""
        self.drop_outdated_tick()
        label = project.get_value_kind_display().lower()
        self.fields["realized_value"].help_text = f"The {label} realized in that month."
        if project.last_decision_on:
            first = process.first_outcome_month(project.last_decision_on)
            self.fields["month"].help_text = (
                f"The calendar month the value was realized in, from {first:%B %Y} on "
                f"(greenlit on {project.last_decision_on:%Y-%m-%d})."
            )

    def clean_month(self) -> datetime.date:
        month = self.cleaned_data["month"]
        if month > timezone.localdate():
            raise forms.ValidationError("That month has not started yet.")
        return month

    def clean(self):
        data = super().clean()
        value, year = data.get("realized_value"), self.project.projected_high
        try:
            check_outcome(project=self.project, month=data.get("month"), realized_value=value)
        except DomainError as error:
            for problem in error.problems:
                field = problem.field if problem.field in self.fields else None
                if field is None or field not in self.errors:  # the form's message comes first
                    self.add_error(field, problem.message)
        if value is None or not above_a_year_s_projection(self.project, value):
            return data
        # Shown again when ticked, so that the tick is not lost while other problems are
        # corrected; asked for only when nothing else stands in the way.
        self.asks_confirmation = not self.errors or bool(data.get("confirm_value"))
        self.confirmed_value = str(value)
        # On the bound field: made while the fields were cleaned, it keeps the help it had.
        self["confirm_value"].help_text = (
            f"{money_cents(value)} in one month is more than {self.project.key}'s high "
            f"projection for a whole year ({money_cents(year)})."
        )
        if not self.errors and not data.get("confirm_value"):
            changed = TICKED_FOR_ANOTHER_AMOUNT if self.confirmation_outdated else ""
            self.add_error(
                "realized_value",
                forms.ValidationError(
                    f"{changed}{money_cents(value)} in one month is more than the high "
                    f"projection for a whole year ({money_cents(year)}). Check the amount; if "
                    "it is right, tick “Yes, this amount is right” and record it again.",
                    code="above_projection",
                ),
            )
        return data


class ArtifactForm(Form):
    kind = forms.ChoiceField(choices=[("", "Choose…"), *ArtifactKind.choices])
    name = forms.CharField(max_length=200, validators=[validate_one_line])
    key = forms.CharField(
        max_length=32,
        required=False,
        validators=[artifact_key_validator],
        help_text="Leave empty for the next free key (AR-0001, AR-0002, …).",
    )
    created_on = DateField(
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
    used_on = DateField(
        required=False,
        widget=DateInput(),
        help_text="When this project started building on it; empty for today.",
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["artifact"].queryset = reusable_artifacts(project)

    def clean(self):
        data = super().clean()
        # One this project links already is no choice any more (a second click, a page
        # left open): say so, not "Select a valid choice".
        picked = str(self.data.get(self.add_prefix("artifact")) or "")
        if "artifact" in self.errors and picked.isdigit() and len(picked) < 19:  # a bigint
            linked = (
                self.project.artifact_reuses.filter(artifact_id=int(picked))
                .select_related("artifact")
                .first()
            )
            if linked is not None:
                self.errors["artifact"] = self.error_class(
                    [f"{self.project.key} reuses {linked.artifact.key} already."]
                )
        return data


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
# The longest search the list reads, as the API's ?q= (api.routers.projects).
SEARCH_MAX = 200


def search_field(placeholder: str, *, too_long: str) -> forms.CharField:
    """A list's search box, read from the URL (``?q=``): one line of at most SEARCH_MAX
    characters; ``too_long`` says so (``%(limit_value)d``, ``%(show_value)d``)."""
    return forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX,
        validators=[validate_one_line],
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": placeholder, "autocomplete": "off"}
        ),
        error_messages={"max_length": too_long},
    )


class ChoicesField(forms.MultipleChoiceField):
    """Any number of choices; an empty value is none (``?status=``, as the single choice's
    "Any status" sent it, so the addresses it made keep working)."""

    def to_python(self, value) -> list[str]:
        return [choice for choice in super().to_python(value) if choice != ""]


class ListFilterForm(Form):
    """A list's search and filters, read from the URL so a view can be shared. A filter that
    cannot be read refuses the list (``problems``): a list without it would look like its
    answer, every row."""

    def filters(self) -> dict:
        """The filters given, those that could be read (``problems`` names the others: a list
        with any of them is refused, not shown or exported as if they were not there)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "", []) and name not in self.errors
        }

    def problems(self) -> list[str]:
        """Each filter that cannot be read, named by its label, in the order of the form:
        "Researcher: no researcher with that e-mail address."."""
        if not self.is_bound or self.is_valid():
            return []
        return [labelled(field.label, error) for field in self for error in field.errors] + [
            str(error) for error in self.non_field_errors()
        ]


class ProjectFilterForm(ListFilterForm):
    """The project list's search and filters."""

    q = search_field(
        "Key, title or e-mail",
        too_long="Search: at most %(limit_value)d characters (you typed %(show_value)d).",
    )
    # Any number of statuses, as repeated parameters (?status=active&status=on_hold); none
    # ticked is any status. One status (?status=active) is read as before.
    status = ChoicesField(
        required=False,
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Status: not one of the listed statuses.",
            "invalid_list": "Status: not one of the listed statuses.",
        },
    )
    gate = forms.TypedChoiceField(
        required=False,
        choices=GATE_CHOICES,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Gate: not one of the listed gates."},
    )
    bucket = forms.ChoiceField(
        required=False,
        choices=[("", "Any bucket"), *[(v, label.split(" (")[0]) for v, label in Bucket.choices]],
        error_messages={"invalid_choice": "Bucket: not one of the listed buckets."},
    )
    research_type = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[("", "Any type"), *ResearchType.choices],
        error_messages={"invalid_choice": "Type: not one of the listed types."},
    )
    pm = ProductManagerChoiceField(
        label="Product manager",
        required=False,
        queryset=User.objects.none(),
        to_field_name="email",
        empty_label="Anyone",
        # As the dashboard's Product manager filter says it.
        error_messages={
            "invalid_choice": "Product manager: no product manager with that e-mail address."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from portfolio.reads.project_list import product_manager_choices

        # Whoever holds the role or manages a project, as the dashboard's filter offers.
        self.fields["pm"].queryset = by_name(product_manager_choices())

    def clean_status(self) -> list[str]:
        """The statuses ticked, once each, in the order the list offers them."""
        ticked = set(self.cleaned_data.get("status") or ())
        return [value for value in Status.values if value in ticked]


class CountField(RefusesExponents, forms.IntegerField):
    """A whole number; ``1_000`` and ``1e3`` are not one."""

    widget = WholeNumberTextInput
    example = ("1000", "1e3")


class MinutesField(RefusesExponents, forms.DecimalField):
    """A number of minutes; ``1_000`` and ``1e3`` are not one."""

    widget = NumberTextInput
    what = "the minutes"
    example = ("1000", "1e3")
    readable = "6.25"


def count_field(label: str, help_text: str) -> forms.IntegerField:
    """A month's count: a whole number from 0 to ``counts.LARGEST_COUNT``; a refusal says
    what to enter (the service names the field: ``counts.*_message``)."""
    return CountField(
        label=label,
        min_value=0,
        max_value=counts.LARGEST_COUNT,
        help_text=help_text,
        error_messages={
            "invalid": counts.COUNT_INSTRUCTION,
            "min_value": counts.COUNT_INSTRUCTION,
            "max_value": counts.COUNT_TOO_LARGE_INSTRUCTION,
        },
    )


def minutes_field(label: str, help_text: str, *, minimum: str) -> forms.DecimalField:
    """Minutes per task: at most two decimals and ``counts.LARGEST_MINUTES``. The column's
    count of digits is not the rule: the limit is said instead, however many are typed."""
    low = Decimal(minimum)
    too_low = counts.MINUTES_INSTRUCTION if low == 0 else counts.MINUTES_ABOVE_0_INSTRUCTION
    field = MinutesField(
        label=label,
        required=False,
        min_value=low,
        max_value=counts.LARGEST_MINUTES,
        max_digits=None,
        decimal_places=counts.MINUTES_DECIMAL_PLACES,
        help_text=help_text,
        error_messages={
            "invalid": counts.MINUTES_INSTRUCTION,
            "min_value": too_low,
            "max_value": counts.MINUTES_TOO_LARGE_INSTRUCTION,
            "max_decimal_places": counts.MINUTES_PLACES_INSTRUCTION,
        },
    )
    return field


class AdoptionForm(Form):
    """One month of a greenlit product's use."""

    month = MonthField(help_text="The calendar month the numbers are for.")
    active_users = count_field("Active users", "People who used it that month.")
    tasks_completed = count_field("Tasks completed", "Tasks done with it that month.")
    minutes_per_task = minutes_field(
        "Minutes per task",
        "Average minutes a task takes now, with the product (optional).",
        minimum="0",
    )
    baseline_minutes_per_task = minutes_field(
        "Baseline minutes per task",
        "Minutes the same task took before the product (optional).",
        minimum="0.01",
    )

    def clean_month(self) -> datetime.date:
        month = self.cleaned_data["month"]
        if month > timezone.localdate():
            raise forms.ValidationError("That month has not started yet.")
        return month


class ArtifactFilterForm(ListFilterForm):
    """The artifact library's search and filters."""

    q = search_field(
        "Key, name, description or project",
        too_long="Search: at most %(limit_value)d characters (you typed %(show_value)d).",
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "Any kind"), *ArtifactKind.choices],
        label="Kind",
        error_messages={"invalid_choice": "Kind: not one of the listed kinds."},
    )
    reuse = forms.ChoiceField(
        required=False,
        label="Reuse",
        choices=[("", "Reused or not"), ("reused", "Reused"), ("unused", "Not reused yet")],
        error_messages={"invalid_choice": "Reuse: not one of the listed choices."},
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
        error_messages={"invalid_choice": "Producing project: not one of the listed statuses."},
    )
