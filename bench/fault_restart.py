"""Fault test (issue 7): PostgreSQL restarts under load; nothing committed is lost.

Run by ``bench/fault-restart`` inside a throwaway cluster (scripts/pg-throwaway
exports DATABASE_URL and PG_THROWAWAY_DIR). gunicorn serves the app with
production settings; for a bounded time:

- wrk (loopback only) reads the dashboard as an executive;
- writer threads record spend (as the researcher) and hold decisions (as the
  product manager) through the real forms, each writer on its own projects;
- a probe reads /health every 50 ms.

Half-way, PostgreSQL is restarted (``pg_ctl restart -m fast``). Afterwards the
script checks that errors happened only while the database was down (plus a
short grace for the first request on each stale connection), that the app
recovered without being restarted (same gunicorn master, /health 200), and that
every write the app confirmed (a redirect after the POST) is in the database,
counted row by row. It writes ``bench/FAULTS.md`` (or the --out file).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import common  # noqa: E402  (bench/common.py: processes and the environment)
import load  # noqa: E402  (bench/load.py: gunicorn)

CSRF = "f" * 16 + secrets.token_hex(8)  # a 32-character unmasked CSRF secret
RESEARCHER = "fault-researcher@bench.greenlight"
PM = "fault-pm@bench.greenlight"
GRACE_SECONDS = 2.0


def log(message: str) -> None:
    print(f"[fault {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


SETUP = """
import datetime, json
from decimal import Decimal
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from portfolio.models import Project, User

def person(email, role):
    user, _ = User.objects.get_or_create(email=email)
    user.groups.add(Group.objects.get(name=role))
    return user

def cookie(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

researcher = person(RESEARCHER, "Researcher")
pm = person(PM, "Product manager")
executive = person("fault-exec@bench.greenlight", "Executive")
keys = []
for n in range(PROJECTS):
    key = f"FAULT-{n:02d}"
    Project.objects.get_or_create(key=key, defaults=dict(
        title=f"Fault test {n}", research_type="applied", bucket="efficiency",
        researcher=researcher, product_manager=pm, submitted_on=datetime.date(2026, 1, 2),
        value_kind="cost_savings", projected_low=Decimal(1), projected_expected=Decimal(2),
        projected_high=Decimal(3), probability_of_success=Decimal("0.5"),
        business_case="b", hypothesis="h", status="active", current_gate=1))
    keys.append(key)
print("FAULT-SETUP " + json.dumps({"researcher": cookie(researcher), "pm": cookie(pm),
                                   "executive": cookie(executive), "keys": keys}))
"""


class Client:
    """One keep-alive connection; reconnects after any error."""

    def __init__(self, port: int, cookie: str):
        self.port = port
        self.cookie = f"{cookie}; csrftoken={CSRF}"
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | None = None) -> int:
        return self.fetch(method, path, form)[0]

    def fetch(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        body = (
            urllib.parse.urlencode({**(form or {}), "csrfmiddlewaretoken": CSRF}) if form else None
        )
        headers = {"Cookie": self.cookie, "Host": "127.0.0.1"}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            body = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, body
        except (OSError, http.client.HTTPException):
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            return 0, b""  # no answer at all


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.events: list[tuple[float, str, int]] = []  # (time, kind, status)

    def add(self, kind: str, status: int) -> None:
        with self.lock:
            self.events.append((time.monotonic(), kind, status))


def spend_writer(
    client: Client, keys: list[str], stop: threading.Event, recorder: Recorder, confirmed: dict
):
    n = 0
    today = datetime.date.today().isoformat()
    while not stop.is_set():
        key = keys[n % len(keys)]
        n += 1
        status = client.request(
            "POST",
            f"/projects/{key}/spend/",
            {"spent_on": today, "amount": "10.00", "category": "compute", "note": "fault-test"},
        )
        recorder.add("spend", status)
        if status == 302:
            with recorder.lock:
                confirmed[key] = confirmed.get(key, 0) + 1


def decision_writer(
    client: Client, keys: list[str], stop: threading.Event, recorder: Recorder, confirmed: dict
):
    n = 0
    today = datetime.date.today().isoformat()
    while not stop.is_set():
        key = keys[n % len(keys)]
        n += 1
        # As a browser does: open the review, then post its form, which carries the number of
        # decisions it was made against (a stale form is refused).
        status, page = client.fetch("GET", f"/projects/{key}/gate-review/")
        seen = re.search(rb'name="decisions_seen" value="(\d+)"', page)
        if status != 200 or not seen:
            recorder.add("decision", status if status != 200 else 599)
            continue
        status = client.request(
            "POST",
            f"/projects/{key}/decide/",
            {
                "gate": "1",
                # A hold: any number may follow one another, and it asks for no kill
                # criteria (a recycle registers new ones and judges the last round's).
                "decision": "hold",
                "decided_on": today,
                "funding_granted": "0",
                "rationale": "fault test",
                "decisions_seen": seen.group(1).decode(),
            },
        )
        recorder.add("decision", status)
        if status == 302:
            with recorder.lock:
                confirmed[key] = confirmed.get(key, 0) + 1


def probe(client: Client, stop: threading.Event, recorder: Recorder):
    while not stop.is_set():
        recorder.add("health", client.request("GET", "/health"))
        time.sleep(0.05)


def pg_ctl(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    bindir = subprocess.run(
        [str(ROOT / "scripts" / "pg-throwaway"), "bindir"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    command = [f"{bindir}/pg_ctl", "--pgdata", str(data_dir), *args]
    if os.geteuid() == 0:
        owner = data_dir.stat().st_uid
        import pwd

        command = ["runuser", "-u", pwd.getpwuid(owner).pw_name, "--", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd="/")


def count_rows(url: str, keys: list[str]) -> dict:
    # The keys travel as a psql variable (quoted by psql), not in the SQL text.
    sql = (
        "SELECT p.key, "
        "(SELECT count(*) FROM portfolio_spendentry s WHERE s.project_id = p.id AND s.note = 'fault-test'), "
        "(SELECT count(*) FROM gates_gatedecision d WHERE d.project_id = p.id), "
        "p.spend_total, p.decisions_count, "
        "(SELECT coalesce(sum(amount), 0) FROM portfolio_spendmonth m WHERE m.project_id = p.id) "
        "FROM portfolio_project p WHERE p.key = ANY(string_to_array(:'keys', ',')) ORDER BY p.key;"
    )
    out = common.psql(url, "-A", "-t", "-F", "\t", "-v", f"keys={','.join(keys)}", stdin=sql).stdout
    rows = {}
    for line in out.strip().splitlines():
        key, spend, decisions, spend_total, decisions_count, rollup = line.split("\t")
        rows[key] = {
            "spend_rows": int(spend),
            "decisions": int(decisions),
            "spend_total": spend_total,
            "decisions_count": int(decisions_count),
            "rollup": rollup,
        }
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=24, help="length of the load (default 24)")
    parser.add_argument(
        "--down-at", type=float, default=8, help="restart PostgreSQL after this many seconds"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--out", type=Path, default=BENCH / "FAULTS.md")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    data_dir = Path(os.environ.get("PG_THROWAWAY_DIR", "")) / "data"
    if not url.startswith("postgres") or not data_dir.is_dir():
        print(
            "bench/fault_restart.py: run it through bench/fault-restart (needs a throwaway PostgreSQL)",
            file=sys.stderr,
        )
        return 2

    python = sys.executable
    env = common.django_env(url, secrets.token_urlsafe(50))
    env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    env["DATABASE_CONN_MAX_AGE"] = "60"  # persistent connections: the hard case for recovery
    log("migrating")
    common.run([python, "manage.py", "migrate", "-v0"], env=env)
    setup = (
        SETUP.replace("RESEARCHER", repr(RESEARCHER))
        .replace("PM", repr(PM))
        .replace("PROJECTS", "12")
    )
    out = common.run([python, "manage.py", "shell", "-c", setup], env=env).stdout
    facts = json.loads(re.search(r"^FAULT-SETUP (.*)$", out, flags=re.MULTILINE).group(1))
    keys = facts["keys"]
    spend_keys, decision_keys = keys[:6], keys[6:]

    cfg = argparse.Namespace(python=python, workers=args.workers)
    server = load.Gunicorn(cfg, env, BENCH / "out" / "fault-gunicorn.log")
    (BENCH / "out").mkdir(exist_ok=True)
    server.wait_ready()
    master_pid = server.process.pid
    log(f"gunicorn up on port {server.port}, pid {master_pid}")

    recorder = Recorder()
    stop = threading.Event()
    confirmed_spend: dict[str, int] = {}
    confirmed_decisions: dict[str, int] = {}
    threads = [
        threading.Thread(
            target=spend_writer,
            args=(
                Client(server.port, facts["researcher"]),
                spend_keys[i::3],
                stop,
                recorder,
                confirmed_spend,
            ),
        )
        for i in range(3)
    ] + [
        threading.Thread(
            target=decision_writer,
            args=(
                Client(server.port, facts["pm"]),
                decision_keys[i::2],
                stop,
                recorder,
                confirmed_decisions,
            ),
        )
        for i in range(2)
    ]
    threads.append(
        threading.Thread(
            target=probe, args=(Client(server.port, facts["executive"]), stop, recorder)
        )
    )

    wrk = subprocess.Popen(
        [
            "wrk",
            "-t1",
            "-c4",
            f"-d{int(args.seconds)}s",
            "--timeout",
            "10s",
            "-H",
            f"Cookie: {facts['executive']}",
            f"http://127.0.0.1:{server.port}/dashboard/",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(args.down_at)
    log("restarting PostgreSQL (pg_ctl restart -m fast)")
    down_from = time.monotonic()
    restart = pg_ctl(
        data_dir,
        "restart",
        "--mode",
        "fast",
        "--wait",
        "--log",
        str(data_dir.parent / "server.log"),
    )
    up_at = time.monotonic()
    log(f"PostgreSQL back after {up_at - down_from:.2f}s (pg_ctl exit {restart.returncode})")
    remaining = args.seconds - (time.monotonic() - started)
    time.sleep(max(remaining, 4))
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    wrk_out, _ = wrk.communicate(timeout=60)
    app_survived = server.process.poll() is None and server.process.pid == master_pid
    final_health = Client(server.port, facts["executive"]).request("GET", "/health")
    server.stop()

    rows = count_rows(url, keys)
    window_end = up_at + GRACE_SECONDS
    errors_in_window = [
        e for e in recorder.events if e[2] not in (200, 302) and down_from <= e[0] <= window_end
    ]
    errors_outside = [
        e
        for e in recorder.events
        if e[2] not in (200, 302) and not (down_from <= e[0] <= window_end)
    ]
    after = [e for e in recorder.events if e[0] > window_end]
    recovered = bool(after) and all(e[2] in (200, 302) for e in after[-20:])

    lost = []
    for key in spend_keys:
        if rows[key]["spend_rows"] < confirmed_spend.get(key, 0):
            lost.append(
                f"{key}: {confirmed_spend.get(key, 0)} spend confirmed, {rows[key]['spend_rows']} stored"
            )
    for key in decision_keys:
        if rows[key]["decisions"] < confirmed_decisions.get(key, 0):
            lost.append(
                f"{key}: {confirmed_decisions.get(key, 0)} decisions confirmed, {rows[key]['decisions']} stored"
            )
    inconsistent = [
        key
        for key, row in rows.items()
        if row["decisions"] != row["decisions_count"]
        or float(row["spend_total"]) != row["spend_rows"] * 10.0
        or float(row["rollup"]) != float(row["spend_total"])
    ]
    by_status: dict[str, int] = {}
    for _, kind, status in recorder.events:
        by_status[f"{kind} {status or 'no answer'}"] = (
            by_status.get(f"{kind} {status or 'no answer'}", 0) + 1
        )
    wrk_summary = " ".join(
        line.strip()
        for line in wrk_out.splitlines()
        if "Requests/sec" in line or "Non-2xx" in line or "errors" in line
    )

    passed = (
        not errors_outside
        and recovered
        and app_survived
        and final_health == 200
        and not lost
        and not inconsistent
    )
    lines = [
        "# Fault test: PostgreSQL restarted under load",
        "",
        f"Run {datetime.datetime.now():%Y-%m-%d %H:%M} on {platform.node()} ({os.cpu_count()} cores), "
        f"gunicorn with {args.workers} workers, persistent connections (CONN_MAX_AGE=60, health checks on). "
        f"`bench/fault-restart` reproduces it.",
        "",
        f"- Load: {args.seconds:.0f} s; 3 spend writers, 2 decision writers (real forms, CSRF, sessions), "
        f"a /health probe every 50 ms, and wrk reading the dashboard with 4 connections: {wrk_summary or 'see log'}.",
        f"- PostgreSQL restarted at {down_from - started:.1f} s, back after {up_at - down_from:.2f} s.",
        f"- Requests by outcome: {', '.join(f'{k}: {v}' for k, v in sorted(by_status.items()))}.",
        f"- Errors while the database was down (restart + {GRACE_SECONDS:.0f} s grace): {len(errors_in_window)}; "
        f"errors outside that window: **{len(errors_outside)}**.",
        f"- Recovered without restarting the app: **{'yes' if recovered and app_survived else 'NO'}** "
        f"(same gunicorn master: {app_survived}; /health afterwards: {final_health}).",
        f"- Confirmed writes: {sum(confirmed_spend.values())} spend entries and {sum(confirmed_decisions.values())} "
        f"decisions; stored: {sum(r['spend_rows'] for k, r in rows.items() if k in spend_keys)} spend entries and "
        f"{sum(r['decisions'] for k, r in rows.items() if k in decision_keys)} decisions. "
        f"Lost: **{len(lost)}**. Running totals and the monthly rollup consistent: **{'yes' if not inconsistent else 'NO: ' + ', '.join(inconsistent)}**.",
        "",
        "| project | confirmed spend | stored spend rows | confirmed decisions | stored decisions |",
        "|---|---:|---:|---:|---:|",
    ]
    for key in keys:
        lines.append(
            f"| {key} | {confirmed_spend.get(key, '')} | {rows[key]['spend_rows']} | "
            f"{confirmed_decisions.get(key, '')} | {rows[key]['decisions']} |"
        )
    lines += ["", f"Result: **{'PASS' if passed else 'FAIL'}**.", ""]
    if lost or errors_outside:
        lines += [
            "Details:",
            *[f"- {item}" for item in lost],
            *[f"- error {e}" for e in errors_outside[:20]],
            "",
        ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    log(f"wrote {args.out}: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
