"""The metrics engine's machinery: SQL made from parts, a new section as one entry, one statement."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portfolio import metrics
from portfolio.metrics import engine, scope
from portfolio.metrics.engine import Query, Section
from portfolio.sql_text import render, statement
from tests.builders import make_project

D = datetime.date


def test_a_template_takes_only_constant_fragments(db):
    assert render("SELECT 1 FROM {project}", {}) == 'SELECT 1 FROM "portfolio_project"'
    with pytest.raises(TypeError, match="constant SQL fragments"):
        render("SELECT {value}", {"value": "1; DROP TABLE x"})
    with pytest.raises(ValueError, match="not a column name"):
        render("SELECT {cents:p.x); DROP TABLE x; --}", {})
    with pytest.raises(KeyError, match="unknown fragments: nowhere"):
        render("SELECT 1 FROM {nowhere}", {})


def test_a_statement_quotes_the_names_it_is_given_and_leaves_values_to_placeholders(db):
    sql = statement(
        "DELETE FROM {table} WHERE {column} IN ({marks})", table="order", column="key", marks=2
    )
    assert sql == 'DELETE FROM "order" WHERE "key" IN (%s, %s)'
    assert statement("SELECT {columns} FROM {project}", columns=["x", "y"]) == (
        'SELECT "x", "y" FROM "portfolio_project"'
    )


def test_every_section_fits_in_one_statement_with_each_cte_once(db):
    checked = metrics.Scope.of(as_of=D(2026, 6, 30), bucket="revenue")
    queries = {q.name: q for s in metrics.SECTIONS for q in s.queries}
    sql = engine.combined_statement(scope.SHARED, list(queries.values()), scope.fragments(checked))
    assert sql.startswith("WITH RECURSIVE scope AS (")
    assert "AND p.bucket = %(bucket)s" in sql
    for query in queries:
        assert f"'{query}', (SELECT COALESCE(json_agg(" in sql


def test_the_json_sections_keep_the_order_of_the_docs(db):
    assert tuple(metrics.compute(as_of=D(2026, 6, 30)))[:7] == (
        "as_of",
        "headline",
        "funnel",
        "series",
        "buckets",
        "outcomes",
        "calibration",
    )


def test_a_new_section_is_one_entry(alice, bob):
    make_project(key="ONE", submitted_on=D(2026, 1, 5), bucket="revenue")
    make_project(key="TWO", submitted_on=D(2026, 3, 5), bucket="revenue")
    titles = Section(
        "keys",
        (
            Query(
                "keys",
                (),
                "SELECT key FROM state WHERE status = 'active' ORDER BY key",
                ("key",),
            ),
        ),
        lambda rows, checked: [row["key"] for row in rows["keys"]],
    )
    checked = metrics.Scope.of(as_of=D(2026, 2, 1))

    result = engine.run(checked, scope.SHARED, [titles], scope.fragments(checked))

    assert result == {"keys": ["ONE"]}


@pytest.mark.postgres
def test_postgresql_computes_the_whole_dashboard_in_one_statement(alice, bob):
    make_project(key="ONE", submitted_on=D(2026, 1, 5))

    with CaptureQueriesContext(connection) as captured:
        result = metrics.compute(as_of=D(2026, 6, 30), sections=metrics.DASHBOARD)

    # The JIT turned off for the transaction (side_by_side.NO_JIT), then one statement.
    assert [query["sql"] for query in captured][:1] == ["SET LOCAL jit = off"]
    assert len(captured) == 2
    assert result["headline"]["projects"] == 1
    assert [row["key"] for row in result["risk"]] == ["ONE"]


def test_it_refuses_an_unknown_section(db):
    with pytest.raises(ValueError, match="no such metrics section: moonshots"):
        metrics.compute(as_of=D(2026, 6, 30), sections=("moonshots",))
