"""The documents the API reads and writes; the OpenAPI schema is generated from these.

Money is a decimal string with the portfolio's currency, ``{"amount": "1250.00",
"currency": "EUR"}``; dates are ISO 8601; probabilities are decimal strings.
Documents sent to the API refuse unknown fields, so a typo is an error, not a
silently ignored value.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Schema
from ninja.parser import Parser
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    WithJsonSchema,
)

from api import models as api_models
from api import problems
from api.labels import label_of
from api.problems import Problem
from gates import models as gates_models
from planning.inputs import WRITTEN
from portfolio import models as portfolio_models
from portfolio import money, process
from portfolio.errors import DomainError
from portfolio.forms import date_message
from portfolio.services import spend
from portfolio.validators import blank_if_invisible, one_line_problem, plain_line_endings

# The process's vocabulary, as portfolio/process.py states it, and the models' choices:
# a document takes and shows exactly the values the app keeps.
DecisionKind = Literal[process.DECISIONS]
ProjectStatus = Literal[tuple(process.STATUS_LABELS)]
ResearchType = Literal[tuple(portfolio_models.ResearchType.values)]
Bucket = Literal[tuple(portfolio_models.Bucket.values)]
ValueKind = Literal[tuple(portfolio_models.ValueKind.values)]
SpendCategory = Literal[tuple(portfolio_models.SpendCategory.values)]
ArtifactKind = Literal[tuple(portfolio_models.ArtifactKind.values)]
CriterionKind = Literal[tuple(gates_models.Criterion.Kind.values)]
# A kill criterion's comparison; "" for one without a number.
Comparison = Literal[("", *gates_models.KillCriterion.Comparison.values)]
HypothesisHeld = Literal[tuple(gates_models.FeasibilityStudy.HypothesisHeld.values)]
Confidence = Literal[tuple(gates_models.FeasibilityStudy.Confidence.values)]
NextStep = Literal[tuple(gates_models.FeasibilityStudy.NextStep.values)]
Cadence = Literal[tuple(gates_models.ArchitectureEstimate.Cadence.values)]
TokenScope = Literal[tuple(api_models.Scope.values)]

# A number the API reads, in a body or a query, written as people type one: the digits 0-9.
# Python's int and Decimal, so pydantic's lax mode, read "1_000" (a digit separator of Python
# source; typed, a slip for 1,000 or 10.00) and "１０００" or "١٠٠٠" (other scripts' digits)
# as 1000. The forms, the admin and the import files refuse them by one rule,
# portfolio.money.digits_as_typed; so does every number field of the API through these
# types (tests/api/test_digits_as_typed.py checks that every operation's number has it).
# A JSON number cannot hold either; a string is checked before it is read.
NOT_DIGITS_AS_TYPED = (
    "Input should be a number written in the digits 0-9 (no '_', no full-width or other "
    "scripts' digits)."
)
# Nor a number with an exponent, as the forms refuse it (portfolio.money.written_with_exponent):
# Decimal reads "1e6" as 1,000,000 and pydantic an int field's "1e3" as no integer at all. A
# JSON number written 1e6 is valid JSON, but it is the same slip, refused the same way:
# the body's parser (PlainNumbersParser) keeps the way it was written (ExponentNumber).
NOT_PLAIN_DIGITS = "Input should be a number written in plain digits, e.g. 1000000 (not 1e6)."


class ExponentNumber(float):
    """A JSON number written with an exponent (``1e6``, ``2E3``), as the body's parser reads
    it: a float to every field that takes one as before, refused by a number field."""


class PlainNumbersParser(Parser):
    """django-ninja's JSON parser, the one place every body sent to the API is read: a body
    sent as anything but JSON is refused (415), a member named twice in one object is
    refused (400, naming it: ``json.loads`` kept the last, so {"amount": "10", "amount":
    "99999"} was recorded as 99999), and a number written with an exponent is read as an
    ``ExponentNumber`` (float keeps no trace of how a number was written)."""

    def parse_body(self, request: HttpRequest) -> Any:
        refuse_not_json(request)
        pairs = json.loads(
            request.body, parse_float=_read_json_float, object_pairs_hook=_MemberPairs
        )
        return _without_repeats(pairs, "")


def is_json(content_type: str) -> bool:
    """``application/json``, or a JSON type of its own (``application/problem+json``)."""
    media = content_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def refuse_not_json(request: HttpRequest) -> None:
    """A body sent as text, a form or a file is not read as JSON as if it were (415)."""
    sent = request.headers.get("Content-Type", "")
    if is_json(sent):
        return
    said = f"this request's is {sent.split(';', 1)[0].strip()}" if sent.strip() else "it had none"
    raise problems.ApiProblem(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        f"Send the body as JSON, with the header Content-Type: application/json ({said}).",
        headers={"Accept-Post": "application/json"},
    )


class _MemberPairs(list):
    """An object's members as the JSON lists them, repeats kept, to be checked."""


def _without_repeats(value: Any, where: str) -> Any:
    """``value`` with every object a dict, refusing a member an object names twice (400,
    naming it as the errors name a field: ``amount``, ``scores[0].met``)."""
    if isinstance(value, _MemberPairs):
        found: dict[str, Any] = {}
        for name, member in value:
            field = f"{where}.{name}" if where else name
            if name in found:
                message = f"“{name}” is given twice in one object: send it once."
                raise problems.ApiProblem(
                    400,
                    "invalid-input",
                    "Invalid input",
                    f"{field}: {message}",
                    field=field,
                    errors=[{"field": field, "message": message}],
                )
            found[name] = _without_repeats(member, field)
        return found
    if isinstance(value, list):
        return [_without_repeats(item, f"{where}[{index}]") for index, item in enumerate(value)]
    return value


def _read_json_float(text: str) -> float:
    # Called for a JSON number with a fraction or an exponent: "1000.5", "1e6", "1.5E-2".
    return ExponentNumber(text) if "e" in text or "E" in text else float(text)


def refuse_digits_not_as_typed(value: Any) -> Any:
    if isinstance(value, str) and not money.digits_as_typed(value):
        raise ValueError(NOT_DIGITS_AS_TYPED)
    if isinstance(value, ExponentNumber) or (
        isinstance(value, str) and money.written_with_exponent(value)
    ):
        raise ValueError(NOT_PLAIN_DIGITS)
    return value


DigitsAsTyped = BeforeValidator(refuse_digits_not_as_typed)


def plain_digits_as(example: str, instead_of: str) -> BeforeValidator:
    """For a number whose example is not 1000000 (a horizon of 1 to 10 years): its own
    example when it is written with an exponent, put after ``DigitsAsTyped``
    (``Annotated[IntIn, plain_digits_as("3", "3e0")]``), which it is checked before."""
    message = (
        f"Input should be a number written in plain digits, e.g. {example} (not {instead_of})."
    )

    def refuse_exponent(value: Any) -> Any:
        if isinstance(value, ExponentNumber) or (
            isinstance(value, str) and money.written_with_exponent(value)
        ):
            raise ValueError(message)
        return value

    return BeforeValidator(refuse_exponent)


# A whole number as pydantic reads one from text: digits, a sign or not, and a point followed by
# zeros only ("3", "+3", "3.0"). Anything else ("1,5", "1.5", "three") is said in the app's
# words, naming the field ("Horizon: write a whole number in plain digits, e.g. 3."), not
# pydantic's "Input should be a valid integer, unable to parse string as an integer".
WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]+(?:\.0+)?\s*")
# An example that fits each whole-number field of the API, for that message (else 1).
WHOLE_NUMBER_EXAMPLES = {
    "horizon": WRITTEN["horizon"].example,  # the planning page's: 3 (years, 1 to 10)
    "gate": "3",
    "score": "8",
    "page": "2",
    "per_page": "25",
    "criterion": "12",
}


def field_label(info: ValidationInfo, default: str = "Value") -> str:
    """The field's label in a message: the form's for a money field, else made from its name
    (``per_page``: "Per page")."""
    return label_of(info.field_name or "", default)


def refuse_no_whole_number(value: Any, info: ValidationInfo) -> Any:
    """Text or a JSON number with a fraction that is no whole number, in the app's words."""
    if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value) is None:
        raise ValueError(whole_number_message(info))
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(whole_number_message(info))
    return value


def whole_number_message(info: ValidationInfo) -> str:
    example = WHOLE_NUMBER_EXAMPLES.get(info.field_name or "", "1")
    return f"{field_label(info, 'Number')}: write a whole number in plain digits, e.g. {example}."


DecimalIn = Annotated[Decimal, DigitsAsTyped]
# DigitsAsTyped is checked first (the last BeforeValidator runs first): "1e3" is an exponent.
IntIn = Annotated[int, BeforeValidator(refuse_no_whole_number), DigitsAsTyped]

# Money as the app keeps it: two decimal places, at most the largest amount (portfolio.money),
# which SQLite and PostgreSQL both read back exactly. A larger one is a 400 naming the field
# and the largest amount, whatever its digits.
MONEY_PLACES = portfolio_models.MONEY["decimal_places"]
CENT = Decimal("0.01")
# Refused in the app's own words, as the forms say them, naming the field: below the minimum
# ("Amount: at least 0.01.", "Build cost: at least 0."), more than two decimals ("Build cost:
# at most 2 decimal places."), over the largest amount (money.too_large_message: "Build cost:
# at most 9,999,999,999,999.99 (13 digits before the decimal point)."); not pydantic's "Input
# should be greater than 0", "Decimal input should have no more than 2 decimal places" or
# "less than or equal to Decimal('9999999999999.99')". The OpenAPI schema still documents
# the bounds. The label is the form's for the field, else made from its name (api/labels.py).


def check_money_limit(value: Decimal, info: ValidationInfo) -> Decimal:
    if value > money.LARGEST_AMOUNT:
        raise ValueError(money.too_large_message(field_label(info, "Amount")))
    return value


def decimal_places(value: Decimal) -> int:
    """Decimals written, trailing zeros aside (100.120 has 2), as pydantic counted them: read
    from the digits, never rounded to the context's precision."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return 0  # NaN and Infinity are refused before (DigitsAsTyped, pydantic)
    digits = list(digits)
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exponent += 1
    return max(0, -exponent)


def check_money(*, ge: Decimal | int | None = None, gt: Decimal | int | None = None):
    """The minimum (``ge``, or above ``gt``: the next cent), two decimals, the largest amount."""
    least = Decimal(ge) if ge is not None else Decimal(gt) + CENT if gt is not None else None

    def check(value: Decimal, info: ValidationInfo) -> Decimal:
        label = field_label(info, "Amount")
        if least is not None and value < least:
            raise ValueError(f"{label}: at least {least}.")
        if decimal_places(value) > MONEY_PLACES:
            raise ValueError(f"{label}: at most {MONEY_PLACES} decimal places.")
        return check_money_limit(value, info)

    return check


def money_in(**bound: Any) -> Any:
    """Money at most the largest amount, two decimals, ``bound`` below (``ge=0``, ``gt=0``),
    each refused in the app's words (``check_money``); the schema documents them all."""
    documented = Annotated[
        DecimalIn, Field(**bound, le=money.LARGEST_AMOUNT, decimal_places=MONEY_PLACES)
    ]
    return Annotated[
        DecimalIn,
        AfterValidator(check_money(**bound)),
        WithJsonSchema(TypeAdapter(documented).json_schema()),
    ]


MoneyIn = money_in(ge=0)
ProbabilityIn = Annotated[DecimalIn, Field(ge=0, le=1, max_digits=5, decimal_places=4)]
# A row's id, as a 64-bit column holds it: a larger number is a 400 naming the field, never
# a lookup SQLite cannot take (it answered 500).
LARGEST_ID = 2**63 - 1
IdIn = Annotated[IntIn, Field(ge=1, le=LARGEST_ID)]
MONTH_PATTERN = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"  # no year 0: a date has none
# Dates and months written as documented, refused otherwise in the pages' words, naming the
# field: pydantic's date took a timestamp ("2026-12-02T00:00:00", 1764633600) as its day, and
# a month said "String should match pattern '^[1-9]\d{3}-…'". The schema still documents a
# date (format: date) and the month's pattern.


DATE_MESSAGE = date_message()  # the pages' words (portfolio.forms.DateField), as documented
MONTH_MESSAGE = "Enter a month as YYYY-MM, e.g. 2026-03."  # the outcome form's (MonthField)
DATE_WRITTEN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def refuse_date_not_written_so(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or DATE_WRITTEN.fullmatch(value) is None:
        raise ValueError(DATE_MESSAGE)
    return value


def check_month(value: Any) -> Any:
    if not isinstance(value, str) or re.fullmatch(MONTH_PATTERN, value) is None:
        raise ValueError(MONTH_MESSAGE)
    return value


DateIn = Annotated[datetime.date, BeforeValidator(refuse_date_not_written_so)]
MonthIn = Annotated[
    str,
    BeforeValidator(check_month),
    WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN, "examples": ["2026-03"]}),
]


# Text as the pages take it, refused otherwise with their words, naming the field: no NUL
# in any text (Django's forms say "Null characters are not allowed."; PostgreSQL cannot keep
# one, and the export wrote it raw into spend.csv), and a one-line field (a name, a key, a
# location) no line break, control or text-direction character (portfolio.validators, as the
# forms' validate_one_line). Every text field of a document sent to the API is one of these.
NUL_MESSAGE = "Null characters are not allowed."


def refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(NUL_MESSAGE)
    return value


def refuse_more_than_one_line(value: str) -> str:
    problem = one_line_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def strip_as_the_forms_do(value: Any) -> Any:
    """Text stripped as the pages' fields strip it, and "" when nothing in it is visible
    ("   ", "\u200b", "\t\n"): read before its length, so that a required field says
    "This field is required." (api.problems), as the page does. Its line breaks are "\\n",
    as the pages keep them ("\\r\\n" and "\\r" too)."""
    return plain_line_endings(blank_if_invisible(value)) if isinstance(value, str) else value


StrippedText = BeforeValidator(strip_as_the_forms_do)
TextIn = Annotated[str, AfterValidator(refuse_nul), StrippedText]
LineIn = Annotated[
    str, AfterValidator(refuse_nul), AfterValidator(refuse_more_than_one_line), StrippedText
]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Shared ------------------------------------------------------------------------------------


class Money(Schema):
    amount: str = Field(examples=["1250.00"], pattern=r"^-?\d+\.\d{2}$")
    currency: str = Field(examples=["EUR"])


class Person(Schema):
    email: str
    name: str


class PageInfo(Schema):
    count: int = Field(description="Items in the whole list.")
    page: int
    per_page: int
    pages: int
    next: str | None = Field(description="The next page's URL, or null on the last page.")
    previous: str | None


ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 429: Problem}
WRITE_ERRORS = {**ERRORS, 413: Problem, 415: Problem, 422: Problem}


# --- Me -----------------------------------------------------------------------------------------


class Me(Schema):
    email: str
    name: str
    roles: list[str]
    token_name: str
    token_scope: TokenScope
    token_expires_at: datetime.datetime


# --- Projects -------------------------------------------------------------------------------------


class ProjectOut(Schema):
    key: str
    title: str
    status: ProjectStatus
    current_gate: int | None
    # A draft may leave these empty (null) until it is submitted; a submitted project has them.
    research_type: ResearchType | None
    bucket: Bucket | None
    researcher: Person
    product_manager: Person | None
    submitted_on: datetime.date | None
    value_kind: ValueKind | None
    projected_low: Money | None
    projected_expected: Money | None
    projected_high: Money | None
    probability_of_success: str | None = Field(description="At submission, 0 to 1.")
    current_probability: str | None = Field(
        description="The latest decision's estimate, else the first."
    )
    next_stage_ask: Money | None
    funding_granted_total: Money
    spend_total: Money
    decisions_count: int
    last_decision_on: datetime.date | None
    last_spend_on: datetime.date | None
    url: str = Field(description="The project's page in the app.")


class ProjectDetail(ProjectOut):
    business_case: str
    hypothesis: str


class ProjectPage(PageInfo):
    results: list[ProjectOut]


# --- Gates --------------------------------------------------------------------------------------


class CriterionOut(Schema):
    id: int
    name: str
    help_text: str
    kind: CriterionKind
    weight: str


class GateOut(Schema):
    number: int
    name: str
    purpose: str
    required_deliverables: list[str]
    criteria: list[CriterionOut]


# --- Decisions ------------------------------------------------------------------------------------


class ScoreOut(Schema):
    criterion: int
    criterion_name: str
    met: bool | None
    score: int | None
    weight: str


class DecisionOut(Schema):
    id: int
    sequence: int
    gate: int
    decision: DecisionKind
    decided_on: datetime.date
    decided_by: Person
    funding_granted: Money
    probability_of_success: str | None
    rationale: str
    scorecard_total: str | None
    recorded_at: datetime.datetime
    scores: list[ScoreOut]


class DecisionPage(PageInfo):
    results: list[DecisionOut]


class ScoreIn(Input):
    criterion: IdIn = Field(description="The criterion's id (GET /gates).")
    met: bool | None = Field(None, description="For a must-meet criterion.")
    score: IntIn | None = Field(None, ge=0, le=10, description="0–10, for a should-meet criterion.")


class NewKillCriterionIn(Input):
    statement: TextIn = Field(min_length=1, max_length=500)
    comparison: Comparison = ""
    target: DecimalIn | None = None


class KillVerdictIn(Input):
    criterion: IdIn = Field(description="A pending kill criterion's id (GET …/review).")
    met: bool
    note: TextIn = Field("", max_length=2_000)


class DecisionIn(Input):
    gate: IntIn = Field(ge=process.FIRST_GATE, le=process.LAST_GATE)
    decision: DecisionKind
    decided_on: DateIn | None = Field(None, description="Today when left out.")
    funding_granted: MoneyIn = Field(
        Decimal(0), description="Released by a go or a recycle; a kill or a hold grants none."
    )
    probability_of_success: ProbabilityIn | None = None
    # The model's limit, as the decision form's.
    rationale: TextIn = Field("", max_length=gates_models.RATIONALE_MAX)
    scores: list[ScoreIn] = Field(default_factory=list, max_length=100)
    kill_criteria: list[NewKillCriterionIn] = Field(
        default_factory=list,
        max_length=5,
        description=(
            "Evidence that would kill the project at the next review: one to five, required "
            "with a go to gate 2, 3 or 4 and with a recycle; none with a go at gate 4."
        ),
    )
    kill_verdicts: list[KillVerdictIn] = Field(
        default_factory=list,
        max_length=20,
        description=(
            "The chair's verdict on each pending kill criterion: required with a go or a "
            "recycle, optional with a kill or a hold."
        ),
    )
    decisions_seen: IntIn | None = Field(
        None, ge=0, description="Decisions you saw: refused if another was recorded since."
    )


# --- Deliverables -------------------------------------------------------------------------------


class FeasibilityStudyOut(Schema):
    author: Person
    findings: str
    hypothesis_held: HypothesisHeld
    evidence: str
    confidence: Confidence
    recommended_next_step: NextStep
    created_at: datetime.datetime
    updated_at: datetime.datetime


class FeasibilityStudyIn(Input):
    findings: TextIn = Field(min_length=1, max_length=20_000)
    hypothesis_held: HypothesisHeld
    evidence: TextIn = Field(min_length=1, max_length=20_000)
    confidence: Confidence
    recommended_next_step: NextStep


class ArchitectureEstimateOut(Schema):
    author: Person
    build_cost: Money
    monthly_run_cost: Money
    retraining_cadence: Cadence
    cost_per_retrain: Money
    three_year_total: Money
    platform_reused: str
    build_or_buy_note: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ArchitectureEstimateIn(Input):
    build_cost: MoneyIn
    monthly_run_cost: MoneyIn
    retraining_cadence: Cadence
    cost_per_retrain: MoneyIn = Decimal(0)
    platform_reused: LineIn = Field("", max_length=200)
    build_or_buy_note: TextIn = Field("", max_length=20_000)


class BusinessCaseOut(Schema):
    author: Person
    customer_problem: str
    value_rationale: str
    strategic_fit: str
    risks: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class BusinessCaseIn(Input):
    customer_problem: TextIn = Field(min_length=1, max_length=20_000)
    value_rationale: TextIn = Field(min_length=1, max_length=20_000)
    strategic_fit: TextIn = Field("", max_length=20_000)
    risks: TextIn = Field("", max_length=20_000)


class DeliverablesOut(Schema):
    feasibility_study: FeasibilityStudyOut | None
    architecture_estimate: ArchitectureEstimateOut | None
    business_case: BusinessCaseOut | None


# --- Spend and outcomes ---------------------------------------------------------------------------


class SpendOut(Schema):
    id: int
    spent_on: datetime.date
    amount: Money
    category: SpendCategory
    note: str
    recorded_by: Person | None
    recorded_at: datetime.datetime


class SpendPage(PageInfo):
    results: list[SpendOut]


class SpendIn(Input):
    spent_on: DateIn
    amount: money_in(gt=0)
    category: SpendCategory
    note: TextIn = Field("", max_length=2_000)


class OutcomeOut(Schema):
    id: int
    month: str = Field(pattern=MONTH_PATTERN, examples=["2026-03"])
    realized_value: Money
    recorded_by: Person | None
    recorded_at: datetime.datetime


class OutcomePage(PageInfo):
    results: list[OutcomeOut]


def check_realized_value(value: Decimal) -> Decimal:
    """A month's realized value by the app's rules and in its words ("Realized value cannot
    be negative.", "Realized value: at most 2 decimal places."), as the outcome form and the
    admin say them: one source, portfolio.services.spend.check_realized_value."""
    try:
        spend.check_realized_value(value)
    except DomainError as error:
        raise ValueError(error.message) from None
    return value


# Money as MoneyIn documents it (its JSON schema, unchanged), checked by the app's own rule
# so that a refusal reads as on the pages.
RealizedValueIn = Annotated[
    DecimalIn,
    AfterValidator(check_realized_value),
    WithJsonSchema(TypeAdapter(MoneyIn).json_schema()),
]


class OutcomeIn(Input):
    month: MonthIn = Field(description="YYYY-MM.")
    realized_value: RealizedValueIn
    confirm_value: bool = Field(
        False,
        description=(
            "true to record a month above the project's high projection for a whole year "
            "(projected_high), most likely a typing mistake: refused without it (422), as the "
            "outcome form asks “Yes, this amount is right”."
        ),
    )


# --- Artifacts ------------------------------------------------------------------------------------


class ArtifactOut(Schema):
    id: int
    key: str
    project: str = Field(description="The key of the project that produced it.")
    kind: ArtifactKind
    name: str
    description: str
    location: str
    created_on: datetime.date
    registered_at: datetime.datetime
    url: str = Field(description="The artifact's page in the app.")
    reused_by: list[str] = Field(description="Keys of the projects that reuse it.")


class ArtifactsOut(Schema):
    produced: list[ArtifactOut]
    reused: list[ArtifactOut] = Field(description="Other projects' artifacts this one reuses.")


class ArtifactIn(Input):
    kind: ArtifactKind
    name: LineIn = Field(min_length=1, max_length=200)
    key: LineIn = Field(
        "", max_length=32, description="Like AR-0001; the next free one when left out."
    )
    created_on: DateIn | None = Field(None, description="Today when left out.")
    description: TextIn = Field("", max_length=20_000)
    location: LineIn = Field("", max_length=500)


# --- Audit trail ------------------------------------------------------------------------------------


class AuditOut(Schema):
    id: int
    at: datetime.datetime
    actor: Person | None
    action: str
    object_type: str
    object_id: str
    summary: str
    changes: dict[str, list]


class AuditPage(PageInfo):
    results: list[AuditOut]
