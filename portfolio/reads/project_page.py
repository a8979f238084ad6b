"""What the project page shows: its timeline, its spend by month and the spend chart.

Everything is read in a fixed number of queries, whatever the project's history.
The process models are reached through the app registry (``gates`` depends on
``portfolio``, not the reverse).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, DateField, IntegerField, Max, Min, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from portfolio.dashboard.charts import money_short, nice_scale
from portfolio.models import MONEY, PROBABILITY, AuditEntry, Project, SpendEntry, User
from portfolio.process import DELIVERABLES, first_outcome_month
from portfolio.templatetags.numbers import money_cents, percent

# Below this many entries the timeline lists each spend entry; above, monthly totals.
SPEND_ROWS_IN_TIMELINE = 12
# A deliverable's model name, as in its audit actions ("feasibilitystudy.created") -> its label.
DELIVERABLE_ACTIONS = {d.model_name: d.label for d in DELIVERABLES}


@dataclass
class Event:
    on: datetime.date
    kind: str  # submission, deliverable, decision, spend, outcome, draft
    title: str
    detail: str = ""
    actor: str = ""
    extra: dict = field(default_factory=dict)
    # Events of one date are shown in the order they were recorded; events with no
    # recorded time (a submission) keep the order of the process.
    recorded: datetime.datetime | None = None
    order: int = 0

    def sort_key(self) -> tuple:
        recorded = self.recorded.timestamp() if self.recorded else float("-inf")
        return (self.on, recorded, self.order)


@dataclass
class SpendMonth:
    month: datetime.date
    total: Decimal
    entries: int
    cumulative: Decimal = Decimal(0)
    # The days of the month's first and last entries: the timeline dates the month by its
    # last, not by the 1st, when none of it may have been spent yet.
    first: datetime.date | None = None
    last: datetime.date | None = None

    def days(self) -> str:
        """The days the entries span, as the timeline says them: "12–24 June", "3 July"."""
        first, last = self.first or self.month, self.last or self.month
        if first == last:
            return f"{last.day} {last:%B}"
        return f"{first.day}–{last.day} {last:%B}"


def spend_by_month(project: Project) -> list[SpendMonth]:
    """Monthly spend totals with the running total and the days of each month's first and
    last entries (one query)."""
    rows = (
        SpendEntry.objects.filter(project=project)
        .annotate(month=TruncMonth("spent_on"))
        .values("month")
        .annotate(
            total=Sum("amount"), entries=Count("id"), first=Min("spent_on"), last=Max("spent_on")
        )
        .order_by("month")
    )
    months, running = [], Decimal(0)
    for row in rows:
        month = _day(row["month"])
        running += row["total"]
        months.append(
            SpendMonth(
                month,
                row["total"],
                row["entries"],
                running,
                first=_day(row["first"]),
                last=_day(row["last"]),
            )
        )
    return months


def _day(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def decisions_of(project: Project) -> list:
    decision = apps.get_model("gates", "GateDecision")
    return list(
        decision.objects.filter(project=project)
        .select_related("gate", "decided_by")
        # The panel's record of each decision: its frozen votes and kill-criterion verdicts.
        .prefetch_related("votes__voter", "kill_verdicts__criterion", "kill_criteria")
        .order_by("sequence")
    )


def audit_trail(project: Project) -> list[AuditEntry]:
    """The project's audit entries, each with ``shown_changes``: (label, before, after) as
    the page writes them (money with its currency, a person by name), not as stored."""
    entries = list(AuditEntry.objects.filter(project=project).select_related("actor"))
    # Each kind of object's fields once, not once per entry (a project has hundreds).
    by_type = {
        object_type: _fields_of(object_type) for object_type in {e.object_type for e in entries}
    }
    fields = {entry.pk: by_type[entry.object_type] for entry in entries}
    people_ids = {
        value
        for entry in entries
        for name, change in (entry.changes or {}).items()
        if _is_person(fields[entry.pk].get(name))
        for value in change
        if str(value).isdigit()
    }
    people = (
        {str(user.pk): str(user) for user in User.objects.filter(pk__in=people_ids)}
        if people_ids
        else {}
    )
    for entry in entries:
        changes = [
            (name, change)
            for name, change in (entry.changes or {}).items()
            if isinstance(change, list | tuple) and len(change) == 2
        ]
        if _is_removal(entry, changes):
            # What was removed, field by field (after None: the page shows no arrow), not a
            # list of "→ (empty)"; a field that held nothing took nothing away.
            entry.shown_changes = [
                (
                    _label(fields[entry.pk].get(name), name),
                    _shown(fields[entry.pk].get(name), before, people, name=name),
                    None,
                )
                for name, (before, _) in changes
                if before not in (None, "")
            ]
            continue
        entry.shown_changes = [
            (
                _label(fields[entry.pk].get(name), name),
                _shown(fields[entry.pk].get(name), change[0], people, name=name),
                _shown(fields[entry.pk].get(name), change[1], people, name=name),
            )
            for name, change in changes
        ]
    return entries


def _is_removal(entry: AuditEntry, changes: list) -> bool:
    """An object removed (``outcome.removed``): its changes are its values, each to nothing."""
    return (
        entry.action.endswith(".removed")
        and bool(changes)
        and all(after in (None, "") for _, (_, after) in changes)
    )


def _fields_of(object_type: str) -> dict:
    try:
        model = apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        model = None
    return {f.name: f for f in model._meta.get_fields()} if model is not None else {}


def _is_person(model_field) -> bool:
    return getattr(model_field, "related_model", None) is User


def _label(model_field, name: str) -> str:
    verbose = getattr(model_field, "verbose_name", None)
    return str(verbose if verbose else name.replace("_", " ")).capitalize()


def _shown(model_field, value, people: dict, *, name: str = "") -> str:
    if value in (None, ""):
        return "(empty)"
    if _is_person(model_field):
        return people.get(str(value), str(value))
    if isinstance(model_field, IntegerField) and str(value).isdigit():
        return f"{int(value):,}"  # 4,320 tasks, as the entry's summary writes them
    if isinstance(model_field, DateField) and name == "month":
        return str(value)[:7]  # a month is kept as its first day: 2026-02, as in the summary
    digits = (getattr(model_field, "max_digits", None), getattr(model_field, "decimal_places", 0))
    if digits == (MONEY["max_digits"], MONEY["decimal_places"]):
        return money_cents(value)
    if digits == (PROBABILITY["max_digits"], PROBABILITY["decimal_places"]):
        return percent(value)
    return str(value)


def _who(user) -> str:
    return str(user) if user is not None else "the system"


def timeline(
    project: Project,
    *,
    decisions: list,
    months: list[SpendMonth],
    audit_entries: list[AuditEntry],
    deliverables: list,
) -> list[Event]:
    """Submission, deliverables, decisions, spend and outcomes, oldest first."""
    events: list[Event] = []
    if project.submitted_on:
        events.append(
            Event(
                project.submitted_on,
                "submission",
                "Proposal submitted for gate 1",
                actor=_who(project.researcher),
            )
        )
    else:
        events.append(
            Event(
                project.created_at.date(),
                "draft",
                "Draft started",
                "Not submitted yet.",
                actor=_who(project.researcher),
            )
        )

    # Deliverables: their audit entries (created, revised) and, for rows with no
    # entry (a bulk import writes none), the row's own creation.
    seen_created = set()
    for entry in reversed(audit_entries):
        model, _, verb = entry.action.partition(".")
        if model in DELIVERABLE_ACTIONS and verb in ("created", "revised"):
            label = DELIVERABLE_ACTIONS[model]
            if verb == "created":
                seen_created.add(model)
            events.append(
                Event(
                    entry.at.date(),
                    "deliverable",
                    f"{label} {'written' if verb == 'created' else 'revised'}",
                    detail=", ".join(sorted(entry.changes)) if verb == "revised" else "",
                    actor=_who(entry.actor),
                    recorded=entry.at,
                    order=1,
                )
            )
    for deliverable in deliverables:
        model = deliverable._meta.model_name
        if model not in seen_created:
            events.append(
                Event(
                    deliverable.created_at.date(),
                    "deliverable",
                    f"{DELIVERABLE_ACTIONS.get(model, model)} written",
                    actor=_who(deliverable.author),
                    recorded=deliverable.created_at,
                    order=1,
                )
            )

    for decision in decisions:
        events.append(
            Event(
                decision.decided_on,
                "decision",
                f"{decision.get_decision_display()} at gate {decision.gate.number}"
                f" ({decision.gate.name})",
                detail=decision.rationale,
                actor=_who(decision.decided_by),
                extra={"decision": decision},
                recorded=decision.recorded_at,
                order=2,
            )
        )

    entry_count = sum(month.entries for month in months)
    if 0 < entry_count <= SPEND_ROWS_IN_TIMELINE:
        for entry in project.spend_entries.order_by("spent_on", "id"):
            events.append(
                Event(
                    entry.spent_on,
                    "spend",
                    f"Spend: {entry.get_category_display()}",
                    detail=entry.note,
                    extra={"amount": entry.amount},
                    recorded=entry.recorded_at,
                    order=3,
                )
            )
    else:
        for month in months:
            plural = "y" if month.entries == 1 else "ies"
            events.append(
                Event(
                    # By its last entry: dated the 1st, a month's spend came before what
                    # happened within it (its submission, a decision), as if spent already.
                    month.last or month.month,
                    "spend",
                    f"Spend in {month.month:%B %Y}",
                    detail=f"{month.entries} entr{plural}, {month.days()}",
                    extra={"amount": month.total, "monthly": True},
                    order=3,
                )
            )

    for outcome in project.outcomes.order_by("month"):
        events.append(
            Event(
                outcome.month,
                "outcome",
                f"Outcome for {outcome.month:%B %Y}",
                extra={"amount": outcome.realized_value},
                recorded=outcome.recorded_at,
                order=4,
            )
        )
    events.sort(key=Event.sort_key)
    return events


# --- The cumulative spend chart (inline SVG drawn on the server) ------------------

CHART_WIDTH, CHART_HEIGHT = 720, 240
CHART_MIN_MONTHS = 3
# The top margin holds the value axis's title (its currency) above the plot.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 72, 16, 30, 30


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def spend_chart(months: list[SpendMonth], decisions: list) -> dict | None:
    """Coordinates of cumulative spend and cumulative funding granted, by month.

    None until spend spans ``CHART_MIN_MONTHS`` months: one or two dots say nothing
    a sentence does not say better (the page shows one instead).
    """
    if len(months) < CHART_MIN_MONTHS:
        return None
    funded = [(d.decided_on, d.funding_granted) for d in decisions if d.funding_granted]
    first = min([months[0].month] + [day.replace(day=1) for day, _ in funded])
    last = max([months[-1].month] + [day.replace(day=1) for day, _ in funded])
    span = max(_month_index(last) - _month_index(first), 1)
    total_funding = sum((amount for _, amount in funded), Decimal(0))
    # The same axis scale as the dashboard's charts: round steps from 0 to just above the top.
    top, tick_values = nice_scale(max(months[-1].cumulative, total_funding))
    plot_w = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(day: datetime.date) -> float:
        return round(MARGIN_LEFT + plot_w * (_month_index(day) - _month_index(first)) / span, 1)

    def y(value) -> float:
        return round(MARGIN_TOP + plot_h * (1 - float(value) / top), 1)

    # Each month's total is drawn at that month's position: a point per month with spend.
    spend_points = [(x(first), y(Decimal(0)))] if months[0].month != first else []
    spend_points += [(x(m.month), y(m.cumulative)) for m in months]
    dots = [
        {
            "x": x(m.month),
            "y": y(m.cumulative),
            "label": f"{m.month:%b %Y}: {money_cents(m.cumulative)}",
        }
        for m in months
    ]
    # Funding is a step line: flat until the next decision that grants money.
    funding_points, running = [(x(first), y(Decimal(0)))], Decimal(0)
    for day, amount in sorted(funded):
        month = day.replace(day=1)
        funding_points.append((x(month), y(running)))
        running += amount
        funding_points.append((x(month), y(running)))
    funding_points.append((x(last), y(running)))

    y_ticks = [{"y": y(value), "label": money_short(value)} for value in tick_values]
    every = max(1, (span + 1) // 6)
    x_ticks = []
    for offset in range(0, span + 1, every):
        index = _month_index(first) + offset
        day = datetime.date(index // 12, index % 12 + 1, 1)
        x_ticks.append(
            {"x": x(day), "label": f"{day:%b %Y}" if offset == 0 or day.month == 1 else f"{day:%b}"}
        )

    def points(pairs) -> str:
        return " ".join(f"{px},{py}" for px, py in pairs)

    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": MARGIN_LEFT,
        "title_y": MARGIN_TOP - 14,
        "right": CHART_WIDTH - MARGIN_RIGHT,
        "bottom": CHART_HEIGHT - MARGIN_BOTTOM,
        "label_y": CHART_HEIGHT - 10,
        "spend_points": points(spend_points),
        "funding_points": points(funding_points) if funded else "",
        "dots": dots,
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "total_spend": months[-1].cumulative,
        "total_funding": total_funding,
    }


# --- A closed project: what it came to ---------------------------------------------


def closed_summary(project: Project, outcomes: list) -> dict | None:
    """What matters once the process has ended: the outcome, the spend, and for a kill its
    sunk cost, for a greenlit product its realized value against the value projected."""
    if not project.is_closed:
        return None
    greenlit = project.status == "greenlit"
    realized = sum((o.realized_value for o in outcomes), Decimal(0))
    annualized = realized * 12 / len(outcomes) if outcomes else None
    expected = project.projected_expected
    first_month = (
        first_outcome_month(project.last_decision_on)
        if greenlit and project.last_decision_on
        else None
    )
    return {
        "greenlit": greenlit,
        "closed_on": project.last_decision_on,
        "spend": project.spend_total,
        "granted": project.funding_granted_total,
        "sunk": None if greenlit else project.spend_total,
        "realized": realized,
        "months": len(outcomes),
        "annualized": annualized,
        "projected": expected,
        "share": annualized / expected * 100 if annualized is not None and expected else None,
        "first_outcome_month": first_month,
        "outcome_recordable": first_month is not None and first_month <= timezone.localdate(),
    }
