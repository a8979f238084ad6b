"""The task worker's console: one line a task.

Django logs each task twice at INFO (``django.tasks``): "Task id=… path=… state=RUNNING"
when a worker takes it and "… state=SUCCESSFUL" when it ends, and `make run` prints both
beside the web server's lines. ``OneLinePerTask`` keeps the second: a task's path and how
it ended, one line. A failed task is still "state=FAILED" at ERROR with its traceback, an
e-mail's retry still background.mail's warning; ``run_worker -v 2`` (``django.tasks`` at
DEBUG) shows the starts again, for watching a slow task begin.
"""

from __future__ import annotations

import logging

# TaskResultStatus.RUNNING, the last argument of django.tasks' "task started" line. Not
# imported: logging is configured before the apps are ready.
RUNNING = "RUNNING"


class OneLinePerTask(logging.Filter):
    """For the ``django.tasks`` logger: drop the line saying a task started, below DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or logging.getLogger(record.name).isEnabledFor(
            logging.DEBUG
        ):
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        return not (args and args[-1] == RUNNING)
