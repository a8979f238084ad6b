"""Where a page's time goes: SQL against Python, in-process, for bench/run.

Run by bench/run with the benchmark's environment (settings from the
environment, DATABASE_URL of the size being measured):

    python bench/profile_pages.py --email E --repeat 5 /dashboard/ /projects/

For each URL it renders the page through django.test.Client (signed in as E)
once to warm up, then ``--repeat`` times with every SQL statement timed,
and once more under cProfile. Before each measured rendering it changes the
data version, so that the dashboard's cached results are computed again: the
profile shows what a request costs when it computes. It prints one JSON document: per URL the median
time, the number of queries, their total time, the slowest statements, and
the functions with the most own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    import django

    django.setup()


def _top_functions(profile: cProfile.Profile, limit: int) -> list[dict]:
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = []
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in stats.stats.items():
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({name})",
                "calls": calls,
                "own_ms": round(own * 1000, 2),
                "cumulative_ms": round(cumulative * 1000, 2),
            }
        )
    rows.sort(key=lambda row: row["own_ms"], reverse=True)
    return rows[:limit]


def _short(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


class QueryTimer:
    """Times every statement on the connection (finer than the debug cursor's milliseconds)."""

    def __init__(self) -> None:
        self.queries: list[dict] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append({"sql": sql, "seconds": time.perf_counter() - started})


def _uncache() -> None:
    """Change the data version, so that cached dashboard results are computed again."""
    try:
        from portfolio import versioning
    except ImportError:  # an app without result caches
        return
    versioning.bump()


def profile_url(client, url: str, repeat: int) -> dict:
    from django.db import connection

    response = client.get(url)
    if response.status_code != 200:
        return {"url": url, "error": f"HTTP {response.status_code}"}
    runs = []
    for _ in range(max(1, repeat)):
        _uncache()
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            client.get(url)
            elapsed = time.perf_counter() - started
        sql_seconds = sum(q["seconds"] for q in timer.queries)
        runs.append((elapsed, sql_seconds, timer.queries))
    runs.sort(key=lambda run: run[0])
    elapsed, sql_seconds, queries = runs[len(runs) // 2]
    slowest = sorted(queries, key=lambda q: q["seconds"], reverse=True)[:5]
    _uncache()
    profile = cProfile.Profile()
    profile.enable()
    client.get(url)
    profile.disable()
    return {
        "url": url,
        "median_ms": round(elapsed * 1000, 2),
        "queries": len(queries),
        "sql_ms": round(sql_seconds * 1000, 2),
        "python_ms": round((elapsed - sql_seconds) * 1000, 2),
        "slowest_queries": [
            {"ms": round(q["seconds"] * 1000, 2), "sql": q["sql"][:1500]} for q in slowest
        ],
        "top_functions": _top_functions(profile, 12),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--email", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    _setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(email=args.email)
    client = Client()
    client.force_login(user)
    results = [profile_url(client, url, args.repeat) for url in args.urls]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
