"""Every URL of the site, asked by every persona: who may open it, who is refused, who cannot see it.

``MATRIX`` names each URL pattern of the URL configuration with the answer each
persona gets, for GET and for POST. ``test_every_url_pattern_is_in_the_matrix``
walks the URL configuration, so a new view fails the suite until its
permissions are written down here. The admin site counts as one entry: its own
permission checks are Django's. The JSON API's namespace has its own matrix, by
token, over every operation of its schema: tests/api/test_api_permission_matrix.py.

Answers: a status code, ``LOGIN`` (a redirect to the sign-in page), ``ADMIN_LOGIN``
(to the admin's) or ``DONE`` (a redirect elsewhere: the POST did its work). A
refused request (403, 404, 405 or a redirect to sign in) must write nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_started
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

from api.models import ApiToken
from api.tokens import create_token
from boardpack.models import BoardPack
from gates.models import (
    ArchitectureEstimate,
    BusinessCase,
    FeasibilityStudy,
    GateDecision,
    ImportJob,
    Vote,
)
from planning.models import Scenario
from portfolio.models import (
    Adoption,
    Artifact,
    ArtifactReuse,
    AuditEntry,
    Notification,
    NotificationPreference,
    Outcome,
    Project,
    ReplacedHistory,
    SpendEntry,
    Status,
    User,
)
from tests.builders import PASSWORD, greenlight, make_personas, make_project, make_user
from tests.kept import copy_for_a_test, kept_for_the_module
from tests.written import row_counts, rows_of

# The personas of tests/conftest.py, plus someone with no role who holds only the
# dashboard permission.
PERSONAS = ("anonymous", "alice", "rita", "bob", "pete", "carol", "erin", "adam", "auditor")
SIGNED_IN = PERSONAS[1:]

LOGIN = "redirect to sign in"
ADMIN_LOGIN = "redirect to the admin's sign in"
DONE = "redirect: done"
REFUSED = {403, 404, 405, 401, LOGIN, ADMIN_LOGIN}

SUBMITTED_ON = datetime.date(2025, 1, 6)
ADMIN = "admin"  # the admin site, as one entry
API_NAMESPACE = "api_v1"  # the JSON API: tests/api/test_api_permission_matrix.py


def answers(*, others, anonymous=LOGIN, **by_persona) -> dict[str, int | str]:
    """Each persona's answer: ``others`` unless named."""
    unknown = set(by_persona) - set(SIGNED_IN)
    assert not unknown, f"not personas: {unknown}"
    return {
        "anonymous": anonymous,
        **{persona: by_persona.get(persona, others) for persona in SIGNED_IN},
    }


@dataclass(frozen=True)
class Case:
    method: str
    expected: dict[str, int | str]
    # The URL's arguments and the POST's data, from the world of the test.
    kwargs: Callable[[SimpleNamespace], dict] = field(default=lambda w: {})
    data: Callable[[SimpleNamespace], dict] = field(default=lambda w: {})
    label: str = ""
    htmx: bool = False  # some views take another path for htmx: ask that one too


def key_of(name: str) -> Callable[[SimpleNamespace], dict]:
    return lambda w: {"key": getattr(w, name).key}


ACTIVE, DRAFT, GREENLIT = key_of("active"), key_of("draft"), key_of("greenlit")
AT_GATE_3 = key_of("at_gate_3")
MISSING = lambda w: {"key": "NO-SUCH-PROJECT"}  # noqa: E731


def proposal_data(w, key="NEW-1") -> dict:
    return {
        "key": key,
        "title": "Predict churn",
        "research_type": "applied",
        "bucket": "revenue",
        "product_manager": str(w.bob.pk),
        "value_kind": "revenue",
        "projected_low": "100",
        "projected_expected": "200",
        "projected_high": "300",
        "probability_of_success": "35",
        "business_case": "Keep customers.",
        "hypothesis": "Churn is predictable a month ahead.",
    }


SPEND = {"spent_on": "2025-02-03", "amount": "120.50", "category": "compute", "note": "GPU"}
OUTCOME = {"month": "2025-03", "realized_value": "1000"}
ADOPTION = {"month": "2025-03", "active_users": "12", "tasks_completed": "340"}
ARTIFACT = {"kind": "model", "name": "Triage model", "description": "", "location": ""}
STUDY = {
    "findings": "It works.",
    "hypothesis_held": "yes",
    "evidence": "A pilot.",
    "confidence": "high",
    "recommended_next_step": "continue",
}
ESTIMATE = {
    "build_cost": "1000",
    "monthly_run_cost": "10",
    "retraining_cadence": "none",
    "cost_per_retrain": "0",
}
BUSINESS_CASE = {"customer_problem": "Slow reviews.", "value_rationale": "Hours saved."}
VOTE = {"vote-gate": "3", "vote-review_round": "2", "vote-recommendation": "go"}
HOLD = {
    "gate": "1",
    "decision": "hold",
    "decided_on": "2025-02-03",
    "rationale": "Wait.",
    "decisions_seen": "0",
}
PASSWORD_CHANGE = {
    "old_password": PASSWORD,
    "new_password1": "another-horse-battery-staple-43",
    "new_password2": "another-horse-battery-staple-43",
}

IMPORT_FILES = {
    "projects": (
        "projects.csv",
        "key,title,research_type,bucket,researcher,product_manager,submitted_on,value_kind,"
        "projected_low,projected_expected,projected_high,probability_of_success\n"
        "IMP-1,Imported,applied,efficiency,res@example.com,pm@example.com,2025-01-06,"
        "cost_savings,1,2,3,0.5\n",
    ),
    "gate_decisions": (
        "gate_decisions.csv",
        "project,gate,decided_on,decision,funding_granted,decided_by,probability_of_success,"
        "rationale\n",
    ),
    "spend": ("spend.csv", "project,spent_on,amount,category,note\n"),
    "outcomes": ("outcomes.csv", "project,month,realized_value\n"),
}


def import_upload(w) -> dict:
    return {
        field_name: SimpleUploadedFile(name, content.encode(), content_type="text/csv")
        for field_name, (name, content) in IMPORT_FILES.items()
    }


# Who may see and change what (portfolio/access.py):
#   drafts: only their researcher sees them (404 for everyone else, the admin included);
#   the dashboard, its CSV and the metrics API: product managers, executives, admins and
#   holders of portfolio.view_portfolio_dashboard (the auditor);
#   export: product managers, executives, admins; import: admins.
DASHBOARD_READERS = {"bob": 200, "pete": 200, "erin": 200, "adam": 200, "auditor": 200}
EXPORTERS = {"bob": 200, "pete": 200, "erin": 200, "adam": 200}
PLANNERS = {"bob": 200, "pete": 200, "erin": 200, "adam": 200}
SCENARIO = lambda w: {"pk": w.scenario.pk}  # noqa: E731
BOARD_PACK = lambda w: {"pack_id": w.board_pack.pk}  # noqa: E731
GET_ONLY = answers(anonymous=405, others=405)  # require_GET comes before login_required
GET_ONLY_AFTER_LOGIN = answers(others=405)  # login_required comes first
POST_ONLY = GET_ONLY
POST_ONLY_AFTER_LOGIN = GET_ONLY_AFTER_LOGIN

MATRIX: dict[str, list[Case]] = {
    # --- Sign-in and the health probe -------------------------------------------------
    "health": [
        Case("GET", answers(anonymous=200, others=200)),
        Case("POST", GET_ONLY),
    ],
    "login": [
        Case("GET", answers(anonymous=200, others=200)),
        # An empty form: the page again, with its errors.
        Case("POST", answers(anonymous=200, others=200)),
    ],
    "logout": [
        Case("GET", GET_ONLY),
        Case("POST", answers(anonymous=LOGIN, others=LOGIN)),  # signed out: on to sign in
    ],
    # Single sign-on is not set up here (tests/portfolio/test_single_sign_on.py asks these
    # with it set up): both answer 404 to everyone, signed in or not.
    "sso_start": [
        Case("GET", GET_ONLY),
        Case("POST", answers(anonymous=404, others=404)),
    ],
    "sso_callback": [
        Case("GET", answers(anonymous=404, others=404)),
        Case("POST", answers(anonymous=405, others=405)),
    ],
    "password_change": [
        Case("GET", answers(others=200)),
        Case("POST", answers(others=DONE), data=lambda w: PASSWORD_CHANGE),
    ],
    "password_change_done": [
        Case("GET", answers(others=200)),
        Case("POST", GET_ONLY_AFTER_LOGIN),
    ],
    ADMIN: [
        Case("GET", answers(anonymous=ADMIN_LOGIN, others=ADMIN_LOGIN, adam=200)),
    ],
    # --- People and roles (admins; the service has the finer rules) ----------------------
    "people_list": [
        Case("GET", answers(others=403, adam=200)),
        Case("POST", GET_ONLY),
    ],
    "person_roles": [
        Case("GET", POST_ONLY, kwargs=lambda w: {"pk": w.rita.pk}),
        Case(
            "POST",
            answers(others=403, adam=DONE),
            kwargs=lambda w: {"pk": w.rita.pk},
            data=lambda w: {"role": "Architect", "action": "grant"},
        ),
        Case(
            "POST",
            answers(others=403),
            kwargs=lambda w: {"pk": w.people[w.asker].pk} if w.asker != "anonymous" else {"pk": 1},
            data=lambda w: {"role": "Executive", "action": "grant"},
            label="to oneself",
        ),
    ],
    "person_unlock": [
        Case("GET", POST_ONLY, kwargs=lambda w: {"pk": w.rita.pk}),
        # Nobody is locked out here: an admin's unlock says so (tests/portfolio/test_sign_in_unlock.py).
        Case("POST", answers(others=403, adam=DONE), kwargs=lambda w: {"pk": w.rita.pk}),
    ],
    # --- Portfolio pages ----------------------------------------------------------------
    "home": [Case("GET", answers(others=200)), Case("POST", GET_ONLY)],
    "project_list": [Case("GET", answers(others=200)), Case("POST", GET_ONLY)],
    "project_list_csv": [Case("GET", answers(others=200)), Case("POST", GET_ONLY)],
    "proposal_create": [
        Case("GET", answers(others=403, alice=200, rita=200, adam=200)),
        Case(
            "POST",
            answers(others=403, alice=DONE, rita=DONE, adam=DONE),
            data=proposal_data,
        ),
    ],
    "project_detail": [
        Case("GET", answers(others=200), kwargs=ACTIVE, label="submitted"),
        Case("GET", answers(others=404, alice=200), kwargs=DRAFT, label="draft"),
        Case("GET", answers(others=404), kwargs=MISSING, label="no such project"),
        Case("POST", GET_ONLY, kwargs=ACTIVE, label="submitted"),
    ],
    "proposal_edit": [
        Case("GET", answers(others=404, alice=200), kwargs=DRAFT, label="draft"),
        Case(
            "POST",
            answers(others=404, alice=DONE),
            kwargs=DRAFT,
            data=lambda w: proposal_data(w, key=w.draft.key),
            label="draft",
        ),
        # Submitted: nobody edits it any more, its researcher included (who is sent to its
        # page and told so, nothing written).
        Case("GET", answers(others=403, alice=DONE), kwargs=ACTIVE, label="submitted"),
        Case(
            "POST",
            answers(others=403, alice=DONE),
            kwargs=ACTIVE,
            data=lambda w: proposal_data(w, key=w.active.key),
            label="submitted",
        ),
    ],
    "proposal_submit": [
        Case("GET", POST_ONLY, kwargs=DRAFT, label="draft"),
        Case("POST", answers(others=404, alice=DONE), kwargs=DRAFT, label="draft"),
        # Already submitted: anyone who sees it is told so; nothing changes.
        Case("POST", answers(others=DONE), kwargs=ACTIVE, label="submitted"),
    ],
    "proposal_delete": [
        # A draft is its author's alone: others do not see it; deleted after a confirmation.
        Case("GET", answers(others=404, alice=200), kwargs=DRAFT, label="draft"),
        Case("POST", answers(others=404, alice=DONE), kwargs=DRAFT, label="draft"),
        # Submitted: nobody deletes it, its researcher included.
        Case("GET", answers(others=403), kwargs=ACTIVE, label="submitted"),
        Case("POST", answers(others=403), kwargs=ACTIVE, label="submitted"),
    ],
    "spend_create": [
        Case("GET", answers(others=403, alice=200, bob=200, adam=200), kwargs=ACTIVE),
        Case(
            "POST",
            answers(others=403, alice=DONE, bob=DONE, adam=DONE),
            kwargs=ACTIVE,
            data=lambda w: SPEND,
        ),
        Case("GET", answers(others=404, alice=403), kwargs=DRAFT, label="draft"),
        Case(
            "POST",
            answers(others=404, alice=403),
            kwargs=DRAFT,
            data=lambda w: SPEND,
            label="draft",
        ),
    ],
    "outcome_create": [
        Case("GET", answers(others=403, bob=200, erin=200, adam=200), kwargs=GREENLIT),
        Case(
            "POST",
            answers(others=403, bob=DONE, erin=DONE, adam=DONE),
            kwargs=GREENLIT,
            data=lambda w: OUTCOME,
        ),
        # Only greenlit projects have outcomes.
        Case("GET", answers(others=403), kwargs=ACTIVE, label="not greenlit"),
        Case("POST", answers(others=403), kwargs=ACTIVE, data=lambda w: OUTCOME),
    ],
    "artifact_create": [
        Case("GET", answers(others=403, alice=200, adam=200), kwargs=ACTIVE),
        Case(
            "POST",
            answers(others=403, alice=DONE, adam=DONE),
            kwargs=ACTIVE,
            data=lambda w: ARTIFACT,
        ),
        Case("GET", answers(others=404, alice=403), kwargs=DRAFT, label="draft"),
        Case(
            "POST",
            answers(others=404, alice=403),
            kwargs=DRAFT,
            data=lambda w: ARTIFACT,
            label="draft",
        ),
    ],
    # Who writes a project's cost estimate: its product manager (or an admin) assigns one,
    # an architect takes an unassigned one; only while the project is in the process.
    "estimate_assign": [
        Case("GET", answers(others=403, bob=200, adam=200), kwargs=ACTIVE),
        Case(
            "POST",
            answers(others=403, bob=DONE, adam=DONE),
            kwargs=ACTIVE,
            data=lambda w: {"architect": str(w.carol.pk)},
        ),
        Case("GET", answers(others=403), kwargs=GREENLIT, label="greenlit"),
        Case("GET", answers(others=404, alice=403), kwargs=DRAFT, label="draft"),
    ],
    "estimate_take": [
        Case("GET", POST_ONLY, kwargs=ACTIVE),
        # At gate 1 the estimate is not asked for yet: refused with the reason (400).
        Case("POST", answers(others=403, carol=400), kwargs=ACTIVE),
        Case("POST", answers(others=403, carol=DONE), kwargs=AT_GATE_3, label="gate 3"),
        # Closed: refused with the reason, on the assignment page.
        Case("POST", answers(others=403, carol=400), kwargs=GREENLIT, label="greenlit"),
        Case("POST", answers(others=404, alice=403), kwargs=DRAFT, label="draft"),
    ],
    # Each person's own notifications and e-mail choices; another's notification is not found.
    "notification_list": [Case("GET", answers(others=200)), Case("POST", GET_ONLY)],
    "notification_read": [
        Case("GET", POST_ONLY, kwargs=lambda w: {"pk": w.alice_notification.pk}),
        Case(
            "POST",
            answers(others=404, alice=DONE),
            kwargs=lambda w: {"pk": w.alice_notification.pk},
        ),
        Case(
            "POST",
            answers(others=404, alice=200),
            kwargs=lambda w: {"pk": w.alice_notification.pk},
            htmx=True,
            label="htmx",
        ),
    ],
    "notification_read_all": [
        Case("GET", POST_ONLY),
        Case("POST", answers(others=DONE)),
    ],
    "notification_settings": [
        Case("GET", answers(others=200)),
        Case("POST", answers(others=DONE), data=lambda w: {"overall": "digest"}),
        Case("POST", answers(others=400), data=lambda w: {"overall": "hourly"}, label="refused"),
    ],
    "artifact_reuse": [
        Case("GET", answers(others=403, alice=200, adam=200), kwargs=ACTIVE),
        Case(
            "POST",
            answers(others=403, alice=DONE, adam=DONE),
            kwargs=ACTIVE,
            data=lambda w: {"artifact": str(w.shared_artifact.pk)},
        ),
        Case("GET", answers(others=404, alice=403), kwargs=DRAFT, label="draft"),
    ],
    # The artifact library is for everyone signed in: research assets are meant to be found.
    "artifact_library": [Case("GET", answers(others=200)), Case("POST", GET_ONLY)],
    "artifact_detail": [
        Case("GET", answers(others=200), kwargs=lambda w: {"key": "AR-9001"}),
        Case("GET", answers(others=404), kwargs=MISSING, label="no such artifact"),
        Case("POST", GET_ONLY, kwargs=lambda w: {"key": "AR-9001"}),
    ],
    # Adoption: a greenlit product's own PM, or an admin.
    "adoption_create": [
        Case("GET", answers(others=403, bob=200, adam=200), kwargs=GREENLIT),
        Case(
            "POST",
            answers(others=403, bob=DONE, adam=DONE),
            kwargs=GREENLIT,
            data=lambda w: ADOPTION,
        ),
        Case("GET", answers(others=403), kwargs=ACTIVE, label="not greenlit"),
        Case("POST", answers(others=403), kwargs=ACTIVE, data=lambda w: ADOPTION),
        # Its author sees a draft (and is refused); nobody else learns it exists.
        Case("GET", answers(others=404, alice=403), kwargs=DRAFT, label="draft"),
    ],
    "dashboard": [
        Case("GET", answers(others=403, **DASHBOARD_READERS)),
        Case("POST", GET_ONLY),
    ],
    # The board pack (boardpack/): whoever sees the dashboard, for any pack.
    "board_pack": [
        Case("GET", answers(others=403, **DASHBOARD_READERS)),
        Case("POST", GET_ONLY_AFTER_LOGIN),
    ],
    "board_pack_status": [
        Case("GET", answers(others=403, **DASHBOARD_READERS), kwargs=BOARD_PACK),
        Case(
            "GET",
            answers(others=403, **dict.fromkeys(DASHBOARD_READERS, 286)),
            kwargs=BOARD_PACK,
            htmx=True,
            label="htmx poll of a finished pack",
        ),
        Case("POST", GET_ONLY_AFTER_LOGIN, kwargs=BOARD_PACK),
    ],
    "board_pack_download": [
        Case("GET", answers(others=403, **DASHBOARD_READERS), kwargs=BOARD_PACK),
        Case("POST", GET_ONLY_AFTER_LOGIN, kwargs=BOARD_PACK),
    ],
    "dashboard_csv": [
        Case("GET", answers(others=403, **DASHBOARD_READERS), kwargs=lambda w: {"table": "funnel"}),
        Case(
            "GET",
            answers(others=403, **dict.fromkeys(DASHBOARD_READERS, 404)),
            kwargs=lambda w: {"table": "no-such-table"},
            label="no such table",
        ),
        Case("POST", GET_ONLY, kwargs=lambda w: {"table": "funnel"}),
    ],
    # An API: 401 in JSON rather than a redirect to a sign-in page.
    "api_metrics": [
        Case("GET", answers(anonymous=401, others=403, **DASHBOARD_READERS)),
        Case("POST", GET_ONLY),
    ],
    # --- The JSON API's pages for people (the API itself: tests/api/) -------------------
    "api_docs": [
        Case("GET", answers(anonymous=200, others=200)),
        Case("POST", GET_ONLY),
    ],
    # Everyone signed in makes, lists and revokes their own tokens.
    "api_tokens": [
        Case("GET", answers(others=200)),
        Case("POST", answers(others=201), data=lambda w: {"name": "Script", "scope": "read"}),
    ],
    "api_token_revoke": [
        Case("GET", POST_ONLY, kwargs=lambda w: {"token_id": w.alice_token.pk}),
        Case(
            "POST",
            answers(others=404, alice=DONE),
            kwargs=lambda w: {"token_id": w.alice_token.pk},
        ),
    ],
    # --- Gate pages -----------------------------------------------------------------------
    # The project's product manager or any executive decides; drafts have no gate pages.
    # Gatekeepers open the review too: Carol, who wrote GATE3's estimate, is its architect;
    # on GREEN she was a gatekeeper of gates 3 and 4 and reads their record.
    "gate_review": [
        Case("GET", answers(others=403, bob=200, erin=200), kwargs=ACTIVE),
        Case(
            "GET",
            answers(others=403, bob=200, erin=200, carol=200),
            kwargs=AT_GATE_3,
            label="gate 3",
        ),
        Case(
            "GET",
            answers(others=403, bob=200, erin=200, carol=200),
            kwargs=GREENLIT,
            label="greenlit",
        ),
        Case("GET", answers(others=404), kwargs=DRAFT, label="draft"),
        Case("POST", GET_ONLY_AFTER_LOGIN, kwargs=ACTIVE),
    ],
    "scorecard_preview": [
        Case("GET", POST_ONLY_AFTER_LOGIN, kwargs=ACTIVE),
        Case("POST", answers(others=403, bob=200, erin=200), kwargs=ACTIVE),
        Case(
            "POST", answers(others=403, bob=200, erin=200), kwargs=ACTIVE, htmx=True, label="htmx"
        ),
        Case("POST", answers(others=404), kwargs=DRAFT, label="draft"),
    ],
    # Only the open review's gatekeepers vote: at gate 3 the product manager and the architect.
    "vote_cast": [
        Case("GET", POST_ONLY_AFTER_LOGIN, kwargs=AT_GATE_3),
        Case(
            "POST",
            answers(others=403, bob=DONE, carol=DONE),
            kwargs=AT_GATE_3,
            data=lambda w: VOTE,
        ),
        # Those who may open the closed project's review are sent back to it, told the review
        # was decided and their vote not counted (tests/gates/test_vote_cast.py).
        Case(
            "POST",
            answers(others=403, bob=DONE, carol=DONE, erin=DONE),
            kwargs=GREENLIT,
            data=lambda w: VOTE,
            label="closed",
        ),
        Case("POST", answers(others=404), kwargs=DRAFT, data=lambda w: VOTE, label="draft"),
    ],
    "decision_create": [
        Case("GET", POST_ONLY_AFTER_LOGIN, kwargs=ACTIVE),
        Case("POST", answers(others=403, bob=DONE, erin=DONE), kwargs=ACTIVE, data=lambda w: HOLD),
        Case(
            "POST",
            answers(others=403, bob=200, erin=200),
            kwargs=ACTIVE,
            data=lambda w: HOLD,
            htmx=True,
            label="htmx",
        ),
        Case("POST", answers(others=404), kwargs=DRAFT, data=lambda w: HOLD, label="draft"),
    ],
    # Everyone who sees the project reads its deliverables; only their writer changes them.
    "feasibility_study_edit": [
        Case("GET", answers(others=200), kwargs=ACTIVE),
        Case("POST", answers(others=403, alice=DONE), kwargs=ACTIVE, data=lambda w: STUDY),
        Case("GET", answers(others=404), kwargs=DRAFT, label="draft"),
        Case("POST", answers(others=404), kwargs=DRAFT, data=lambda w: STUDY, label="draft"),
    ],
    # The estimate is written by the project's architect (the one it is assigned to; while
    # unassigned, whoever wrote it, or any architect before anyone has), and only once it is
    # asked for, from gate 2. Changed deliberately: Carol used to write ACTIVE's estimate at
    # gate 1, where no queue asks for one; she writes GATE3's, which she wrote before.
    "architecture_estimate_edit": [
        Case("GET", answers(others=200), kwargs=ACTIVE),
        Case("POST", answers(others=403), kwargs=ACTIVE, data=lambda w: ESTIMATE, label="gate 1"),
        Case(
            "POST",
            answers(others=403, carol=DONE),
            kwargs=AT_GATE_3,
            data=lambda w: ESTIMATE,
            label="her estimate",
        ),
        Case(
            "POST",
            answers(others=403, carol=200),
            kwargs=AT_GATE_3,
            data=lambda w: {**ESTIMATE, "preview": "1"},
            htmx=True,
            label="htmx live total",
        ),
        Case("GET", answers(others=404), kwargs=DRAFT, label="draft"),
    ],
    "business_case_edit": [
        Case("GET", answers(others=200), kwargs=ACTIVE),
        Case("POST", answers(others=403, bob=DONE), kwargs=ACTIVE, data=lambda w: BUSINESS_CASE),
        Case("GET", answers(others=404), kwargs=DRAFT, label="draft"),
    ],
    "portfolio_import": [
        Case("GET", answers(others=403, adam=200)),
        Case("POST", answers(others=403, adam=DONE), data=import_upload),
        # Replacing is for superusers only (none of the personas).
        Case(
            "POST",
            answers(others=403),
            data=lambda w: {**import_upload(w), "replace": "on"},
            label="replace",
        ),
    ],
    # What an import replaced: read-only, for whoever sees the project.
    "replaced_history": [
        Case("GET", answers(others=200), kwargs=lambda w: {"key": "GREEN", "pk": w.history.pk}),
        Case(
            "GET",
            answers(others=404, alice=200),
            kwargs=lambda w: {"key": "DRAFT", "pk": w.draft_history.pk},
            label="draft",
        ),
        Case(
            "GET",
            answers(others=404),
            kwargs=lambda w: {"key": "ACTIVE", "pk": w.history.pk},
            label="another project's",
        ),
        Case("POST", GET_ONLY_AFTER_LOGIN, kwargs=lambda w: {"key": "GREEN", "pk": w.history.pk}),
    ],
    "import_jobs": [
        Case("GET", answers(others=403, adam=200)),
        Case("POST", GET_ONLY_AFTER_LOGIN),
    ],
    "import_job": [
        Case("GET", answers(others=403, adam=200), kwargs=lambda w: {"job_id": w.import_job.pk}),
        Case(
            "GET",
            answers(others=403, adam=200),
            kwargs=lambda w: {"job_id": w.import_job.pk},
            htmx=True,
            label="htmx poll",
        ),
        Case("POST", GET_ONLY_AFTER_LOGIN, kwargs=lambda w: {"job_id": w.import_job.pk}),
    ],
    "portfolio_export_page": [
        Case("GET", answers(others=403, **EXPORTERS)),
        Case("POST", GET_ONLY_AFTER_LOGIN),
    ],
    "portfolio_export": [
        Case("GET", answers(others=403, **EXPORTERS)),
        Case("POST", GET_ONLY_AFTER_LOGIN),
    ],
    "portfolio_export_workbook": [
        Case("GET", answers(others=403, **EXPORTERS)),
        Case("POST", GET_ONLY_AFTER_LOGIN),
    ],
    # --- Planning -------------------------------------------------------------------------
    # Product managers, executives and admins plan and save scenarios; executives and admins
    # adopt one. A project's researcher and product manager set its next-stage ask.
    "plan": [
        Case("GET", answers(others=403, **PLANNERS)),
        Case("GET", answers(others=403, **PLANNERS), htmx=True, label="htmx what-if"),
        Case("POST", GET_ONLY_AFTER_LOGIN),
    ],
    "plan_csv": [
        Case("GET", answers(others=403, **PLANNERS)),
        Case("POST", GET_ONLY_AFTER_LOGIN),
    ],
    "scenario_list": [
        Case("GET", answers(others=403, **PLANNERS)),
        Case(
            "POST",
            answers(others=403, **dict.fromkeys(PLANNERS, DONE)),
            data=lambda w: {"name": "Lean year", "budget": "5000"},
        ),
    ],
    "scenario_compare": [
        Case("GET", answers(others=403, **PLANNERS)),
        Case("POST", GET_ONLY_AFTER_LOGIN),
    ],
    "scenario_csv": [
        Case("GET", answers(others=403, **PLANNERS), kwargs=SCENARIO),
        Case("POST", GET_ONLY_AFTER_LOGIN, kwargs=SCENARIO),
    ],
    "scenario_adopt": [
        Case("GET", POST_ONLY_AFTER_LOGIN, kwargs=SCENARIO),
        Case("POST", answers(others=403, erin=DONE, adam=DONE), kwargs=SCENARIO),
    ],
    # Its author (bob), an executive or an admin renames or deletes a saved scenario.
    "scenario_rename": [
        Case("GET", POST_ONLY_AFTER_LOGIN, kwargs=SCENARIO),
        Case(
            "POST",
            answers(others=403, bob=DONE, erin=DONE, adam=DONE),
            kwargs=SCENARIO,
            data=lambda w: {"name": "Renamed case"},
        ),
    ],
    "scenario_delete": [
        Case("GET", POST_ONLY_AFTER_LOGIN, kwargs=SCENARIO),
        Case("POST", answers(others=403, bob=DONE, erin=DONE, adam=DONE), kwargs=SCENARIO),
    ],
    "next_stage_ask_edit": [
        Case("GET", answers(others=403, alice=200, bob=200), kwargs=ACTIVE),
        Case(
            "POST",
            answers(others=403, alice=DONE, bob=DONE),
            kwargs=ACTIVE,
            data=lambda w: {"next_stage_ask": "25000"},
        ),
        Case("GET", answers(others=404, alice=403), kwargs=DRAFT, label="draft"),
        Case("GET", answers(others=403), kwargs=GREENLIT, label="greenlit"),
    ],
}


# --- The URL configuration ---------------------------------------------------------------


def url_pattern_names(patterns: list | None = None) -> dict[str, str]:
    """Every URL pattern's name (the admin site as one), with its route for messages."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    found[ADMIN] = route
                    continue
                if pattern.namespace == API_NAMESPACE:
                    continue
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found[pattern.name or f"(unnamed: {route})"] = route

    walk(get_resolver().url_patterns if patterns is None else patterns, "/")
    return found


def test_every_url_pattern_is_in_the_matrix():
    missing = sorted(set(url_pattern_names()) - set(MATRIX))
    assert not missing, (
        f"URL patterns without permissions in MATRIX: {missing}. "
        "Write down what each persona gets for GET and POST."
    )


def test_the_walk_finds_a_view_added_inside_an_include():
    extra = [path("x/", lambda request: None, name="shiny_new_view")]
    patterns = [*get_resolver().url_patterns, path("more/", include(extra))]
    assert set(url_pattern_names(patterns)) - set(MATRIX) == {"shiny_new_view"}


def test_the_matrix_names_no_url_that_is_gone():
    assert not sorted(set(MATRIX) - set(url_pattern_names()))


@pytest.mark.parametrize("url_name", sorted(set(MATRIX) - {ADMIN}))
def test_the_matrix_asks_both_get_and_post(url_name):
    assert {case.method for case in MATRIX[url_name]} == {"GET", "POST"}


# --- Asking -----------------------------------------------------------------------------------


def _build_world() -> SimpleNamespace:
    """The people (as tests/conftest.py makes them) and the things they are asked about."""
    personas = make_personas()
    alice, rita, bob, pete = (personas[name] for name in ("alice", "rita", "bob", "pete"))
    carol, erin, adam = (personas[name] for name in ("carol", "erin", "adam"))
    auditor = make_user("auditor@example.com", full_name="Audrey Auditor")
    auditor.user_permissions.add(Permission.objects.get(codename="view_portfolio_dashboard"))
    people = {
        "alice": alice,
        "rita": rita,
        "bob": bob,
        "pete": pete,
        "carol": carol,
        "erin": erin,
        "adam": adam,
        "auditor": auditor,
    }
    owned = {"researcher": alice, "product_manager": bob, "submitted_on": SUBMITTED_ON}
    active = make_project(key="ACTIVE", **owned)
    draft = make_project(key="DRAFT", status=Status.DRAFT, researcher=alice, product_manager=bob)
    greenlit = greenlight(make_project(key="GREEN", **owned), bob, carol)
    at_gate_3 = make_project(key="GATE3", current_gate=3, decisions_count=2, **owned)
    ArchitectureEstimate.objects.create(
        project=at_gate_3,
        author=carol,
        build_cost=1000,
        monthly_run_cost=10,
        retraining_cadence="none",
    )
    others = make_project(key="OTHERS", researcher=rita, product_manager=pete)
    shared = Artifact.objects.create(
        key="AR-9001",
        project=others,
        kind="dataset",
        name="Shared data",
        created_on=datetime.date(2025, 1, 1),
    )
    scenario = Scenario.objects.create(
        name="Base case",
        settings={"budget": "100000", "as_of": "2025-06-30", "horizon": 3},
        created_by=bob,
    )
    alice_token, _secret = create_token(actor=alice, name="Alice's script")
    alice_notification = Notification.objects.create(
        recipient=alice, kind="decision_recorded", project=active, subject="Hold", link="/"
    )
    history = ReplacedHistory.objects.create(project=greenlit, project_fields={"title": "Before"})
    draft_history = ReplacedHistory.objects.create(project=draft, project_fields={"title": "Was"})
    return SimpleNamespace(
        scenario=scenario,
        alice_token=alice_token,
        alice_notification=alice_notification,
        people=people,
        **people,
        active=active,
        draft=draft,
        greenlit=greenlit,
        at_gate_3=at_gate_3,
        shared_artifact=shared,
        history=history,
        draft_history=draft_history,
        import_job=ImportJob.objects.create(created_by=adam, status="running", phase="Checking"),
        board_pack=BoardPack.objects.create(
            requested_by=erin,
            filters={"as_of": "2025-06-30", "bucket": None, "research_type": None},
            status=BoardPack.Status.DONE,
            pdf=b"%PDF-1.4\n%%EOF\n",
            pages=1,
        ),
    )


@pytest.fixture(scope="module")
def kept_world(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """The world, built once per module (and test worker) rather than once per test: it
    was a third of this file's time (tests/kept.py)."""
    with kept_for_the_module(django_db_blocker, _build_world) as built:
        yield built


@pytest.fixture
def world(kept_world, db) -> SimpleNamespace:
    """This test's copy of the kept world, with no sessions yet."""
    return copy_for_a_test(kept_world, sessions={}, before=None)


WRITTEN = (
    ApiToken,
    Project,
    Scenario,
    Adoption,
    SpendEntry,
    Outcome,
    Artifact,
    ArtifactReuse,
    GateDecision,
    Vote,
    FeasibilityStudy,
    ArchitectureEstimate,
    BusinessCase,
    AuditEntry,
    User,
    ReplacedHistory,
    ImportJob,
    Notification,
    NotificationPreference,
    BoardPack,
)


def _snapshot() -> tuple:
    projects = tuple(
        Project.objects.order_by("pk").values_list("key", "status", "current_gate", "updated_at")
    )
    powers = tuple(
        User.objects.order_by("pk").values_list("email", "password", "is_staff", "is_superuser")
    )
    roles = tuple(User.groups.through.objects.order_by("pk").values_list("user_id", "group_id"))
    counts = row_counts(
        [
            User.user_permissions.through.objects.all(),
            ApiToken.objects.filter(revoked_at__isnull=False),
            *(rows_of(model) for model in WRITTEN),
        ]
    )
    return projects, powers, roles, counts


def _outcome(response) -> int | str:
    # To an htmx request, the sign-in page is loaded in the window, not in the region the
    # request swaps (portfolio.web.sign_in_return).
    if response.get("HX-Redirect", "").startswith(reverse("login")):
        return LOGIN
    if response.status_code in (301, 302, 303):
        if response.url.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if response.url.startswith(reverse("login")):
            return LOGIN
        return DONE
    return response.status_code


def sign_in(client: Client, people: dict[str, User], persona: str, sessions: dict) -> None:
    """``client`` as ``persona``: one session each per test (``sessions``, by persona), made
    before the requests (which are rolled back, the session's changes with them) and reused
    by every one. A sign-in per request was a fifth of this file's time."""
    client.cookies.clear()  # one client for all: building its middleware is slow
    if persona == "anonymous":
        return
    if persona not in sessions:
        client.force_login(people[persona])
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.cookies[settings.SESSION_COOKIE_NAME] = sessions[persona]


def ask(
    client: Client, world: SimpleNamespace, url_name: str, case: Case, persona: str
) -> tuple[int | str, bool]:
    """The answer, and whether anything was written; rolled back afterwards."""
    world.asker = persona  # for cases about the asker themselves
    url = (
        reverse("admin:index")
        if url_name == ADMIN
        else reverse(url_name, kwargs=case.kwargs(world))
    )
    signed_in = len(world.sessions)
    sign_in(client, world.people, persona, world.sessions)
    if len(world.sessions) != signed_in or world.before is None:
        # What each request is compared with: the same until someone else signs in (a
        # sign-in may write), since each request is rolled back. Taken once, not per request.
        world.before = _snapshot()
    with transaction.atomic():
        before = world.before
        headers = {"HX-Request": "true"} if case.htmx else {}
        if case.method == "GET":
            response = client.get(url, headers=headers)
        elif case.method == "POST":
            response = client.post(url, case.data(world), headers=headers)
        else:
            response = client.generic(case.method, url, headers=headers)
        changed = _snapshot() != before
        transaction.set_rollback(True)
    return _outcome(response), changed


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_each_persona_gets_the_expected_answer(url_name, world, client):
    wrong = []
    for case in MATRIX[url_name]:
        assert set(case.expected) == set(PERSONAS), f"{url_name}: every persona needs an answer"
        for persona in PERSONAS:
            got, changed = ask(client, world, url_name, case, persona)
            where = f"{case.method} {url_name}" + (f" ({case.label})" if case.label else "")
            if got != case.expected[persona]:
                wrong.append(f"{where} as {persona}: expected {case.expected[persona]}, got {got}")
            if got in REFUSED and changed:
                wrong.append(f"{where} as {persona}: refused ({got}) but wrote to the database")
    assert not wrong, "\n".join(wrong)


def test_a_refused_request_that_writes_is_caught_on_every_ask(world, client):
    """The comparison is taken once per sign-in, not per request: a write by a refused
    request is still seen each time, the first ask's included (rolled back in between)."""
    refused = Case("GET", answers(others=403, **DASHBOARD_READERS))

    def writes(**_kwargs):
        Notification.objects.create(recipient=world.alice, kind="decision_recorded", link="/")

    request_started.connect(writes, dispatch_uid="matrix-self-check")
    try:
        asked = [ask(client, world, "dashboard", refused, persona) for persona in PERSONAS * 2]
    finally:
        request_started.disconnect(dispatch_uid="matrix-self-check")
    assert [got for got, _changed in asked] == [refused.expected[p] for p in PERSONAS * 2]
    assert all(changed for _got, changed in asked)
    assert [changed for _got, changed in [ask(client, world, "dashboard", refused, "bob")]] == [
        False
    ]


@pytest.mark.parametrize(
    ("url_name", "writer"),
    [
        ("feasibility_study_edit", "alice"),
        ("architecture_estimate_edit", "carol"),
        ("business_case_edit", "bob"),
    ],
)
def test_a_deliverable_shows_its_form_to_its_writer_only(url_name, writer, world, client):
    """Readers get the page (the gate review links to it) but no form to change it."""
    # The estimate is asked for from gate 2: GATE3's is Carol's, ACTIVE's (gate 1) nobody's.
    project = world.at_gate_3 if url_name == "architecture_estimate_edit" else world.active
    url = reverse(url_name, args=[project.key])
    form = f'<form method="post" action="{url}"'
    for persona in SIGNED_IN:
        client.force_login(world.people[persona])
        html = client.get(url).content.decode()
        assert (form in html) == (persona == writer), persona


FORM_VIEWS = {"login", "password_change"}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_no_url_takes_other_methods(method, world, client):
    """Nothing here is written by PUT, PATCH or DELETE: refused, signed in or not."""
    wrong = []
    for url_name, cases in MATRIX.items():
        if url_name == ADMIN:
            continue
        url = reverse(url_name, kwargs=cases[0].kwargs(world))
        for persona in ("anonymous", "adam", "erin"):
            answer, changed = ask(
                client, world, url_name, Case(method, {}, cases[0].kwargs), persona
            )
            if changed:
                wrong.append(f"{method} {url} as {persona}: wrote to the database")
            if method == "PUT" and url_name in FORM_VIEWS:
                continue  # Django's FormView takes PUT as POST: the form's errors, as above
            if answer not in (405, LOGIN) or (persona != "anonymous" and answer != 405):
                wrong.append(f"{method} {url} as {persona}: {answer}")
    assert not wrong, "\n".join(wrong)


# --- The admin's user and group pages ---------------------------------------------------------
# Staff only: everyone but the Admin (adam) and a superuser (root) is sent to the admin's sign-in.
# An Admin manages people but takes no power: not the superuser or staff flags, not
# permissions, not another person's password, not the role groups (read-only for everyone).


def _admin_url(name: str, *args) -> Callable[[SimpleNamespace], str]:
    return lambda w: reverse(f"admin:{name}", args=[a(w) if callable(a) else a for a in args])


def _user_form(w, person_name: str, **extra) -> dict:
    person = getattr(w, person_name)
    data = {
        "email": person.email,
        "full_name": person.full_name,
        "is_active": "on",
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        "groups": [str(g.pk) for g in person.groups.all()],
    }
    data.update(extra)
    return data


def _erin(w):
    return w.erin.pk


def _self(w):
    return w.people[w.asker].pk if w.asker in w.people else w.root.pk


def _admin_group(w):
    return Group.objects.get(name="Admin").pk


NEW_PASSWORD = {"password1": "x-9-horse-staple-z", "password2": "x-9-horse-staple-z"}
STAFF_ONLY = answers(others=ADMIN_LOGIN, anonymous=ADMIN_LOGIN)

ADMIN_PAGES: list[tuple[str, Callable, Case, str]] = [
    ("user list", _admin_url("portfolio_user_changelist"), Case("GET", {}), "200 admins"),
    ("a user", _admin_url("portfolio_user_change", _erin), Case("GET", {}), "200 admins"),
    (
        "a user, renamed",
        _admin_url("portfolio_user_change", _erin),
        Case("POST", {}, data=lambda w: _user_form(w, "erin", full_name="Erin E.")),
        "done by admins",
    ),
    (
        "oneself made superuser",
        _admin_url("portfolio_user_change", _self),
        Case(
            "POST",
            {},
            data=lambda w: _user_form(
                w, w.asker if w.asker in w.people else "root", is_superuser="on", is_staff="on"
            ),
        ),
        "done by admins",
    ),
    (
        "another's password",
        _admin_url("auth_user_password_change", _erin),
        Case("GET", {}),
        "superuser only",
    ),
    (
        "another's password, set",
        _admin_url("auth_user_password_change", _erin),
        Case("POST", {}, data=lambda w: NEW_PASSWORD),
        "superuser only, done",
    ),
    ("group list", _admin_url("auth_group_changelist"), Case("GET", {}), "superuser only"),
    ("a group", _admin_url("auth_group_change", _admin_group), Case("GET", {}), "superuser only"),
    (
        "a group, changed",
        _admin_url("auth_group_change", _admin_group),
        Case("POST", {}, data=lambda w: {"name": "Admin", "permissions": []}),
        "nobody",
    ),
]
ADMIN_EXPECTED = {
    "200 admins": {**STAFF_ONLY, "adam": 200, "root": 200},
    "done by admins": {**STAFF_ONLY, "adam": DONE, "root": DONE},
    "superuser only": {**STAFF_ONLY, "adam": 403, "root": 200},
    "superuser only, done": {**STAFF_ONLY, "adam": 403, "root": DONE},
    "nobody": {**STAFF_ONLY, "adam": 403, "root": 403},
}


def _powers(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.is_superuser,
        user.is_staff,
        tuple(user.groups.values_list("name", flat=True).order_by("name")),
        user.user_permissions.count(),
    )


@pytest.mark.parametrize(
    ("label", "url", "case", "rule"), ADMIN_PAGES, ids=[p[0] for p in ADMIN_PAGES]
)
def test_the_admins_user_and_group_pages_for_every_role(label, url, case, rule, world, client):
    world.root = make_user("root@example.com", is_superuser=True, is_staff=True)
    people = {**world.people, "root": world.root}
    sessions = {}
    wrong = []
    for persona in (*PERSONAS, "root"):
        world.asker = persona
        sign_in(client, people, persona, sessions)
        with transaction.atomic():
            before = _snapshot()
            powers = {name: _powers(user) for name, user in people.items() if name != "root"}
            address = url(world)
            if case.method == "GET":
                response = client.get(address)
            else:
                response = client.post(address, case.data(world))
            got = _outcome(response)
            if got != ADMIN_EXPECTED[rule][persona]:
                wrong.append(
                    f"{case.method} {label} as {persona}: expected {ADMIN_EXPECTED[rule][persona]}, got {got}"
                )
            if got in REFUSED and _snapshot() != before:
                wrong.append(f"{case.method} {label} as {persona}: refused but wrote")
            if persona != "root":
                gained = {n: _powers(u) for n, u in people.items() if n != "root"} != powers
                erin_password = world.erin.password
                world.erin.refresh_from_db()
                if gained or world.erin.password != erin_password:
                    wrong.append(f"{case.method} {label} as {persona}: changed someone's powers")
            transaction.set_rollback(True)
    assert not wrong, "\n".join(wrong)
