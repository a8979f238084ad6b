"""Typed readers for the environment: a bad value stops start-up with a clear message."""

from __future__ import annotations

import datetime
import os
import re
import zoneinfo
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def env_int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number in ASCII digits: ``1_000`` and full-width or other scripts' digits,
    which ``int()`` would take, are refused, as the app's own number fields refuse them."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = int(raw.strip()) if _WHOLE_NUMBER.fullmatch(raw.strip()) else None
    if (
        value is None
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        if minimum is not None and maximum is not None:
            span = f" from {minimum} to {maximum}"
        elif minimum is not None:
            span = f" of at least {minimum}"
        elif maximum is not None:
            span = f" of at most {maximum}"
        else:
            span = ""
        raise ImproperlyConfigured(f"{name} must be a whole number{span}, not {raw!r}")
    return value


_HH_MM = re.compile(r"\d\d:\d\d")


def env_time_of_day(name: str, default: str) -> str:
    """A time of day as HH:MM (24-hour clock): "07:00", "18:30". Returned as HH:MM.

    The schedule (background/schedule.py) reads these when a worker runs it; a bad one
    found only there stopped every scheduled task while the worker looked alive.
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    try:
        if not _HH_MM.fullmatch(value):
            raise ValueError(value)
        datetime.time.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a time of day as HH:MM on the 24-hour clock (07:00, 18:30), "
            f"not {raw!r}"
        ) from None
    return value


def env_time_zone(name: str, default: str) -> str:
    """An IANA time zone name ("Europe/Berlin"): the schedule's times are in it."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be an IANA time zone name (UTC, Europe/Berlin, America/New_York), "
            f"not {raw!r}"
        ) from None
    return value


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def env_log_level(name: str, default: str) -> str:
    """A logging level's name in any case ("info" → "INFO")."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().upper()
    if value not in LOG_LEVELS:
        raise ImproperlyConfigured(
            f"{name} must be one of {', '.join(LOG_LEVELS)} (in any case), not {raw!r}"
        )
    return value


def env_currency(name: str, default: str) -> str:
    """An ISO 4217 currency code: three letters, upper-cased ("eur" → "EUR")."""
    value = os.environ.get(name, default).strip().upper()
    if len(value) != 3 or not value.isascii() or not value.isalpha():
        raise ImproperlyConfigured(
            f"{name} must be an ISO 4217 currency code of three letters (EUR, USD, GBP), "
            f"not {os.environ.get(name)!r}"
        )
    return value


def env_one_currency(name: str, older_name: str, default: str) -> str:
    """``name``'s currency, or ``older_name``'s when only that is set; both set must agree."""
    if name not in os.environ and older_name in os.environ:
        return env_currency(older_name, default)
    value = env_currency(name, default)
    if older_name in os.environ and env_currency(older_name, default) != value:
        raise ImproperlyConfigured(
            f"{name}={value} and {older_name}={os.environ[older_name].strip().upper()} disagree: "
            f"the portfolio has one currency; set {name} only ({older_name} is its older name)"
        )
    return value


def env_key_prefix(name: str, default: str) -> str:
    """The first part of generated keys: 1–16 letters or digits, upper-cased ("pr" → "PR")."""
    raw = os.environ.get(name, default)
    value = raw.strip().upper()
    if not (1 <= len(value) <= 16 and value.isascii() and value.isalnum()):
        raise ImproperlyConfigured(f"{name} must be 1 to 16 letters or digits, not {raw!r}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn DATABASE_URL into a DATABASES entry: sqlite:///path or postgres://user:pw@host:port/db."""
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "sqlite":
        path = unquote(parsed.path)
        # sqlite:///relative.db has path "/relative.db"; sqlite:////abs.db has "//abs.db".
        name = path[1:] if path.startswith("/") else path
        if not name:
            raise ImproperlyConfigured(
                "DATABASE_URL sqlite:/// needs a file name, e.g. sqlite:///db.sqlite3"
            )
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(
                "DATABASE_URL must name a database: postgres://user@host:5432/NAME"
            )
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        # PostgreSQL's JIT compiler is for long analytic scans. The metrics statements read
        # small rollups, but their estimated cost crosses every JIT threshold (6.5 million at
        # 1M spend rows), and compiling one took 6.6 s of a 6.7 s run (70 ms without). Off,
        # unless the URL's own ?options=... says otherwise of jit (options=-c%20jit%3Don);
        # its other settings (a statement_timeout) keep it off.
        own = options.get("options", "")
        if "jit" not in own:
            options["options"] = f"{own} -c jit=off".strip()
        host = unquote(parsed.hostname or "")
        # A socket directory may be given as ?host=/path.
        if "host" in options:
            host = options.pop("host")
        try:
            port = parsed.port
        except ValueError:
            raise ImproperlyConfigured(f"DATABASE_URL has a bad port: {url!r}") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": host,
            "PORT": str(port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with sqlite:/// or postgres://, not {scheme or url!r}"
    )


def env_group_roles(name: str) -> dict[str, str]:
    """``group=Role; other group=Other role`` → {group: role}.

    Pairs are separated by semicolons, not commas: directory group names (LDAP
    distinguished names such as ``CN=Research,OU=Groups``) carry commas. Role
    names are checked against the roles when the app starts (portfolio/checks.py).
    """
    mapping: dict[str, str] = {}
    for pair in os.environ.get(name, "").split(";"):
        if not pair.strip():
            continue
        group, equals, role = pair.rpartition("=")
        if not equals or not group.strip() or not role.strip():
            raise ImproperlyConfigured(
                f"{name} must be pairs such as 'research-staff=Researcher; pm=Product manager', "
                f"separated by semicolons; {pair.strip()!r} has no 'group=Role'"
            )
        mapping[group.strip()] = role.strip()
    return mapping
