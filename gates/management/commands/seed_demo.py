"""Demo sign-ins, one per role, and a demo portfolio with work waiting for each of them.

`make run` calls this after `migrate`. It is safe to run again: the demo users
are created once (their passwords are set only then), and the portfolio is
loaded only into a database without projects.

The portfolio is made by ``portfolio.demo.generator`` (three years ending today,
every status, all four gates, spend, outcomes) and brought in by the
importer, as a company's own portfolio would be. The demo persons lead or
own a share of it. Then what the files cannot carry is written: the
proposals' text, the deliverables and the artifacts.

- A deliverable for the gate an open project waits at is written through
  ``gates.services`` and ``portfolio.services``, by the person who would
  write it, so the audit trail and notices read as they would in real use.
- A deliverable of a gate the project has been decided at (it went on, or
  it is closed) is history, as the imported decisions are: it is written
  directly (the services rightly refuse to change a closed project's), dated
  between the project's arrival at that gate and its first decision there.

The demo's admin has also uploaded a partner lab's spreadsheet on the import page,
which the task worker refused (its problems listed by line, nothing written): the
Imports list and the admin's notifications show it.

Some deliverables are left unwritten on purpose: the demo researcher has
feasibility studies to write, the demo architect estimates, and the demo
product manager both projects ready for a decision and projects still
waiting for their deliverables.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import random
import tempfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from gates import import_jobs
from gates.demo_panel import PanelDemo
from gates.interchange import (
    ESTIMATES,
    FILES,
    ImportFailed,
    command_line_import,
    export_portfolio,
)
from gates.models import (
    ArchitectureEstimate,
    BusinessCase,
    DeliverableKind,
    FeasibilityStudy,
    GateDecision,
)
from gates.services import (
    save_architecture_estimate,
    save_business_case,
    save_feasibility_study,
)
from gates.services.votes import ask_joined
from planning.demo import write_demo_plan
from portfolio.demo.generator import generate_portfolio
from portfolio.demo.notifications import NotificationsDemo
from portfolio.demo.people import Person, Staff, make_staff
from portfolio.demo.simulation import project_key
from portfolio.models import ArtifactKind, Project, Role, Status, User
from portfolio.process import first_outcome_month
from portfolio.services import (
    create_proposal,
    link_reused_artifact,
    record_adoption,
    register_artifact,
)

SITE = "http://127.0.0.1:8000"
DOMAIN = "demo.greenlight"
# The same seed always gives the same portfolio (shifted to end today); this
# one gives each demo person the work described in the module docstring.
DEMO_SEED = 82
DEMO_PROJECTS = 150
DEMO_SPEND_ROWS = 6000
DEMO_YEARS = 3
# Share of the projects led by the demo researcher and owned by the demo PM.
FEATURED_SHARE = 0.08

# role, e-mail, full name, password
DEMO_USERS = (
    (Role.RESEARCHER, f"researcher@{DOMAIN}", "Riley Researcher", "demo-researcher-2026"),
    (Role.PRODUCT_MANAGER, f"pm@{DOMAIN}", "Parker Product", "demo-pm-2026"),
    (Role.ARCHITECT, f"architect@{DOMAIN}", "Ari Architect", "demo-architect-2026"),
    (Role.EXECUTIVE, f"executive@{DOMAIN}", "Evelyn Executive", "demo-executive-2026"),
    (Role.ADMIN, f"admin@{DOMAIN}", "Ada Admin", "demo-admin-2026"),
)
# Colleagues of the demo architect, who wrote the other estimates (no sign-in).
OTHER_ARCHITECTS = (
    (f"noor.architect@{DOMAIN}", "Noor Architect"),
    (f"felix.architect@{DOMAIN}", "Felix Architect"),
)


def demo_email(role: str) -> str:
    return next(email for r, email, _, _ in DEMO_USERS if r == role)


def demo_staff() -> Staff:
    """The generator's people, with the demo persons first in their pools (featured)."""
    staff = make_staff(DEMO_SEED, domain=DOMAIN)

    def first(role: str, pool: tuple[Person, ...]) -> tuple[Person, ...]:
        name = next(n for r, _, n, _ in DEMO_USERS if r == role)
        return (Person(demo_email(role), name), *pool[1:])

    return replace(
        staff,
        researchers=first(Role.RESEARCHER, staff.researchers),
        product_managers=first(Role.PRODUCT_MANAGER, staff.product_managers),
        executives=first(Role.EXECUTIVE, staff.executives),
        featured_share=FEATURED_SHARE,
    )


class Command(BaseCommand):
    help = "Create one demo user per role and, into an empty database, a demo portfolio."

    def handle(self, *args, **options) -> None:
        created = self.ensure_users()
        if Project.objects.exists():
            self.stdout.write("Projects exist already: the demo portfolio is not loaded again.")
        else:
            self.load_portfolio()
        self.print_sign_ins(created)

    # --- Users ----------------------------------------------------------------

    def ensure_users(self) -> set[str]:
        """Get or create the demo users; returns the e-mails created now."""
        created = set()
        for role, email, full_name, password in DEMO_USERS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=password,
                    full_name=full_name,
                    is_staff=role == Role.ADMIN,
                )
                created.add(email)
            user.groups.add(self.group(role))
        for email, full_name in OTHER_ARCHITECTS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=None, full_name=full_name)
            user.groups.add(self.group(Role.ARCHITECT))
        return created

    def grant_staff_roles(self, staff: Staff) -> None:
        """An import grants no role and gives no name (the files name people by e-mail
        address and do not say who may do what): the demo's admin gives the generated
        colleagues theirs, as an admin would in the app, so the pages show "Aiko Varga"
        rather than an address. A name someone already has is kept."""
        names = {person.email: person.full_name for person in staff.everyone}
        unnamed = list(User.objects.filter(email__in=names, full_name=""))
        for user in unnamed:
            user.full_name = names[user.email]
        User.objects.bulk_update(unnamed, ["full_name"])
        for role, people in (
            (Role.RESEARCHER, staff.researchers),
            (Role.PRODUCT_MANAGER, staff.product_managers),
            (Role.EXECUTIVE, staff.executives),
        ):
            users = User.objects.filter(email__in=[person.email for person in people])
            self.group(role).user_set.add(*users)

    def group(self, role: str) -> Group:
        try:
            return Group.objects.get(name=role)
        except Group.DoesNotExist:
            raise CommandError(
                f"The role group {role!r} is missing: run `manage.py migrate` first."
            ) from None

    # --- Portfolio ------------------------------------------------------------

    @transaction.atomic
    def load_portfolio(self) -> None:
        today = timezone.localdate()
        staff = demo_staff()
        with tempfile.TemporaryDirectory(prefix="greenlight-demo-") as folder:
            summary = generate_portfolio(
                Path(folder),
                projects=DEMO_PROJECTS,
                spend_rows=DEMO_SPEND_ROWS,
                seed=DEMO_SEED,
                end=today,
                years=DEMO_YEARS,
                staff=staff,
            )
            try:
                command_line_import(Path(folder))
            except ImportFailed as failed:
                problems = "\n".join(str(e) for e in failed.errors[:20])
                raise CommandError(f"The demo portfolio did not import:\n{problems}") from None
        self.grant_staff_roles(staff)
        self.stdout.write(f"Loaded the demo portfolio: {summary}.")
        writer = DemoWriter(random.Random(DEMO_SEED))
        writer.write_proposals()
        writer.write_deliverables()
        writer.write_artifacts()
        writer.write_adoption()
        writer.write_draft()
        self.stdout.write(
            f"Wrote {writer.deliverables} deliverables, {writer.artifacts} artifacts "
            f"({writer.reuses} reused by other projects), {writer.adoption_months} months of "
            "adoption and a draft proposal."
        )
        replaced = self.replace_one_project()
        self.stdout.write(f"Re-imported {replaced} from a corrected spreadsheet (--replace).")
        problems = self.refused_upload()
        self.stdout.write(
            f"Uploaded a partner lab's spreadsheet on the import page: refused, {problems} "
            "problems listed by line (Imports)."
        )
        panel = PanelDemo(random.Random(DEMO_SEED))
        panel.write()
        self.stdout.write(
            f"Wrote {panel.votes} gatekeepers' votes, {panel.criteria} kill criteria "
            f"and {panel.overrides} override{'s' if panel.overrides != 1 else ''}."
        )
        # The imported decisions opened reviews without asking anyone: their gatekeepers are
        # asked for their vote now, as the app asks them when a decision opens a review (all
        # but the one who recorded it), with the notification each would have had.
        asked = ask_joined()
        self.stdout.write(f"Asked {asked} gatekeepers' votes on the open reviews.")
        plan = write_demo_plan(
            admin=User.objects.get(email=demo_email(Role.ADMIN)),
            product_manager=User.objects.get(email=demo_email(Role.PRODUCT_MANAGER)),
            executive=User.objects.get(email=demo_email(Role.EXECUTIVE)),
            seed=DEMO_SEED,
        )
        self.stdout.write(f"Planned the next round: {plan}.")
        told = NotificationsDemo()
        told.write(
            product_manager=User.objects.get(email=demo_email(Role.PRODUCT_MANAGER)),
            architect=User.objects.get(email=demo_email(Role.ARCHITECT)),
            researcher=User.objects.get(email=demo_email(Role.RESEARCHER)),
        )
        self.stdout.write(
            f"Assigned {told.assigned} cost estimates; {told.notifications} notifications "
            f"(the older read), {told.zombie_digests} weekly zombie digest(s)."
        )

    def replace_one_project(self) -> str:
        """The demo's product manager re-sent one project's spreadsheet with a corrected
        title: its history was replaced, and the old one archived on its page."""
        project = (
            Project.objects.filter(product_manager__email=demo_email(Role.PRODUCT_MANAGER))
            .filter(status=Status.ACTIVE)
            .order_by("key")
            .first()
        )
        with tempfile.TemporaryDirectory(prefix="greenlight-demo-") as name:
            folder = Path(name)
            export_portfolio(folder)
            for path in folder.iterdir():
                if path.name not in (*FILES, ESTIMATES):  # the project's own files only
                    path.unlink()
                    continue
                with path.open(encoding="utf-8", newline="") as handle:
                    rows = list(csv.reader(handle))
                column = rows[0].index("key" if path.name == "projects.csv" else "project")
                kept = [rows[0], *(row for row in rows[1:] if row[column] == project.key)]
                if path.name == "projects.csv":
                    kept[1][rows[0].index("title")] = f"{project.title} (corrected)"
                with path.open("w", encoding="utf-8", newline="") as handle:
                    csv.writer(handle).writerows(kept)
            command_line_import(folder, replace=True)
        return project.key

    def refused_upload(self) -> int:
        """The demo's admin uploaded a partner lab's two projects on the import page, in the
        lab's own spreadsheet habits: a decimal comma and a decision the format does not
        know. The task worker refused the files, wrote nothing and listed the problems by
        line on the import's page (Imports), and the admin was notified. Returns how many."""
        admin = User.objects.get(email=demo_email(Role.ADMIN))
        keys = list(
            Project.objects.exclude(status=Status.DRAFT)
            .order_by("key")
            .values_list("key", flat=True)[:2]
        )
        lab = {key: f"LAB-{n}" for n, key in enumerate(keys, start=1)}
        files = {}
        with tempfile.TemporaryDirectory(prefix="greenlight-demo-") as name:
            folder = Path(name)
            export_portfolio(folder)
            for file_name in FILES:
                with (folder / file_name).open(encoding="utf-8", newline="") as handle:
                    rows = list(csv.reader(handle))
                column = rows[0].index("key" if file_name == "projects.csv" else "project")
                kept = [rows[0]]
                for row in rows[1:]:
                    if row[column] in lab:
                        kept.append([*row[:column], lab[row[column]], *row[column + 1 :]])
                if file_name == "spend.csv" and len(kept) > 1:
                    amount = rows[0].index("amount")
                    kept[1][amount] = kept[1][amount].replace(".", ",")
                if file_name == "gate_decisions.csv" and len(kept) > 1:
                    kept[1][rows[0].index("decision")] = "maybe"
                text = io.StringIO()
                csv.writer(text, lineterminator="\n").writerows(kept)
                files[file_name] = io.BytesIO(text.getvalue().encode())
        job = import_jobs.start_import(files=files, replace=False, actor=admin)
        import_jobs.run_import.call(job_id=job.pk)
        job.refresh_from_db()
        if job.status != job.Status.FAILED or not job.problems:
            raise CommandError(f"The demo's refused upload was not refused: {job.summary}")
        return len(job.problems)

    def print_sign_ins(self, created: set[str]) -> None:
        self.stdout.write("")
        self.stdout.write(f"Greenlight demo: {os.environ.get('DEMO_URL', SITE)}")
        self.stdout.write(f"  {'Role':<16} {'E-mail':<28} Password")
        for role, email, _, password in DEMO_USERS:
            self.stdout.write(f"  {role:<16} {email:<28} {password}")
        if len(created) < len(DEMO_USERS):
            self.stdout.write(
                "  (Accounts that existed already keep their password: it was set to the one "
                "above when they were created.)"
            )
        # No API token is made or printed here: secrets are shown only when asked for.
        self.stdout.write(
            "  API: /api/v1/docs; a token for a demo user: "
            "python manage.py create_api_token EMAIL [--scope read-write]"
        )
        mailer = settings.MAILERS["default"]
        if mailer["BACKEND"].endswith("filebased.EmailBackend"):
            # Not on the console: the worker's first minute of e-mail would push this off it.
            self.stdout.write(
                f"  E-mail the demo sends (the task worker sends it) is written to files in "
                f"{mailer['OPTIONS']['file_path']}"
            )
        self.stdout.write("")


# --- What the files cannot carry -------------------------------------------------

FINDINGS = (
    "A prototype on last quarter's data reached the accuracy the business case needs.",
    "The signal is there, but only for the largest customer segment.",
    "Results on the held-out month were close to the baseline.",
    "The approach works on clean data; production data needs more cleaning than planned.",
)
EVIDENCE = (
    "Offline evaluation on 12 weeks of history against the current rule set.",
    "A/B shadow run on 5% of traffic for three weeks.",
    "Interviews with six operators and a labelled sample of 2,000 cases.",
)
PLATFORMS = ("", "Model serving platform", "Feature store", "Shared data lake")
BUILD_NOTES = (
    "Build: no vendor covers our data formats.",
    "Buy the labelling, build the model.",
    "Reuse the serving platform; build the pipeline.",
)
PROBLEMS = (
    "Operators spend hours a day on work a model could triage.",
    "Customers leave when we answer slowly; this answers in seconds.",
    "Competitors already offer this; our customers ask for it.",
)
RISKS = (
    "Data drift after the product change planned next year.",
    "Depends on one team's data pipeline.",
    "Regulatory review may add three months.",
)
# The proposals' own text, which the interchange format does not carry: {technique} and
# {domain} come from the title ("Churn prediction for regional warehouses").
CASES = {
    "cost_savings": (
        "The team handling {domain} does by hand, case by case, what a model could triage.",
        "Errors in the work on {domain} are found late and cost rework every month.",
        "Work on {domain} grows faster than the team that does it.",
    ),
    "revenue": (
        "Customers ask for better answers on {domain} than we give today.",
        "Competitors already use {technique} on {domain}, and our customers notice.",
        "We leave revenue on the table in {domain} by treating every case alike.",
    ),
}
HYPOTHESES = (
    "{Technique} on {domain} data beats the current rules by at least {lift}% on {metric}, "
    "measured on a held-out quarter.",
    "A model trained on two years of {domain} history reaches {metric} within {lift}% of an "
    "expert's, on cases it has not seen.",
    "{Technique} improves {metric} for {domain} by {lift}% or more in a four-week shadow run.",
)
METRICS = ("precision", "recall on the costly cases", "time to resolution", "forecast error")


class DemoWriter:
    """Writes deliverables, artifacts and a draft for the freshly imported demo portfolio."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        # The days deliverables of the past were written: drawn apart, so that the rest of the
        # demo draws what it drew before.
        self.days_rng = random.Random(DEMO_SEED + 1)
        # Each imported project's decision days by gate (the demo writes no decision before
        # the panel's, which come after the deliverables and artifacts): one query.
        self.decided_on: dict[int, dict[int, list[datetime.date]]] = {}
        for project_id, gate, day in GateDecision.objects.values_list(
            "project_id", "gate__number", "decided_on"
        ):
            self.decided_on.setdefault(project_id, {}).setdefault(gate, []).append(day)
        self.researcher = User.objects.get(email=demo_email(Role.RESEARCHER))
        self.product_manager = User.objects.get(email=demo_email(Role.PRODUCT_MANAGER))
        self.architects = list(User.objects.filter(groups__name=Role.ARCHITECT).order_by("email"))
        self.deliverables = self.artifacts = self.reuses = self.adoption_months = 0

    def projects(self):
        return Project.objects.submitted().select_related("researcher", "product_manager")

    def reached(self, project: Project) -> int:
        """The furthest gate the project got to."""
        if project.current_gate:
            return project.current_gate
        return max(self.decided_on.get(project.pk, {}), default=1)

    # Proposals ---------------------------------------------------------------------

    def write_proposals(self) -> None:
        """The case for the research and the hypothesis of every imported project, which the
        files do not carry (a submission needs both). Drawn apart from the rest of the demo."""
        rng = random.Random(DEMO_SEED + 2)
        written = []
        for project in self.projects().filter(business_case="", hypothesis="").order_by("key"):
            technique, _, domain = project.title.removesuffix(" (corrected)").partition(" for ")
            words = {
                "Technique": technique,
                "technique": technique[:1].lower() + technique[1:],
                "domain": domain or "this work",
                "lift": rng.choice((5, 10, 15, 20)),
                "metric": rng.choice(METRICS),
            }
            low, expected, high = (
                project.projected_low,
                project.projected_expected,
                project.projected_high,
            )
            if project.value_kind == "revenue":
                value = (
                    f"Expected new revenue about {expected:,.0f} a year: {low:,.0f} if only "
                    f"the pilot customers take it up, {high:,.0f} once every market does."
                )
            else:
                value = (
                    f"Expected savings about {expected:,.0f} a year: {low:,.0f} if only the "
                    f"pilot team uses it, {high:,.0f} once every site does."
                )
            problem = rng.choice(CASES.get(project.value_kind, CASES["cost_savings"]))
            project.business_case = f"{problem.format(**words)} {value}"
            project.hypothesis = rng.choice(HYPOTHESES).format(**words)
            written.append(project)
        Project.objects.bulk_update(written, ["business_case", "hypothesis"], batch_size=500)

    # Deliverables --------------------------------------------------------------

    def write_deliverables(self) -> None:
        # The demo PM's projects waiting at gates 2-4: every other one lacks a deliverable.
        pm_open = 0
        for project in self.projects().order_by("key"):
            reached = self.reached(project)
            closed = project.is_closed
            at_gate = project.current_gate
            wants = {
                DeliverableKind.FEASIBILITY_STUDY: self.wants(project, 2, reached),
                DeliverableKind.ARCHITECTURE_ESTIMATE: self.wants(project, 3, reached),
                DeliverableKind.BUSINESS_CASE: self.wants(project, 4, reached),
            }
            if not closed and project.product_manager_id == self.product_manager.pk and at_gate > 1:
                pm_open += 1
                if pm_open % 2 == 0:
                    # Waiting for its deliverables: the one its gate needs last is missing.
                    last_needed = {
                        2: DeliverableKind.FEASIBILITY_STUDY,
                        3: DeliverableKind.ARCHITECTURE_ESTIMATE,
                        4: DeliverableKind.BUSINESS_CASE,
                    }[at_gate]
                    wants[last_needed] = False
                else:  # ready for its decision
                    wants[DeliverableKind.FEASIBILITY_STUDY] = True
                    wants[DeliverableKind.ARCHITECTURE_ESTIMATE] = at_gate >= 3
                    wants[DeliverableKind.BUSINESS_CASE] = at_gate == 4
            if not closed and project.researcher_id == self.researcher.pk and at_gate == 2:
                wants[DeliverableKind.FEASIBILITY_STUDY] = False  # the demo researcher writes it
            if wants[DeliverableKind.FEASIBILITY_STUDY]:
                self.feasibility_study(project, reached)
            if wants[DeliverableKind.ARCHITECTURE_ESTIMATE]:
                self.architecture_estimate(project)
            if wants[DeliverableKind.BUSINESS_CASE]:
                self.business_case(project)

    def wants(self, project: Project, gate: int, reached: int) -> bool:
        """Whether a deliverable first needed at ``gate`` has been written."""
        if reached < gate:
            return False
        if reached > gate or project.status == Status.GREENLIT:
            return True  # a go at its gate needed it
        if project.status == Status.KILLED:
            return self.rng.random() < 0.7
        return self.rng.random() < 0.5  # still waiting at its gate

    @staticmethod
    def of_the_past(project: Project, gate: int) -> bool:
        """Whether a deliverable first needed at ``gate`` belongs to the project's history: the
        project was decided at that gate (it is closed, or went on past it)."""
        return project.is_closed or project.current_gate > gate

    def written_in_the_past(self, model, project: Project, gate: int, **fields) -> None:
        """The deliverable as the history had it: written between the project's arrival at
        ``gate`` and its first decision there (imported history is dated the same way), so
        the dashboard's days to decide have decisions at every gate. No notice goes out."""
        made = model.objects.create(project=project, **fields)
        decided = self.decided_on.get(project.pk, {})
        arrived = max(decided.get(gate - 1, []), default=project.submitted_on)
        first = min(decided.get(gate, []), default=timezone.localdate())
        day = first
        if arrived < first:
            share = self.days_rng.uniform(0.35, 0.85)
            day = arrived + datetime.timedelta(days=round((first - arrived).days * share))
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(11, 0)))
        model.objects.filter(pk=made.pk).update(created_at=at, updated_at=at)

    def feasibility_study(self, project: Project, reached: int) -> None:
        rng = self.rng
        went_on = reached > 2 or project.status == Status.GREENLIT
        killed_here = project.status == Status.KILLED and reached == 2
        if went_on:
            held, step = rng.choice(["yes", "yes", "partly"]), "continue"
        elif killed_here:
            held, step = rng.choice(["no", "partly", "inconclusive"]), "stop"
        else:
            held = rng.choice(["yes", "partly", "inconclusive"])
            step = rng.choice(["continue", "another_round", "pivot"])
        fields = {
            "findings": rng.choice(FINDINGS),
            "hypothesis_held": held,
            "evidence": rng.choice(EVIDENCE),
            "confidence": "high"
            if went_on and rng.random() < 0.5
            else rng.choice(["low", "medium"]),
            "recommended_next_step": step,
        }
        if self.of_the_past(project, 2):
            self.written_in_the_past(
                FeasibilityStudy, project, 2, author=project.researcher, **fields
            )
        else:
            save_feasibility_study(project=project, actor=project.researcher, **fields)
        self.deliverables += 1

    def architecture_estimate(self, project: Project) -> None:
        rng = self.rng
        cadence = rng.choice(["none", "monthly", "quarterly", "semiannual", "annual"])
        fields = {
            "build_cost": Decimal(rng.randrange(40, 600) * 1000),
            "monthly_run_cost": Decimal(rng.randrange(10, 250) * 100),
            "retraining_cadence": cadence,
            "cost_per_retrain": Decimal(0 if cadence == "none" else rng.randrange(2, 30) * 1000),
            "platform_reused": rng.choice(PLATFORMS),
            "build_or_buy_note": rng.choice(BUILD_NOTES),
        }
        author = self.architects[rng.randrange(len(self.architects))]
        if self.of_the_past(project, 3):
            self.written_in_the_past(ArchitectureEstimate, project, 3, author=author, **fields)
        else:
            save_architecture_estimate(project=project, actor=author, **fields)
        self.deliverables += 1

    def business_case(self, project: Project) -> None:
        rng = self.rng
        fields = {
            "customer_problem": rng.choice(PROBLEMS),
            "value_rationale": (
                f"Expected {project.projected_expected:,.0f} a year, from a pilot with two "
                f"customers; low case {project.projected_low:,.0f} if adoption stays at pilot "
                f"level, high case {project.projected_high:,.0f} with the second market."
            ),
            "strategic_fit": f"Serves the {project.get_bucket_display().lower()} bucket.",
            "risks": rng.choice(RISKS),
        }
        if self.of_the_past(project, 4):
            self.written_in_the_past(
                BusinessCase, project, 4, author=project.product_manager, **fields
            )
        else:
            save_business_case(project=project, actor=project.product_manager, **fields)
        self.deliverables += 1

    # Artifacts -----------------------------------------------------------------

    def write_artifacts(self) -> None:
        """Projects that did research produce artifacts; later projects reuse some.

        Killed projects' artifacts are reused too (salvage), each at a date the
        rules allow: not before the artifact was made nor before the reusing
        project was submitted.
        """
        today = timezone.localdate()
        produced = []
        for project in self.projects().order_by("submitted_on", "key"):
            reached = self.reached(project)
            researcher = project.researcher
            if reached >= 3 and (project.status == Status.GREENLIT or self.rng.random() < 0.6):
                made_on = self.made_on(project, today)
                for kind in self.rng.sample(list(ArtifactKind.values), 2):
                    produced.append(self.register(project, kind, made_on))
            earlier = [a for a in produced if a.project_id != project.pk and a.created_on <= today]
            if reached >= 2 and earlier and self.rng.random() < 0.45:
                for artifact in self.rng.sample(earlier, min(len(earlier), self.rng.randint(1, 2))):
                    start = max(artifact.created_on, project.submitted_on)
                    used_on = min(start + datetime.timedelta(days=self.rng.randint(0, 45)), today)
                    link_reused_artifact(
                        project=project, artifact=artifact, actor=researcher, used_on=used_on
                    )
                    self.reuses += 1

    def made_on(self, project: Project, today: datetime.date) -> datetime.date:
        """When a project's research produced its artifacts: around its gate 3 decision."""
        days = sorted(project.decisions.values_list("decided_on", flat=True))
        day = days[1] if len(days) > 1 else project.submitted_on + datetime.timedelta(days=60)
        return min(max(day, project.submitted_on), today)

    # Adoption ------------------------------------------------------------------

    def write_adoption(self) -> None:
        """Greenlit products report their users and minutes per task, month by month.

        Users grow after launch and minutes per task fall from the baseline as
        people learn the product (the learning curve); a few products never beat
        their baseline, as happens.
        """
        this_month = timezone.localdate().replace(day=1)
        for project in self.projects().filter(status=Status.GREENLIT).order_by("key"):
            month = first_outcome_month(project.last_decision_on)  # as adoption.csv allows
            baseline = Decimal(self.rng.randrange(60, 300)) / 10
            users = self.rng.randrange(15, 120)
            gain = self.rng.choice([0.45, 0.35, 0.25, 0.05, -0.05])
            index = 0
            while month < this_month and index < 18:
                learned = 1 - gain * (1 - 0.6**index)
                active = int(users * (1 + 0.25 * index) * self.rng.uniform(0.9, 1.1))
                record_adoption(
                    project=project,
                    actor=project.product_manager,
                    month=month,
                    active_users=active,
                    tasks_completed=active * self.rng.randrange(18, 40),
                    minutes_per_task=(baseline * Decimal(str(round(learned, 3)))).quantize(
                        Decimal("0.01")
                    ),
                    baseline_minutes_per_task=baseline,
                )
                self.adoption_months += 1
                index += 1
                month = (month + datetime.timedelta(days=32)).replace(day=1)

    def register(self, project: Project, kind: str, made_on: datetime.date):
        subject = project.title.split(" for ", 1)[-1]
        technique = project.title.split(" for ", 1)[0]
        name, location = {
            ArtifactKind.MODEL: (
                f"{technique} model",
                f"models://registry/{project.key.lower()}/v{self.rng.randint(1, 5)}",
            ),
            ArtifactKind.DATASET: (
                f"Labelled {subject}",
                f"s3://greenlight-data/{project.key.lower()}/labelled/",
            ),
            ArtifactKind.REPORT: (
                f"{project.title}: research report",
                f"https://wiki.example.org/research/{project.key}",
            ),
            ArtifactKind.CODE: (
                f"{project.key.lower()}-pipeline",
                f"https://git.example.org/research/{project.key.lower()}-pipeline",
            ),
            ArtifactKind.OTHER: (
                f"{subject} annotation guidelines",
                f"https://wiki.example.org/research/{project.key}/guidelines",
            ),
        }[kind]
        self.artifacts += 1
        return register_artifact(
            project=project,
            actor=project.researcher,
            kind=kind,
            name=name,
            description=f"Produced by {project.key} ({project.title}).",
            location=location,
            created_on=made_on,
        )

    # A draft -------------------------------------------------------------------

    def write_draft(self) -> None:
        """The demo researcher's proposal in progress: not in the files, since drafts are private."""
        create_proposal(
            actor=self.researcher,
            key=project_key(DEMO_PROJECTS + 1, DEMO_PROJECTS),
            title="Summarisation with language models for support tickets",
            research_type="applied",
            bucket="efficiency",
            product_manager=self.product_manager,
            value_kind="cost_savings",
            projected_low=Decimal(150_000),
            projected_expected=Decimal(400_000),
            projected_high=Decimal(700_000),
            probability_of_success=Decimal("0.35"),
            business_case="Agents read long ticket threads before answering; a summary saves minutes a ticket.",
            hypothesis="",
        )
        # An idea just written down: a draft needs no more than its key and title.
        create_proposal(
            actor=self.researcher,
            key=project_key(DEMO_PROJECTS + 2, DEMO_PROJECTS),
            title="Forecast spare-part demand from sensor data",
            research_type="science",
            hypothesis="Vibration trends predict a part's failure four weeks ahead.",
        )
