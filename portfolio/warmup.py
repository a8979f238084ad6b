"""What a long-lived process does once, before its first request or task.

A gunicorn worker (gunicorn.conf.py's ``post_worker_init``) and the task worker
(``manage.py run_worker``) call :func:`warm_up`:

- it imports the URLconf, and through it every view and what they import (the import's
  checks, the metrics engine, the API): otherwise the first request paid about half a
  second for that, and the first refresh task as much;
- then it sets everything loaded so far aside from Python's cycle collector
  (``gc.freeze()``). Django and the app are some 145,000 objects that live as long as the
  process. Each full collection walked them all, and computing the dashboard's numbers in
  full makes enough rows (tens of thousands of dicts and tuples) to start collections on
  the way: at 5,000 projects and 1M spend rows the refresh task's p95 went from about
  175 ms to about 150 ms with them set aside (bench/SERVERS.md). Frozen objects are never
  freed: only what the process keeps for its whole life is loaded here.
"""

from __future__ import annotations

import gc


def warm_up() -> None:
    """Load every view, then freeze what is loaded (see the module's text)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports ROOT_URLCONF and every view)
    gc.collect()  # what loading left behind goes now, not into the frozen generation
    gc.freeze()
