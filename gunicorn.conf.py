"""gunicorn's settings for Greenlight: `python scripts/web.py --config gunicorn.conf.py`
(the Procfile's ``web``, the README's command and the benchmark's: gunicorn, after a check of
the one variable gunicorn reads before this file). A bare `gunicorn --config gunicorn.conf.py`
reads the same settings, but reads ``WEB_CONCURRENCY`` with ``int()`` while it is imported,
before any file of ours: ``WEB_CONCURRENCY=two`` stops it with gunicorn's own traceback,
which nothing here can prevent. scripts/web.py refuses it in one line.

Every value can be changed from the environment without editing this file; the
benchmark (bench/) uses it too. Command-line flags still win.
``PORT`` (set by process managers such as honcho, and by platforms) picks the port
when ``GUNICORN_BIND`` is not set; with ``DEBUG=true`` (``make run``) workers reload
on code changes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shlex
import subprocess
import sys

# A number as the app reads one (portfolio/env.py's env_int, which this file does not import:
# gunicorn's master keeps none of the app's modules): plain digits, not 1_000 or other
# scripts' digits, which int() would take.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def _int(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number from the environment; anything else stops gunicorn naming the variable
    (gunicorn's own refusal of a negative number, "Value must be positive: -5", does not)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    number = int(value) if _WHOLE_NUMBER.fullmatch(value) else None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        span = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise SystemExit(f"{name} must be a whole number {span}, not {value!r}")
    return number


wsgi_app = "portfolio.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{_int('PORT', 8000, 1, 65535)}"
# WEB_CONCURRENCY is the name platforms (Heroku, Render, Dokku) set. gunicorn itself reads
# it too, as int(), when it is imported, before this file: a value that is not a number
# stops a bare `gunicorn` there, with its own traceback ending in "invalid literal for
# int()". The Procfile's web, scripts/web.py, checks it before gunicorn starts; this check
# covers 0 or less, 1_000 and the like, which gunicorn would take.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8), minimum=1)

# Who may tell us the client's scheme and address (X-Forwarded-*): only the proxy in
# front, by address. Never "*": anyone who reaches gunicorn directly could then claim
# https. Set it to the proxy's address when the proxy is on another host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# A worker stuck longer than this is killed and replaced. Imports run in the task worker
# (the request only stores the upload), so this only has to cover a large upload.
timeout = _int("GUNICORN_TIMEOUT", 60, minimum=1)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Request line and headers: refused early, before Django sees them. (Bodies are capped by
# the app's RequestBodyLimitMiddleware, by Content-Length, and by the proxy.)
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 8190)
limit_request_fields = _int("GUNICORN_LIMIT_REQUEST_FIELDS", 100)
limit_request_field_size = _int("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", 8190)

# Recycle workers now and then, so a slow leak never becomes an outage.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)

# The proxy logs every request already; GUNICORN_ACCESS_LOG=- adds gunicorn's own lines.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn 25.1+ opens a control socket for `gunicornc` (status, adding workers, reload) at
# $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl: one path for every gunicorn of
# the user. Two web processes on one machine (make cluster-test; several `make run`s; the
# several-servers table allows it) then share it: the last one started owns it, and
# stopping that one deletes it under the others. Nothing here uses gunicornc (the Procfile
# and process managers use signals), so it is off, rather than given a path per port that
# would have to be cleaned up after a crash. GUNICORN_CONTROL_SOCKET=/path turns it on at
# that path, for one gunicorn per path. (Older gunicorns ignore these two settings.)
_control_socket_path = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control_socket_path:
    control_socket = _control_socket_path
else:
    control_socket_disable = True

# `make run` (DEBUG=true): reload on code changes, as runserver did.
reload = os.environ.get("DEBUG", "").lower() == "true"


def post_worker_init(worker) -> None:
    """Load in each new worker what its first request would (the URLconf, and through it
    every view and what they import), then set it aside from the cycle collector:
    portfolio/warmup.py. Without the first, a worker's first request (after a start, a
    reload, or the recycling above) paid about half a second for it; a large upload's answer
    then doubled."""
    from portfolio.warmup import warm_up

    warm_up()


# portfolio.checks.start_refusal, asked in a process of its own: the master imports none of
# the app, so the workers (and those a HUP starts) load it fresh from disk.
_REFUSED = 78  # EX_CONFIG: the child's answer "refused", told apart from its crashing
_ASK_REFUSAL = (
    "import sys\n"
    "from portfolio.checks import start_refusal\n"
    "refusal = start_refusal()\n"
    "if refusal:\n"
    "    print(refusal, file=sys.stderr)\n"
    f"    sys.exit({_REFUSED})\n"
)


def _app_refusal() -> str | None:
    """The app's refusal to start ("Greenlight refuses to start: …"), or None; asked in a
    process of its own. Raises subprocess.TimeoutExpired when that takes too long."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    asked = subprocess.run(
        [sys.executable, "-c", _ASK_REFUSAL],
        cwd=os.path.dirname(os.path.abspath(__file__)),  # the project, beside this file
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if asked.returncode == _REFUSED:
        return f"Greenlight refuses to start: {asked.stderr.strip()}"
    return None


def on_starting(server) -> None:
    """Refuse to start, once, in the master and before any worker forks, when the app would
    refuse (a weak or missing SECRET_KEY without DEBUG=true, a variable the settings refuse):
    each worker refused on its own, the message buried in some 200 lines of tracebacks under
    gunicorn's last line "Worker failed to boot" (exit code 3, or 1). Here: the message alone
    on standard error, and exit code 1, as for this file's own refusals. portfolio/wsgi.py
    still refuses for other servers. Anything else that stops the app is left to the
    workers, which report it as before."""
    try:
        refusal = _app_refusal()
    except subprocess.TimeoutExpired:
        server.log.warning("could not check the app's settings before starting the workers")
        return
    if refusal:
        if server.pidfile is not None:
            server.pidfile.unlink()
        raise SystemExit(refusal)


def _only_checking() -> bool:
    """Whether gunicorn was asked only to check its configuration (``--check-config``, or
    ``--print-config``, which implies it), on its command line or in GUNICORN_CMD_ARGS.
    The flags are looked for as gunicorn's argparse finds them (a shortened ``--check-c``
    too); gunicorn has read the command line before this file, so it is a valid one."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--check-config", action="store_true")
    parser.add_argument("--print-config", action="store_true")
    try:
        command_lines = [sys.argv[1:], shlex.split(os.environ.get("GUNICORN_CMD_ARGS", ""))]
        for arguments in command_lines:
            found, _ = parser.parse_known_args(arguments)
            if found.check_config or found.print_config:
                return True
    except (argparse.ArgumentError, ValueError):
        pass
    return False


# `gunicorn --check-config` (and --print-config) loads the app in this process once it has
# read this file, and starts no server, so on_starting never runs: a weak SECRET_KEY (or a
# variable the settings refuse) came as the app's traceback under "Error while loading the
# application". Here, as gunicorn reads this file: on_starting's one line, and exit code 1.
if _only_checking():
    try:
        _refusal = _app_refusal()
    except subprocess.TimeoutExpired:
        _refusal = None  # gunicorn loads the app next, and reports what stops it
    if _refusal:
        raise SystemExit(_refusal)
