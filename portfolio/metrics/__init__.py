"""Every number of the dashboard, the JSON API and ``manage.py portfolio_metrics``: one engine.

docs/metrics.md defines the numbers; this package is the only place they are
computed. Everything goes through :func:`compute`, which returns the
sections asked for (by default those of metrics.md, in its JSON shape).

The rooms:

- ``scope.py``: :class:`Scope` (the as-of date and the filters, checked once
  for every caller) and the common table expressions every query starts
  from: the projects in scope, their decisions up to A and each one's state
  as of A (the process's own rules, as a SQL ``CASE``);
- ``portfolio/sql_text.py`` (beside this package, shared with the rollup and the
  interchange): how SQL text is made (constant templates, quoted table names,
  the few expressions SQLite and PostgreSQL spell differently);
- ``engine.py``: queries held as data and run in a fixed number of
  statements (one per query on SQLite, one in all on PostgreSQL);
- ``numbers.py``: money as Decimal exact to the cent, every ratio rounded
  one way (halves away from zero, from the exact value);
- one module per group of metrics (``headline``, ``funnel``, ``series``,
  ``outcomes``, ``calibration``, ``open_projects``, ``feedback``), each holding its
  queries and its :class:`~portfolio.metrics.engine.Section` entries.

How it stays exact and fast: money is summed as integer cents and
probabilities as integer ten-thousandths, so no float enters a sum; the
queries return grouped rows (by bucket and status, by gate, by month, by
product manager), never spend rows; spend is read from the monthly rollup
(``SpendMonth``) for the months before A's and from the entries of A's month.

Adding a metric or a dashboard section
---------------------------------------
Write ONE :class:`~portfolio.metrics.engine.Section` in the module of its
group (or a new module beside them) and list it in :data:`SECTIONS` below:

- its ``queries``: :class:`~portfolio.metrics.engine.Query` objects (the CTEs
  they read, beyond the shared ``scope``, ``dec``, ``ranked`` and ``state``;
  the final ``SELECT``; the names of its columns). Reuse a query another
  section has (same object) and it runs once. SQL is a constant template: a
  table is ``{project}``, a dialect expression ``{cents:p.projected_low}``, a
  status or decision kind ``{greenlit}`` / ``{go}`` (the process's words),
  a value a placeholder ``%(as_of)s`` (see ``portfolio/sql_text.py``; a query's own
  placeholders come from its ``params(scope)``); CTE names are unique across
  the package (the PostgreSQL statement holds them all);
- its ``assemble(rows, scope)``: the section's value from the rows (each a
  dict by column name), with ``numbers.money`` / ``numbers.ratio``;
- ``in_spec=True`` only if metrics.md's JSON has it (the API and the
  command then show it); ``text`` for its lines in the terminal summary;
  ``csv`` for its download on the dashboard;
- each new query's rule in ``merge.RULES``: how one project's part sits in its rows
  (the refresh brings the numbers up to date after a change to a few projects with it;
  a test names a query without one). A query whose rows are not one project's part each,
  added up, cannot be merged: restrict what it reads to the scope's projects.

The dashboard asks for :data:`DASHBOARD` (every section), the API and the
command for :data:`SPEC`; a template shows a new section as ``metrics.<name>``.
"""

from __future__ import annotations

import datetime

from portfolio.metrics import engine, scope
from portfolio.metrics.calibration import CALIBRATION, RELIABILITY
from portfolio.metrics.decision_panel import DECISION_PANEL
from portfolio.metrics.engine import CsvTable, Section
from portfolio.metrics.feedback import ADOPTION, ASSETS, DECISION_QUALITY, OUTCOME_SCORES
from portfolio.metrics.funnel import FUNNEL
from portfolio.metrics.headline import BUCKETS, HEADLINE
from portfolio.metrics.open_projects import RISK, ZOMBIES
from portfolio.metrics.outcomes import OUTCOME_COUNTS, OUTCOME_DETAILS
from portfolio.metrics.scope import (
    AS_OF_RANGE_MESSAGE,
    EARLIEST_AS_OF,
    LATEST_AS_OF,
    MetricsFilterError,
    Scope,
)
from portfolio.metrics.series import SERIES

# Every section, in the order of the result (metrics.md's JSON first, in its order).
SECTIONS: tuple[Section, ...] = (
    HEADLINE,
    FUNNEL,
    SERIES,
    BUCKETS,
    OUTCOME_COUNTS,
    CALIBRATION,
    DECISION_QUALITY,
    ASSETS,
    ADOPTION,
    RISK,
    ZOMBIES,
    RELIABILITY,
    OUTCOME_DETAILS,
    OUTCOME_SCORES,
    DECISION_PANEL,
)
BY_NAME = {section.name: section for section in SECTIONS}
SPEC = tuple(section.name for section in SECTIONS if section.in_spec)
DASHBOARD = tuple(BY_NAME)
# Each CSV download of the dashboard, by its name: (the section it comes from, the table).
CSV_TABLES: dict[str, tuple[str, CsvTable]] = {
    table.name: (section.name, table) for section in SECTIONS for table in section.csv
}


def compute(
    *,
    as_of: datetime.date | None = None,
    bucket: str | None = None,
    research_type: str | None = None,
    product_manager: str | None = None,
    sections: tuple[str, ...] = SPEC,
) -> dict:
    """``{"as_of": "YYYY-MM-DD", <section>: <value>, …}`` for the sections asked for.

    The default is exactly metrics.md's JSON. Raises MetricsFilterError for an
    unknown bucket or research type, or an as-of date outside 1900–2100. An
    unknown product manager is not an error: the filter simply leaves no project.
    """
    return compute_for(
        Scope.of(
            as_of=as_of,
            bucket=bucket,
            research_type=research_type,
            product_manager=product_manager,
        ),
        sections,
    )


def compute_for(checked: Scope, sections: tuple[str, ...] = SPEC) -> dict:
    """:func:`compute` for a scope already checked."""
    return compute_with(checked, sections)[0]


def compute_with(
    checked: Scope, sections: tuple[str, ...] = SPEC, queries: tuple[engine.Query, ...] = ()
) -> tuple[dict, engine.Rows]:
    """:func:`compute_for`, and the rows of ``queries`` (read by other modules, such as
    the calibrated probabilities' records) from the same statements, so each project's
    state as of A is worked out once for both."""
    unknown = set(sections) - set(BY_NAME)
    if unknown:
        raise ValueError(f"no such metrics section: {', '.join(sorted(unknown))}")
    asked = [section for section in SECTIONS if section.name in sections]
    values, rows = engine.run_with(checked, scope.SHARED, asked, scope.fragments(checked), queries)
    return {"as_of": checked.as_of.isoformat(), **values}, rows


def assembled(checked: Scope, rows: engine.Rows, sections: tuple[str, ...] = SPEC) -> dict:
    """:func:`compute_for`'s answer from rows the engine read already (kept, or shared)."""
    asked = [section for section in SECTIONS if section.name in sections]
    values = {section.name: section.assemble(rows, checked) for section in asked}
    return {"as_of": checked.as_of.isoformat(), **values}


def rows_for(checked: Scope, queries: tuple[engine.Query, ...]) -> engine.Rows:
    """The rows of ``queries`` (each a dict by column name) over the shared CTEs, for a checked scope.

    For readers of the engine's data that are not dashboard sections (the
    planner's candidates, calibrated probabilities): their queries are held as
    data like a section's and run in the same fixed number of statements.
    """
    return engine.fetch(checked, scope.SHARED, queries, scope.fragments(checked))


def to_text(metrics: dict, *, filters: dict[str, str] | None = None) -> str:
    """The sections of a :func:`compute` result that have text, as a summary for a terminal."""
    shown = ", ".join(f"{name} {value}" for name, value in (filters or {}).items() if value)
    title = f"Portfolio metrics as of {metrics['as_of']}" + (f" ({shown})" if shown else "")
    lines = [title, "=" * len(title)]
    for section in SECTIONS:
        if section.text is not None and section.name in metrics:
            lines += section.text(metrics[section.name])
    return "\n".join(lines) + "\n"


__all__ = [
    "AS_OF_RANGE_MESSAGE",
    "CSV_TABLES",
    "DASHBOARD",
    "EARLIEST_AS_OF",
    "LATEST_AS_OF",
    "SECTIONS",
    "SPEC",
    "MetricsFilterError",
    "Scope",
    "assembled",
    "compute",
    "compute_for",
    "compute_with",
    "rows_for",
    "to_text",
]
