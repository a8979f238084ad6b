"""An import uploaded from the page tells its uploader how it ended, or that it waits for them.

The uploader may have left the import's page (a large import takes minutes; a checked
replace waits an hour for its confirmation): the app's notifications and, as they chose,
an e-mail tell them, with a link back to the import's page.
"""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.urls import reverse

from gates import import_jobs, interchange
from gates.models import ImportJob
from portfolio.models import Notification, NotificationKind, Role
from portfolio.services.notifications import kinds_for
from tests.builders import choose_email, make_user
from tests.gates.replacing import edit_every_project
from tests.gates.test_import_job import sample_files

pytestmark = pytest.mark.django_db

KIND = NotificationKind.IMPORT_ENDED


def told() -> list[Notification]:
    return list(Notification.objects.filter(kind=KIND).order_by("pk"))


def test_a_finished_import_tells_its_uploader_with_the_summary(adam, run_on_commit):
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)

    with run_on_commit():
        import_jobs.run_import.call(job_id=job.pk)

    [notification] = told()
    assert notification.recipient == adam
    assert notification.subject == f"Import #{job.pk}: imported"
    assert notification.link == reverse("import_job", args=[job.pk])
    [message] = mail.outbox
    assert message.to == [adam.email]
    assert "Imported: Imported 62 projects" in message.body
    assert f"/portfolio/imports/{job.pk}/" in message.body


def test_refused_files_tell_the_uploader_the_first_problems(adam, run_on_commit, monkeypatch):
    monkeypatch.setattr(import_jobs, "PROBLEMS_TOLD", 2)
    broken = sample_files()
    lines = broken[interchange.SPEND].read().decode().splitlines()
    # Three spend rows with an amount that is not a number.
    for row in (1, 2, 3):
        cells = lines[row].split(",")
        lines[row] = ",".join(cells[:2] + ["lots"] + cells[3:])
    broken[interchange.SPEND] = io.BytesIO("\n".join(lines).encode() + b"\n")
    job = import_jobs.start_import(files=broken, replace=False, actor=adam)

    with run_on_commit():
        import_jobs.run_import.call(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    [notification] = told()
    count = len(job.problems)
    assert count >= 3
    assert notification.subject == f"Import #{job.pk}: refused, {count} problems"
    [message] = mail.outbox
    assert f"{count} problems were found; the first 2:" in message.body
    assert f"- {job.problems[0]}" in message.body
    assert f"- {job.problems[1]}" in message.body
    assert job.problems[2] not in message.body


def test_a_checked_replace_tells_its_uploader_to_confirm_within_the_hour(sam, run_on_commit):
    first = import_jobs.start_import(files=sample_files(), replace=False, actor=sam)
    import_jobs.run_import.call(job_id=first.pk)
    edit_every_project()  # the app's projects differ from the files: replaced
    Notification.objects.all().delete()
    job = import_jobs.start_replace(files=sample_files(), actor=sam)

    with run_on_commit():
        import_jobs.run_import.call(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.STAGED
    [notification] = told()
    assert notification.subject.startswith(f"Import #{job.pk}: checked, 62 projects to replace")
    assert "confirm by" in notification.subject
    [message] = mail.outbox
    assert "would replace 62 projects" in message.body
    assert "Nothing is written until you confirm it on the import's page" in message.body


def test_an_uploader_who_chose_no_email_is_told_in_the_app_only(adam, run_on_commit):
    choose_email(adam, "now", **{KIND: "off"})
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)

    with run_on_commit():
        import_jobs.run_import.call(job_id=job.pk)

    assert len(told()) == 1
    assert mail.outbox == []


def test_an_import_that_fails_on_an_error_tells_the_uploader(adam, run_on_commit, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(interchange, "import_portfolio", broken)
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)

    with run_on_commit(), pytest.raises(RuntimeError):
        import_jobs.run_import.call(job_id=job.pk)

    [notification] = told()
    assert notification.subject == f"Import #{job.pk}: failed"
    assert "unexpected error (RuntimeError)" in mail.outbox[0].body


def test_the_settings_offer_the_import_notice_to_those_who_may_import(adam, sam, alice):
    assert KIND in kinds_for(adam)  # an admin
    assert KIND in kinds_for(sam)  # a superuser
    assert KIND not in kinds_for(alice)  # a researcher
    assert KIND not in kinds_for(make_user("exec@example.com", Role.EXECUTIVE))
