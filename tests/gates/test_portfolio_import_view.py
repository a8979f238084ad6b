"""The import page: admins upload the four files; problems are listed by line and nothing is written."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from gates import import_jobs
from gates.models import GateDecision, ImportJob
from portfolio.models import AuditEntry, Project, ReplacedHistory, SpendEntry, Status
from tests.builders import make_project, make_user
from tests.gates.replacing import edit_every_project
from tests.gates.uploading import FIELDS, SAMPLE, URL, uploads


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as the browser would, then let the import run (the worker's part, here at once)."""

    def post(data: dict, follow: bool = True):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, data)
        return client.get(response.url) if follow and response.status_code == 302 else response

    return post


def test_it_requires_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_page_promises_what_the_import_does(client, adam):
    """It said "Everything is checked before anything is written", and the import's page
    then showed "Writing gate_decisions.csv" before "Checking spend.csv": spend.csv is
    checked as it is written, inside the import's one transaction."""
    client.force_login(adam)
    page = " ".join(client.get(URL).content.decode().split())

    assert "Everything is checked before anything is written" not in page
    assert (
        "Nothing is saved until every file has been checked: the import is one transaction" in page
    )
    assert "spend.csv is checked as it is written, after the other files" in page


def test_a_running_imports_page_says_nothing_is_saved_until_all_is_checked(client, adam):
    job = ImportJob.objects.create(
        created_by=adam,
        status="running",
        phase="Writing gate_decisions.csv",
        started_at=timezone.now(),
    )
    client.force_login(adam)
    page = " ".join(client.get(reverse("import_job", args=[job.pk])).content.decode().split())

    assert (
        "Nothing is saved until every file has been checked: the import is one transaction" in page
    )


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "erin"])
def test_it_is_for_admins_only(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert client.post(URL, uploads()).status_code == 403
    assert not Project.objects.exists()


def test_it_shows_the_upload_form(client, adam):
    client.force_login(adam)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    for field in FIELDS:
        assert f'name="{field}"' in html
    assert 'name="estimates"' in html
    assert 'name="replace"' not in html  # for superusers only
    assert reverse("portfolio_export") in html


def test_each_replace_box_is_described_by_its_help(client, db):
    """A screen reader hears what replacing does when it reaches the box, not only by
    reading on."""
    client.force_login(make_user("root1@example.com", is_superuser=True, is_staff=True))
    html = client.get(URL).content.decode()

    boxes = re.findall(r'<input type="checkbox"[^>]*name="replace"[^>]*>', html)
    assert len(boxes) == 2  # the files' form and the workbook's
    for box, says in zip(
        boxes, ("are rewritten from the files", "As for the CSV files"), strict=True
    ):
        described_by = re.search(r'aria-describedby="([^"]+)"', box).group(1)
        help_text = re.search(rf'<span class="helptext" id="{described_by}">([^<]*)<', html)
        assert help_text and says in help_text.group(1), (box, described_by)


def test_it_imports_the_four_files(client, adam, post):
    client.force_login(adam)

    answer = post(uploads(), follow=False)
    response = client.get(answer.url)

    job = ImportJob.objects.get()
    assert answer.url == reverse("import_job", args=[job.pk])
    assert job.status == "done"
    assert not job.uploads.exists()  # the uploaded files are not kept
    assert "Imported 62 projects, 146 gate decisions, 620 spend entries and 99 outcome months" in (
        response.content.decode()
    )
    assert Project.objects.count() == 62
    assert SpendEntry.objects.count() == 620
    entry = AuditEntry.objects.get(action="portfolio.imported")
    assert entry.actor == adam
    # The rows are the files': the audit entry, not each row, names who imported them.
    assert not SpendEntry.objects.filter(recorded_by__isnull=False).exists()


def test_it_lists_the_problems_by_line_and_writes_nothing(client, adam, post):
    client.force_login(adam)
    spend = (SAMPLE / "spend.csv").read_bytes().replace(b"1993.82", b'"$12,000"', 1)
    outcomes = (SAMPLE / "outcomes.csv").read_bytes() + b"RP-0001,2026-05-01,100\n"

    response = post(uploads(spend=spend, outcomes=outcomes))

    html = response.content.decode()
    assert "Failed: nothing was imported" in html
    assert "2 problems in the files" in html
    assert "spend.csv:2: amount: &#x27;$12,000&#x27; is not money" in html
    assert "outcomes.csv:101: project: RP-0001 is not greenlit" in html
    assert not Project.objects.exists()
    assert not GateDecision.objects.exists()
    assert not AuditEntry.objects.exclude(action__startswith="sign_in.").exists()


def test_it_refuses_a_file_that_is_not_utf8(client, adam, post):
    client.force_login(adam)

    projects = (
        (SAMPLE / "projects.csv").read_bytes().replace(b"Vision study", "Café".encode("latin-1"))
    )

    response = post(uploads(projects=projects))

    assert ImportJob.objects.get().status == "failed"
    assert "projects.csv:2: (file): the file is not UTF-8" in response.content.decode()
    assert not Project.objects.exists()


def test_it_asks_for_every_file(client, adam):
    client.force_login(adam)
    files = uploads()
    del files["outcomes"]

    response = client.post(URL, files)

    assert response.status_code == 400
    assert "outcomes.csv: choose the file to upload." in response.content.decode()
    assert not Project.objects.exists()


def test_it_refuses_a_file_over_the_upload_limit(client, adam, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 20_000
    client.force_login(adam)

    response = client.post(URL, uploads())

    assert response.status_code == 400
    html = response.content.decode()
    assert "spend.csv: the file is 27.2 kB, above the 19.5 kB limit of an upload" in html
    assert "manage.py import_portfolio" in html
    assert "projects.csv: the file is" not in html  # 8.9 kB: under the limit
    assert not Project.objects.exists()


def test_the_page_writes_a_whole_upload_limit_without_a_decimal(client, adam, settings):
    """The page said "Each file may be up to 200.0 MB"."""
    settings.IMPORT_UPLOAD_MAX_BYTES = 200 * 1024 * 1024
    client.force_login(adam)
    assert "Each file may be up to 200 MB;" in client.get(URL).content.decode()
    settings.IMPORT_UPLOAD_MAX_BYTES = 1536 * 1024
    assert "Each file may be up to 1.5 MB;" in client.get(URL).content.decode()


def test_it_refuses_existing_keys_unless_asked_to_replace(client, sam, post):
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced

    refused = post(uploads())
    listed = post({**uploads(), "replace": "on"})
    replaced = post({"staged": staged_token(listed), "confirm": "replace"})

    assert (
        "projects.csv:2: key: 62 keys already exist (RP-0001 on line 2, RP-0002 on line 3, "
        "RP-0003 on line 4 and 59 more): only a replace overwrites them "
        "(a superuser&#x27;s, on the import page" in refused.content.decode()
    )
    assert "Imported 62 projects (62 replaced)" in replaced.content.decode()
    assert Project.objects.count() == 62
    assert GateDecision.objects.count() == 146
    assert ReplacedHistory.objects.count() == 62


def staged_token(response) -> str:
    return re.search(r'name="staged" value="([0-9a-f]+)"', response.content.decode()).group(1)


def test_it_offers_replace_to_superusers_only(client, adam, sam):
    client.force_login(adam)
    assert 'name="replace"' not in client.get(URL).content.decode()
    client.force_login(sam)
    assert 'name="replace"' in client.get(URL).content.decode()


def test_it_refuses_replace_from_an_admin_who_is_not_a_superuser(client, adam, post):
    client.force_login(adam)
    post(uploads())
    decisions = GateDecision.objects.count()

    response = client.post(URL, {**uploads(), "replace": "on"})

    assert response.status_code == 403
    # The reason, not the advice to ask for a role: Adam is an admin; superuser is no role.
    assert "Only a superuser replaces existing projects." in response.content.decode()
    assert "ask an administrator" not in response.content.decode()
    assert not ReplacedHistory.objects.exists()
    assert GateDecision.objects.count() == decisions


def test_replace_first_lists_what_would_be_replaced_and_writes_nothing(client, sam, post):
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    before = (
        GateDecision.objects.count(),
        SpendEntry.objects.count(),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
    )

    response = post({**uploads(), "replace": "on"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Replace 62 projects?" in html
    assert "RP-0001" in html and "Vision study #1" in html
    assert (
        GateDecision.objects.count(),
        SpendEntry.objects.count(),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
    ) == before
    assert not ReplacedHistory.objects.exists()


def test_a_large_replace_lists_the_first_projects_under_the_totals_of_all(
    client, sam, post, monkeypatch
):
    monkeypatch.setattr("gates.import_jobs.REPLACED_SHOWN", 5)
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    decisions = GateDecision.objects.count()
    entries = SpendEntry.objects.count()
    spend = SpendEntry.objects.aggregate(total=Sum("amount"))["total"]

    response = post({**uploads(), "replace": "on"})

    html = " ".join(response.content.decode().split())
    assert "Replace 62 projects?" in html
    assert f"Together they hold {decisions} gate decisions, {entries} spend entries" in html
    assert f"(EUR {spend:,.2f})" in html
    assert "The first 5 of the 62 projects, by key:" in html
    rows = html[html.index("<tbody>") : html.index("</tbody>")]
    assert rows.count('<th scope="row">') == 5
    assert "RP-0001" in rows


def test_confirming_replaces_and_archives_what_was_there(client, sam, post):
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    first = Project.objects.get(key="RP-0001")
    decisions = list(first.decisions.values_list("decision", flat=True))
    token = staged_token(post({**uploads(), "replace": "on"}))

    post({"staged": token, "confirm": "replace"})

    history = ReplacedHistory.objects.get(project=first)
    assert [d["decision"] for d in history.decisions] == decisions
    assert history.replaced_by == sam
    assert ReplacedHistory.objects.count() == 62


def test_a_confirmation_sent_again_leads_to_the_import_it_started(client, sam, post):
    # Back to the confirmation page after confirming, and Replace again: the import's page,
    # not "the files are no longer waiting: upload them again", and no second import.
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    token = staged_token(post({**uploads(), "replace": "on"}))
    post({"staged": token, "confirm": "replace"})
    job = ImportJob.objects.get(replace=True)

    again = post({"staged": token, "confirm": "replace"}, follow=False)

    assert again.url == reverse("import_job", args=[job.pk])
    assert f"This replace was confirmed already: it is import #{job.pk}." in (
        client.get(again.url).content.decode()
    )
    assert ImportJob.objects.filter(replace=True).count() == 1


def test_a_confirmation_of_a_replace_that_needed_none_says_so(client, sam, post):
    # The files hold each project exactly as the app has it: the check found nothing to
    # archive, so the replace imported at once; it was never confirmed.
    client.force_login(sam)
    post(uploads())
    post({**uploads(), "replace": "on"})
    job = ImportJob.objects.get(replace=True)
    assert job.status == ImportJob.Status.DONE

    posted = post({"staged": job.pk, "confirm": "replace"}, follow=False)

    assert posted.url == reverse("import_job", args=[job.pk])
    assert (
        f"This replace needed no confirmation (it would archive nothing): it is import #{job.pk}."
        in client.get(posted.url).content.decode()
    )


def test_cancelling_imports_nothing(client, sam, post):
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    token = staged_token(post({**uploads(), "replace": "on"}))

    response = post({"staged": token, "confirm": "cancel"})

    assert "Nothing was imported" in response.content.decode()
    again = post({"staged": token, "confirm": "replace"})
    assert again.status_code == 400  # the files are gone
    assert not ReplacedHistory.objects.exists()


def test_nobody_confirms_files_someone_else_staged(client, sam, post):
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    token = staged_token(post({**uploads(), "replace": "on"}))
    client.force_login(make_user("root2@example.com", is_superuser=True, is_staff=True))

    response = post({"staged": token, "confirm": "replace"})

    assert response.status_code == 400
    assert "upload them again" in response.content.decode()
    assert not ReplacedHistory.objects.exists()


def test_the_page_imports_the_same_files_without_a_confirmation(client, sam, post):
    """Every project of the files is as the app holds it: nothing would be archived, so
    there is nothing to confirm; the summary counts them unchanged."""
    client.force_login(sam)
    post(uploads())

    response = post({**uploads(), "replace": "on"})

    html = response.content.decode()
    assert "Replace 62 projects?" not in html
    assert "62 projects unchanged (the files hold exactly what the app has)" in html
    assert ImportJob.objects.filter(replace=True, status="done").count() == 1
    assert not ReplacedHistory.objects.exists()


def test_the_page_lists_only_the_projects_it_would_replace(client, sam, post):
    client.force_login(sam)
    post(uploads())
    edit_every_project(key__in=["RP-0001", "RP-0002"])  # the files hold the others as they are

    confirm = post({**uploads(), "replace": "on"})
    html = " ".join(confirm.content.decode().split())
    done = post({"staged": staged_token(confirm), "confirm": "replace"})

    assert "Replace 2 projects?" in html
    assert "60 more projects of the files are exactly as the app holds them" in html
    rows = html[html.index("<tbody>") : html.index("</tbody>")]
    assert rows.count('<th scope="row">') == 2
    assert "Imported 2 projects (2 replaced)" in done.content.decode()
    assert "60 projects unchanged" in done.content.decode()
    assert set(ReplacedHistory.objects.values_list("project__key", flat=True)) == {
        "RP-0001",
        "RP-0002",
    }


def test_a_replace_of_projects_the_app_does_not_have_is_queued_at_once(
    client, sam, post, monkeypatch
):
    """Nothing to archive, nothing to confirm: the page answers at once and the worker checks
    the files, as for any import (the whole check is not made in the request)."""
    from gates import interchange

    monkeypatch.setattr(
        interchange, "what_replacing_would_archive", lambda *a, **k: pytest.fail("checked")
    )
    make_project(key="OTHER-1")
    client.force_login(sam)

    response = post({**uploads(), "replace": "on"})

    assert "Imported 62 projects" in response.content.decode()
    assert Project.objects.count() == 63


def test_a_replace_s_problems_are_listed_by_the_worker_when_nothing_would_be_replaced(
    client, sam, post
):
    client.force_login(sam)
    spend = (SAMPLE / "spend.csv").read_bytes().replace(b"1993.82", b"lots", 1)

    response = post({**uploads(spend=spend), "replace": "on"})

    assert "spend.csv:2: amount: &#x27;lots&#x27; is not money" in response.content.decode()
    assert ImportJob.objects.get().status == "failed"
    assert not Project.objects.exists()


def test_whether_a_replace_replaces_anything_is_told_from_the_keys_ignoring_case(sam):
    from gates import interchange

    def files(**replaced: bytes) -> dict:  # by file name, as the view hands them over
        return {FIELDS[field]: upload for field, upload in uploads(**replaced).items()}

    assert not interchange.replaces_any(files())
    make_project(key="rp-0007")
    assert interchange.replaces_any(files())
    # A projects file the import would refuse: the whole check says why.
    assert interchange.replaces_any(files(projects=b"not,a,header\n1,2,3\n"))


def test_it_never_replaces_a_draft(client, sam, alice, bob, post):
    make_project(key="RP-0001", status=Status.DRAFT, researcher=alice, product_manager=bob)
    client.force_login(sam)

    response = post({**uploads(), "replace": "on"})

    # The worker's check refuses it, on the job's page, before anything is confirmed.
    assert "Failed: nothing was imported" in response.content.decode()
    assert "RP-0001 is a draft proposal in the app" in response.content.decode()
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
    assert Project.objects.get(key="RP-0001").status == Status.DRAFT
    assert Project.objects.count() == 1


def test_it_keeps_the_replace_choice_when_refused(client, sam):
    client.force_login(sam)

    files = uploads()
    del files["projects"]

    response = client.post(URL, {**files, "replace": "on"})

    assert response.status_code == 400
    assert 'name="replace" checked' in response.content.decode()


def test_staged_files_wait_in_the_database_for_any_app_server(client, sam, post):
    """The confirmation may reach another server (another session): the files wait with a job."""
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    token = staged_token(post({**uploads(), "replace": "on"}))
    staged = ImportJob.objects.get(pk=int(token))
    assert staged.status == ImportJob.Status.STAGED
    assert staged.uploads.exists()

    client.logout()
    client.force_login(sam)  # a new session, as on the other server
    response = post({"staged": token, "confirm": "replace"})

    assert "Imported 62 projects (62 replaced)" in response.content.decode()
    assert not ImportJob.objects.get(pk=int(token)).uploads.exists()


def test_a_replace_nobody_confirmed_within_an_hour_is_forgotten(client, sam, post):
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    token = staged_token(post({**uploads(), "replace": "on"}))
    # An hour from the check, however long ago the files were uploaded.
    ImportJob.objects.filter(pk=int(token)).update(
        created_at=timezone.now() - datetime.timedelta(minutes=90),
        staged_at=timezone.now() - datetime.timedelta(minutes=59),
    )
    assert import_jobs.forget_unconfirmed() == 0
    ImportJob.objects.filter(pk=int(token)).update(
        staged_at=timezone.now() - datetime.timedelta(minutes=61)
    )

    response = post({"staged": token, "confirm": "replace"})

    assert response.status_code == 400
    assert "no longer waiting" in response.content.decode()
    assert not ReplacedHistory.objects.exists()
    assert import_jobs.forget_unconfirmed() == 1
    assert not ImportJob.objects.filter(pk=int(token)).exists()


def test_the_page_of_a_staged_replace_says_it_waits_and_does_not_poll(client, sam, post):
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    token = staged_token(post({**uploads(), "replace": "on"}))

    html = client.get(reverse("import_job", args=[int(token)])).content.decode()

    assert "Replace 62 projects?" in html
    assert "The files are kept for an hour from the check" in html
    assert "for you to confirm the replace" in html
    assert "hx-trigger" not in html
    # Its uploader confirms it from here too (the confirmation page may have been left).
    assert f'name="staged" value="{int(token)}"' in html
    assert 'name="confirm" value="replace"' in html
    other = make_user("root3@example.com", is_superuser=True, is_staff=True)
    client.force_login(other)
    html = client.get(reverse("import_job", args=[int(token)])).content.decode()
    assert 'name="confirm"' not in html
    assert "Replace 62 projects?" in html  # what it would replace, for any admin to see
    assert "for the person who uploaded them to confirm the replace" in html


def test_a_replace_answers_at_once_and_the_worker_checks_the_files(
    client, sam, post, django_capture_on_commit_callbacks
):
    """The whole check (every file, then the comparison with the app) takes seconds at a
    million spend rows: not in the request, which only stores the files."""
    from gates import interchange

    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    checked = []
    check = interchange.what_replacing_would_archive

    def checking(*args, **kwargs):
        checked.append(kwargs["progress"] is not None)  # the job's page follows it
        return check(*args, **kwargs)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(URL, {**uploads(), "replace": "on"})
    job = ImportJob.objects.get(check_first=True)
    assert response.status_code == 302
    assert response.url == reverse("import_job", args=[job.pk])
    assert (job.status, job.outlook) == (ImportJob.Status.WAITING, None)
    assert "Waiting to start" in client.get(response.url).content.decode()

    interchange.what_replacing_would_archive = checking
    try:
        for callback in queued:
            callback()  # the worker's part
    finally:
        interchange.what_replacing_would_archive = check

    assert checked == [True]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.STAGED
    assert job.uploads.exists()  # kept for the import, once confirmed
    assert "Replace 62 projects?" in client.get(response.url).content.decode()
    assert not ReplacedHistory.objects.exists()


def test_the_page_of_a_replace_being_checked_says_so(client, sam):
    job = ImportJob.objects.create(
        created_by=sam,
        replace=True,
        check_first=True,
        status=ImportJob.Status.RUNNING,
        started_at=timezone.now(),
        phase="Checking spend.csv",
        rows_checked=1200,
    )
    client.force_login(sam)

    html = client.get(reverse("import_job", args=[job.pk])).content.decode()

    assert "Checking what the replace would change" in html
    assert "Nothing is written yet" in html
    assert "Checking spend.csv" in html and "1,200" in html
    assert "hx-trigger" in html  # it follows the check


def test_polling_stops_when_the_checked_replace_waits_for_its_confirmation(client, sam, post):
    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    token = staged_token(post({**uploads(), "replace": "on"}))

    response = client.get(reverse("import_job", args=[int(token)]), headers={"HX-Request": "true"})

    assert response.status_code == 286  # htmx: stop polling; the confirmation stays put
    assert 'name="confirm" value="replace"' in response.content.decode()


def test_the_replace_confirmation_writes_spend_as_money(client, sam, post):
    from portfolio.templatetags.numbers import amount

    client.force_login(sam)
    post(uploads())
    edit_every_project()  # the app's projects differ from the files: replaced
    spend = SpendEntry.objects.filter(project__key="RP-0001").aggregate(total=Sum("amount"))

    html = " ".join(post({**uploads(), "replace": "on"}).content.decode().split())

    assert '<th scope="col" class="num">Spend (EUR)</th>' in html
    row = html[html.index(">RP-0001<") :].split("</tr>")[0]
    assert f'<td class="num">{amount(spend["total"])}</td>' in row
    assert f"{spend['total']:.2f}" not in html.replace(",", "")  # no raw decimals


def test_it_imports_every_optional_file_of_an_export(client, adam, post):
    """The unzipped export's optional files each have an input, and each is imported."""
    from gates.interchange import OPTIONAL_FILES
    from gates.models import KillCriterion, Vote
    from portfolio.models import Adoption, Artifact, ArtifactReuse

    v3 = SAMPLE.parent / "sample-portfolio-v3"
    panel = {
        "votes": "project,decision,gate,voter,recommendation,probability_of_success,comment,"
        "scorecard_total\nRP-0001,2,2,pm2@example.com,kill,0.3,Weak signal,\n",
        "kill_criteria": "project,decision,position,statement,comparison,target,met,judged_by,"
        "note\nRP-0001,1,1,Signed data agreement,,,no,2,Never signed\n",
    }
    files = {
        field: SimpleUploadedFile(
            f"{field}.csv",
            panel[field].encode() if field in panel else (v3 / f"{field}.csv").read_bytes(),
            content_type="text/csv",
        )
        for field in [*FIELDS, *(name.removesuffix(".csv") for name in OPTIONAL_FILES)]
    }
    client.force_login(adam)

    html = client.get(URL).content.decode()
    for name in OPTIONAL_FILES:
        assert f'name="{name.removesuffix(".csv")}"' in html
    response = post(files)

    assert "177 artifacts (73 reuses), 381 months of adoption, 1 vote and 1 kill criterion" in (
        response.content.decode()
    )
    assert (Artifact.objects.count(), ArtifactReuse.objects.count(), Adoption.objects.count()) == (
        177,
        73,
        381,
    )
    assert Vote.objects.get().comment == "Weak signal"
    assert KillCriterion.objects.get().verdict.note == "Never signed"
