"""A removed outcome or adoption month on the project page's audit trail: what was removed,
numbers written as the entry's heading writes them, not a list of "→ (empty)"."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from portfolio import services
from tests.builders import greenlight, make_project

pytestmark = pytest.mark.django_db

FEB = datetime.date(2026, 2, 1)


@pytest.fixture
def product(alice, bob, carol):
    project = make_project(
        key="GL-0051",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2025, 12, 1),
    )
    return greenlight(project, bob, carol, on=datetime.date(2026, 1, 1))


def audit_row(client, project, heading: str) -> tuple[str, list[str]]:
    """The trail's row whose summary begins with ``heading``: (summary, its changes)."""
    page = client.get(project.get_absolute_url()).content.decode()
    trail = page[page.index('id="audit"') :]
    for row in re.findall(r"<tr>(.*?)</tr>", trail, re.DOTALL):
        summary = re.search(r'data-label="What">(.*?)</td>', row)
        if summary and summary.group(1).startswith(heading):
            return summary.group(1), re.findall(r"<li>(.*?)</li>", row)
    raise AssertionError(f"no audit entry {heading!r}")


def test_a_removed_adoption_month_reads_as_what_was_removed(client, adam, bob, product):
    adoption = services.record_adoption(
        project=product,
        actor=bob,
        month=FEB,
        active_users=1250,
        tasks_completed=4320,
        minutes_per_task=Decimal("3.5"),
        baseline_minutes_per_task=Decimal("12"),
    )
    services.delete_adoption(adoption=adoption, actor=adam)
    client.force_login(adam)

    summary, changes = audit_row(client, product, "Adoption of 2026-02 removed")

    assert summary == "Adoption of 2026-02 removed (1,250 active users, 4,320 tasks)"
    assert changes == [
        "Month: 2026-02",
        "Active users: 1,250",
        "Tasks completed: 4,320",
        "Minutes per task: 3.50",
        "Baseline minutes per task: 12.00",
    ]


def test_a_removed_adoption_month_leaves_out_what_it_did_not_have(client, adam, bob, product):
    adoption = services.record_adoption(
        project=product, actor=bob, month=FEB, active_users=1250, tasks_completed=4320
    )
    services.delete_adoption(adoption=adoption, actor=adam)
    client.force_login(adam)

    _, changes = audit_row(client, product, "Adoption of 2026-02 removed")

    assert changes == ["Month: 2026-02", "Active users: 1,250", "Tasks completed: 4,320"]


def test_a_removed_outcome_month_reads_as_what_was_removed(client, adam, bob, product):
    outcome = services.record_outcome(
        project=product, actor=bob, month=FEB, realized_value=Decimal("1000000"), confirm_value=True
    )
    services.delete_outcome(outcome=outcome, actor=adam)
    client.force_login(adam)

    summary, changes = audit_row(client, product, "Outcome of 2026-02 removed")

    assert summary == "Outcome of 2026-02 removed (realized EUR 1,000,000.00)"
    assert changes == ["Month: 2026-02", "Realized value: EUR 1,000,000.00"]


def test_a_corrected_adoption_month_still_shows_before_and_after_grouped(
    client, adam, bob, product
):
    adoption = services.record_adoption(
        project=product, actor=bob, month=FEB, active_users=1250, tasks_completed=43200
    )
    services.change_adoption(adoption=adoption, actor=adam, tasks_completed=4320)
    client.force_login(adam)

    _, changes = audit_row(client, product, "Adoption of 2026-02 corrected")

    assert changes == ["Tasks completed: 43,200 → 4,320"]
