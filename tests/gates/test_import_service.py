"""The import service: who may import, what only the command line gets, and the app's date rules."""

from __future__ import annotations

import datetime
import io
import shutil

import pytest
from django.urls import reverse
from django.utils import timezone

from gates.interchange import ImportFailed, command_line_import, import_portfolio
from gates.interchange.postgres_bulk import BulkLoad
from portfolio.errors import PermissionDenied
from portfolio.models import Project
from tests.gates.test_import_portfolio import (
    FILES,
    SAMPLE,
    append,
    edit_line,
    nothing_written,
    refused,
)


@pytest.fixture
def folder(tmp_path):
    for name in FILES:
        shutil.copy(SAMPLE / name, tmp_path / name)
    return tmp_path


def uploads(folder) -> dict:
    return {name: io.BytesIO((folder / name).read_bytes()) for name in FILES}


# --- Permission -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "erin"])
def test_only_admins_import(db, folder, persona, request):
    with pytest.raises(PermissionDenied, match="Only admins import"):
        import_portfolio(folder, actor=request.getfixturevalue(persona))

    assert not Project.objects.exists()


def test_an_admin_imports(db, folder, adam):
    assert import_portfolio(uploads(folder), actor=adam).projects_created == 62


def test_only_a_superuser_replaces(db, folder, adam):
    command_line_import(folder)

    with pytest.raises(PermissionDenied, match="Only a superuser replaces"):
        import_portfolio(folder, actor=adam, replace=True)


# --- The bulk-load tricks stay behind the command line ---------------------------------------


@pytest.fixture
def bulk_calls(monkeypatch) -> list[str]:
    calls = []
    original = BulkLoad.skip_reference_checks

    def watching(self, *args):
        calls.append("skip_reference_checks")
        return original(self, *args)

    monkeypatch.setattr(BulkLoad, "skip_reference_checks", watching)
    return calls


def test_the_upload_page_never_uses_the_bulk_load_tricks(
    client, folder, adam, bulk_calls, django_capture_on_commit_callbacks
):
    client.force_login(adam)
    fields = {"projects": "projects.csv", "gate_decisions": "gate_decisions.csv"}
    fields |= {"spend": "spend.csv", "outcomes": "outcomes.csv"}
    posted = {field: (folder / name).open("rb") for field, name in fields.items()}

    # The page queues the import; the worker (here, the commit) runs it.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portfolio_import"), posted)

    assert response.status_code == 302
    assert Project.objects.count() == 62
    assert bulk_calls == []


def test_the_service_never_uses_them(db, folder, adam, bulk_calls):
    import_portfolio(folder, actor=adam)

    assert bulk_calls == []


def test_the_command_line_does(db, folder, bulk_calls):
    command_line_import(folder)

    assert bulk_calls == ["skip_reference_checks"]


# --- The app's date rules ---------------------------------------------------------------------


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def test_it_refuses_a_decision_dated_in_the_future(db, folder):
    line = append(folder, "gate_decisions.csv", "RP-0002,1,2999-01-01,hold,,pm2@example.com,,Why")

    errors = refused(folder)

    assert errors == [
        f"gate_decisions.csv:{line}: decided_on: 2999-01-01 is in the future "
        f"(today is {timezone.localdate()})"
    ]


def test_it_refuses_a_project_submitted_in_the_future(db, folder):
    edit_line(folder, "projects.csv", 2, "2026-01-02", tomorrow())

    errors = refused(folder)

    assert errors[0].startswith(f"projects.csv:2: submitted_on: {tomorrow()} is in the future")


@pytest.mark.parametrize("note", ["plain", "with, a comma"])
def test_it_refuses_spend_dated_in_the_future(db, folder, note):
    """Plain rows go the fast way, quoted ones the slow way: both know the date rule."""
    cell = f'"{note}"' if "," in note else note
    line = append(folder, "spend.csv", f"RP-0002,{tomorrow()},10.00,compute,{cell}")

    errors = refused(folder)

    assert errors == [
        f"spend.csv:{line}: spent_on: {tomorrow()} is in the future (today is "
        f"{timezone.localdate()})"
    ]


def test_it_refuses_an_outcome_month_in_the_future(db, folder):
    rows = (folder / "outcomes.csv").read_text(encoding="utf-8").splitlines()
    key = rows[1].split(",")[0]
    line = append(folder, "outcomes.csv", f"{key},2999-01-01,5.00")

    errors = refused(folder)

    assert errors == [
        f"outcomes.csv:{line}: month: 2999-01-01 is in the future (today is {timezone.localdate()})"
    ]
    assert nothing_written()


def test_a_refused_future_date_writes_nothing_through_the_service(db, folder, adam):
    append(folder, "gate_decisions.csv", "RP-0002,1,2999-01-01,hold,,pm2@example.com,,Why")

    with pytest.raises(ImportFailed):
        import_portfolio(folder, actor=adam)

    assert nothing_written(users_before=1)
