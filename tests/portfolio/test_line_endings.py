"""Text is kept with "\\n" line breaks, whoever wrote it.

A browser sends a text box's line breaks as "\\r\\n" and Django kept them, where the API and
the import kept "\\n" (or what the file had): the same note differed in its length, its
digest and its export. The pages' forms (portfolio.forms.InvisibleTextIsBlank), the API and
the import now keep each line break as "\\n", a lone "\\r" too; the rows kept before are
rewritten so by a migration (portfolio 0017, gates 0016).
"""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from gates.interchange import command_line_import, export_portfolio
from gates.models import BusinessCase, GateDecision
from portfolio.forms import Form
from portfolio.models import ProjectChange, SpendChange, SpendEntry
from portfolio.validators import plain_line_endings
from tests.builders import add_business_case, decide, make_project
from tests.gates.test_export_portfolio import empty_the_database
from tests.gates.test_import_invisible_text import portfolio

pytestmark = pytest.mark.django_db

TYPED = "GPUs\r\nfor the pilot\rand disks\r\n\r\nnothing else"
KEPT = "GPUs\nfor the pilot\nand disks\n\nnothing else"


@pytest.mark.parametrize(
    "text, kept",
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\r\rb", "a\n\nb"),
        ("a\n\rb", "a\n\nb"),
        ("ab", "ab"),
    ],
)
def test_each_line_break_is_written_as_a_newline(text, kept):
    assert plain_line_endings(text) == kept


def test_a_note_typed_in_a_text_box_is_kept_with_newlines(client, project, alice):
    client.force_login(alice)
    data = {"spent_on": "2026-01-20", "amount": "10.00", "category": "compute", "note": TYPED}
    response = client.post(reverse("spend_create", args=[project.key]), data)
    assert response.status_code == 302
    assert SpendEntry.objects.get().note == KEPT


def test_a_business_case_typed_on_its_page_is_kept_with_newlines(client, project, bob):
    client.force_login(bob)
    case = {
        "customer_problem": "Reviewers drown\r\nin cases.",
        "value_rationale": "Hours saved.",
        "strategic_fit": "",
        "risks": "Drift.\r\n",
    }
    response = client.post(reverse("business_case_edit", args=[project.key]), case)
    assert response.status_code == 302
    saved = BusinessCase.objects.get(project=project)
    assert (saved.customer_problem, saved.risks) == ("Reviewers drown\nin cases.", "Drift.")


def test_a_field_a_form_adds_after_it_is_made_is_read_so_too():
    class NotesForm(Form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["note"] = forms.CharField(required=False, widget=forms.Textarea)

    form = NotesForm(data={"note": "one\r\ntwo"})
    assert form.is_valid()
    assert form.cleaned_data["note"] == "one\ntwo"


def test_an_imported_cell_is_kept_with_newlines(tmp_path):
    command_line_import(portfolio(tmp_path, rationale='"Looks\r\npromising\rindeed"'))
    assert GateDecision.objects.get(gate__number=1).rationale == "Looks\npromising\nindeed"


def test_a_quoted_cell_that_begins_with_a_line_break_is_read_back_whole(tmp_path):
    # formula_safe writes "\rx" as "'\rx"; the ' is taken off before the "\r" is read.
    command_line_import(portfolio(tmp_path, rationale='"\'\rNew line"'))
    assert GateDecision.objects.get(gate__number=1).rationale == "\nNew line"


def test_text_typed_on_a_page_exports_and_imports_again_as_it_was(client, project, alice, tmp_path):
    client.force_login(alice)
    data = {"spent_on": "2026-01-20", "amount": "10.00", "category": "compute", "note": TYPED}
    client.post(reverse("spend_create", args=[project.key]), data)

    export_portfolio(tmp_path)
    SpendChange.objects.all().delete()  # what the page's spend left for the metrics
    ProjectChange.objects.all().delete()
    empty_the_database()
    if connection.vendor == "postgresql":
        # The checks of the rows the page wrote in the test's transaction, done now: the
        # import's bulk path cannot index a table with checks pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    command_line_import(tmp_path)

    assert SpendEntry.objects.get().note == KEPT


# --- The rows kept before --------------------------------------------------------------

BEFORE = [("portfolio", "0016_no_ask_of_zero"), ("gates", "0015_decision_rationale_limit")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def migrate_to_the_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_text_kept_with_carriage_returns_is_rewritten(alice, bob):
    # The rows are written first, then the tables taken back to before the migration (today's
    # Project and GateDecision have columns the older tables lack: their generated ones).
    project = make_project(key="GL-0090", researcher=alice, product_manager=bob)
    SpendEntry.objects.create(
        project=project, spent_on="2026-01-20", amount="10.00", category="compute", note=TYPED
    )
    add_business_case(project, bob, customer_problem="Slow\r\nreviews", risks="None\r")
    # A decision is history (append-only, by a trigger on PostgreSQL): it is rewritten too.
    decide(project, 1, "kill", rationale="Too slow\r\nfor now")
    untouched = make_project(key="GL-0091", researcher=alice, product_manager=bob)
    untouched.business_case = "One line"
    untouched.save()
    migrate(BEFORE)
    try:
        assert GateDecision.objects.values_list("rationale", flat=True).get() == (
            "Too slow\r\nfor now"
        )
        migrate_to_the_latest()

        assert SpendEntry.objects.get().note == KEPT
        case = BusinessCase.objects.get()
        assert (case.customer_problem, case.risks) == ("Slow\nreviews", "None\n")
        assert GateDecision.objects.get().rationale == "Too slow\nfor now"
    finally:
        migrate_to_the_latest()
    # The trigger is back: history still refuses an UPDATE.
    if connection.vendor == "postgresql":
        with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
            cursor.execute("UPDATE gates_gatedecision SET rationale = 'x'")


@pytest.mark.django_db(transaction=True)
def test_undoing_the_migration_leaves_the_newlines():
    migrate(BEFORE)
    migrate_to_the_latest()
    migrate(BEFORE)
    migrate_to_the_latest()
