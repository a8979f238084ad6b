"""`manage.py seed_demo`: demo sign-ins per role, a demo portfolio with work for each, idempotent."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse

from gates.management.commands.seed_demo import DEMO_USERS, demo_email
from gates.models import (
    ArchitectureEstimate,
    BusinessCase,
    FeasibilityStudy,
    Gate,
    GateDecision,
)
from gates.services import missing_deliverables
from portfolio.demo.simulation import DEMO_KEY_PREFIX
from portfolio.models import (
    Artifact,
    ArtifactReuse,
    AuditEntry,
    Outcome,
    Project,
    Role,
    SpendEntry,
    Status,
    User,
)
from tests.builders import make_project

COUNTED = (
    User,
    Project,
    GateDecision,
    SpendEntry,
    Outcome,
    FeasibilityStudy,
    ArchitectureEstimate,
    BusinessCase,
    Artifact,
    ArtifactReuse,
    AuditEntry,
)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


# The seeding tests share one process under pytest-xdist, so the demo is built once.
pytestmark = pytest.mark.xdist_group("seed_demo")


# First in the module: the demo of the tests below stays until the module ends.
def test_it_leaves_an_existing_portfolio_alone(db):
    assert not Project.objects.exists()
    make_project(key="OURS-1")

    seed()

    assert list(Project.objects.values_list("key", flat=True)) == ["OURS-1"]
    assert User.objects.filter(email=demo_email(Role.EXECUTIVE)).exists()


@pytest.fixture(scope="module")
def _demo_once(django_db_setup, django_db_blocker) -> Iterator[str]:
    """seed_demo's output, run once for the module in a transaction rolled back at its end.

    Each test runs in a savepoint inside it, so what a test changes is undone as before.
    """
    # The password hasher of the tests (conftest's _fast_password_hashing, per test).
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic():
        with fast:
            output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_demo_once, db) -> str:
    return _demo_once


def test_it_creates_one_demo_user_per_role_who_can_sign_in(seeded, client):
    for role, email, _, password in DEMO_USERS:
        user = User.objects.get(email=email)
        assert user.has_role(role)
        assert f"{email}" in seeded and password in seeded
        response = client.post("/accounts/login/", {"username": email, "password": password})
        assert response.status_code == 302, email
        client.logout()
    assert "http://127.0.0.1:8000" in seeded
    admin = User.objects.get(email=demo_email(Role.ADMIN))
    assert admin.is_staff and admin.is_portfolio_admin


def test_every_demo_colleague_has_a_name_not_only_an_address(seeded, client):
    assert not User.objects.filter(full_name="").exists()
    assert User.objects.get(email="aiko.varga@demo.greenlight").full_name == "Aiko Varga"
    client.force_login(User.objects.get(email=demo_email(Role.PRODUCT_MANAGER)))
    queue = client.get(reverse("home")).content.decode()
    assert "@demo.greenlight" not in queue.split("Gate review queue")[1]


def test_it_loads_a_portfolio_with_every_status_and_all_four_gates(seeded):
    projects = Project.objects.all()
    assert 140 <= projects.count() <= 160
    statuses = dict(projects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == {s.value for s in Status}
    assert set(projects.open().values_list("current_gate", flat=True)) == {1, 2, 3, 4}
    assert set(GateDecision.objects.values_list("gate__number", flat=True)) == {1, 2, 3, 4}
    assert SpendEntry.objects.count() > 1000 and Outcome.objects.exists()
    assert FeasibilityStudy.objects.exists() and ArchitectureEstimate.objects.exists()
    assert BusinessCase.objects.exists()
    assert ArtifactReuse.objects.exists()
    verdicts = set()
    for project in projects.greenlit():
        values = list(project.outcomes.values_list("realized_value", flat=True))
        if values:
            annualized = 12 * sum(values) / len(values)
            verdicts.add(
                "under"
                if annualized < project.projected_low
                else "over"
                if annualized > project.projected_high
                else "within"
            )
    assert verdicts == {"under", "within", "over"}
    # Greenlit projects went through gate 4, which needs an estimate and a business case.
    for project in projects.greenlit():
        assert project.architecture_estimate and project.pm_business_case


def test_it_gives_each_demo_person_work_to_do(seeded):
    researcher = User.objects.get(email=demo_email(Role.RESEARCHER))
    led = Project.objects.filter(researcher=researcher)
    assert led.submitted().count() >= 5
    assert led.drafts().count() == 2
    # One of them only an idea written down: what a draft needs, nothing more.
    assert any(draft.missing_to_submit() for draft in led.drafts())
    assert led.active().filter(current_gate=2, feasibility_study__isnull=True).exists()

    pm = User.objects.get(email=demo_email(Role.PRODUCT_MANAGER))
    waiting = [p for p in Project.objects.open().filter(product_manager=pm) if p.current_gate > 1]
    gates = {gate.number: gate for gate in Gate.objects.all()}
    gaps = [bool(missing_deliverables(p, gates[p.current_gate])) for p in waiting]
    assert True in gaps and False in gaps

    assert Project.objects.open().filter(current_gate=3, architecture_estimate__isnull=True)
    architect = User.objects.get(email=demo_email(Role.ARCHITECT))
    assert ArchitectureEstimate.objects.filter(author=architect).exists()


def test_a_second_run_adds_nothing(seeded):
    before = counts()

    output = seed()

    assert counts() == before
    assert "not loaded again" in output


def test_it_shows_a_project_whose_history_an_import_replaced(seeded):
    from portfolio.models import ReplacedHistory

    history = ReplacedHistory.objects.get()
    assert history.project.title.endswith("(corrected)")
    assert history.project.product_manager.email == demo_email(Role.PRODUCT_MANAGER)
    assert history.decisions and history.spend
    assert history.project.decisions.count() == len(history.decisions)


def test_it_shows_an_upload_the_import_page_refused_line_by_line(seeded, client):
    from django.urls import reverse

    from gates.models import ImportJob
    from portfolio.models import Notification, NotificationKind

    admin = User.objects.get(email=demo_email(Role.ADMIN))
    job = ImportJob.objects.get()
    assert (job.created_by, job.status) == (admin, ImportJob.Status.FAILED)
    assert not Project.objects.filter(key__startswith="LAB-").exists()  # nothing written
    client.force_login(admin)
    imports = client.get(reverse("import_jobs")).content.decode()
    assert reverse("import_job", args=[job.pk]) in imports
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "gate_decisions.csv:2: decision: &#x27;maybe&#x27; is not one of" in page
    assert "spend.csv:2: amount:" in page
    told = Notification.objects.get(kind=NotificationKind.IMPORT_ENDED)
    assert (told.recipient, told.read_at) == (admin, None)
    assert told.subject == f"Import #{job.pk}: refused, 2 problems"


def test_it_shows_the_decision_panel(seeded):
    from gates.models import KillCriterion, KillCriterionVerdict, Vote

    decided = GateDecision.objects.prefetch_related("votes", "kill_verdicts")
    assert Vote.objects.exclude(recommendation="").filter(decision__isnull=False).count() > 50
    assert any(d.dissenters for d in decided)
    assert any(d.against_majority for d in decided)
    assert any(d.overrides_kill_criteria for d in decided)
    assert KillCriterion.objects.filter(verdict__isnull=True, project__status="active").exists()
    assert KillCriterionVerdict.objects.exists()
    # Open reviews where gatekeepers have voted, waiting for the chair.
    assert Vote.objects.filter(decision__isnull=True).exclude(recommendation="").exists()
    assert "kill criteria" in seeded


def test_every_submitted_project_has_its_proposal_text(seeded, client):
    """The files carry no proposal text; the demo writes each imported project's own."""
    submitted = Project.objects.submitted()
    assert not submitted.filter(business_case="").exists()
    assert not submitted.filter(hypothesis="").exists()
    project = submitted.filter(value_kind="revenue").order_by("key").first()
    assert f"{project.projected_expected:,.0f} a year" in project.business_case
    client.force_login(User.objects.get(email=demo_email(Role.EXECUTIVE)))
    body = client.get(f"/projects/{project.key}/").content.decode()
    assert "came in by an import" not in body and "Not written yet" not in body


def test_its_history_shows_days_to_decide_at_every_gate(seeded):
    """Deliverables of the past are dated between the project's arrival at their gate and its
    first decision there, as a real history would have them (not the day the demo ran)."""
    from portfolio.metrics import DASHBOARD, compute

    waits = compute(sections=DASHBOARD)["decision_panel"]["time_to_decision"]
    assert [row["gate"] for row in waits] == [1, 2, 3, 4]
    assert all(row["decisions"] >= 3 and row["mean_days"] > 0 for row in waits), waits
    for study in FeasibilityStudy.objects.filter(project__status=Status.GREENLIT):
        first_at_gate_2 = min(
            study.project.decisions.filter(gate__number=2).values_list("decided_on", flat=True)
        )
        assert study.created_at.date() <= first_at_gate_2
        assert study.updated_at == study.created_at


def test_it_plans_the_next_round_with_an_adopted_scenario(seeded, client):
    from planning.models import PlanSettings, Scenario

    asking = Project.objects.active().filter(next_stage_ask__gt=0)
    assert asking.count() >= 10
    assert Project.objects.active().filter(next_stage_ask__isnull=True).exists()  # "no ask" shows
    adopted = Scenario.objects.get(adopted=True)
    assert adopted.funded_keys and Scenario.objects.count() == 2
    assert PlanSettings.load().target_revenue is not None
    assert "adopted" in seeded
    client.force_login(User.objects.get(email=demo_email(Role.EXECUTIVE)))
    page = client.get("/plan/").content.decode()
    assert "Adopted plan: <strong>Balanced round</strong>" in page and "waterline" in page
    review = client.get(f"/projects/{adopted.funded_keys[0]}/gate-review/").content.decode()
    assert "In the plan as adopted on " in review and "(scenario Balanced round)" in review


def test_it_prints_how_to_make_an_api_token_but_makes_none(seeded):
    from api.models import ApiToken

    assert "create_api_token EMAIL" in seeded
    assert "glt_" not in seeded
    assert not ApiToken.objects.exists()


def test_it_says_where_the_demo_e_mail_goes_when_it_goes_to_files(settings):
    from io import StringIO

    from gates.management.commands.seed_demo import Command

    def printed() -> str:
        out = StringIO()
        Command(stdout=out).print_sign_ins(set())
        return out.getvalue()

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": "/srv/greenlight/.demo-mail"},
        }
    }
    assert "is written to files in /srv/greenlight/.demo-mail" in printed()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert ".demo-mail" not in printed()


def make_run_sets(variable: str) -> str | None:
    """The value `make run` gives ``variable`` (its target's own, from make's database)."""
    environment = {name: value for name, value in os.environ.items() if name != variable}
    database = subprocess.run(  # noqa: S603 - make, with fixed arguments
        ["make", "-pn", "run", "STAMP="],  # noqa: S607
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found = re.search(rf"^run: {variable} = (.*)$", database, re.MULTILINE)
    return found.group(1) if found else None


def test_a_new_proposal_in_the_demo_is_offered_the_demo_s_next_key(seeded, client):
    prefix = make_run_sets("PROPOSAL_KEY_PREFIX")
    assert prefix == DEMO_KEY_PREFIX
    last = max(int(key.split("-")[1]) for key in Project.objects.values_list("key", flat=True))
    researcher = User.objects.get(email=demo_email(Role.RESEARCHER))
    client.force_login(researcher)
    with override_settings(PROPOSAL_KEY_PREFIX=prefix):
        form = client.get(reverse("proposal_create")).content.decode()
    assert f'value="GL-{last + 1:04d}"' in form  # GL-0153 after GL-0001 … GL-0152
    assert "PR-0001" not in form


def test_the_demo_gatekeepers_see_the_reviews_waiting_for_their_vote(seeded, client):
    """The demo architect and executive have reviews of their own to vote on (the seed leaves
    the demo sign-ins their vote to cast): My work lists them, with a link to vote."""
    for role in (Role.ARCHITECT, Role.EXECUTIVE, Role.PRODUCT_MANAGER):
        client.force_login(User.objects.get(email=demo_email(role)))
        page = client.get(reverse("home")).content.decode()
        part = page.split('aria-labelledby="votes-waiting"')[1].split("</section>")[0]
        keys = re.findall(r'href="/projects/([^/]+)/gate-review/#panel"', part)
        assert keys, role
        assert "Reviews waiting for your vote" in part
        assert all(re.fullmatch(rf"{DEMO_KEY_PREFIX}-\d{{4}}", key) for key in keys)


def test_each_demo_gatekeeper_was_told_of_the_reviews_waiting_for_their_vote(seeded, client):
    """My work lists reviews waiting for a demo person's vote; the notifications the app sends
    when it asks for a vote are there too (not "Nothing has been handed to you yet.")."""
    from portfolio.models import Notification, NotificationKind
    from portfolio.reads.worklists import votes_waiting

    for role in (Role.ARCHITECT, Role.EXECUTIVE):
        person = User.objects.get(email=demo_email(role))
        # Not those whose review they opened by recording the decision: the app asks the others.
        waiting = {
            item.project.key
            for item in votes_waiting(person)
            if item.project.decisions.order_by("-sequence").first().decided_by_id != person.pk
        }
        told = set(
            Notification.objects.filter(
                recipient=person, kind=NotificationKind.VOTE_REQUESTED
            ).values_list("project__key", flat=True)
        )
        assert waiting and waiting <= told, role
        client.force_login(person)
        page = client.get(reverse("notification_list")).content.decode()
        assert "Nothing has been handed to you yet." not in page
        assert "your vote at" in page
