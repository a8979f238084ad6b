"""What a plan is asked for, checked in one place.

The planning page, ``manage.py portfolio_plan`` and the JSON API all turn
their text input into a :class:`PlanRequest` with :func:`parse`, so a budget
of 0 or shares over 1 get the same message wherever they come from. Each
problem is a :class:`DomainError` whose ``field`` names the input it is about.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from portfolio.errors import DomainError
from portfolio.forms import date_message, not_in_the_calendar
from portfolio.metrics.scope import AS_OF_RANGE_MESSAGE, EARLIEST_AS_OF, LATEST_AS_OF
from portfolio.models import Bucket
from portfolio.money import (
    misplaced_comma_message,
    plain_digits_message,
    typed_decimal,
    without_thousands_separators,
    written_with_exponent,
)

BUCKETS: tuple[str, ...] = tuple(Bucket.values)  # efficiency, revenue, new_category
RAW, CALIBRATED = "raw", "calibrated"
PROBABILITY_MODES = (RAW, CALIBRATED)
HORIZON_RANGE = (1, 10)
SHARE_STEP = Decimal("0.0001")  # a bucket target's finest share: 0.01% of the budget
MAX_BUDGET = Decimal("1e13")  # what a money column holds (16 digits, 2 after the point)
DATE_WRITTEN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class PlanRequest:
    """A plan's settings: budget, date, horizon, rate, probabilities, targets and pins."""

    budget: Decimal
    as_of: datetime.date
    horizon: int = 3
    discount_rate: Decimal = Decimal("0.10")
    probabilities: str = RAW
    # bucket -> share; empty means no targets (a bucket left out has share 0 when any is given)
    targets: Mapping[str, Decimal] = field(default_factory=dict)
    pin_in: tuple[str, ...] = ()
    pin_out: tuple[str, ...] = ()

    @property
    def calibrated(self) -> bool:
        return self.probabilities == CALIBRATED

    @property
    def has_targets(self) -> bool:
        return bool(self.targets)

    def settings_dict(self) -> dict:
        """The request as plain JSON values (a saved scenario keeps this), its numbers in plain
        digits: str() writes some decimals with an exponent (a share of 0.0000000 as "0E-7"),
        which ``parse`` refuses when the scenario is read again."""
        return {
            "budget": f"{self.budget:f}",
            "as_of": self.as_of.isoformat(),
            "horizon": self.horizon,
            "discount_rate": f"{self.discount_rate:f}",
            "probabilities": self.probabilities,
            "targets": {bucket: f"{share:f}" for bucket, share in self.targets.items()},
            "pin_in": list(self.pin_in),
            "pin_out": list(self.pin_out),
        }


@dataclass(frozen=True)
class Written:
    """How one of the plan's numbers is written, for the messages refusing one written
    otherwise: an example that fits the field in plain digits and with an exponent, whether
    it is an amount (a comma may go between its thousands) and whether it has decimals.
    The admin's plan settings (``planning.admin``) and the API's horizon give the same."""

    example: str
    with_exponent: str
    amount: bool = False
    decimals: bool = True

    @property
    def what(self) -> str:
        return "the amount" if self.amount else "the number"

    def comma_message(self, label: str, text: str) -> str:
        """The field's own example, as the exponent's message gives it: a budget's
        "e.g. 1000000.50 (a comma only between thousands: 1,000,000.50)", a rate's "e.g. 0.1"."""
        if self.amount:
            example = self.example if "." in self.example else f"{self.example}.50"
            return misplaced_comma_message(label, text, example=example)
        return misplaced_comma_message(
            label,
            text,
            what="a number",
            example=self.example,
            grouped=False,
            decimals=self.decimals,
        )


WRITTEN = {
    "budget": Written("1000000", "1e6", amount=True),
    "horizon": Written("3", "3e0", decimals=False),  # 1 to 10 years
    "discount_rate": Written("0.1", "1e-1"),  # less than 1
    "targets": Written("0.3", "3e-1"),  # a share from 0 to 1
}


def _number(text, *, field_name: str, label: str) -> Decimal:
    return read_number(text, written=WRITTEN[field_name], field_name=field_name, label=label)


def read_number(text, *, written: Written, label: str, field_name: str | None = None) -> Decimal:
    """The number ``text`` writes, or a DomainError naming the field: a comma only between
    thousands (``1,000,000.50``; ``4000,50`` and ``0,1`` are refused, where every comma was
    taken out and they were read as 400050 and 1), plain digits (no ``1e6``). The plan's
    numbers and a project's next-stage ask (``planning.forms``) are read by this."""
    typed = str(text).strip() if text is not None else ""
    if not typed:
        raise DomainError(f"{label}: a number is required.", field=field_name)
    value = without_thousands_separators(typed)
    if value is None:
        raise DomainError(written.comma_message(label, typed), field=field_name)
    if written_with_exponent(value):  # 1e6: a slip, not 1,000,000 (portfolio.money)
        message = plain_digits_message(
            label, what=written.what, example=written.example, instead_of=written.with_exponent
        )
        raise DomainError(message, field=field_name)
    number = typed_decimal(value)
    if number is None:
        # As a misplaced comma is said ("3,00,000"), so that "EUR 5" says what to write too.
        raise DomainError(written.comma_message(label, typed), field=field_name)
    return number


def parse_budget(text) -> Decimal:
    budget = _number(text, field_name="budget", label="Budget")
    if budget <= 0:
        raise DomainError("Budget: must be more than 0.", field="budget")
    if budget >= MAX_BUDGET:
        raise DomainError("Budget: too large (at most 9,999,999,999,999.99).", field="budget")
    if budget != budget.quantize(Decimal("0.01")):
        raise DomainError("Budget: at most 2 decimal places.", field="budget")
    return budget


def parse_as_of(text) -> datetime.date:
    """The day a plan is for, today when none is given; a date that is none is said in the
    words of the pages' date fields (``portfolio.forms.DateField``), today the example."""
    value = str(text or "").strip()
    if not value:
        return timezone.localdate()
    if impossible := not_in_the_calendar(value):
        raise DomainError(f"As of: {impossible}", field="as_of")
    try:
        if not DATE_WRITTEN.fullmatch(value):
            raise ValueError  # "20260630" and "2026-W26-2", which fromisoformat takes
        day = datetime.date.fromisoformat(value)
    except ValueError:
        example = timezone.localdate().isoformat()
        raise DomainError(f"As of: {date_message(example)}", field="as_of") from None
    if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        # The metrics engine's range: a plan is for any day the dashboard answers for.
        raise DomainError(f"As of: {AS_OF_RANGE_MESSAGE}", field="as_of")
    return day


# The page's words for a horizon out of range and a mode it does not know; the API's plan
# says them too (api/routers/plan.py).
HORIZON_MESSAGE = f"Horizon: a whole number of years from {HORIZON_RANGE[0]} to {HORIZON_RANGE[1]}."


def unknown_probabilities_message(value: str) -> str:
    return f"Probabilities: “{value}” is unknown: use {' or '.join(PROBABILITY_MODES)}."


def parse_horizon(text) -> int:
    number = _number(text, field_name="horizon", label="Horizon")
    low, high = HORIZON_RANGE
    if number != number.to_integral_value() or not low <= number <= high:
        raise DomainError(HORIZON_MESSAGE, field="horizon")
    return int(number)


def parse_discount_rate(text) -> Decimal:
    rate = _number(text, field_name="discount_rate", label="Discount rate")
    if not Decimal(0) <= rate < 1:
        raise DomainError(
            "Discount rate: at least 0 and less than 1 (0.10 is 10% a year).",
            field="discount_rate",
        )
    return rate


def parse_probabilities(text) -> str:
    value = str(text or RAW).strip().lower()
    if value not in PROBABILITY_MODES:
        raise DomainError(unknown_probabilities_message(value), field="probabilities")
    return value


def parse_targets(pairs: Iterable[tuple[str, object]]) -> dict[str, Decimal]:
    """(bucket, share) pairs; blank shares are left out. Unknown, repeated, out of range: refused."""
    targets: dict[str, Decimal] = {}
    for bucket, share_text in pairs:
        bucket = str(bucket).strip()
        if bucket not in BUCKETS:
            raise DomainError(
                f"Targets: unknown bucket “{bucket}”: use {', '.join(BUCKETS)}.", field="targets"
            )
        if bucket in targets:
            raise DomainError(f"Targets: bucket “{bucket}” is given twice.", field="targets")
        if share_text is None or str(share_text).strip() == "":
            continue
        share = _number(share_text, field_name="targets", label=f"Target for {bucket}")
        if not Decimal(0) <= share <= 1:
            raise DomainError(
                f"Target for {bucket}: a share from 0 to 1 (0.3 is 30% of the budget).",
                field="targets",
            )
        if share != share.quantize(SHARE_STEP):
            # A share finer than the admin's defaults keep, or than the page shows (0.0000001
            # read "0.0%" next to a target of EUR 0.40): refused, not rounded behind the back.
            raise DomainError(
                f"Target for {bucket}: at most 4 decimals (0.3333 is 33.33% of the budget).",
                field="targets",
            )
        targets[bucket] = share
    total = sum(targets.values(), Decimal(0))
    if total > 1:
        raise DomainError(
            f"Targets: the shares add up to {total.normalize():f}, more than 1.", field="targets"
        )
    return targets


def parse_target_args(values: Iterable[str]) -> dict[str, Decimal]:
    """``BUCKET=SHARE`` strings, as the CLI takes them."""
    pairs = []
    for value in values:
        bucket, sep, share = str(value).partition("=")
        if not sep:
            raise DomainError(
                f"Targets: “{value}” should read BUCKET=SHARE (efficiency=0.5).", field="targets"
            )
        if not share.strip():
            raise DomainError(
                f"Target for {bucket.strip()}: a number is required.", field="targets"
            )
        pairs.append((bucket, share))
    return parse_targets(pairs)


def parse_keys(values: Iterable[str]) -> tuple[str, ...]:
    """Project keys, repeated or several to a value (separated by commas or spaces)."""
    keys: list[str] = []
    for value in values:
        for key in str(value).replace(",", " ").split():
            if key not in keys:
                keys.append(key)
    return tuple(keys)


def parse(
    *,
    budget,
    as_of=None,
    horizon=None,
    discount_rate=None,
    probabilities=None,
    targets: Mapping[str, object] | Iterable[tuple[str, object]] | None = None,
    pin_in: Iterable[str] = (),
    pin_out: Iterable[str] = (),
    defaults: PlanRequest | None = None,
) -> PlanRequest:
    """A checked :class:`PlanRequest` from text; the first problem raises DomainError."""
    if isinstance(targets, Mapping):
        targets = list(targets.items())
    request = PlanRequest(
        budget=parse_budget(budget),
        as_of=parse_as_of(as_of),
        horizon=parse_horizon(horizon) if _given(horizon) else _default(defaults, "horizon", 3),
        discount_rate=parse_discount_rate(discount_rate)
        if _given(discount_rate)
        else _default(defaults, "discount_rate", Decimal("0.10")),
        probabilities=parse_probabilities(probabilities),
        targets=parse_targets(targets or ()),
        pin_in=parse_keys(pin_in),
        pin_out=parse_keys(pin_out),
    )
    both = [key for key in request.pin_in if key in request.pin_out]
    if both:
        raise DomainError(
            f"Pinned: {', '.join(both)} cannot be pinned both in and out: choose one.",
            field="pin_in",
        )
    return request


def _given(value) -> bool:
    return value is not None and str(value).strip() != ""


def _default(defaults: PlanRequest | None, name: str, fallback):
    return getattr(defaults, name) if defaults is not None else fallback


# --- The page's and the API's query string -----------------------------------------

TARGET_PREFIX = "target_"


def defaults_from(settings) -> dict:
    """The page's starting values from the admin's plan settings (a PlanSettings row)."""
    return {
        "budget": settings.budget,
        "horizon": settings.horizon,
        "discount_rate": settings.discount_rate.normalize(),
        "targets": {bucket: share.normalize() for bucket, share in settings.targets.items()},
    }


def from_query(query, *, defaults: dict) -> PlanRequest:
    """A PlanRequest from a query string (a QueryDict): the page's form and the API's.

    Parameters: budget, as_of, horizon, discount_rate, probabilities (raw or
    calibrated), target_BUCKET=SHARE (or target=BUCKET=SHARE), pin_in and
    pin_out (repeated, or several keys to a value). Without a budget in the
    query the defaults' budget and targets apply; horizon and rate default
    when left empty.
    """
    targets: list[tuple[str, object]] = []
    for name in query:
        if name.startswith(TARGET_PREFIX):
            targets.extend((name[len(TARGET_PREFIX) :], value) for value in query.getlist(name))
    for value in query.getlist("target"):
        bucket, sep, share = str(value).partition("=")
        if not sep:
            raise DomainError(
                f"Targets: “{value}” should read BUCKET=SHARE (efficiency=0.5).", field="targets"
            )
        targets.append((bucket, share))
    fresh = "budget" not in query
    if fresh and not targets:
        targets = list(defaults.get("targets", {}).items())
    return parse(
        budget=defaults.get("budget") if fresh else query.get("budget"),
        as_of=query.get("as_of"),
        horizon=query.get("horizon") or defaults.get("horizon"),
        discount_rate=query.get("discount_rate") or defaults.get("discount_rate"),
        probabilities=query.get("probabilities"),
        targets=targets,
        pin_in=query.getlist("pin_in"),
        pin_out=query.getlist("pin_out"),
    )


def to_query(request: PlanRequest) -> list[tuple[str, str]]:
    """The query string that asks for ``request`` again (shareable, and the pins' links)."""
    pairs = [
        ("budget", f"{request.budget:f}"),
        ("as_of", request.as_of.isoformat()),
        ("horizon", str(request.horizon)),
        ("discount_rate", f"{request.discount_rate:f}"),
        ("probabilities", request.probabilities),
    ]
    pairs += [(TARGET_PREFIX + bucket, f"{share:f}") for bucket, share in request.targets.items()]
    pairs += [("pin_in", key) for key in request.pin_in]
    pairs += [("pin_out", key) for key in request.pin_out]
    return pairs


PARAMETERS = (
    "budget",
    "as_of",
    "horizon",
    "discount_rate",
    "probabilities",
    "target",
    "pin_in",
    "pin_out",
)


def check_parameters(query, *, also: tuple[str, ...] = ()) -> None:
    """Refuse a parameter the plan does not know (the API's strictness; the page ignores them)."""
    for name in query:
        if name in PARAMETERS or name in also or name.startswith(TARGET_PREFIX):
            continue
        raise DomainError(
            f"Unknown parameter “{name}”: use {', '.join(PARAMETERS)} or target_BUCKET.",
            field=name,
        )
