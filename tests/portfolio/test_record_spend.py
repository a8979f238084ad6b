"""record_spend keeps the project's running totals and the monthly rollup exact."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from portfolio import services
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import AuditEntry, SpendMonth
from portfolio.rollups import check_spend_months
from tests.builders import make_project


def test_it_records_spend_and_updates_the_totals(project, alice):
    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 2, 3),
        amount=Decimal("1200.50"),
        category="people",
    )
    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 2, 20),
        amount=Decimal("99.50"),
        category="compute",
    )
    project.refresh_from_db()
    assert project.spend_total == Decimal("1300.00")
    assert project.last_spend_on == datetime.date(2026, 2, 20)
    month = SpendMonth.objects.get(project=project)
    assert (month.month, month.amount, month.entries) == (
        datetime.date(2026, 2, 1),
        Decimal("1300.00"),
        2,
    )
    assert check_spend_months() == []


def test_it_writes_the_audit_trail(project, alice):
    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 2, 3),
        amount=Decimal("10"),
        category="data",
    )
    entry = AuditEntry.objects.get(action="spend.recorded")
    assert entry.actor == alice and entry.project == project


@pytest.mark.parametrize(
    "amount, spent_on, field",
    [
        (Decimal("0"), datetime.date(2026, 2, 1), "amount"),
        (Decimal("-5"), datetime.date(2026, 2, 1), "amount"),
        (Decimal("1.005"), datetime.date(2026, 2, 1), "amount"),
        (Decimal("10"), datetime.date(2025, 12, 31), "spent_on"),
    ],
)
def test_it_refuses_bad_spend_naming_the_field(project, alice, amount, spent_on, field):
    with pytest.raises(DomainError) as error:
        services.record_spend(
            project=project, actor=alice, spent_on=spent_on, amount=amount, category="people"
        )
    assert error.value.field == field
    project.refresh_from_db()
    assert project.spend_total == 0
    assert not SpendMonth.objects.exists()


def test_only_the_projects_people_record_spend(project, rita, carol, bob):
    for outsider in (rita, carol):
        with pytest.raises(PermissionDenied):
            services.record_spend(
                project=project,
                actor=outsider,
                spent_on=datetime.date(2026, 2, 1),
                amount=Decimal(1),
                category="other",
            )
    services.record_spend(
        project=project,
        actor=bob,
        spent_on=datetime.date(2026, 2, 1),
        amount=Decimal(1),
        category="other",
    )


def test_corrections_and_removals_keep_the_rollup_exact(project, alice, adam):
    entry = services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 2, 3),
        amount=Decimal("100"),
        category="people",
    )
    other = services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 3, 3),
        amount=Decimal("50"),
        category="people",
    )
    services.change_spend(
        entry=entry, actor=adam, amount=Decimal("70"), spent_on=datetime.date(2026, 4, 1)
    )
    services.delete_spend(entry=other, actor=adam)
    project.refresh_from_db()
    assert project.spend_total == Decimal("70")
    assert project.last_spend_on == datetime.date(2026, 4, 1)
    assert check_spend_months() == []


def test_an_entry_moved_to_another_project_leaves_the_first_one_s_totals(project, alice, adam):
    other = make_project(key="MOVE-2", researcher=alice, product_manager=project.product_manager)
    entry = services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 2, 3),
        amount=Decimal("100"),
        category="people",
    )
    services.change_spend(entry=entry, actor=adam, project=other)
    project.refresh_from_db()
    other.refresh_from_db()
    assert (project.spend_total, project.last_spend_on) == (Decimal(0), None)
    assert other.spend_total == Decimal("100")
    assert check_spend_months() == []


def test_drafts_take_no_spend(alice, bob):
    draft = make_project(researcher=alice, product_manager=bob, status="draft")
    with pytest.raises(PermissionDenied):
        services.record_spend(
            project=draft,
            actor=alice,
            spent_on=datetime.date(2026, 2, 1),
            amount=Decimal(1),
            category="other",
        )


def test_a_mail_server_that_is_down_does_not_undo_a_submission(
    alice, bob, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    draft = make_project(researcher=alice, product_manager=bob, status="draft")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("background.mail.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_proposal(project=draft, actor=alice)
    draft.refresh_from_db()
    assert draft.status == "active"
    assert "e-mail to bob@example.com about" in caplog.text
    assert "not sent after 1 attempts" in caplog.text


def test_spend_and_outcomes_are_never_dated_ahead_whatever_the_way_in(project, alice, adam, bob):
    # The forms refuse them; the services do too, so the API and the admin cannot differ.
    from django.utils import timezone

    from tests.builders import greenlight

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DomainError, match="Spend cannot be dated in the future") as error:
        services.record_spend(
            project=project, actor=alice, spent_on=tomorrow, amount=Decimal(1), category="other"
        )
    assert error.value.field == "spent_on"
    entry = services.record_spend(
        project=project,
        actor=alice,
        spent_on=project.submitted_on,
        amount=Decimal(1),
        category="other",
    )
    with pytest.raises(DomainError, match="Spend cannot be dated in the future"):
        services.change_spend(entry=entry, actor=adam, spent_on=tomorrow)
    greenlit = greenlight(project, bob)
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(DomainError, match="has not started yet") as error:
        services.record_outcome(
            project=greenlit, actor=bob, month=next_month, realized_value=Decimal(5)
        )
    assert error.value.field == "month"


def test_a_total_that_drifted_from_the_entries_is_reported_and_rebuilt(project, alice):
    """The dashboard reads each project's total for spend as of today: the check names a
    total the entries do not add up to, and the rebuild puts it right with the rollup."""
    from portfolio.models import Project
    from portfolio.rollups import rebuild_spend_months

    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 2, 3),
        amount=Decimal("40.00"),
        category="people",
    )
    Project.objects.filter(pk=project.pk).update(spend_total=Decimal("41.00"))
    assert check_spend_months() == [f"project {project.pk}: spend_total 41.00 != entries 40.00"]
    rebuild_spend_months([project.pk])
    project.refresh_from_db()
    assert project.spend_total == Decimal("40.00")
    assert check_spend_months() == []
