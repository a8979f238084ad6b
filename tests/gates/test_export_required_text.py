"""Every export imports again, whatever text was kept before the rule that text with nothing
visible in it is blank.

A kill criterion's statement kept as "\\u200b" (from before that rule) was exported as it
was, and the import, which reads such a cell as blank, refused the export: "statement: a value
is required". A project's title was already written as U+FFFD; now one rule of the export
(gates.interchange.export._readable_when_required) writes every cell the format requires
text in (its columns that are required and text) with each character as U+FFFD when nothing
in it is visible, and an empty one as one U+FFFD.
"""

from __future__ import annotations

import datetime

import pytest

from gates.interchange import command_line_import, export_portfolio
from gates.interchange.export import _required_text
from gates.models import GateDecision, KillCriterion
from portfolio.interchange_format import ARTIFACTS, FORMAT, KILL_CRITERIA, PROJECTS
from portfolio.models import Artifact, ArtifactKind, Project
from tests.builders import decide, gate, make_project

pytestmark = pytest.mark.django_db

INVISIBLE = ["\u200b", "\ufeff\u200b", " \u2800 ", ""]


@pytest.fixture
def decided(alice, bob):
    """A project gone through gate 1, its kill criterion for gate 2 registered."""
    project = make_project(key="GL-0300", researcher=alice, product_manager=bob)
    decide(project, 1, "go")
    return project


def export_and_import_again(tmp_path) -> None:
    export_portfolio(tmp_path)
    command_line_import(tmp_path, replace=True)


def test_the_rule_covers_each_column_the_import_requires_text_in():
    covered = {
        (name, FORMAT[name].columns[position].name)
        for name in FORMAT
        for position in _required_text(name)
    }
    assert {
        (PROJECTS, "title"),
        (ARTIFACTS, "name"),
        (KILL_CRITERIA, "statement"),
        (PROJECTS, "key"),
    } <= covered
    assert (KILL_CRITERIA, "note") not in covered  # optional: kept empty by the import


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_kill_criterion_statement_with_nothing_visible_exports_and_imports(
    decided, tmp_path, text
):
    KillCriterion.objects.create(
        project=decided,
        decision=GateDecision.objects.get(project=decided),
        gate=gate(2),
        position=2,
        statement=text,
    )

    export_and_import_again(tmp_path)

    statement = KillCriterion.objects.get(project__key="GL-0300", position=2).statement
    assert statement == "\ufffd" * (len(text) or 1)
    assert KillCriterion.objects.get(position=1).statement == "Evidence asked for by a test"


@pytest.mark.parametrize("text", INVISIBLE)
def test_an_artifact_name_with_nothing_visible_exports_and_imports(decided, alice, tmp_path, text):
    Artifact.objects.create(
        key="AR-1",
        project=decided,
        kind=ArtifactKind.values[0],
        name=text,
        created_on=datetime.date(2026, 2, 1),
        registered_by=alice,
    )

    export_and_import_again(tmp_path)

    assert Artifact.objects.get(key="AR-1").name == "\ufffd" * (len(text) or 1)


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_title_with_nothing_visible_exports_and_imports(decided, tmp_path, text):
    Project.objects.filter(pk=decided.pk).update(title=text)

    export_and_import_again(tmp_path)

    assert Project.objects.get(key="GL-0300").title == "\ufffd" * (len(text) or 1)


def test_visible_text_is_exported_as_it_is(decided, tmp_path):
    export_and_import_again(tmp_path)
    assert KillCriterion.objects.get().statement == "Evidence asked for by a test"
    assert Project.objects.get().title == decided.title
