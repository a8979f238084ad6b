"""The benchmark's configuration and plumbing: paths, targets, processes, PostgreSQL admin."""

from __future__ import annotations

import argparse
import datetime
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
DATA = BENCH / "data"
LOWER_BOUND_SQL = BENCH / "dashboard_lower_bound.sql"
WRK_SCRIPT = BENCH / "wrk_report.lua"

EXECUTIVE_EMAIL = "bench-executive@example.com"
SPEND_COLUMNS = {"project", "spent_on", "amount", "category", "note"}

# What the issue asks, judged at the largest size (1M spend rows).
TARGETS = {
    "dashboard_p95_ms": 150.0,
    "dashboard_growth": 1.5,
    "page_p95_ms": 100.0,
    "dashboard_rps": 100.0,
    "plan_p95_ms": 150.0,
    "import_vs_copy": 3.0,
    "import_rss_mb": 300.0,
    "workbook_vs_csv": 3.0,  # the .xlsx import against the CSV import (issue 18)
    "workbook_rss_mb": 300.0,
}

PAGES = (
    # (name, label, target kind): the dashboard and its API are measured with their
    # per-data-version cache hit ("cached") and missed ("uncached").
    ("dashboard_uncached", "Dashboard `/dashboard/` uncached", "dashboard"),
    ("dashboard", "Dashboard `/dashboard/` cached", "dashboard"),
    ("api_metrics_uncached", "JSON API `/api/metrics` uncached", None),
    ("api_metrics", "JSON API `/api/metrics` cached", None),
    ("project_list", "Project list `/projects/`", "page"),
    ("project_page", "Project page `/projects/<key>/`", "page"),
    ("gate_review", "Gate review `/projects/<key>/gate-review/`", "page"),
    # The planner's what-if: a pin changed, the plan ranked and funded again (the inputs
    # read from the database once per data version: "uncached" pays that read too).
    ("plan", "Plan what-if `/plan/?budget=…&pin_in=<key>` (htmx)", "plan"),
    ("plan_uncached", "Plan what-if `/plan/?…` uncached", None),
)
LOADED_PAGES = ("dashboard", "project_list", "project_page", "gate_review", "plan")
# Pages whose results the app caches per data version: measured both ways.
CACHED_PAGES = ("dashboard", "api_metrics", "plan")


@dataclass
class Config:
    sizes: list[int]
    projects: int
    seed: int
    years: int
    workers: int
    clients: int
    duration: int
    requests: int
    max_seconds: float
    sql_repeat: int
    profile_repeat: int
    smoke: bool
    output: Path
    keep_databases: bool
    report_only: bool = False
    no_workbook: bool = False  # skip the .xlsx import (issue 18)
    python: str = sys.executable
    end: str = field(default_factory=lambda: datetime.datetime.now(datetime.UTC).date().isoformat())


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- small pure helpers ---------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def size_label(rows: int) -> str:
    if rows >= 1_000_000 and rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    if rows >= 1_000 and rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        factor = 1
        if part.endswith("k"):
            factor, part = 1_000, part[:-1]
        elif part.endswith("m"):
            factor, part = 1_000_000, part[:-1]
        try:
            value = int(float(part) * factor)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a size: {part!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError("sizes must be positive")
        sizes.append(value)
    if not sizes:
        raise argparse.ArgumentTypeError("no sizes given")
    return sorted(set(sizes))


def parse_time_v(stderr: str) -> dict:
    """Peak RSS (kB) and wall seconds from GNU time -v output."""
    found = {}
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    if match:
        found["max_rss_kb"] = int(match.group(1))
    match = re.search(r"Elapsed \(wall clock\) time[^:]*: ([\d:.]+)", stderr)
    if match:
        seconds = 0.0
        for part in match.group(1).split(":"):
            seconds = seconds * 60 + float(part)
        found["wall_s"] = seconds
    return found


def parse_psql_timings(output: str) -> list[float]:
    return [float(m) for m in re.findall(r"^Time: ([\d.]+) ms", output, flags=re.MULTILINE)]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def fmt_s(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}×"


# --- processes ------------------------------------------------------------------------------


def run(cmd: list[str], *, env: dict | None = None, check: bool = True, **kw):
    result = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False, **kw
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd[:4])}... exited {result.returncode}:\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        )
    return result


def django_env(database_url: str, secret_key: str) -> dict:
    """Production settings (DEBUG off), over plain http on the loopback."""
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="portfolio.settings",
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        SECURE_HSTS_PRELOAD="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def psql(url: str, *args: str, stdin: str | None = None, check: bool = True):
    return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, *args], input=stdin, check=check)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces, so split after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- PostgreSQL -----------------------------------------------------------------------------


def server_facts(url: str) -> dict:
    names = [
        "server_version",
        "shared_buffers",
        "work_mem",
        "effective_cache_size",
        "max_wal_size",
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "wal_level",
        "jit",
    ]
    # The names travel as a psql variable (quoted by psql), not in the SQL text.
    out = psql(
        url,
        "-A",
        "-t",
        "-F",
        "\t",
        "-v",
        f"names={','.join(names)}",
        stdin="SELECT name, setting, unit FROM pg_settings"
        " WHERE name = ANY(string_to_array(:'names', ','));",
    ).stdout
    facts = {}
    for line in out.strip().splitlines():
        name, setting, unit = (line.split("\t") + ["", ""])[:3]
        facts[name] = pretty_setting(setting, unit)
    return facts


def pretty_setting(setting: str, unit: str) -> str:
    sizes = {"8kB": 8 * 1024, "kB": 1024, "MB": 1024**2}
    if unit in sizes and setting.isdigit():
        size = int(setting) * sizes[unit]
        if size >= 1024**3 and size % 1024**3 == 0:
            return f"{size // 1024**3}GB"
        return f"{size // 1024**2}MB"
    return setting + (unit or "")


def make_durable(url: str) -> None:
    """Production durability on the throwaway cluster (made for tests with fsync off).

    fsync, full_page_writes and synchronous_commit need only a reload;
    wal_level stays as the cluster started (minimal), which needs a restart.
    """
    psql(
        url,
        "-c",
        "ALTER SYSTEM SET fsync = on",
        "-c",
        "ALTER SYSTEM SET full_page_writes = on",
        "-c",
        "ALTER SYSTEM SET synchronous_commit = on",
        "-c",
        "SELECT pg_reload_conf()",
    )
    time.sleep(0.5)


def recreate_database(admin_url: str, name: str) -> None:
    psql(admin_url, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(admin_url, "-c", f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    psql(admin_url, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', check=False)
