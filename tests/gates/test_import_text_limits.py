"""An imported rationale is held to the pages' and the API's limit (10,000 characters): a
longer one is a problem naming FILE:LINE and the column, and nothing is written. (The
vote comment's limit is checked with the other bad votes.csv rows, test_panel_interchange.)"""

from __future__ import annotations

import pytest

from gates.interchange import ImportFailed, command_line_import
from gates.models import GateDecision
from portfolio.models import Project
from tests.gates.test_import_invisible_text import portfolio

pytestmark = pytest.mark.django_db


def test_a_rationale_over_10000_characters_is_refused(tmp_path):
    with pytest.raises(ImportFailed) as failed:
        command_line_import(portfolio(tmp_path, rationale="x" * 10_001))

    assert "gate_decisions.csv:2: rationale: at most 10,000 characters (this is 10,001)" in [
        str(error) for error in failed.value.errors
    ]
    assert not Project.objects.exists()


def test_a_rationale_of_10000_characters_is_imported(tmp_path):
    command_line_import(portfolio(tmp_path, rationale="x" * 10_000))

    assert len(GateDecision.objects.get(gate__number=1).rationale) == 10_000
