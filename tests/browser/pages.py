"""Every page of the site, for every role that opens it: the list the page checks walk.

``test_every_page.py`` opens each entry, signed in as each of its roles, at a desktop
width and (unless ``phone=False``) at 390 px, and asserts axe-core finds no WCAG 2.2 AA
violation, the page fits the width without horizontal scrolling and (at 390 px) its
controls are at least 44 px tall. A new page joins the checks by one entry here.

The pages are read against the demo portfolio of ``seed_demo`` (realistic: 150 projects,
every status); ``World`` names the projects an entry can point at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING

from portfolio.models import Role

if TYPE_CHECKING:
    from playwright.sync_api import Page

# The demo sign-ins (gates/management/commands/seed_demo.py), by role.
ANONYMOUS = "anonymous"
RESEARCHER = Role.RESEARCHER.value
PM = Role.PRODUCT_MANAGER.value
ARCHITECT = Role.ARCHITECT.value
EXECUTIVE = Role.EXECUTIVE.value
ADMIN = Role.ADMIN.value
ROLES = (RESEARCHER, PM, ARCHITECT, EXECUTIVE, ADMIN)
SIGNED_IN = ROLES

World = SimpleNamespace


def key(name: str) -> Callable[[World], dict]:
    """The URL arguments of a page about the world's project ``name``."""
    return lambda w: {"key": getattr(w, name).key}


def no_args(w: World) -> dict:
    return {}


def pack(state: str) -> Callable[[World], dict]:
    """The URL arguments of the board pack page in ``state`` (board_packs below)."""
    return lambda w: {"pack_id": getattr(w, f"pack_{state}").pk}


@dataclass(frozen=True)
class PageCase:
    url_name: str
    roles: tuple[str, ...]
    args: Callable[[World], dict] = no_args
    label: str = ""  # tells two entries of one URL apart
    query: str = ""  # appended to the URL, "?page=2"
    phone: bool = True  # also checked at 390 px
    status: int = 200  # what the page answers (400: a form refused on the server)
    # Brings the page to the state checked, after it loaded (a click, a refused form).
    setup: Callable[[Page, World], None] | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return self.url_name + (f"[{self.label}]" if self.label else "")


def refuse_a_decision(page: Page, w: World) -> None:
    """A Go with no criteria scored: the server refuses it and marks each unmet must-meet row."""
    page.locator("input[name=decision][value=go]").check()
    page.get_by_role("button", name="Record decision").click()
    page.locator(".error-summary").wait_for()


def ask_to_confirm_a_kill(page: Page, w: World) -> None:
    """A Kill with its rationale sent unticked: the page asks to confirm it before anything
    is recorded (the tick shows as soon as Kill is chosen: wait for the answer's message)."""
    page.locator("input[name=decision][value=kill]").check()
    page.get_by_role("textbox", name="Rationale").fill("The data cannot be shared with us.")
    page.get_by_role("button", name="Record decision").click()
    page.locator("#confirm-kill-error").wait_for()


def just_decided(page: Page, w: World) -> None:
    """The review right after a decision: what the next gate needs, the next review waiting."""
    page.goto(f"{page.url}?recorded={w.pm_later.decisions_count}")
    page.locator(".after-decision").wait_for()


def estimate_typed(page: Page, w: World) -> None:
    page.get_by_label("Build cost").fill("120000")
    page.get_by_label("Monthly run cost").fill("-5")
    page.get_by_label("Monthly run cost").blur()


def refuse_an_estimate(page: Page, w: World) -> None:
    """A negative cost, saved: the server refuses it beside the field (400)."""
    page.get_by_label("Build cost").fill("120000")
    page.get_by_label("Monthly run cost").fill("-5")
    page.get_by_role("button", name=re.compile("Save")).click()
    page.locator("[data-error-summary]").wait_for()


def refuse_a_draft(page: Page, w: World) -> None:
    """Save draft with the required fields left empty: the summary on top, each field marked."""
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save draft").click()
    page.locator("[data-error-summary]").wait_for()


def refuse_a_submission(page: Page, w: World) -> None:
    """Submit for gate 1 without the hypothesis: nothing saved, the reason beside the field."""
    page.get_by_label("Hypothesis").fill("")
    page.get_by_role("button", name="Submit for gate 1").click()
    page.locator("[data-error-summary]").wait_for()


def cast_a_vote(page: Page, w: World) -> None:
    """The architect's vote, cast: the page then shows every vote and the spread."""
    form = page.locator("form.vote-form")
    form.locator("input[name=vote-recommendation][value=kill]").check()
    form.get_by_label("Comment").fill("Running it costs more than it saves.")
    # "Cast my vote" at the first width, "Change my vote" at the second: both vote.
    form.get_by_role("button", name=re.compile("my vote")).click()
    page.locator("table.votes-table").wait_for()


def unsaved_text_offered(page: Page, w: World) -> None:
    """Text typed and not saved, the page opened again: the notice above the form offers it
    back (static/js/drafts.js)."""
    page.get_by_label("Findings").fill("Typed in this tab and not saved yet.")
    page.reload()
    page.locator("[data-draft-notice] button").first.wait_for()


def create_a_token(page: Page, w: World) -> None:
    """A new token: its secret shown once, above the form and the list."""
    page.get_by_label("Name", exact=True).fill("Finance sync")
    page.get_by_role("button", name="Create token").click()
    page.locator("#token-secret").wait_for()


def refuse_a_token(page: Page, w: World) -> None:
    page.get_by_label("Expires on").fill("2001-01-01")
    page.get_by_role("button", name="Create token").click()
    page.locator(".form-errors").wait_for()


def refuse_an_ask(page: Page, w: World) -> None:
    page.get_by_label("Ask").fill("-5")
    page.get_by_role("button", name="Save the ask").click()
    page.locator("[data-error-summary]").wait_for()


def swagger_rendered(page: Page, w: World) -> None:
    """Swagger UI draws the API's operations after the page loads: check what it drew."""
    page.locator(".swagger-ui .opblock").first.wait_for()


def ask_to_delete_a_scenario(page: Page, w: World) -> None:
    """The scenario that is not adopted, its delete confirmation open."""
    page.locator("details.scenario-change summary", has_text="Delete").first.click()
    page.get_by_role("button", name=re.compile("^Delete “")).wait_for()


def refuse_a_rename(page: Page, w: World) -> None:
    """A scenario renamed onto another's name: refused beside its field."""
    rows = page.locator("tr[data-scenario]")
    other = rows.nth(1).get_attribute("data-scenario")
    rows.first.locator("summary", has_text="Rename").click()
    rows.first.locator("input[name=name]").fill(other)
    rows.first.get_by_role("button", name="Rename").click()
    page.locator("#scenario-error").wait_for()


PAGES: list[PageCase] = [
    PageCase("login", (ANONYMOUS,)),
    PageCase("home", SIGNED_IN),
    PageCase("project_list", SIGNED_IN),
    PageCase("project_list", (EXECUTIVE,), query="?page=2", label="page 2"),
    PageCase(
        "project_list",
        (EXECUTIVE,),
        query="?researcher=nobody%40example.com&status=bogus",
        label="unreadable filter",
    ),
    PageCase("password_change", (RESEARCHER,)),
    PageCase("password_change_done", (RESEARCHER,)),
    PageCase("proposal_create", (RESEARCHER, ADMIN)),
    PageCase("proposal_create", (RESEARCHER,), label="refused", setup=refuse_a_draft),
    PageCase("proposal_edit", (RESEARCHER,), key("draft")),
    PageCase(
        "proposal_edit", (RESEARCHER,), key("draft"), label="refused", setup=refuse_a_submission
    ),
    PageCase("proposal_delete", (RESEARCHER,), key("draft")),
    PageCase("project_detail", (RESEARCHER,), key("draft"), label="draft"),
    PageCase("project_detail", (RESEARCHER,), key("idea"), label="draft, only an idea"),
    PageCase("project_detail", SIGNED_IN, key("gate1"), label="at gate 1"),
    PageCase("project_detail", SIGNED_IN, key("later"), label="later gate"),
    PageCase("project_detail", (PM,), key("pm_later"), label="later gate, own"),
    PageCase("project_detail", SIGNED_IN, key("greenlit"), label="greenlit"),
    PageCase("project_detail", (RESEARCHER, PM, EXECUTIVE), key("killed"), label="killed"),
    PageCase("project_detail", (RESEARCHER,), key("fresh"), label="new"),
    PageCase("spend_create", (RESEARCHER, ADMIN), key("later")),
    PageCase("spend_create", (PM,), key("pm_later"), label="product manager"),
    PageCase("outcome_create", (PM, EXECUTIVE, ADMIN), key("greenlit")),
    PageCase("artifact_create", (RESEARCHER, ADMIN), key("later")),
    PageCase("artifact_reuse", (RESEARCHER, ADMIN), key("later")),
    PageCase("adoption_create", (PM, ADMIN), key("greenlit")),
    PageCase("artifact_library", SIGNED_IN),
    PageCase(
        "artifact_library", (EXECUTIVE,), query="?origin=killed&reuse=reused", label="salvage"
    ),
    PageCase("artifact_detail", SIGNED_IN, lambda w: {"key": w.artifact.key}),
    PageCase("dashboard", (PM, EXECUTIVE, ADMIN)),
    # A project's history as it was before an import replaced it (the demo replaces one).
    PageCase(
        "replaced_history",
        (EXECUTIVE,),
        lambda w: {"key": w.replaced.project.key, "pk": w.replaced.pk},
    ),
    PageCase("gate_review", (PM, EXECUTIVE), key("gate1"), label="gate 1"),
    PageCase("gate_review", (PM,), key("pm_later"), label="later gate"),
    PageCase("gate_review", (EXECUTIVE,), key("greenlit"), label="greenlit"),
    PageCase("gate_review", (PM,), key("gate1"), label="refused", setup=refuse_a_decision),
    PageCase(
        "gate_review", (PM,), key("gate1"), label="kill to confirm", setup=ask_to_confirm_a_kill
    ),
    PageCase("gate_review", (PM,), key("pm_later"), label="just decided", setup=just_decided),
    PageCase("gate_review", (EXECUTIVE,), key("killed"), label="killed"),
    # The decision panel: a review the demo architect judges, before and after voting.
    PageCase("gate_review", (ARCHITECT, EXECUTIVE), key("panel"), label="panel"),
    PageCase("gate_review", (ARCHITECT,), key("panel"), label="voted", setup=cast_a_vote),
    PageCase("feasibility_study_edit", (RESEARCHER, PM), key("later")),
    PageCase(
        "feasibility_study_edit",
        (RESEARCHER,),
        key("later"),
        label="unsaved text offered",
        setup=unsaved_text_offered,
    ),
    # An estimate the demo architect may write (access.architecture_estimate_refusal).
    PageCase("architecture_estimate_edit", (ARCHITECT, EXECUTIVE), key("estimate")),
    PageCase(
        "architecture_estimate_edit",
        (ARCHITECT,),
        key("estimate"),
        label="typed",
        setup=estimate_typed,
    ),
    PageCase(
        "architecture_estimate_edit",
        (ARCHITECT,),
        key("estimate"),
        label="refused",
        setup=refuse_an_estimate,
    ),
    PageCase("business_case_edit", (PM, RESEARCHER), key("pm_later")),
    PageCase("portfolio_import", (ADMIN,)),
    PageCase("portfolio_export_page", (EXECUTIVE, PM)),
    # With a person locked out of signing in (lock_out_someone), and the Unlock button.
    PageCase(
        "people_list", (ADMIN,), setup=lambda page, w: page.get_by_text("Locked until").wait_for()
    ),
    PageCase("import_jobs", (ADMIN,)),
    PageCase("import_job", (ADMIN,), lambda w: {"job_id": w.import_running.pk}, label="running"),
    PageCase("import_job", (ADMIN,), lambda w: {"job_id": w.import_refused.pk}, label="refused"),
    PageCase(
        "import_job",
        (ADMIN,),
        lambda w: {"job_id": w.import_staged.pk},
        label="replace to confirm",
    ),
    PageCase("board_pack_status", (EXECUTIVE, PM), pack("waiting"), label="waiting"),
    PageCase("board_pack_status", (EXECUTIVE,), pack("ready"), label="ready"),
    PageCase("board_pack_status", (ADMIN,), pack("failed"), label="failed"),
    PageCase("api_tokens", SIGNED_IN),
    PageCase("api_tokens", (RESEARCHER,), label="token created", setup=create_a_token),
    PageCase("api_tokens", (EXECUTIVE,), label="refused", setup=refuse_a_token),
    PageCase("api_docs", (ANONYMOUS, PM), setup=swagger_rendered),
    PageCase("plan", (PM, EXECUTIVE, ADMIN)),
    PageCase("plan", (EXECUTIVE,), query="?probabilities=calibrated", label="calibrated"),
    PageCase("plan", (PM,), query="?budget=0", label="refused", status=400),
    PageCase("scenario_list", (PM, EXECUTIVE, ADMIN)),
    PageCase("scenario_list", (EXECUTIVE,), label="delete asked", setup=ask_to_delete_a_scenario),
    PageCase("scenario_list", (EXECUTIVE,), label="rename refused", setup=refuse_a_rename),
    PageCase("scenario_compare", (EXECUTIVE,)),
    PageCase("next_stage_ask_edit", (RESEARCHER,), key("later")),
    PageCase(
        "next_stage_ask_edit", (RESEARCHER,), key("later"), label="refused", setup=refuse_an_ask
    ),
    PageCase("next_stage_ask_edit", (PM,), key("pm_later"), label="product manager"),
    PageCase("notification_list", SIGNED_IN),
    PageCase("notification_settings", (RESEARCHER, PM)),
    PageCase("estimate_assign", (PM, ADMIN), key("pm_later")),
]


def import_jobs(admin) -> dict:
    """Imports uploaded from the page, in the states their page shows (as the worker leaves them)."""
    from django.utils import timezone

    from gates.models import ImportJob

    now = timezone.now()
    running = ImportJob.objects.create(
        created_by=admin,
        upload_bytes=48_000_000,
        status=ImportJob.Status.RUNNING,
        phase="Checking spend.csv",
        rows_checked=420_000,
        started_at=now - timezone.timedelta(seconds=83),
    )
    waiting = ImportJob.objects.create(created_by=admin, upload_bytes=52_000)
    refused = ImportJob.objects.create(
        created_by=admin,
        upload_bytes=61_000,
        status=ImportJob.Status.FAILED,
        started_at=now - timezone.timedelta(minutes=5),
        finished_at=now - timezone.timedelta(minutes=5),
        phase="Refused: nothing was imported",
        problems=[
            "spend.csv:2: amount: '$12,000' is not money: write 12000.00",
            "outcomes.csv:101: project: RP-0001 is not greenlit",
        ],
    )
    staged = ImportJob.objects.create(
        created_by=admin,
        upload_bytes=44_000_000,
        replace=True,
        status=ImportJob.Status.STAGED,
        started_at=now - timezone.timedelta(seconds=50),
        staged_at=now - timezone.timedelta(seconds=8),
        phase="Checked in 41.6 s: 2 projects to replace, waiting for the confirmation",
        rows_checked=1_012_000,
        outlook={
            "count": 2,
            "projects": [
                {
                    "key": f"GL-000{n}",
                    "title": f"Demand forecasting, wave {n}",
                    "status": "Active",
                    "decisions": n + 1,
                    "spend_entries": 240 * n,
                    "spend_total": f"{182_400.5 * n:.2f}",
                    "outcomes": 0,
                }
                for n in (1, 2)
            ],
            "decisions": 5,
            "spend_entries": 720,
            "spend_total": "547201.50",
            "outcomes": 0,
            "unchanged": 4_998,
        },
    )
    return {
        "import_running": running,
        "import_waiting": waiting,
        "import_refused": refused,
        "import_staged": staged,
    }


def board_packs(executive) -> dict:
    """Board packs of the dashboard in the states their page shows."""
    from django.utils import timezone

    from boardpack.models import BoardPack

    scope = {"as_of": "2026-06-30", "bucket": "revenue", "research_type": None}
    waiting = BoardPack.objects.create(requested_by=executive, filters=scope)
    ready = BoardPack.objects.create(
        requested_by=executive,
        filters=scope,
        status=BoardPack.Status.DONE,
        pdf=b"%PDF-1.7\n%%EOF\n",
        pages=8,
        finished_at=timezone.now(),
    )
    failed = BoardPack.objects.create(
        requested_by=executive,
        filters=scope,
        status=BoardPack.Status.FAILED,
        failure="The task worker stopped while rendering the pack: ask for it again.",
        finished_at=timezone.now(),
    )
    return {"pack_waiting": waiting, "pack_ready": ready, "pack_failed": failed}


def demo_world() -> World:
    """Loads the demo portfolio and picks a project in each state the pages show (seeded
    once per test process, then copied back: tests/browser/demo.py)."""
    from tests.browser import demo

    world = demo.once("world", _build_world)
    lock_out_someone()
    return world


def lock_out_someone() -> None:
    """The People page's first person who is no demo sign-in, locked out after failed
    sign-ins from another address than the browser's: the page shows the lock and Unlock.
    Written on each call, so the lock is an hour from now whenever the copy was made."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    from gates.management.commands.seed_demo import DEMO_USERS
    from portfolio.models import User

    sign_ins = [email for _, email, _, _ in DEMO_USERS]
    person = User.objects.exclude(email__in=sign_ins).order_by("email").first()
    AccessAttempt.objects.update_or_create(
        username=person.email,
        ip_address="203.0.113.7",
        user_agent="a script guessing passwords",
        defaults={
            "failures_since_start": settings.AXES_FAILURE_LIMIT + 7,
            "attempt_time": timezone.now(),
            "get_data": "",
            "post_data": "",
            "http_accept": "*/*",
            "path_info": "/accounts/login/",
        },
    )


def _build_world() -> World:
    from django.db.models import Q

    from gates.management.commands.seed_demo import demo_email
    from portfolio.models import Artifact, Project, ReplacedHistory, Status, User
    from portfolio.services import create_proposal, submit_proposal
    from tests.browser import demo

    demo.seed_demo()
    users = {role: User.objects.get(email=demo_email(role)) for role in ROLES}
    researcher, pm = users[RESEARCHER], users[PM]
    projects = Project.objects.order_by("key")
    fresh = submit_proposal(
        actor=researcher,
        project=create_proposal(
            actor=researcher,
            key="FRESH-1",
            title="Summarise support calls",
            research_type="applied",
            bucket="efficiency",
            product_manager=pm,
            value_kind="cost_savings",
            projected_low=Decimal("10000"),
            projected_expected=Decimal("20000"),
            projected_high=Decimal("40000"),
            probability_of_success=Decimal("0.3"),
            business_case="Agents spend an hour a day writing call notes.",
            hypothesis="A model writes notes agents accept unchanged.",
        ),
    )
    return World(
        users=users,
        **import_jobs(users[ADMIN]),
        **board_packs(users[EXECUTIVE]),
        draft=projects.filter(status=Status.DRAFT, researcher=researcher).first(),
        # A draft with little more than its title: what the page says is still missing.
        idea=projects.filter(status=Status.DRAFT, researcher=researcher, bucket="").first(),
        gate1=projects.filter(status=Status.ACTIVE, current_gate=1, product_manager=pm).first(),
        later=projects.filter(
            status=Status.ACTIVE, current_gate__gte=2, researcher=researcher
        ).first(),
        # An estimate the demo architect writes: assigned to them, or unassigned and not
        # another architect's (the project's architect writes it, from gate 2).
        estimate=projects.filter(status=Status.ACTIVE, current_gate__gte=2)
        .filter(
            Q(architect=users[ARCHITECT])
            | Q(architect__isnull=True, architecture_estimate__isnull=True)
            | Q(architect__isnull=True, architecture_estimate__author=users[ARCHITECT])
        )
        .first(),
        pm_later=projects.filter(status=Status.ACTIVE, current_gate__gte=2, product_manager=pm)
        .order_by("-current_gate", "key")
        .first(),
        greenlit=projects.filter(status=Status.GREENLIT, product_manager=pm).first(),
        killed=projects.filter(status=Status.KILLED).first(),
        # An open review where the demo architect is a gatekeeper (they wrote the estimate).
        panel=projects.filter(
            status=Status.ACTIVE,
            current_gate__gte=2,
            architecture_estimate__author=users[ARCHITECT],
        )
        .order_by("-current_gate", "key")
        .first(),
        fresh=fresh,
        replaced=ReplacedHistory.objects.select_related("project").order_by("pk").first(),
        # A killed project's artifact that other projects reuse: salvage, with its lineage.
        artifact=Artifact.objects.filter(project__status=Status.KILLED, reuses__isnull=False)
        .order_by("key")
        .first(),
    )
