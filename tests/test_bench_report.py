"""bench/RESULTS.md carries issue 16's figures from the last bench/SERVERS.md."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"

SERVERS = """# Several servers: the cluster test

Run on 2026-12-03 15:21 UTC (Linux x86_64, 2 CPUs, load average 1.4 1.3 1.2); whole run 120 s.

| # | Check | Result | Time | What was seen |
| --- | --- | --- | --- | --- |
| 1 | A decision on A shows on B at once | pass | 0.6 s | seen |

Against issue 16's targets (5,000 projects, 1,000,000 spend rows):

| Figure | Measured | Target | Verdict |
| --- | --- | --- | --- |
| Dashboard pages per second | 202 | ≥ 100 | **met** |
| The refresh computed in full, p95 (ms) | 128 | ≤ 100 | **missed** |
"""


@pytest.fixture
def report(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))  # bench's modules import each other by name
    yield importlib.import_module("report")
    for name in ("report", "common"):
        sys.modules.pop(name, None)


def test_the_targets_table_and_when_it_was_measured(report, tmp_path):
    servers = tmp_path / "SERVERS.md"
    servers.write_text(SERVERS)

    lines = report.servers_section(servers)

    assert "## Several servers (issue 16)" in lines
    said = "\n".join(lines)
    assert "on 2026-12-03 15:21 UTC (Linux x86_64, 2 CPUs" in said
    assert "5,000 projects, 1,000,000 spend rows" in said
    assert lines[-3:] == [
        "| --- | --- | --- | --- |",
        "| Dashboard pages per second | 202 | ≥ 100 | **met** |",
        "| The refresh computed in full, p95 (ms) | 128 | ≤ 100 | **missed** |",
    ]
    assert "What was seen" not in said  # the checks stay in SERVERS.md


def test_nothing_without_a_servers_report(report, tmp_path):
    assert report.servers_section(tmp_path / "SERVERS.md") == []
    (tmp_path / "SERVERS.md").write_text("# Several servers\n\nNot run yet.\n")
    assert report.servers_section(tmp_path / "SERVERS.md") == []
