"""The HTTP side of the benchmark: gunicorn, a signed-in executive, sequential and concurrent
load (wrk, or Python threads without it), and the in-process page profiles."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import signal
import statistics
import subprocess
import threading
import time
from pathlib import Path

from common import (
    BENCH,
    EXECUTIVE_EMAIL,
    ROOT,
    WRK_SCRIPT,
    Config,
    children_of,
    free_port,
    peak_rss_mb,
    percentile,
    run,
)


def sign_in_executive(cfg: Config, env: dict) -> dict:
    """An Executive and a server-side session for them; the open project with most spend."""
    code = f"""
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from portfolio.models import Project, User
user, _ = User.objects.get_or_create(email={EXECUTIVE_EMAIL!r}, defaults={{"full_name": "Bench Executive"}})
user.set_unusable_password()
user.save()
user.groups.add(Group.objects.get(name="Executive"))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
project = None
for status in ("active", "on_hold"):
    project = (Project.objects.filter(status=status).annotate(n=Count("spend_entries"))
               .order_by("-n", "key").values("key", "n", "status", "current_gate").first())
    if project:
        break
# The planner needs asks: a generated portfolio without them gets one per active project.
from decimal import Decimal
from django.db.models import F, Sum
Project.objects.filter(status="active", next_stage_ask__isnull=True).update(
    next_stage_ask=F("projected_expected") * Decimal("0.15"))
asked = Project.objects.filter(status="active").aggregate(total=Sum("next_stage_ask"))["total"] or 0
plan_budget = int(Decimal(asked) * Decimal("0.45")) or 1000000
print("BENCH-SESSION " + json.dumps({{"cookie": f"{{settings.SESSION_COOKIE_NAME}}={{session.session_key}}",
                                      "project": project, "plan_budget": plan_budget}}))
"""
    out = run([cfg.python, "manage.py", "shell", "-c", code], env=env).stdout
    match = re.search(r"^BENCH-SESSION (.*)$", out, flags=re.MULTILINE)
    if not match:
        raise RuntimeError(f"could not sign the executive in: {out[-1000:]}")
    return json.loads(match.group(1))


class Gunicorn:
    def __init__(self, cfg: Config, env: dict, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)  # bench/out is not in a fresh clone
        self.log_file = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                cfg.python,
                # gunicorn as the Procfile's web starts it: a bad WEB_CONCURRENCY in the
                # environment is refused in one line, not with gunicorn's traceback.
                str(ROOT / "scripts" / "web.py"),
                # The production settings (limits, forwarded_allow_ips); the flags below win.
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "portfolio.wsgi:application",
                "--workers",
                str(cfg.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /health in {timeout}s; see {self.log_path}")

    def workers_peak_rss_mb(self) -> float | None:
        values = [peak_rss_mb(pid) for pid in children_of(self.process.pid)]
        values = [v for v in values if v]
        return max(values) if values else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def fetch(port: int, path: str, cookie: str, conn=None):
    """One GET with a (reused when the server allows it) connection: (status, body, seconds, conn)."""
    if conn is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    headers = {"Cookie": cookie, "Accept": "text/html"}
    if path.startswith("/plan/"):
        headers["HX-Request"] = "true"  # the what-if swaps the plan region in place
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.will_close:
        conn.close()  # http.client reopens it on the next request
    return response.status, body, elapsed, conn


def sequential(
    port: int, path: str, cookie: str, count: int, max_seconds: float, before_each=None
) -> dict:
    """`count` requests one after the other (bounded in time); `before_each` runs untimed."""
    status, body, _, conn = fetch(port, path, cookie)
    if status != 200:
        conn.close()
        return {"error": f"HTTP {status}", "body": body[:300].decode("utf-8", "replace")}
    times = []
    deadline = time.monotonic() + max_seconds
    while len(times) < count and (time.monotonic() < deadline or len(times) < 5):
        if before_each:
            before_each()
        status, body, elapsed, conn = fetch(port, path, cookie, conn)
        if status != 200:
            conn.close()
            return {"error": f"HTTP {status} after {len(times)} requests"}
        times.append(elapsed * 1000)
    conn.close()
    return {
        "requests": len(times),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "max_ms": max(times),
        "mean_ms": statistics.fmean(times),
        "bytes": len(body),
    }


def load_wrk(port: int, path: str, cookie: str, clients: int, seconds: int) -> dict:
    threads = max(1, min(2, clients))
    result = run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "60s",
            "-s",
            str(WRK_SCRIPT),
            "-H",
            f"Cookie: {cookie}",
            *(["-H", "HX-Request: true"] if path.startswith("/plan/") else []),
            f"http://127.0.0.1:{port}{path}",
        ]
    )
    match = re.search(r"^BENCH-WRK (.*)$", result.stdout, flags=re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no report:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(match.group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    errors = sum(raw[k] for k in raw if k.startswith("errors_")) + (
        int(non_2xx.group(1)) if non_2xx else 0
    )
    return {
        "tool": "wrk",
        "requests": raw["requests"],
        "seconds": raw["duration_us"] / 1e6,
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": errors,
    }


def load_threads(port: int, path: str, cookie: str, clients: int, seconds: int) -> dict:
    """Fallback when wrk is not installed: client threads, each with its own connection."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = None
        while time.monotonic() < deadline:
            try:
                status, _, elapsed, conn = fetch(port, path, cookie, conn)
            except OSError:
                with lock:
                    errors[0] += 1
                conn = None
                continue
            with lock:
                if status == 200:
                    times.append(elapsed * 1000)
                else:
                    errors[0] += 1

    started = time.monotonic()
    pool = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(seconds + 130)
    elapsed = time.monotonic() - started
    if not times:
        return {"error": "no successful request"}
    return {
        "tool": "python threads (wrk not installed)",
        "requests": len(times),
        "seconds": elapsed,
        "rps": len(times) / elapsed,
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "p99_ms": percentile(times, 99),
        "max_ms": max(times),
        "errors": errors[0],
    }


class DataVersion:
    """Changes the portfolio's data version, which the app's result caches are keyed by.

    The dashboard and /api/metrics cache their results per process and data
    version (portfolio/versioning.py). Bumping the version before a request
    makes it compute from the database, as the first request after any change
    does: "uncached" below. Without such a table every request is uncached.
    """

    TABLE = "portfolio_dataversion"

    def __init__(self, url: str):
        import psycopg

        self._connect = lambda: psycopg.connect(url, autocommit=True)
        with self._connect() as conn:
            self.exists = bool(conn.execute("SELECT to_regclass(%s)", [self.TABLE]).fetchone()[0])
        self._conn = self._connect() if self.exists else None

    def bump(self, conn=None) -> None:
        if not self.exists:
            return
        (conn or self._conn).execute(
            "INSERT INTO portfolio_dataversion (id, number) VALUES (1, 1) ON CONFLICT (id) "
            "DO UPDATE SET number = portfolio_dataversion.number + 1"
        )

    def bumping(self, every: float = 0.01):
        """A context manager that bumps the version every `every` seconds (under load)."""
        bumper = self

        class _Bumping:
            def __enter__(self):
                self.stop = threading.Event()
                self.thread = threading.Thread(target=self.run, daemon=True)
                self.thread.start()

            def run(self):
                if not bumper.exists:
                    return
                with bumper._connect() as conn:
                    while not self.stop.wait(every):
                        bumper.bump(conn)

            def __exit__(self, *exc):
                self.stop.set()
                self.thread.join(10)

        return _Bumping()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def drain(port: int, workers: int, timeout: float = 180) -> float:
    """Wait until the server has finished the requests left queued by a load run."""
    started = time.monotonic()
    fast = 0
    while fast < 2 * workers and time.monotonic() - started < timeout:
        status, _, elapsed, conn = fetch(port, "/health", "")
        conn.close()
        fast = fast + 1 if status == 200 and elapsed < 0.05 else 0
        if not fast:
            time.sleep(0.1)
    return time.monotonic() - started


def load(port: int, path: str, cookie: str, clients: int, seconds: int) -> dict:
    if shutil.which("wrk"):
        return load_wrk(port, path, cookie, clients, seconds)
    return load_threads(port, path, cookie, clients, seconds)


def check_against_api(port: int, cookie: str, as_of: str, sql_headline: dict) -> dict:
    status, body, _, conn = fetch(port, f"/api/metrics?as_of={as_of}", cookie)
    conn.close()
    if status != 200:
        return {"checked": False, "why": f"/api/metrics answered HTTP {status}"}
    try:
        headline = json.loads(body)["headline"]
    except (ValueError, KeyError) as error:
        return {"checked": False, "why": f"/api/metrics: {error!r}"}
    differences = {
        name: {"sql": value, "app": headline.get(name)}
        for name, value in sql_headline.items()
        if headline.get(name) is None or abs(float(headline[name]) - value) > 0.005
    }
    return {"checked": True, "agrees": not differences, "differences": differences}


def profile_pages(cfg: Config, env: dict, urls: list[str]) -> list[dict]:
    result = run(
        [
            cfg.python,
            str(BENCH / "profile_pages.py"),
            "--email",
            EXECUTIVE_EMAIL,
            "--repeat",
            str(cfg.profile_repeat),
            *urls,
        ],
        env=env,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
