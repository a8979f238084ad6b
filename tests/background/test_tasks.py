"""E-mail as a task with retries, the schedule, the metrics refresh, and lost tasks of dead workers."""

from __future__ import annotations

import datetime
import smtplib
import subprocess
import sys
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background import liveness, schedule
from background.mail import EmailNotSent, enqueue_email, send_email
from background.models import ScheduledRun, WorkerHeartbeat
from portfolio import services, versioning
from portfolio.dashboard.views import _cache_key
from tests.builders import make_project, record_spend

pytestmark = pytest.mark.django_db


def refuse(*args, **kwargs):
    raise smtplib.SMTPRecipientsRefused({"bob@example.com": (550, b"mailbox unavailable")})


# --- E-mail ----------------------------------------------------------------------------------


def test_an_email_goes_out_only_when_the_change_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_email(subject="Hello", body="Text", to=["bob@example.com"])

    assert mail.outbox == []
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_a_refused_email_is_tried_again_later(database_tasks, settings, monkeypatch):
    settings.EMAIL_RETRY_SECONDS = 60
    monkeypatch.setattr("background.mail.send_mail", refuse)

    outcome = send_email.call(subject="Decision", body="Text", to=["bob@example.com"])

    retry = DBTaskResult.objects.get()
    assert "attempt 1 failed" in outcome
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=50)


def test_an_email_refused_at_every_attempt_is_reported(database_tasks, settings, monkeypatch):
    settings.EMAIL_ATTEMPTS = 3
    monkeypatch.setattr("background.mail.send_mail", refuse)

    with pytest.raises(EmailNotSent, match="not sent after 3 attempt.*mailbox unavailable"):
        send_email.call(subject="Decision", body="Text", to=["bob@example.com"], attempt=3)

    assert not DBTaskResult.objects.exists()  # no fourth attempt


def test_the_real_worker_sends_stored_email(database_tasks, transactional_db, caplog):
    from django.core.management import call_command

    enqueue_email(subject="Stored", body="Sent by the worker", to=["bob@example.com"])
    assert mail.outbox == []

    call_command("run_worker", batch=True, startup_delay=False, verbosity=0)

    assert [m.subject for m in mail.outbox] == ["Stored"]
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_the_worker_warms_up_before_its_first_task(database_tasks, transactional_db, monkeypatch):
    """Every view loaded, then frozen (portfolio/warmup.py), before the first task: the
    refresh task's numbers are computed without walking Django's objects at each collection."""
    from django.core.management import call_command

    order = []
    monkeypatch.setattr(
        "background.management.commands.run_worker.warm_up", lambda: order.append("warm up")
    )
    monkeypatch.setattr(
        "background.mail.send_mail", lambda *args, **kwargs: order.append("task") or 1
    )
    enqueue_email(subject="Stored", body="Sent by the worker", to=["bob@example.com"])

    call_command("run_worker", batch=True, startup_delay=False, verbosity=0)

    assert order == ["warm up", "task"]


# --- The schedule ----------------------------------------------------------------------------


def test_a_weekly_entry_is_due_on_its_weekday_and_time(settings):
    settings.TIME_ZONE = "Europe/Paris"
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    wednesday = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=paris)
    spec = {"task": "x", "weekday": 0, "at": "07:00"}

    due = schedule.next_due("digest", spec, wednesday)

    assert due == datetime.datetime(2026, 11, 30, 7, 0, tzinfo=paris)
    assert schedule.next_due("digest", spec, due) == due + datetime.timedelta(days=7)
    assert schedule.next_due("r", {"task": "x", "every_minutes": 15}, due) == due + (
        datetime.timedelta(minutes=15)
    )


def test_a_due_task_is_enqueued_once_however_many_workers_tick(database_tasks, settings):
    settings.SCHEDULED_TASKS = {
        "weekly-zombie-digest": {
            "task": "portfolio.tasks.send_weekly_digest",
            "weekday": 0,
            "at": "07:00",
        }
    }
    monday = timezone.make_aware(datetime.datetime(2026, 11, 30, 6, 0))
    assert schedule.tick(monday) == []  # first sight: due next at 07:00

    at_seven = monday + datetime.timedelta(hours=1, minutes=1)
    first = schedule.tick(at_seven)
    second = schedule.tick(at_seven)

    assert first == ["weekly-zombie-digest"]
    assert second == []
    assert DBTaskResult.objects.get().task_path == "portfolio.tasks.send_weekly_digest"
    assert ScheduledRun.objects.get().next_run_at == monday + datetime.timedelta(days=7, hours=1)


# --- The metrics refresh ---------------------------------------------------------------------


def test_each_change_refills_the_dashboard_cache_for_the_new_version(
    settings, adam, django_capture_on_commit_callbacks
):
    settings.METRICS_REFRESH = True
    project = make_project(submitted_on=datetime.date(2026, 1, 5))

    with django_capture_on_commit_callbacks(execute=True):
        services.record_spend(
            project=project,
            actor=adam,
            spent_on=datetime.date(2026, 2, 1),
            amount=Decimal("10.00"),
            category="people",
        )

    filters = {
        "as_of": timezone.localdate(),
        "bucket": None,
        "research_type": None,
        "product_manager": None,
    }
    cached = cache.get(_cache_key("api-metrics", versioning.current(), filters))
    assert cached is not None
    assert cached["headline"]["cumulative_spend"] == 10.0


def test_a_transaction_with_many_changes_asks_for_one_refresh(
    settings, adam, django_capture_on_commit_callbacks
):
    """The demo's load was one transaction of 339 changes: it queued 339 refreshes."""
    from django.db import transaction

    from portfolio.tasks import _enqueue_refresh

    settings.METRICS_REFRESH = True
    project = make_project(submitted_on=datetime.date(2026, 1, 5))

    with django_capture_on_commit_callbacks() as callbacks:
        for amount in ("1.00", "2.00", "3.00"):
            record_spend(project, datetime.date(2026, 2, 1), amount, actor=adam)
        with transaction.atomic():  # a savepoint that is kept keeps the one request
            record_spend(project, datetime.date(2026, 2, 1), "4.00", actor=adam)

    assert [c for c in callbacks if c is _enqueue_refresh] == [_enqueue_refresh]


def test_a_change_after_a_rolled_back_savepoint_asks_again(
    settings, adam, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from portfolio.tasks import _enqueue_refresh

    settings.METRICS_REFRESH = True
    project = make_project(submitted_on=datetime.date(2026, 1, 5))

    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                record_spend(
                    project, datetime.date(2026, 2, 1), "4.00", actor=adam
                )  # asked here, then dropped with the savepoint
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        record_spend(project, datetime.date(2026, 2, 1), "5.00", actor=adam)

    assert [c for c in callbacks if c is _enqueue_refresh] == [_enqueue_refresh]


def test_the_refresh_computes_the_numbers_once_for_the_dashboard_and_the_api(adam, monkeypatch):
    """The API's sections are a part of the dashboard's: one computation fills both keys,
    and the API's cached answer is exactly what /api/metrics computes on its own."""
    from portfolio import metrics
    from portfolio.dashboard import views

    project = make_project(submitted_on=datetime.date(2026, 1, 5))
    services.record_spend(
        project=project,
        actor=adam,
        spent_on=datetime.date(2026, 2, 1),
        amount=Decimal("12.34"),
        category="people",
    )
    calls = []
    real = metrics.compute
    computation = views.dashboard_metrics
    monkeypatch.setattr(views, "dashboard_metrics", lambda f: calls.append(f) or computation(f))
    version = versioning.current()
    filters = {
        "as_of": timezone.localdate(),
        "bucket": None,
        "research_type": None,
        "product_manager": None,
    }

    views.refill_cache(version)

    assert len(calls) == 1
    assert cache.get(_cache_key("api-metrics", version, filters)) == real(**filters)
    form = views.DashboardFilterForm({}, product_managers=[])
    assert form.is_valid()
    panels = cache.get(_cache_key("dashboard-panels", version, form.filters()))

    views.refill_cache(version)  # both already stored: nothing computed again
    assert len(calls) == 1
    # The stored panels are what a reader would render for itself.
    assert panels == views.panels_html(form, version + 1)
    assert len(calls) == 2


def test_a_refresh_for_an_old_version_leaves_the_work_to_the_newest():
    from portfolio.tasks import refresh_metrics

    versioning.bump()
    versioning.bump()

    assert refresh_metrics.call(version=1).startswith("skipped")


# --- Workers that die mid-task ---------------------------------------------------------------


def dead_worker_id() -> str:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    return f"{liveness.HOST}:{finished.stdout.strip()}:deadbeef"


def running_task(worker_id: str, path: str = "portfolio.tasks.refresh_metrics", **kwargs):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": kwargs},
        task_path=path,
        backend_name="default",
        run_after=datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC),
        status=TaskResultStatus.RUNNING,
        worker_ids=[worker_id],
        started_at=timezone.now(),
    )


def test_a_task_of_a_killed_worker_is_reported_and_a_safe_one_runs_again(database_tasks):
    lost = running_task(dead_worker_id(), version=3)
    mine = running_task(liveness.new_worker_id(), version=4)  # this process: alive

    reported = liveness.sweep()

    lost.refresh_from_db()
    mine.refresh_from_db()
    assert reported == [str(lost.id)]
    assert lost.status == TaskResultStatus.FAILED
    assert "stopped while running this task" in lost.traceback
    assert mine.status == TaskResultStatus.RUNNING
    again = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert again.args_kwargs["kwargs"] == {"version": 3}


def test_a_worker_on_another_machine_is_dead_once_its_heartbeat_is_old(database_tasks):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="elsewhere:123:abcdefgh",
        host="elsewhere",
        pid=123,
        started_at=now,
        seen_at=now - 2 * liveness.STALE_AFTER,
    )
    WorkerHeartbeat.objects.create(
        worker_id="elsewhere:124:abcdefgh",
        host="elsewhere",
        pid=124,
        started_at=now,
        seen_at=now,
    )
    silent = running_task("elsewhere:123:abcdefgh")
    beating = running_task("elsewhere:124:abcdefgh")

    liveness.sweep()

    assert DBTaskResult.objects.get(pk=silent.pk).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=beating.pk).status == TaskResultStatus.RUNNING


def test_the_day_s_refresh_has_the_dashboard_ready_before_its_first_reader(
    client, erin, monkeypatch
):
    """At the start of each day (settings.SCHEDULED_TASKS) the worker computes the numbers
    as of the new day: the first reader finds the panels in the cache."""
    from portfolio.dashboard import views
    from portfolio.tasks import refresh_metrics_for_the_day

    make_project(key="DAY-1")
    versioning.bump()
    cache.clear()
    assert "portfolio.tasks.refresh_metrics_for_the_day" in {
        spec["task"] for spec in settings.SCHEDULED_TASKS.values()
    }

    said = refresh_metrics_for_the_day.call()

    assert timezone.localdate().isoformat() in said
    monkeypatch.setattr(views, "dashboard_metrics", lambda filters: pytest.fail("computed"))
    client.force_login(erin)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert response.context["panels_html"]  # from the cache: computing would have failed
