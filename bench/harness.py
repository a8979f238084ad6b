"""Greenlight's benchmark (issue 6): import, pages under gunicorn, raw SQL lower bound.

Run through ``bench/run`` (``make bench``, ``make bench-smoke``), which gives it a
PostgreSQL in DATABASE_URL. For each size (number of spend rows) it:

1. generates a seeded portfolio (``manage.py generate_portfolio``);
2. migrates a fresh database and times ``manage.py import_portfolio`` with its
   peak resident memory, then times ``psql \\copy`` of the same spend.csv into a
   bare table (the physical limit of loading those rows);
3. serves the app with gunicorn (production settings, several workers), signs
   an executive in, and measures the dashboard, the project list, a project
   page and its gate review: sequentially (one keep-alive client) and with 16
   concurrent clients (wrk, bounded in time, loopback only);
4. runs the dashboard's aggregates directly in psql (bench/dashboard_lower_bound.sql);
5. profiles each page in-process (queries, SQL time, Python time).

It writes bench/RESULTS.md (``--smoke``: bench/out/RESULTS-smoke.md) with the
machine, the sizes and one table with every figure, the ratios and the targets,
and the raw figures as JSON in bench/out/.

This file runs the sizes one after another; the work is split by concern:
``common.py`` (configuration, targets, processes, PostgreSQL admin), ``data.py``
(generating, importing, the raw SQL bounds), ``load.py`` (gunicorn, the HTTP
load, the page profiles) and ``report.py`` (RESULTS.md).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import sys
import time
from pathlib import Path

from common import (
    BENCH,
    CACHED_PAGES,
    DATA,
    LOADED_PAGES,
    OUT,
    Config,
    database_name,
    django_env,
    drop_database,
    log,
    make_durable,
    parse_sizes,
    psql,
    recreate_database,
    run,
    server_facts,
    size_label,
    with_database,
)
from data import generate, lower_bound, lower_bound_headline, table_counts, time_copy, time_import
from load import (
    DataVersion,
    Gunicorn,
    check_against_api,
    drain,
    fetch,
    load,
    profile_pages,
    sequential,
    sign_in_executive,
)
from report import write_report
from workbook import workbook_from

# --- one size -------------------------------------------------------------------------------


def bench_size(cfg: Config, rows: int, admin_url: str, secret_key: str) -> dict:
    label = size_label(rows)
    result: dict = {"spend_rows": rows, "label": label, "errors": []}
    result["load_average_at_start"] = os.getloadavg()
    db_name = f"{database_name(admin_url)}_bench_{label.lower()}"
    url = with_database(admin_url, db_name)
    env = django_env(url, secret_key)

    log(f"{label}: generating {cfg.projects} projects, {rows} spend rows (seed {cfg.seed})")
    directory, result["generate"] = generate(cfg, rows, env)

    log(f"{label}: fresh database {db_name}, migrate")
    recreate_database(admin_url, db_name)
    started = time.perf_counter()
    run([cfg.python, "manage.py", "migrate", "--noinput"], env=env)
    result["migrate_s"] = time.perf_counter() - started

    log(f"{label}: import_portfolio")
    try:
        result["import"] = time_import(cfg, directory, env)
    except RuntimeError as error:
        result["errors"].append(f"import: {error}")
        log(f"{label}: import failed: {str(error)[:300]}")
    log(f"{label}: psql \\copy of spend.csv into a bare table")
    result["copy"] = time_copy(url, directory, with_schema="import" in result)
    if "import" not in result:
        return result
    result["counts"] = table_counts(url)

    started = time.perf_counter()
    psql(url, "-c", "VACUUM ANALYZE")
    result["vacuum_analyze_s"] = time.perf_counter() - started

    session = sign_in_executive(cfg, env)
    cookie, project = session["cookie"], session["project"]
    result["project"] = project
    paths = {
        "dashboard": "/dashboard/",
        "api_metrics": "/api/metrics",
        "project_list": "/projects/",
    }
    if project:
        paths["project_page"] = f"/projects/{project['key']}/"
        paths["gate_review"] = f"/projects/{project['key']}/gate-review/"
        paths["plan"] = f"/plan/?budget={session['plan_budget']}&pin_in={project['key']}"
    result["paths"] = paths

    log(f"{label}: gunicorn with {cfg.workers} workers")
    server = Gunicorn(cfg, env, OUT / f"gunicorn-{label}.log")
    try:
        server.wait_ready()
        result["sequential"], result["concurrent"] = {}, {}
        version = DataVersion(url)
        result["cache_versioned"] = version.exists
        plan = [(name, path, False) for name, path in paths.items()]
        plan += [(f"{name}_uncached", paths[name], True) for name in CACHED_PAGES if name in paths]
        for name, path, uncached in plan:
            # Warm every worker (connections, templates, caches of the process).
            for _ in range(2 * cfg.workers):
                status, _, _, conn = fetch(server.port, path, cookie)
                conn.close()
            log(f"{label}: sequential {path}{' (uncached)' if uncached else ''}")
            result["sequential"][name] = sequential(
                server.port,
                path,
                cookie,
                cfg.requests,
                cfg.max_seconds,
                before_each=version.bump if uncached else None,
            )
            if "error" in result["sequential"][name]:
                result["errors"].append(f"{path}: {result['sequential'][name]['error']}")
        loaded = [(name, paths[name], False) for name in LOADED_PAGES if name in paths]
        loaded.insert(1, ("dashboard_uncached", paths["dashboard"], True))
        for name, path, uncached in loaded:
            if "error" in result["sequential"].get(name, {}):
                continue
            log(
                f"{label}: {cfg.clients} clients for {cfg.duration}s on {path}"
                + (" (data version bumped every 10 ms)" if uncached else "")
            )
            if not uncached:
                # Every worker computes its cached results before the measured run.
                load(server.port, path, cookie, 2 * cfg.workers, 1 if cfg.smoke else 3)
                drain(server.port, cfg.workers)
            if uncached:
                with version.bumping():
                    measured = load(server.port, path, cookie, cfg.clients, cfg.duration)
            else:
                measured = load(server.port, path, cookie, cfg.clients, cfg.duration)
            if not measured.get("requests"):
                measured = {"error": f"no response within {cfg.duration} s"}
                result["errors"].append(f"{path} under load: {measured['error']}")
            result["concurrent"][name] = measured
            # Requests still queued when the load tool stopped would slow the next page.
            result.setdefault("drain_s", {})[name] = drain(server.port, cfg.workers)
        version.close()
        result["gunicorn_worker_peak_rss_mb"] = server.workers_peak_rss_mb()

        as_of = cfg.end
        log(f"{label}: raw SQL lower bound (as of {as_of})")
        result["lower_bound"] = lower_bound(url, as_of, raw=False, repeat=cfg.sql_repeat)
        result["lower_bound_raw"] = lower_bound(url, as_of, raw=True, repeat=cfg.sql_repeat)
        for raw in (False, True):
            result["lower_bound_raw_check" if raw else "lower_bound_check"] = check_against_api(
                server.port, cookie, as_of, lower_bound_headline(url, as_of, raw)
            )
    finally:
        server.stop()

    if cfg.profile_repeat:
        log(f"{label}: in-process profile of each page")
        try:
            result["profile"] = profile_pages(cfg, env, list(paths.values()))
        except RuntimeError as error:
            result["errors"].append(f"profile: {error}")
    if not cfg.keep_databases:
        drop_database(admin_url, db_name)
    if not cfg.no_workbook:
        bench_workbook(cfg, directory, admin_url, db_name, env, result)
    shutil.rmtree(directory, ignore_errors=True)
    return result


def bench_workbook(
    cfg: Config, directory: Path, admin_url: str, db_name: str, env: dict, result: dict
) -> None:
    """The same portfolio as an .xlsx workbook, imported into a fresh database of its own
    (issue 18: within 3× the CSV import's time, under 300 MB)."""
    label = result["label"]
    log(f"{label}: the CSV files as an .xlsx workbook (shared strings, as Excel saves one)")
    path, result["workbook_write"] = workbook_from(directory)
    xlsx_db = f"{db_name}_xlsx"
    recreate_database(admin_url, xlsx_db)
    xlsx_env = {**env, "DATABASE_URL": with_database(admin_url, xlsx_db)}
    run([cfg.python, "manage.py", "migrate", "--noinput"], env=xlsx_env)
    log(f"{label}: import_portfolio {path.name}")
    try:
        result["workbook_import"] = time_import(cfg, path, xlsx_env)
    except RuntimeError as error:
        result["errors"].append(f"workbook import: {error}")
        log(f"{label}: workbook import failed: {str(error)[:300]}")
    if not cfg.keep_databases:
        drop_database(admin_url, xlsx_db)


# --- the machine ----------------------------------------------------------------------------


def machine_facts(admin_url: str) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 1024**2
    except OSError:
        pass
    os_name = platform.system()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    import django
    import gunicorn
    import psycopg

    wrk = shutil.which("wrk")
    wrk_version = None
    if wrk:
        first = run(["wrk", "--version"], check=False)
        wrk_version = (first.stdout or first.stderr).splitlines()[0].split(" Copyright")[0]
    commit = run(["git", "rev-parse", "--short", "HEAD"], check=False).stdout.strip()
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no"], check=False).stdout
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram,
        "os": f"{os_name}, Linux {platform.release()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "psycopg": psycopg.__version__,
        "load_tool": wrk_version or "python threads (wrk not installed)",
        "commit": commit + (" (with uncommitted changes)" if dirty.strip() else ""),
        "postgres": server_facts(admin_url),
    }


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> Config:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="Greenlight's benchmark: import, pages under gunicorn and raw SQL, per size.",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=None,
        help="spend rows per portfolio, comma-separated (default 10000,100000,1000000; 10k, 1M work)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny and quick (2,000 spend rows, 50 projects, short load): checks that it runs;"
        " writes bench/out/RESULTS-smoke.md",
    )
    parser.add_argument("--projects", type=int, default=None, help="projects (default 5000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--years", type=int, default=10, help="span of the portfolio (default 10)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--duration", type=int, default=None, help="seconds of load per page")
    parser.add_argument("--requests", type=int, default=None, help="sequential requests per page")
    parser.add_argument("--output", type=Path, default=None, help="report file")
    parser.add_argument(
        "--keep-databases", action="store_true", help="leave each size's database for inspection"
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the in-process profile")
    parser.add_argument(
        "--no-workbook",
        action="store_true",
        help="skip importing the same portfolio as an .xlsx workbook",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: write the report again from bench/out/results-<size>.json"
        " (after editing bench/analysis.md)",
    )
    args = parser.parse_args(argv)
    smoke = args.smoke
    return Config(
        sizes=args.sizes or ([2_000] if smoke else [10_000, 100_000, 1_000_000]),
        projects=args.projects or (50 if smoke else 5_000),
        seed=args.seed,
        years=args.years,
        workers=args.workers,
        clients=args.clients,
        duration=args.duration or (2 if smoke else 10),
        requests=args.requests or (10 if smoke else 100),
        max_seconds=10 if smoke else 60,
        sql_repeat=2 if smoke else 10,
        profile_repeat=0 if args.no_profile else (1 if smoke else 5),
        smoke=smoke,
        output=(
            args.output or (OUT / "RESULTS-smoke.md" if smoke else BENCH / "RESULTS.md")
        ).resolve(),
        keep_databases=args.keep_databases,
        report_only=args.report_only,
        no_workbook=args.no_workbook,
    )


def rewrite_report(cfg: Config) -> int:
    saved = []
    for rows in cfg.sizes:
        path = OUT / f"results-{'smoke' if cfg.smoke else size_label(rows)}.json"
        if not path.exists():
            print(f"bench: {path} is missing: run the benchmark first", file=sys.stderr)
            return 2
        saved.append(json.loads(path.read_text()))
    first = saved[0]["config"]
    for name in ("projects", "seed", "years", "workers", "clients", "duration", "requests"):
        setattr(cfg, name, first[name])
    cfg.max_seconds, cfg.sql_repeat, cfg.end = (
        first["max_seconds"],
        first["sql_repeat"],
        first["end"],
    )
    write_report(cfg, saved[-1]["machine"], [s["result"] for s in saved], cfg.output)
    print(f"bench: wrote {cfg.output}")
    return 0


def main(argv: list[str]) -> int:
    cfg = parse_args(argv)
    if cfg.report_only:
        return rewrite_report(cfg)
    admin_url = os.environ.get("DATABASE_URL", "")
    if not admin_url.startswith(("postgres://", "postgresql://")):
        print(
            "bench: DATABASE_URL must name a PostgreSQL database (bench/run starts one)",
            file=sys.stderr,
        )
        return 2
    if not shutil.which("psql"):
        print("bench: psql not found (install postgresql-client)", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    if os.environ.get("PG_THROWAWAY_DIR") and not cfg.smoke:
        log("throwaway PostgreSQL: turning fsync, full_page_writes, synchronous_commit on")
        make_durable(admin_url)
    machine = machine_facts(admin_url)
    secret_key = secrets.token_urlsafe(50)
    results = []
    for rows in cfg.sizes:
        result = bench_size(cfg, rows, admin_url, secret_key)
        results.append(result)
        stamp = "smoke" if cfg.smoke else size_label(rows)
        (OUT / f"results-{stamp}.json").write_text(
            json.dumps(
                {"machine": machine, "config": cfg.__dict__, "result": result},
                indent=1,
                default=str,
            )
        )
        # Written after every size, so a long run shows its figures as they come.
        write_report(cfg, machine, results, cfg.output)
        log(f"{size_label(rows)} done; report in {cfg.output}")
    failed = [e for r in results for e in r.get("errors", [])]
    print(cfg.output.read_text())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
