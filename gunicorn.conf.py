"""gunicorn's settings for the Procfile's web process (read by ``gunicorn -c gunicorn.conf.py``).

Environment: ``PORT`` (8000; set by process managers such as honcho),
``GUNICORN_BIND`` (overrides the address; default 127.0.0.1:$PORT, behind a proxy),
``WEB_CONCURRENCY`` (worker processes, 2), ``GUNICORN_TIMEOUT`` (seconds, 30);
with ``DEBUG=true`` it reloads on code changes.
Long work (imports, e-mail) runs in the task worker, so requests stay short.
"""

import os

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Uploads are spooled to disk by Django; the request line and headers stay bounded.
limit_request_line = 8190
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "").lower() == "true" else None
errorlog = "-"
# `make run` (DEBUG=true): reload on code changes, as runserver did.
reload = os.environ.get("DEBUG", "").lower() == "true"
