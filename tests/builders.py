"""The one vocabulary for building test data: people, projects and their history.

Everything after a project's row goes through the services, as the app writes it
(audit entries, running totals, rollups and the data version included), so a test
sees the same database a user's clicks would make:

    project = make_project(researcher=alice, product_manager=bob)
    decide(project, 1, "go")                    # the project's product manager decides
    add_study(project)                          # its researcher writes the study
    greenlight(project, on=datetime.date(2026, 2, 1))   # every gate passed that day
    record_spend(project, datetime.date(2026, 2, 3), "120.50")
    candidate("A", value=400, ask=80)           # a project the planner may fund
    plan_json("--budget", "100")                # ``manage.py portfolio_plan``'s answer

Two things are written directly, each for a reason given where it happens: the
project row itself (a test places a project at any gate or status without
replaying its history) and the deliverables of a closed project (the services keep
those final, as the demo's history does).
"""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from gates.models import ArchitectureEstimate, BusinessCase, Criterion, FeasibilityStudy, Gate
from gates.services import (
    KillMark,
    NewKillCriterion,
    Score,
    pending_kill_criteria,
    record_decision,
    save_architecture_estimate,
    save_business_case,
    save_feasibility_study,
)
from portfolio import services
from portfolio.models import (
    Notification,
    NotificationKind,
    Outcome,
    Project,
    Role,
    SpendEntry,
    Status,
    User,
)

PASSWORD = "correct-horse-battery-staple-42"

# --- People ---------------------------------------------------------------------------------


def make_user(email: str, *roles: str, **extra) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, **extra)
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


# The tests' personas (tests/conftest.py's fixtures of the same names): address, role, name.
PERSONAS: dict[str, tuple[str, str, dict]] = {
    "alice": ("alice@example.com", Role.RESEARCHER, {"full_name": "Alice Researcher"}),
    "rita": ("rita@example.com", Role.RESEARCHER, {"full_name": "Rita Researcher"}),
    "bob": ("bob@example.com", Role.PRODUCT_MANAGER, {"full_name": "Bob Product"}),
    "pete": ("pete@example.com", Role.PRODUCT_MANAGER, {"full_name": "Pete Product"}),
    "carol": ("carol@example.com", Role.ARCHITECT, {"full_name": "Carol Architect"}),
    "erin": ("erin@example.com", Role.EXECUTIVE, {"full_name": "Erin Executive"}),
    "adam": ("adam@example.com", Role.ADMIN, {"full_name": "Adam Admin", "is_staff": True}),
}


def make_persona(name: str) -> User:
    email, role, extra = PERSONAS[name]
    return make_user(email, role, **extra)


def make_personas() -> dict[str, User]:
    """Every persona, by name (for data built once for many tests: tests/kept.py)."""
    return {name: make_persona(name) for name in PERSONAS}


def _someone(email: str, role: str) -> User:
    """The persona with this address if the test has one, otherwise a new person in ``role``."""
    return User.objects.filter(email=email).first() or make_user(email, role)


def grant_roles_as_the_files_imply() -> None:
    """After an import (which grants no role), give each imported person the role their
    part implies, as an admin would: researchers, product managers, and the executives
    who only decided."""
    from gates.models import GateDecision

    researchers = User.objects.filter(researched_projects__isnull=False)
    managers = User.objects.filter(managed_projects__isnull=False)
    deciders = User.objects.filter(pk__in=GateDecision.objects.values("decided_by")).exclude(
        pk__in=Project.objects.values("product_manager")
    )
    for role, people in (
        (Role.RESEARCHER, researchers),
        (Role.PRODUCT_MANAGER, managers),
        (Role.EXECUTIVE, deciders),
    ):
        Group.objects.get(name=role).user_set.add(*people.distinct())


# --- Projects -------------------------------------------------------------------------------

_counter = {"n": 0}


def make_project(**kw) -> Project:
    """A submitted project waiting at gate 1, unless told otherwise.

    Written directly rather than by create_proposal and submit_proposal: a test may
    place a project at any gate, status or date (a kill at gate 3 without its history),
    and the proposal services are tested on their own.
    """
    _counter["n"] += 1
    n = _counter["n"]
    if "researcher" not in kw:
        kw["researcher"] = User.objects.filter(email="alice@example.com").first() or make_user(
            f"researcher{n}@example.com", Role.RESEARCHER
        )
    if "product_manager" not in kw:
        kw["product_manager"] = User.objects.filter(email="bob@example.com").first() or make_user(
            f"pm{n}@example.com", Role.PRODUCT_MANAGER
        )
    status = kw.pop("status", Status.ACTIVE)
    defaults = {
        "key": f"P-{n:04d}",
        "title": f"Project {n}",
        "research_type": "applied",
        "bucket": "efficiency",
        "submitted_on": None if status == Status.DRAFT else datetime.date(2026, 1, 5),
        "value_kind": "cost_savings",
        "projected_low": Decimal("100000"),
        "projected_expected": Decimal("250000"),
        "projected_high": Decimal("400000"),
        "probability_of_success": Decimal("0.4"),
        "business_case": "Cut the cost of manual review.",
        "hypothesis": "A model can triage 60% of cases.",
        "status": status,
        "current_gate": None if status == Status.DRAFT else 1,
    }
    defaults.update(kw)
    return Project.objects.create(**defaults)


def make_empty_draft(**kw) -> Project:
    """A draft nobody has filled in: not submitted, no projections, no probability."""
    return make_project(
        status="draft",
        submitted_on=None,
        projected_low=None,
        projected_expected=None,
        projected_high=None,
        probability_of_success=None,
        **kw,
    )


def candidate(key: str, *, value, ask, probability="0.5", bucket="efficiency", **kw) -> Project:
    """A project the planner weighs: active at gate 1, worth ``value`` a year, asking ``ask``."""
    return make_project(
        key=key,
        projected_low=Decimal(0),
        projected_expected=Decimal(str(value)),
        projected_high=Decimal(str(value)) * 2,
        probability_of_success=Decimal(probability),
        next_stage_ask=None if ask is None else Decimal(str(ask)),
        bucket=bucket,
        **kw,
    )


# --- Gates: criteria, scorecards, decisions ----------------------------------------------------


# What decide() registers for the next review when a test names none (a go to a next gate and
# a recycle must register at least one).
TEST_KILL_CRITERION = NewKillCriterion("Evidence asked for by a test")


def gate(number: int) -> Gate:
    return Gate.objects.get(number=number)


def criteria(gate_number: int) -> list[Criterion]:
    return list(Criterion.objects.filter(gate__number=gate_number, is_active=True))


def full_marks(gate_number: int, *, met: bool = True, score: int = 8) -> list[Score]:
    """Every criterion answered: must-meet ``met``, should-meet ``score``."""
    return [
        Score(criterion=c, met=met) if c.is_must_meet else Score(criterion=c, score=score)
        for c in criteria(gate_number)
    ]


def scorecard_post(gate_number: int, *, met: str = "yes", score: int = 8) -> dict:
    """The scorecard fields of the gate review form, every criterion answered."""
    data = {}
    for c in criteria(gate_number):
        if c.is_must_meet:
            data[f"must_{c.pk}"] = met
        else:
            data[f"score_{c.pk}"] = str(score)
    return data


def kill_criteria_post(*statements: str) -> dict:
    """The gate review form's fields for the next review's kill criteria (the test's one
    unless named)."""
    statements = statements or (TEST_KILL_CRITERION.statement,)
    return {f"next-kc{n}_statement": text for n, text in enumerate(statements, start=1)}


def verdicts_post(project: Project, *, met: str = "met") -> dict:
    """The gate review form's chair's verdict on every kill criterion the review judges."""
    as_stored = Project.objects.get(pk=project.pk)
    return {f"verdict-kill_{c.pk}": met for c in pending_kill_criteria(as_stored)}


def decide(
    project: Project, gate_number: int | Gate, decision: str, actor: User | None = None, **kw
):
    """Record a decision through the service, by the project's product manager unless
    told otherwise. A go answers every must-meet criterion with yes; a kill or hold
    gets a rationale. A go or a recycle judges every pending kill criterion met and,
    when it leads to a next review, registers one (``TEST_KILL_CRITERION``). Other
    keywords (decided_on, probability_of_success, funding_granted, scores,
    kill_criteria, kill_verdicts, ...) are the service's."""
    if isinstance(gate_number, Gate):
        gate_number = gate_number.number
    if "scores" not in kw:
        kw["scores"] = [
            Score(criterion=c, met=True) for c in criteria(gate_number) if c.is_must_meet
        ]
    if decision in ("kill", "hold"):
        kw.setdefault("rationale", "Recorded by a test.")
    if decision in ("go", "recycle"):
        if "kill_verdicts" not in kw:
            as_stored = Project.objects.get(pk=project.pk)
            kw["kill_verdicts"] = [KillMark(c, True) for c in pending_kill_criteria(as_stored)]
        if "kill_criteria" not in kw and (decision == "recycle" or gate_number < 4):
            kw["kill_criteria"] = [TEST_KILL_CRITERION]
    for name in ("probability_of_success", "funding_granted"):
        if kw.get(name) is not None:
            kw[name] = Decimal(str(kw[name]))
    return record_decision(
        project=project,
        gate=gate(gate_number),
        decision=decision,
        actor=actor or project.product_manager,
        **kw,
    )


def greenlight(
    project: Project,
    pm: User | None = None,
    architect: User | None = None,
    *,
    on: datetime.date | None = None,
) -> Project:
    """Take a project at gate 1 through all four gates with its deliverables, all on
    ``on`` (the day it was submitted unless told otherwise)."""
    on = on or project.submitted_on
    pm = pm or project.product_manager
    architect = architect or _someone("carol@example.com", Role.ARCHITECT)
    decide(project, 1, "go", pm, decided_on=on)
    add_study(project, project.researcher)
    decide(project, 2, "go", pm, decided_on=on)
    add_estimate(project, architect)
    decide(project, 3, "go", pm, decided_on=on)
    add_business_case(project, project.product_manager)
    decide(project, 4, "go", pm, decided_on=on)
    project.refresh_from_db()
    return project


# --- Deliverables ---------------------------------------------------------------------------


def _deliverable(model, saver, project: Project, author: User, fields: dict):
    project.refresh_from_db()
    if project.is_closed:
        # The services keep a closed project's deliverables final; a test that needs one
        # on a killed or greenlit project writes it as the demo's history does.
        return model.objects.create(project=project, author=author, **fields)
    return saver(project=project, actor=author, **fields)


def add_study(project: Project, author: User | None = None, **kw) -> FeasibilityStudy:
    fields = {
        "findings": "The model triages 64% of cases.",
        "hypothesis_held": "yes",
        "evidence": "Two pilots on 2,000 cases.",
        "confidence": "high",
        "recommended_next_step": "continue",
        **kw,
    }
    return _deliverable(
        FeasibilityStudy, save_feasibility_study, project, author or project.researcher, fields
    )


def add_estimate(project: Project, author: User | None = None, **kw) -> ArchitectureEstimate:
    fields = {
        "build_cost": Decimal("100000"),
        "monthly_run_cost": Decimal("2000"),
        "retraining_cadence": "quarterly",
        "cost_per_retrain": Decimal("5000"),
        **kw,
    }
    author = author or _someone("carol@example.com", Role.ARCHITECT)
    project.refresh_from_db()
    if project.current_gate == 1:
        from portfolio.reads import worklists

        if not worklists.in_estimate_queue(project):
            # Not asked for yet, so the service refuses it (access.architecture_estimate_
            # refusal); a test that wants one this early gets the row, as an import brings it.
            return ArchitectureEstimate.objects.create(project=project, author=author, **fields)
    return _deliverable(ArchitectureEstimate, save_architecture_estimate, project, author, fields)


def add_business_case(project: Project, author: User | None = None, **kw) -> BusinessCase:
    fields = {
        "customer_problem": "Reviewers drown in cases.",
        "value_rationale": "Hours saved × cost per hour.",
        **kw,
    }
    return _deliverable(
        BusinessCase, save_business_case, project, author or project.product_manager, fields
    )


# --- Money in, value out --------------------------------------------------------------------


def record_spend(
    project: Project,
    spent_on: datetime.date,
    amount: str | Decimal,
    *,
    actor: User | None = None,
    category: str = "compute",
) -> SpendEntry:
    """Spend recorded by the project's researcher (its total and rollup kept as the app keeps them)."""
    return services.record_spend(
        project=project,
        actor=actor or project.researcher,
        spent_on=spent_on,
        amount=Decimal(str(amount)),
        category=category,
    )


def record_outcome(
    project: Project,
    month: datetime.date,
    realized_value: str | Decimal,
    *,
    actor: User | None = None,
) -> Outcome:
    """A greenlit project's realized value for ``month``, recorded by its product manager."""
    return services.record_outcome(
        project=project,
        actor=actor or project.product_manager,
        month=month,
        realized_value=Decimal(str(realized_value)),
    )


# --- Notifications --------------------------------------------------------------------------


def choose_email(person: User, overall: str = "now", **by_kind: str) -> None:
    """The person's notification e-mail choices, as the settings page saves them."""
    services.set_notification_preferences(
        person=person, actor=person, overall=overall, by_kind=by_kind
    )


def make_notification(
    recipient: User,
    subject: str = "P-1 needs a cost estimate",
    *,
    kind: str = NotificationKind.ESTIMATE_NEEDED,
    project: Project | None = None,
    read: bool = False,
) -> Notification:
    """A notification in the person's list. Written directly: a test of the list needs
    many without replaying as many hand-overs (those are tested through the services)."""
    from django.utils import timezone

    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        project=project,
        subject=subject,
        link=project.get_absolute_url() if project else "/",
        read_at=timezone.now() if read else None,
    )


def workbook_of(folder, *, typed: bool = True):
    """The interchange files of ``folder`` as an Excel workbook (openpyxl, not saved), a
    sheet per file; ``typed``: dates and numbers as cells of their type, as Excel keeps
    them once typed in, else every cell text."""
    import csv
    from pathlib import Path

    import openpyxl

    def as_typed(value: str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        return float(number) if "." in value else int(number)

    book = openpyxl.Workbook()
    book.remove(book.active)
    for path in sorted(Path(folder).glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle)):
                sheet.append([as_typed(v) for v in row] if number and typed else row)
    return book


def excel_workbook_of(folder, path, *, cells=None, blank=()):
    """The interchange files of ``folder`` written to ``path`` as Excel saves a workbook
    (xlsxwriter: text in a shared-strings table, dates as date serials with a date style,
    numbers as numbers, a <dimension> per sheet). ``cells`` maps (sheet, "C5") to a value
    that replaces the file's (a str starting with "=" is a formula with the cached
    result 0, as Excel leaves one); ``blank`` lists (sheet, row) to leave empty."""
    import csv
    from pathlib import Path

    import xlsxwriter
    from xlsxwriter.utility import xl_cell_to_rowcol

    cells = cells or {}
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for csv_path in sorted(Path(folder).glob("*.csv")):
        sheet = book.add_worksheet(csv_path.stem)
        with csv_path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        values = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v}
        for (name, ref), value in cells.items():
            if name == csv_path.stem:
                values[xl_cell_to_rowcol(ref)] = value
        for (r, c), value in sorted(values.items()):
            if (csv_path.stem, r + 1) in blank:
                continue
            if not isinstance(value, str):
                if isinstance(value, datetime.date):
                    sheet.write_datetime(r, c, value, day)
                else:
                    sheet.write_number(r, c, value)
            elif value.startswith("="):
                sheet.write_formula(r, c, value, None, 0)
            elif r and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                sheet.write_datetime(r, c, datetime.date.fromisoformat(value), day)
            elif r and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
                sheet.write_number(r, c, float(value))
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


# --- The planner's answer -------------------------------------------------------------------

PLAN_AS_OF = "2026-06-30"  # after the candidates' submission (2026-01-05)


def plan_json(*args: str, simple: bool = True) -> dict:
    """``portfolio_plan``'s JSON as of :data:`PLAN_AS_OF`; ``simple``: one year, no
    discounting (so ECV = p·V − ask for a project without an estimate)."""
    base = ["--as-of", PLAN_AS_OF]
    if simple:
        base += ["--horizon", "1", "--discount-rate", "0"]
    out = io.StringIO()
    call_command("portfolio_plan", *base, *args, stdout=out)
    return json.loads(out.getvalue())


def plan_rows(result: dict) -> dict[str, dict]:
    """A plan's projects by key."""
    return {p["key"]: p for p in result["projects"]}


# --- The admin site ----------------------------------------------------------------------------


def gate_admin_form_data(client, gate: Gate) -> dict:
    """What the Gate admin page posts back when nobody changes anything: its fields and every
    inline (criteria, gatekeepers) as shown, management forms included."""
    page = client.get(reverse("admin:gates_gate_change", args=[gate.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in ("name", "purpose", "version_seen")}
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{prefix}-{name}"] = management[name].value()
        for number, inline in enumerate(formset.formset.forms):
            for name in inline.fields:
                value = inline[name].value()
                if value is not None and not (isinstance(value, bool) and not value):
                    data[f"{prefix}-{number}-{name}"] = value
    return data
