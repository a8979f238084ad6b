"""What the task worker prints (`make run`'s console, the Procfile's worker): one line a
task, how it ended; a failure with its traceback, a retry as a warning (background/logs.py).
"""

from __future__ import annotations

import logging
import smtplib

import pytest
from django.conf import settings
from django.core.mail import send_mail

from background.logs import OneLinePerTask
from background.mail import send_email

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = "refused@example.com"


def refuse_one_address(subject, body, sender, to, **kwargs):
    if REFUSED in to:
        raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"mailbox unavailable")})
    return send_mail(subject, body, sender, to, **kwargs)


@pytest.fixture
def worker_logs(caplog):
    """Runs ``run_worker --batch`` at a verbosity; returns django.tasks' and background's
    records as the console gets them. run_worker sets its loggers' levels: put back after."""
    names = ("django.tasks", "django_tasks_db")
    levels = {name: logging.getLogger(name).level for name in names}

    def run(verbosity: int) -> list[logging.LogRecord]:
        from django.core.management import call_command

        caplog.clear()
        call_command("run_worker", batch=True, startup_delay=False, verbosity=verbosity)
        return [
            record
            for record in caplog.records
            if record.name.startswith(("django.tasks", "background"))
        ]

    caplog.set_level(logging.DEBUG)
    yield run
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def lines_about(records, text: str) -> list[logging.LogRecord]:
    return [record for record in records if text in record.getMessage()]


def test_each_task_is_one_line_and_a_failure_or_a_retry_stays_seen(
    database_tasks, settings, monkeypatch, worker_logs
):
    settings.EMAIL_ATTEMPTS = 2
    monkeypatch.setattr("background.mail.send_mail", refuse_one_address)
    sent = send_email.enqueue(subject="Sent", body="Text", to=["bob@example.com"])
    retried = send_email.enqueue(subject="Retried", body="Text", to=[REFUSED])
    failed = send_email.enqueue(subject="Failed", body="Text", to=[REFUSED], attempt=2)

    records = worker_logs(verbosity=1)  # the Procfile's: run_worker's default

    assert [r.getMessage().split(" path=")[1] for r in lines_about(records, sent.id)] == [
        "background.mail.send_email state=SUCCESSFUL"
    ]
    assert not lines_about(records, "state=RUNNING")
    # The retry: the mail's warning, then the task's one line (it ended, and enqueued the next).
    warning = lines_about(records, "about 'Retried': attempt 1 of 2 failed")
    assert [r.levelno for r in warning] == [logging.WARNING]
    assert len(lines_about(records, retried.id)) == 1
    # The failure: the task's line is an error, with the traceback.
    (failure,) = lines_about(records, failed.id)
    assert failure.levelno == logging.ERROR and "state=FAILED" in failure.getMessage()
    assert failure.exc_info and "not sent after 2 attempt" in str(failure.exc_info[1])


def test_run_worker_v2_shows_when_each_task_starts_too(database_tasks, worker_logs):
    result = send_email.enqueue(subject="Sent", body="Text", to=["bob@example.com"])

    records = worker_logs(verbosity=2)

    assert [r.getMessage().rsplit("state=")[1] for r in lines_about(records, result.id)] == [
        "RUNNING",
        "SUCCESSFUL",
    ]


def test_the_django_tasks_logger_has_the_filter_and_keeps_the_root_s_level():
    config = settings.LOGGING["loggers"]["django.tasks"]
    assert config == {"filters": ["one_line_per_task"]}  # no level: run_worker sets it
    assert any(isinstance(f, OneLinePerTask) for f in logging.getLogger("django.tasks").filters)
    # Nothing else of the worker is quieter than before: warnings and errors reach the root.
    assert settings.LOGGING["root"]["level"] == settings.LOG_LEVEL
    assert logging.getLogger("background.mail").getEffectiveLevel() <= logging.WARNING
