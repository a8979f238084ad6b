"""Log lines an operator can read: a refused request is one line, not a traceback."""

from __future__ import annotations

import logging


class NoTracebackBelow500(logging.Filter):
    """Drop the traceback from a 4xx response's log line (a 403 is not a crash); keep it for 5xx."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
