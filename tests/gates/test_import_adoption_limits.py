"""adoption.csv holds a month's counts and minutes to the app's limits (portfolio.counts).

A count up to 2**62 was taken: over 2,147,483,647 active users failed PostgreSQL's integer
column (the import failed on writing), and a month of 9,000,000,000,000,000,000 tasks made
the dashboard's sums overflow. Refused as the page refuses it, with FILE:LINE and the
limit; nothing is written.
"""

from __future__ import annotations

import pytest

from gates.interchange import ImportFailed, command_line_import
from portfolio.models import Adoption, Project
from tests.gates.test_import_assets import append, folder, set_line  # noqa: F401 - the fixture

COUNT = "is more than 1,000,000,000, the largest count of a month Greenlight keeps"
MINUTES = "is more than 100,000 minutes, the longest task Greenlight keeps"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("RP-0003,2020-01-01,2147483648,1,,", f"active_users: 2147483648 {COUNT}"),
        ("RP-0003,2020-01-01,1000000001,1,,", f"active_users: 1000000001 {COUNT}"),
        (
            "RP-0003,2020-01-01,1,9000000000000000000,,",
            f"tasks_completed: 9000000000000000000 {COUNT}",
        ),
        (
            "RP-0003,2020-01-01,1," + "9" * 5000 + ",,",
            "tasks_completed: 999999999999… (5000 digits)",
        ),
        ("RP-0003,2020-01-01,1,1,100000.01,", f"minutes_per_task: 100000.01 {MINUTES}"),
        ("RP-0003,2020-01-01,1,1,,250000", f"baseline_minutes_per_task: 250000 {MINUTES}"),
    ],
)
def test_a_count_or_minutes_over_the_limit_is_refused_with_its_line(db, folder, line, message):  # noqa: F811
    number = append(folder, "adoption.csv", line)

    with pytest.raises(ImportFailed) as refused:
        command_line_import(folder)

    assert any(
        problem.startswith(f"adoption.csv:{number}: ") and message in problem
        for problem in refused.value.errors
    ), refused.value.errors
    assert not Project.objects.exists()
    assert not Adoption.objects.exists()


def test_the_largest_are_kept(db, folder):  # noqa: F811
    set_line(folder, "adoption.csv", 2, "RP-0003,2026-02-01,1000000000,1000000000,100000,100000")
    command_line_import(folder)
    assert Adoption.objects.filter(active_users=1_000_000_000).count() == 1
