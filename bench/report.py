"""The benchmark's report: bench/RESULTS.md from the figures of every size."""

from __future__ import annotations

import re
from pathlib import Path

from common import BENCH, PAGES, TARGETS, Config, fmt_ms, fmt_ratio, fmt_s

# --- the report -----------------------------------------------------------------------------


def _get(result: dict, *keys):
    value = result
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _pair(result: dict, group: str, page: str) -> str:
    block = _get(result, group, page)
    if not block:
        return "n/a"
    if "error" in block:
        return f"n/a ({block['error']})"
    return f"{fmt_ms(block['p50_ms'])} / {fmt_ms(block['p95_ms'])}"


def _add(a, b) -> float | None:
    return None if a is None or b is None else a + b


def _ratio(a, b) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def judge(value: float | None, limit: float, *, at_least: bool = False) -> str:
    if value is None:
        return "not measured"
    ok = value >= limit if at_least else value <= limit
    return "**met**" if ok else "**missed**"


def build_rows(cfg: Config, results: list[dict]) -> tuple[list[list[str]], dict]:
    """The table's rows (figure, one column per size, target, verdict) and the judged values."""
    largest = results[-1]
    by_rows = {r["spend_rows"]: r for r in results}
    judged: dict = {}
    rows: list[list[str]] = []

    def add(label: str, cells: list[str], target: str = "", verdict: str = "") -> None:
        rows.append([label, *cells, target, verdict])

    def each(fn) -> list[str]:
        return [fn(r) for r in results]

    add(
        "Projects / gate decisions / outcome months",
        each(
            lambda r: "{projects:,} / {gate_decisions:,} / {outcomes:,}".format(
                **r["generate"]["rows"]
            )
        ),
    )
    add(
        "Spend rows in spend.csv (MB)",
        each(
            lambda r: f"{r['generate']['rows']['spend']:,} ({r['generate']['bytes'] / 1e6:.1f} MB)"
        ),
    )
    add("Generate the portfolio (s)", each(lambda r: fmt_s(r["generate"]["seconds"])))
    add("Migrate a fresh database (s)", each(lambda r: fmt_s(r.get("migrate_s"))))
    add("`import_portfolio` (s)", each(lambda r: fmt_s(_get(r, "import", "seconds"))))
    add(
        "`psql \\copy` of spend.csv into a bare table (s)",
        each(lambda r: fmt_s(_get(r, "copy", "seconds"))),
    )
    add(
        "SQL only, for reference: `\\copy` + `INSERT … SELECT` into a copy of the spend table"
        " with its indexes and keys (s)",
        each(lambda r: fmt_s(_add(_get(r, "copy", "seconds"), _get(r, "copy", "into_schema_s")))),
    )
    ratio = _ratio(_get(largest, "import", "seconds"), _get(largest, "copy", "seconds"))
    judged["import_vs_copy"] = ratio
    add(
        "Import ÷ \\copy",
        each(lambda r: fmt_ratio(_ratio(_get(r, "import", "seconds"), _get(r, "copy", "seconds")))),
        f"≤ {TARGETS['import_vs_copy']:.0f}×",
        judge(ratio, TARGETS["import_vs_copy"]),
    )
    rss = _get(largest, "import", "max_rss_mb")
    judged["import_rss_mb"] = rss
    add(
        "Import peak RSS (MB)",
        each(lambda r: fmt_ms(_get(r, "import", "max_rss_mb"))),
        f"≤ {TARGETS['import_rss_mb']:.0f} MB",
        judge(rss, TARGETS["import_rss_mb"]),
    )
    if any("workbook_import" in r for r in results):
        add(
            "The same portfolio as an .xlsx workbook (MB; writing it, s, not counted)",
            each(
                lambda r: (
                    f"{_get(r, 'workbook_write', 'bytes') / 1e6:.1f} MB, "
                    f"{fmt_s(_get(r, 'workbook_write', 'seconds'))} s"
                    if _get(r, "workbook_write", "bytes")
                    else "—"
                )
            ),
        )
        add(
            "`import_portfolio` of the workbook (s)",
            each(lambda r: fmt_s(_get(r, "workbook_import", "seconds"))),
        )
        ratio = _ratio(
            _get(largest, "workbook_import", "seconds"), _get(largest, "import", "seconds")
        )
        judged["workbook_vs_csv"] = ratio
        add(
            "Workbook import ÷ CSV import",
            each(
                lambda r: fmt_ratio(
                    _ratio(_get(r, "workbook_import", "seconds"), _get(r, "import", "seconds"))
                )
            ),
            f"≤ {TARGETS['workbook_vs_csv']:.0f}×",
            judge(ratio, TARGETS["workbook_vs_csv"]),
        )
        rss = _get(largest, "workbook_import", "max_rss_mb")
        judged["workbook_rss_mb"] = rss
        add(
            "Workbook import peak RSS (MB)",
            each(lambda r: fmt_ms(_get(r, "workbook_import", "max_rss_mb"))),
            f"≤ {TARGETS['workbook_rss_mb']:.0f} MB",
            judge(rss, TARGETS["workbook_rss_mb"]),
        )
    add(
        "VACUUM ANALYZE after the import (s, not in the import time)",
        each(lambda r: fmt_s(r.get("vacuum_analyze_s"))),
    )

    for name, label, kind in PAGES:
        seq_p95 = _get(largest, "sequential", name, "p95_ms")
        target, verdict = "", ""
        if kind == "dashboard":
            target = f"p95 ≤ {TARGETS['dashboard_p95_ms']:.0f} ms"
            verdict = judge(seq_p95, TARGETS["dashboard_p95_ms"])
        elif kind == "page":
            target = f"p95 ≤ {TARGETS['page_p95_ms']:.0f} ms"
            verdict = judge(seq_p95, TARGETS["page_p95_ms"])
        elif kind == "plan":
            target = f"p95 ≤ {TARGETS['plan_p95_ms']:.0f} ms"
            verdict = judge(seq_p95, TARGETS["plan_p95_ms"])
        if kind:
            judged[f"{name}_p95_ms"] = seq_p95
        add(
            f"{label}, sequential p50 / p95 (ms)",
            each(lambda r, n=name: _pair(r, "sequential", n)),
            target,
            verdict,
        )
        if any(name in r.get("concurrent", {}) for r in results):
            add(
                f"{label}, {cfg.clients} clients p50 / p95 (ms)",
                each(lambda r, n=name: _pair(r, "concurrent", n)),
            )
            rps = _get(largest, "concurrent", name, "rps")
            target = verdict = ""
            if kind == "dashboard":
                target = f"≥ {TARGETS['dashboard_rps']:.0f} req/s"
                verdict = judge(rps, TARGETS["dashboard_rps"], at_least=True)
                judged[f"{name}_rps"] = rps
            add(
                f"{label}, {cfg.clients} clients requests/s",
                each(lambda r, n=name: fmt_ms(_get(r, "concurrent", n, "rps"))),
                target,
                verdict,
            )
        if name == "dashboard":
            rows.append(growth_row(results, by_rows, judged))

    add(
        f"Raw SQL lower bound, rollup (ms, median of {cfg.sql_repeat})",
        each(lambda r: fmt_ms(_get(r, "lower_bound", "median_ms"))),
    )
    add(
        "Raw SQL, summing every spend row instead (ms)",
        each(lambda r: fmt_ms(_get(r, "lower_bound_raw", "median_ms"))),
    )
    add(
        "Dashboard uncached (sequential p50) ÷ raw SQL lower bound",
        each(
            lambda r: fmt_ratio(
                _ratio(
                    _get(r, "sequential", "dashboard_uncached", "p50_ms"),
                    _get(r, "lower_bound", "median_ms"),
                )
            )
        ),
    )
    add(
        "Lower-bound headline equals /api/metrics: rollup / every row",
        each(
            lambda r: (
                f"{_agreement(r.get('lower_bound_check'))} /"
                f" {_agreement(r.get('lower_bound_raw_check'))}"
            )
        ),
    )
    add(
        "gunicorn worker peak RSS (MB)",
        each(lambda r: fmt_ms(r.get("gunicorn_worker_peak_rss_mb"))),
    )
    add(
        "Machine load average (1 / 5 / 15 min) when the size started",
        each(lambda r: " / ".join(f"{v:.1f}" for v in r.get("load_average_at_start", ()))),
    )
    return rows, judged


def growth_row(results: list[dict], by_rows: dict, judged: dict) -> list[str]:
    """The dashboard's uncached time at 1M against 100k (else each size against the last)."""
    name = "dashboard_uncached"
    target = f"≤ {TARGETS['dashboard_growth']}× (1M vs 100k)"
    if 100_000 in by_rows and 1_000_000 in by_rows:
        small, big = by_rows[100_000], by_rows[1_000_000]
        growth = _ratio(
            _get(big, "sequential", name, "p95_ms"), _get(small, "sequential", name, "p95_ms")
        )
        p50 = _ratio(
            _get(big, "sequential", name, "p50_ms"), _get(small, "sequential", name, "p50_ms")
        )
        judged["dashboard_growth"] = growth
        cells = [
            f"{fmt_ratio(growth)} (p50: {fmt_ratio(p50)})" if r is big else "" for r in results
        ]
        return [
            "Dashboard uncached, sequential p95 at 1M ÷ at 100k",
            *cells,
            target,
            judge(growth, TARGETS["dashboard_growth"]),
        ]
    cells = [""] + [
        fmt_ratio(
            _ratio(_get(b, "sequential", name, "p95_ms"), _get(a, "sequential", name, "p95_ms"))
        )
        for a, b in zip(results, results[1:], strict=False)
    ]
    return ["Dashboard uncached, sequential p95 ÷ at the previous size", *cells, target, ""]


def _agreement(check: dict | None) -> str:
    if not check:
        return "n/a"
    if not check.get("checked"):
        return f"not checked ({check.get('why')})"
    if check["agrees"]:
        return "yes"
    return "NO: " + ", ".join(
        f"{k} sql={v['sql']} app={v['app']}" for k, v in check["differences"].items()
    )


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def write_report(cfg: Config, machine: dict, results: list[dict], path: Path) -> None:
    rows, judged = build_rows(cfg, results)
    pg = machine["postgres"]
    largest = results[-1]
    lines = [
        "# Greenlight benchmark results" + (" (smoke run: tiny, not timed)" if cfg.smoke else ""),
        "",
        f"Written by `bench/run{' --smoke' if cfg.smoke else ''}` on {machine['date']}"
        f" at commit {machine['commit']}. Issue 6: one million spend rows, measured.",
        "",
        "## Machine",
        "",
        f"- CPU: {machine['cpu']}, {machine['cores']} cores; RAM {machine['ram_gb']:.1f} GB"
        if machine["ram_gb"]
        else f"- CPU: {machine['cpu']}, {machine['cores']} cores",
        f"- OS: {machine['os']}",
        f"- PostgreSQL {pg.get('server_version')} (shared_buffers {pg.get('shared_buffers')},"
        f" work_mem {pg.get('work_mem')}, effective_cache_size {pg.get('effective_cache_size')},"
        f" fsync {pg.get('fsync')}, synchronous_commit {pg.get('synchronous_commit')},"
        f" full_page_writes {pg.get('full_page_writes')}, wal_level {pg.get('wal_level')},"
        f" jit {pg.get('jit')}), on the same machine",
        f"- Python {machine['python']}, Django {machine['django']}, gunicorn {machine['gunicorn']},"
        f" psycopg {machine['psycopg']}; load tool: {machine['load_tool']}",
        "",
        "## Sizes and method",
        "",
        f"- Portfolios from `manage.py generate_portfolio --projects {cfg.projects}"
        f" --years {cfg.years} --seed {cfg.seed} --end {cfg.end}` with --spend-rows of "
        + ", ".join(f"{r['spend_rows']:,}" for r in results)
        + f". The project count stays {cfg.projects:,} at every size"
        + (
            " (the largest user's portfolio: its ten years of spend history grow, not its"
            " number of projects), so the growth from 100k to 1M measures the spend rows alone."
            if not cfg.smoke
            else "."
        ),
        "- Each size: a fresh database, `migrate`, then `manage.py import_portfolio DIR` timed"
        " as a whole process (Django start-up included) with its peak RSS (`/usr/bin/time -v`;"
        " the PostgreSQL server's own memory is not included). Against it: `psql \\copy` of the"
        " same spend.csv into `bare(project text, spent_on date, amount numeric, category text,"
        " note text)`, no index, also a whole process. Then `VACUUM ANALYZE` (what autovacuum"
        " does soon after a bulk load), not counted in the import.",
        f"- The app: `gunicorn portfolio.wsgi -w {cfg.workers}` on 127.0.0.1 with production"
        " settings (DEBUG off, persistent database connections, every middleware; only the"
        " https redirect and secure cookies off, since the loopback is plain http). Signed in as"
        " an Executive (a server-side session). The project page and gate review are those of"
        " the open project with the most spend rows"
        + (
            f" (`{largest['project']['key']}`, {largest['project']['n']:,} rows at the largest size)."
            if largest.get("project")
            else "."
        ),
        f"- Sequential: one client, {cfg.requests} requests per page after warming every worker"
        f" (at most {cfg.max_seconds:.0f} s per page). Concurrent: {cfg.clients} clients for"
        f" {cfg.duration} s per page with {machine['load_tool'].split(' [')[0]}, after an"
        " unrecorded warm-up run at the same page; the load tool runs on the same cores as"
        " gunicorn and PostgreSQL.",
        "- The dashboard and `/api/metrics` keep their results in the shared cache (here the"
        " database's; Redis when `REDIS_URL` is set) per data version (bumped by every change;"
        " no task worker runs, so nothing refills it in the background), so they are measured"
        " twice: *cached* (the same"
        " data version throughout: what readers get between changes) and *uncached* (the"
        " data version changed before each sequential request, and every 10 ms under load:"
        " what the first request after a change pays, i.e. the metrics computed from the"
        " database).",
        "- Raw SQL lower bound: `bench/dashboard_lower_bound.sql`, every aggregate of the"
        " dashboard's metrics (headline, buckets, funnel, series, outcomes, calibration) in five"
        " statements run by psql with `\\timing`, the median total over"
        f" {cfg.sql_repeat} runs after one warm-up; once reading the monthly spend rollup (as the"
        " app may) and once summing every spend row. Its headline is checked against"
        " `/api/metrics`.",
        "",
        "## Results",
        "",
    ]
    header = ["Figure", *[r["label"] + " spend rows" for r in results], "Target", "Verdict"]
    if cfg.smoke:
        header = header[:-1]
        rows = [row[:-1] for row in rows]
    lines += markdown_table(header, rows)
    lines.append("")
    if cfg.smoke:
        lines.append("A smoke run checks that the benchmark runs; its figures are not judged.")
    elif largest["spend_rows"] != 1_000_000:
        lines.append(
            f"The targets are for 1M spend rows; this run's largest size is {largest['label']}."
        )
    errors = [f"- {r['label']}: {e[:500]}" for r in results for e in r.get("errors", [])]
    if errors:
        lines += ["", "### Errors", "", *errors]
    if not cfg.smoke:
        lines += servers_section(BENCH / "SERVERS.md")
    lines += profile_section(results)
    analysis = BENCH / "analysis.md"
    if not cfg.smoke and analysis.exists():
        lines += ["", analysis.read_text().strip()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def servers_section(servers: Path) -> list[str]:
    """Issue 16's figures, as the last ``make bench-servers`` wrote them in ``servers``
    (which ``make bench`` runs first): when it was run, and its table of targets."""
    if not servers.exists():
        return []
    text = servers.read_text()
    run = re.search(r"^Run on (\d{4}-\d\d-\d\d \d\d:\d\d UTC) \(([^)]*)\)", text, re.MULTILINE)
    table = re.search(
        r"^Against issue 16's targets \(([^)]*)\):\n\n((?:\|.*\n?)+)", text, re.MULTILINE
    )
    if run is None or table is None:
        return []
    return [
        "",
        "## Several servers (issue 16)",
        "",
        f"From `bench/SERVERS.md`, written by `make bench-servers` on {run.group(1)} "
        f"({run.group(2)}; {table.group(1)}): two app instances of two workers each, one task "
        "worker, PostgreSQL and Redis on this machine. That file has the checks and says what "
        "each figure measures.",
        "",
        *table.group(2).rstrip("\n").splitlines(),
    ]


def profile_section(results: list[dict]) -> list[str]:
    largest = results[-1]
    profile = largest.get("profile")
    if not profile:
        return []
    lines = [
        "",
        f"## Where each page's time goes ({largest['label']} spend rows, in-process)",
        "",
        "`bench/profile_pages.py`: each page rendered through Django's test client, uncached (data version changed first), with every"
        " SQL statement captured (median of its runs); Python = the rest (views, templates,"
        " the metrics engine's own arithmetic).",
        "",
    ]
    rows = []
    for page in profile:
        if "error" in page:
            rows.append([page["url"], page["error"], "", "", "", ""])
            continue
        slowest = page["slowest_queries"][0]["ms"] if page["slowest_queries"] else None
        rows.append(
            [
                f"`{page['url']}`",
                fmt_ms(page["median_ms"]),
                str(page["queries"]),
                fmt_ms(page["sql_ms"]),
                fmt_ms(page["python_ms"]),
                fmt_ms(slowest),
            ]
        )
    lines += markdown_table(
        ["Page", "Total (ms)", "Queries", "SQL (ms)", "Python (ms)", "Slowest query (ms)"], rows
    )
    for page in profile:
        if "error" in page or not page.get("slowest_queries"):
            continue
        lines += [
            "",
            "<details><summary>" + page["url"] + ": slowest queries and functions</summary>",
            "",
        ]
        for query in page["slowest_queries"][:3]:
            sql = re.sub(r"\s+", " ", query["sql"])[:400]
            lines.append(f"- {fmt_ms(query['ms'])} ms: `{sql}`")
        lines.append("")
        lines.append("Functions with the most own time (cProfile, one run):")
        lines.append("")
        for fn in page["top_functions"][:8]:
            lines.append(
                f"- {fn['own_ms']} ms own, {fn['cumulative_ms']} ms cumulative,"
                f" {fn['calls']} calls: `{fn['function']}`"
            )
        lines += ["", "</details>"]
    return lines
