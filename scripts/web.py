#!/usr/bin/env python3
"""The Procfile's ``web``: gunicorn, once the environment it reads first has been checked.

    python scripts/web.py --config gunicorn.conf.py    # any gunicorn arguments, passed on

gunicorn reads ``WEB_CONCURRENCY`` with ``int()`` while it is being imported, before it
reads gunicorn.conf.py, whose checks stop every other bad value with one line naming the
variable: ``WEB_CONCURRENCY=two`` stopped it with gunicorn's own traceback instead. This
checks it first, with the app's reading of numbers (portfolio/env.py: plain digits, as
everywhere else) and gunicorn.conf.py's bounds, then becomes gunicorn in the same process
(same process id, signals and exit status; no Python of ours is left in it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from portfolio.env import env_int  # noqa: E402


def main(arguments: list[str]) -> None:
    try:
        env_int("WEB_CONCURRENCY", 1, minimum=1)
    except ImproperlyConfigured as refused:
        sys.exit(str(refused))  # the message alone on standard error, exit status 1
    environment = dict(os.environ)
    if not environment.get("WEB_CONCURRENCY", "unset").strip():
        # Blank is unset, here as for every variable (gunicorn.conf.py's default then);
        # gunicorn's int("") would stop it.
        del environment["WEB_CONCURRENCY"]
    os.execve(sys.executable, [sys.executable, "-m", "gunicorn", *arguments], environment)


if __name__ == "__main__":
    main(sys.argv[1:])
