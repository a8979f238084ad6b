"""Greenlight settings: one module, read from the environment.

Every value that differs between a laptop and production comes from an
environment variable, read by a typed helper that stops start-up with a clear
message when the value is bad.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from background.heartbeat import HOUSEKEEPING_MAX_SECONDS, STALE_AFTER_SECONDS
from portfolio.env import (
    database_from_url,
    env_bool,
    env_group_roles,
    env_int,
    env_key_prefix,
    env_list,
    env_log_level,
    env_one_currency,
    env_str,
    env_time_of_day,
    env_time_zone,
)
from portfolio.fingerprint import code_fingerprint
from portfolio.sso.origins import sso_form_action_origins

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
_INSECURE_DEV_KEY = "django-insecure-greenlight-development-only-key-change-me-0123456789"
# Without a key, commands that sign nothing (makemigrations, check) still run; the app
# servers refuse to start (portfolio/wsgi.py) and `check` warns (portfolio/checks.py).
SECRET_KEY = env_str("SECRET_KEY") or (_INSECURE_DEV_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, its number fields refusing 1_000 (portfolio/admin_fields.py).
    "portfolio.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's widget templates, for the form renderer below (TemplatesSetting finds them here).
    "django.forms",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "background",
    # django-ninja: the JSON API's schema and its bundled Swagger UI static files.
    "ninja",
    "portfolio",
    "gates",
    "planning",
    "api",
    "boardpack",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves static files from gunicorn without a separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads the session cookie or the query string.
    "portfolio.web.middleware.NulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the CSRF check (in process_view) or any view reads the body.
    "portfolio.web.middleware.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A form sent while signed out comes back to its page after signing in.
    "portfolio.web.sign_in_return.SignInReturnsToThePageMiddleware",
    "portfolio.web.middleware.DatabaseUnavailableMiddleware",
    # A project's key typed in another letter case: redirected to its own address.
    "portfolio.web.middleware.ProjectKeyCaseMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' advice).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portfolio.urls"
WSGI_APPLICATION = "portfolio.wsgi.application"
ASGI_APPLICATION = "portfolio.asgi.application"

# Every form field is drawn by one template, templates/_form/field.html (portfolio/web/forms.py).
FORM_RENDERER = "portfolio.web.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "portfolio.web.context_processors.navigation",
                "portfolio.web.context_processors.currency",
                "portfolio.web.context_processors.notifications",
            ],
        },
    }
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout let the dev server and a management command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache of computed dashboard results, keyed by the data version
# (portfolio/versioning.py), so it is never stale. Redis when REDIS_URL is set (several
# app servers); else the database's cache table on PostgreSQL, and files on SQLite (one
# machine, where a cache write must not wait behind a long import holding SQLite's one
# write lock). See background/cache.py.
REDIS_URL = env_str("REDIS_URL")
# Each release of the code its own keys (portfolio/fingerprint.py): nothing one release
# cached is served by another, in a rolling deploy or after a restart.
CACHE_VERSION = code_fingerprint(BASE_DIR)
_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
CACHE_BACKEND = env_str(
    "CACHE_BACKEND", "redis" if REDIS_URL else ("file" if _SQLITE else "database")
)
if CACHE_BACKEND == "redis":
    if not REDIS_URL:
        raise ImproperlyConfigured("CACHE_BACKEND=redis needs REDIS_URL (redis://host:6379/0).")
    CACHES = {
        "default": {
            "BACKEND": "background.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "VERSION": CACHE_VERSION,
            "KEY_PREFIX": "greenlight",
            # A stopped Redis must cost milliseconds, not the request.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
elif CACHE_BACKEND == "file":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR", str(BASE_DIR / ".cache")),
            "VERSION": CACHE_VERSION,
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 2000)},
        }
    }
elif CACHE_BACKEND == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "greenlight_cache",  # created by a migration (background 0002_cache_table)
            "VERSION": CACHE_VERSION,
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 2000)},
        }
    }
elif CACHE_BACKEND == "locmem":  # one process only: the tests
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "greenlight",
            "VERSION": CACHE_VERSION,
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 500)},
        }
    }
else:
    raise ImproperlyConfigured(
        f"CACHE_BACKEND is {CACHE_BACKEND!r}: use redis, database, file or locmem."
    )

# Background tasks (django.tasks): stored in the database and run by `manage.py run_worker`
# (the Procfile's worker). The tests run them immediately, in the process that enqueues.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND is {TASKS_BACKEND!r}: use {' or '.join(_TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
# Refill the dashboard cache in the background after each change (portfolio/tasks.py).
METRICS_REFRESH = env_bool("METRICS_REFRESH", default=True)
# Over the whole portfolio on PostgreSQL, the metrics are read by two statements side by side,
# on two connections in one snapshot (portfolio/metrics/side_by_side.py): each web process and
# worker may hold one more database connection. Off: one statement, one connection.
METRICS_SIDE_BY_SIDE = env_bool("METRICS_SIDE_BY_SIDE", default=True)
# How often each worker beats, watches the others and runs the schedule (seconds). At most
# a third of the time after which a silent worker counts as gone (background/heartbeat.py):
# a longer period made live workers look dead, and a huge one stopped the housekeeping.
try:
    WORKER_HOUSEKEEPING_SECONDS = env_int(
        "WORKER_HOUSEKEEPING_SECONDS", 5, minimum=1, maximum=HOUSEKEEPING_MAX_SECONDS
    )
except ImproperlyConfigured as error:
    raise ImproperlyConfigured(
        f"{error}: a worker not heard from for {STALE_AFTER_SECONDS} s counts as gone, so each "
        "beats at least three times in that time"
    ) from None
# Scheduled tasks, run by the workers (background/schedule.py says how to add one). The times
# from the environment are checked here: the schedule reads them only in the worker's
# housekeeping, where a bad one stopped every scheduled task while the worker looked alive.
SCHEDULED_TASKS = {
    # The dashboard's numbers as of the new day, computed before its first reader asks.
    "metrics-new-day": {"task": "portfolio.tasks.refresh_metrics_for_the_day", "at": "00:01"},
    "weekly-zombie-digest": {
        "task": "portfolio.tasks.send_weekly_digest",
        "weekday": 0,  # Monday
        "at": env_time_of_day("DIGEST_AT", "07:00"),
    },
    # Notifications people chose to get once a day (portfolio/services/notifications.py).
    "daily-digest": {
        "task": "portfolio.tasks.send_daily_digest",
        "at": env_time_of_day("DAILY_DIGEST_AT", "07:00"),
    },
    # Gatekeepers who have not voted: when a review opens, and after VOTE_REMINDER_DAYS.
    "vote-reminders": {"task": "gates.tasks.send_vote_reminders", "at": "08:00"},
    # Housekeeping: old task results, replaces nobody confirmed.
    "prune-task-results": {"task": "background.tasks.prune_task_results", "at": "03:00"},
    "forget-unconfirmed-imports": {"task": "gates.tasks.forget_unconfirmed_imports", "at": "03:10"},
}
# How long the workers keep finished task results (the admin's "Task results"), in days.
TASK_RESULTS_KEPT_DAYS = env_int("TASK_RESULTS_KEPT_DAYS", 14)
TASK_FAILURES_KEPT_DAYS = env_int("TASK_FAILURES_KEPT_DAYS", 60)

AUTH_USER_MODEL = "portfolio.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out name and address is refused whatever the way in.
    "axes.backends.AxesStandaloneBackend",
    # E-mail and password (ModelBackend), unless PASSWORD_SIGN_IN=false stops them first.
    "portfolio.sso.backends.PasswordSignInSwitch",
    "django.contrib.auth.backends.ModelBackend",
    # The company's identity provider (OpenID Connect), when OIDC_ISSUER is set.
    "portfolio.sso.backends.SingleSignOnBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling: five failures lock the account/address pair for an hour.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Keyed on the name as sign-in compares it, or each letter-case variant gets its own budget.
AXES_USERNAME_CALLABLE = "portfolio.web.signin.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Its page with a Retry-After header and the time the lock ends (portfolio/web/signin.py).
AXES_LOCKOUT_CALLABLE = "portfolio.web.signin.lockout_response"

# Single sign-on with OpenID Connect (portfolio/sso/, docs/single-sign-on.md): on when
# OIDC_ISSUER is set. The provider's discovery document is read at the first sign-in.
OIDC_ISSUER = env_str("OIDC_ISSUER").strip().rstrip("/")
OIDC_DISCOVERY_URL = env_str(
    "OIDC_DISCOVERY_URL",
    f"{OIDC_ISSUER}/.well-known/openid-configuration" if OIDC_ISSUER else "",
).strip()
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID").strip()
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid email profile").strip()
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "single sign-on").strip()
# A claim carrying the person's groups, and which group gives which role (never Admin).
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM").strip()
OIDC_GROUP_ROLES = env_group_roles("OIDC_GROUP_ROLES")
OIDC_TIMEOUT_SECONDS = env_int("OIDC_TIMEOUT_SECONDS", 10)
if OIDC_ISSUER:
    if not OIDC_ISSUER.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"OIDC_ISSUER must be an https:// address, not {OIDC_ISSUER!r}")
    if not OIDC_CLIENT_ID:
        raise ImproperlyConfigured("OIDC_ISSUER is set: OIDC_CLIENT_ID must be set too.")
    if "openid" not in OIDC_SCOPES.split():
        raise ImproperlyConfigured(f"OIDC_SCOPES must include openid, not {OIDC_SCOPES!r}")
if OIDC_GROUP_ROLES and not OIDC_GROUPS_CLAIM:
    raise ImproperlyConfigured("OIDC_GROUP_ROLES is set: OIDC_GROUPS_CLAIM must name the claim.")
# E-mail and password sign-in; an admin may turn it off once single sign-on is set up.
PASSWORD_SIGN_IN = env_bool("PASSWORD_SIGN_IN", default=True)
if not PASSWORD_SIGN_IN and not OIDC_ISSUER:
    raise ImproperlyConfigured(
        "PASSWORD_SIGN_IN=false needs single sign-on (OIDC_ISSUER): nobody could sign in."
    )

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
# The one currency of every amount (spend, funding, value, cost): an ISO 4217 code,
# shown beside every amount. Amounts are stored as plain numbers in this currency.
# PORTFOLIO_CURRENCY, the API's older name for it, is still read: one currency, so the two
# may not disagree (the pages and the API once showed one each).
CURRENCY = env_one_currency("CURRENCY", "PORTFOLIO_CURRENCY", "EUR")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Without collectstatic (tests, a quick start) whitenoise serves from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads (portfolio import): refuse oversized requests with a message, not a crash.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A board pack of a portfolio with more submitted projects than this is rendered by the
# task worker (its page waits for it); a smaller one while the person waits.
BOARD_PACK_DIRECT_MAX_PROJECTS = env_int("BOARD_PACK_DIRECT_MAX_PROJECTS", 400)
IMPORT_UPLOAD_MAX_BYTES = env_int("IMPORT_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
# Bodies declared larger are refused before they are read (portfolio/web/middleware.py):
# every form of the app fits in far less; the import page takes its four files.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 10 * 1024 * 1024)
# What an uploaded .xlsx workbook may unpack to (its sheets' XML; 1M spend rows is ~250 MB).
IMPORT_WORKBOOK_MAX_UNPACKED_BYTES = env_int("IMPORT_WORKBOOK_MAX_UNPACKED_BYTES", 2 * 1024**3)
IMPORT_REQUEST_MAX_BYTES = 4 * IMPORT_UPLOAD_MAX_BYTES + 1024 * 1024
# Days after a gate review opens before gatekeepers who have not voted are reminded again.
VOTE_REMINDER_DAYS = env_int("VOTE_REMINDER_DAYS", 3)
# New proposals are offered the key PREFIX-0001, PREFIX-0002, … (the researcher may change it).
PROPOSAL_KEY_PREFIX = env_key_prefix("PROPOSAL_KEY_PREFIX", "PR")

# The JSON API (api/): requests per minute per token; the largest request body it reads.
# Its amounts are in CURRENCY, as the pages'.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 300)
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 64 * 1024)
# Days an API token lives at most: one made without an expiry expires that long after it was
# made, and none may be made to expire later (api/tokens.py). At most ten years.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1, maximum=3650)

# E-mail: the console in development, SMTP from the environment in production.
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_smtp_options = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER"),
    "password": env_str("EMAIL_HOST_PASSWORD"),
    "use_tls": env_bool("EMAIL_USE_TLS", default=False),
    "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
    "timeout": env_int("EMAIL_TIMEOUT", 10),
}
if _smtp_options["use_tls"] and _smtp_options["use_ssl"]:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
# The file backend (``make run``'s demo) writes each message to a file in EMAIL_FILE_PATH.
# (Django refuses a setting named EMAIL_FILE_PATH beside MAILERS: the variable's value goes in
# the mailer's OPTIONS.)
_email_file_path = env_str("EMAIL_FILE_PATH")
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _mailer_options = _smtp_options
elif EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend"):
    if not _email_file_path:
        raise ImproperlyConfigured(
            "EMAIL_FILE_PATH is not set: the file e-mail backend needs a folder to write to."
        )
    _mailer_options = {"file_path": _email_file_path}
else:
    _mailer_options = {}
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mailer_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Greenlight <greenlight@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Mail is sent by the task worker (background/mail.py): attempts before it is reported
# failed, and the wait before the second one (doubling after each).
EMAIL_ATTEMPTS = env_int("EMAIL_ATTEMPTS", 5)
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 60)

# Content-Security-Policy: no inline script or style anywhere, so none is allowed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    # The sign-in and sign-out forms redirect to the identity provider.
    "form-action": [CSP.SELF, *sso_form_action_origins(OIDC_ISSUER, env_list("OIDC_FORM_ACTION"))],
    "frame-ancestors": [CSP.NONE],
}

# Production hardening; development over plain http keeps them off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health$"]  # load balancers probe over plain http
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Django's check of SECRET_KEY under --deploy: portfolio/checks.py warns of every key it
# calls weak (greenlight.W001/W002, on every command, saying which test the key fails);
# both together warned twice.
SILENCED_SYSTEM_CHECKS: list[str] = ["security.W009"]

# Any case ("info" is gunicorn's own spelling); an unknown level stops start-up naming it.
LOG_LEVEL = env_log_level("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_traceback_below_500": {"()": "portfolio.web.logs.NoTracebackBelow500"},
        "one_line_per_task": {"()": "background.logs.OneLinePerTask"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_traceback_below_500"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler printed each of its lines a second time, through the root.
        "django": {"handlers": [], "level": LOG_LEVEL},
        # The task worker (run_worker sets this logger to INFO): how each task ended, one
        # line, not also that it started (background/logs.py); failures with their traceback.
        "django.tasks": {"filters": ["one_line_per_task"]},
    },
}
