"""The data side of the benchmark: generating a portfolio, timing its import and the raw
SQL bounds (``psql \\copy``, bench/dashboard_lower_bound.sql)."""

from __future__ import annotations

import re
import shutil
import statistics
import time
from pathlib import Path

from common import (
    DATA,
    LOWER_BOUND_SQL,
    SPEND_COLUMNS,
    Config,
    parse_psql_timings,
    parse_time_v,
    psql,
    run,
    size_label,
)

# --- measuring steps ------------------------------------------------------------------------


def generate(cfg: Config, rows: int, env: dict) -> tuple[Path, dict]:
    directory = DATA / f"{cfg.projects}p-{size_label(rows)}-s{cfg.seed}"
    if directory.exists():
        shutil.rmtree(directory)
    started = time.perf_counter()
    out = run(
        [
            cfg.python,
            "manage.py",
            "generate_portfolio",
            str(directory),
            "--projects",
            str(cfg.projects),
            "--spend-rows",
            str(rows),
            "--seed",
            str(cfg.seed),
            "--years",
            str(cfg.years),
            "--end",
            cfg.end,
        ],
        env=env,
    )
    elapsed = time.perf_counter() - started
    counts = {}
    for name in ("projects", "gate_decisions", "spend", "outcomes"):
        with open(directory / f"{name}.csv", "rb") as handle:
            counts[name] = sum(1 for _ in handle) - 1
    info = {
        "seconds": elapsed,
        "summary": out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "",
        "rows": counts,
        "bytes": (directory / "spend.csv").stat().st_size,
    }
    return directory, info


def time_import(cfg: Config, directory: Path, env: dict) -> dict:
    command = [cfg.python, "manage.py", "import_portfolio", str(directory)]
    time_bin = shutil.which("time") if Path("/usr/bin/time").exists() else None
    time_bin = "/usr/bin/time" if Path("/usr/bin/time").exists() else time_bin
    if time_bin:
        started = time.perf_counter()
        result = run([time_bin, "-v", *command], env=env, check=False)
        elapsed = time.perf_counter() - started
        measured = parse_time_v(result.stderr)
        rss_kb = measured.get("max_rss_kb")
        how = "GNU time -v"
    else:
        # A fresh parent, so RUSAGE_CHILDREN holds the import alone.
        wrapper = (
            "import resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "rc = subprocess.call(sys.argv[1:])\n"
            "print('BENCH-RUSAGE', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
            " time.perf_counter() - t, file=sys.stderr)\n"
            "sys.exit(rc)\n"
        )
        started = time.perf_counter()
        result = run([cfg.python, "-c", wrapper, *command], env=env, check=False)
        elapsed = time.perf_counter() - started
        match = re.search(r"BENCH-RUSAGE (\d+) ([\d.]+)", result.stderr)
        rss_kb = int(match.group(1)) if match else None
        how = "getrusage(RUSAGE_CHILDREN)"
    if result.returncode != 0:
        raise RuntimeError(
            f"import_portfolio exited {result.returncode}:\n{result.stdout[-2000:]}\n"
            f"{result.stderr[-3000:]}"
        )
    return {
        "seconds": elapsed,
        "max_rss_mb": rss_kb / 1024 if rss_kb else None,
        "rss_measured_by": how,
        "output": result.stdout.strip()[-500:],
    }


def time_copy(url: str, directory: Path, *, with_schema: bool) -> dict:
    spend = directory / "spend.csv"
    with open(spend, encoding="utf-8-sig") as handle:
        header = handle.readline().strip().split(",")
    unknown = set(header) - SPEND_COLUMNS
    if unknown:
        raise RuntimeError(f"spend.csv has columns the bare table lacks: {sorted(unknown)}")
    psql(url, "-c", "DROP TABLE IF EXISTS bare")
    psql(
        url,
        "-c",
        "CREATE TABLE bare(project text, spent_on date, amount numeric, category text, note text)",
    )
    started = time.perf_counter()
    psql(
        url,
        "-c",
        f"\\copy bare({', '.join(header)}) FROM '{spend}' WITH (FORMAT csv, HEADER true)",
    )
    elapsed = time.perf_counter() - started
    copied = int(psql(url, "-A", "-t", "-c", "SELECT count(*) FROM bare").stdout.strip())
    result = {"seconds": elapsed, "rows": copied}
    if with_schema:
        result["into_schema_s"] = time_insert_into_schema(url)
    psql(url, "-c", "DROP TABLE bare")
    return result


def time_insert_into_schema(url: str) -> float:
    """From the bare table into a copy of the real spend table: its indexes, checks and keys.

    What loading the rows costs in SQL alone once they must land in the app's schema
    (keys resolved to project ids, every index maintained); informational.
    """
    psql(
        url,
        "-c",
        "DROP TABLE IF EXISTS spend_like",
        "-c",
        "CREATE TABLE spend_like (LIKE portfolio_spendentry INCLUDING ALL)",
        "-c",
        "ALTER TABLE spend_like ADD FOREIGN KEY (project_id) REFERENCES portfolio_project (id)"
        " DEFERRABLE INITIALLY DEFERRED",
        "-c",
        "ALTER TABLE spend_like ADD FOREIGN KEY (recorded_by_id) REFERENCES portfolio_user (id)"
        " DEFERRABLE INITIALLY DEFERRED",
    )
    started = time.perf_counter()
    psql(
        url,
        "-c",
        "INSERT INTO spend_like (project_id, spent_on, amount, category, note, recorded_at)"
        " SELECT p.id, b.spent_on, b.amount, b.category, coalesce(b.note, ''), now()"
        " FROM bare b JOIN portfolio_project p ON p.key = b.project",
    )
    elapsed = time.perf_counter() - started
    psql(url, "-c", "DROP TABLE spend_like")
    return elapsed


TABLE_COUNTS_SQL = (
    "SELECT 'projects', count(*) FROM portfolio_project"
    " UNION ALL SELECT 'gate_decisions', count(*) FROM gates_gatedecision"
    " UNION ALL SELECT 'spend', count(*) FROM portfolio_spendentry"
    " UNION ALL SELECT 'spend_months', count(*) FROM portfolio_spendmonth"
    " UNION ALL SELECT 'outcomes', count(*) FROM portfolio_outcome"
)


def table_counts(url: str) -> dict:
    out = psql(url, "-A", "-t", "-F", "\t", "-c", TABLE_COUNTS_SQL).stdout
    return {k: int(v) for k, v in (line.split("\t") for line in out.strip().splitlines())}


def lower_bound(url: str, as_of: str, raw: bool, repeat: int) -> dict:
    """Run the lower-bound SQL `repeat` + 1 times in one psql session; the first warms up."""
    script = "\\o /dev/null\n\\timing on\n" + f"\\i {LOWER_BOUND_SQL}\n" * (repeat + 1)
    out = psql(
        url, "-v", f"as_of={as_of}", "-v", f"raw={'true' if raw else 'false'}", stdin=script
    ).stdout
    timings = parse_psql_timings(out)
    per_run = len(timings) // (repeat + 1)
    if per_run == 0 or len(timings) % (repeat + 1):
        raise RuntimeError(f"unexpected psql timing output:\n{out[-2000:]}")
    runs = [timings[i * per_run : (i + 1) * per_run] for i in range(1, repeat + 1)]
    totals = [sum(run) for run in runs]
    return {
        "statements": per_run,
        "median_ms": statistics.median(totals),
        "min_ms": min(totals),
        "per_statement_median_ms": [
            statistics.median(run[i] for run in runs) for i in range(per_run)
        ],
    }


def lower_bound_headline(url: str, as_of: str, raw: bool) -> dict:
    out = psql(
        url,
        "-A",
        "-t",
        "-F",
        "|",
        "-v",
        f"as_of={as_of}",
        "-v",
        f"raw={'true' if raw else 'false'}",
        "-f",
        str(LOWER_BOUND_SQL),
    )
    first = out.stdout.strip().splitlines()[0].split("|")
    names = ["projects", "active", "on_hold", "greenlit", "killed", "cumulative_spend"]
    return {name: float(value) for name, value in zip(names, first[1:7], strict=True)}
