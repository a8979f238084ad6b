"""The import page stores the uploaded files in the job's pieces (on PostgreSQL while it reads
the request: gates/import_upload.py): every byte kept, in order, and nothing kept of an upload
it refuses, whether for its CSRF token, its files or its sender's rights."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse

from gates import import_jobs, import_upload, interchange
from gates.models import ImportJob, ImportUpload
from tests.gates.uploading import FIELDS, SAMPLE, URL, uploads


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of 1 kB, so that the sample's files span many (the spend file: 28 of them)."""
    monkeypatch.setattr(import_upload, "PIECE_BYTES", 1024)  # stored as read (PostgreSQL)
    monkeypatch.setattr(import_jobs, "PIECE_BYTES", 1024)  # stored once read (SQLite)


def test_the_upload_is_stored_in_pieces_as_read_every_byte_in_order(
    client, adam, database_tasks, small_pieces
):
    client.force_login(adam)
    every_byte = bytes(range(256)) * 8  # two pieces exactly: a file ending on a boundary
    # Files are stored as sent: the importer, not the upload, reads them as CSV.
    response = client.post(URL, uploads(outcomes=every_byte))

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response.url == reverse("import_job", args=[job.pk])
    assert job.phase == "Queued" and job.status == "waiting"
    assert job.uploads.filter(file_name=interchange.SPEND).count() == 28
    read_back = import_jobs._files(job)
    assert read_back[interchange.OUTCOMES].read() == every_byte
    for field, name in FIELDS.items():
        if field != "outcomes":
            assert read_back[name].read() == (SAMPLE / name).read_bytes(), name
    assert job.upload_bytes == sum(
        len(every_byte) if f == "outcomes" else (SAMPLE / n).stat().st_size
        for f, n in FIELDS.items()
    )


def test_an_upload_without_its_csrf_token_is_refused_and_nothing_is_kept(adam, small_pieces):
    client = Client(enforce_csrf_checks=True)
    client.force_login(adam)

    response = client.post(URL, uploads())

    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    assert not ImportUpload.objects.exists()


def test_an_upload_with_its_csrf_token_is_queued(adam, database_tasks, small_pieces):
    client = Client(enforce_csrf_checks=True)
    client.force_login(adam)
    page = client.get(URL)
    token = page.cookies["csrftoken"].value

    response = client.post(URL, {**uploads(), "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert ImportJob.objects.get().uploads.exists()


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "erin"])
def test_someone_who_may_not_import_is_refused_before_the_body_is_read(
    client, persona, request, monkeypatch
):
    def never(*args, **kwargs):
        raise AssertionError("the body was read for someone who may not import")

    monkeypatch.setattr(MultiPartParser, "parse", never)
    client.force_login(request.getfixturevalue(persona))

    response = client.post(URL, uploads())

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_a_refused_upload_keeps_none_of_its_pieces(client, adam, small_pieces):
    files = uploads(spend=b"not,the,header\n" * 200)
    del files["outcomes"]
    client.force_login(adam)

    response = client.post(URL, files)

    assert response.status_code == 400
    assert "outcomes.csv: choose the file to upload." in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not ImportUpload.objects.exists()


@pytest.mark.postgres
def test_a_file_over_the_limit_is_not_stored_past_it(client, adam, settings, monkeypatch):
    """Above the limit the view refuses the upload; the handler stops storing at the limit
    rather than writing whatever size was sent into the database first."""
    settings.IMPORT_UPLOAD_MAX_BYTES = 20_000
    monkeypatch.setattr(import_upload, "PIECE_BYTES", 4096)
    stored: dict[str, int] = {}
    put = import_upload._Writer.put

    def counted(self, name, sequence, data):
        stored[name] = stored.get(name, 0) + len(data)
        put(self, name, sequence, data)

    monkeypatch.setattr(import_upload._Writer, "put", counted)
    client.force_login(adam)

    response = client.post(URL, uploads())

    assert response.status_code == 400
    assert "spend.csv: the file is 27.2 kB, above the 19.5 kB limit" in response.content.decode()
    assert stored.get("spend.csv", 0) <= 20_000  # of its 27.2 kB
    assert stored["projects.csv"] == (SAMPLE / "projects.csv").stat().st_size
    assert not ImportUpload.objects.exists()


def test_a_file_field_sent_twice_is_refused(client, adam, small_pieces):
    client.force_login(adam)
    files = uploads()
    second = SimpleUploadedFile("spend.csv", b"key,date,amount\n", content_type="text/csv")

    response = client.post(URL, {**files, "spend": [files["spend"], second]})

    assert response.status_code == 400
    assert "spend.csv: sent twice; choose one file for it." in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.postgres
def test_an_error_storing_a_piece_reaches_the_request_and_keeps_nothing(
    client, adam, small_pieces, monkeypatch
):
    """On PostgreSQL a thread writes the pieces: what it fails on fails the upload."""

    def refused(*args, **kwargs):
        raise OSError("the disk is full")

    monkeypatch.setattr(import_upload, "insert_piece", refused)
    client.raise_request_exception = True
    client.force_login(adam)

    with pytest.raises(OSError, match="the disk is full"):
        client.post(URL, uploads())
    assert not ImportJob.objects.exists()


def test_the_service_still_stores_files_it_is_handed(adam, database_tasks):
    """The demo's seeding (and any caller with files in hand) stores them after the fact."""
    job = import_jobs.start_import(
        files={name: io.BytesIO((SAMPLE / name).read_bytes()) for name in FIELDS.values()},
        replace=False,
        actor=adam,
    )
    assert job.phase == "Queued"
    assert import_jobs._files(job)[interchange.SPEND].read() == (SAMPLE / "spend.csv").read_bytes()


def test_on_sqlite_the_body_is_read_before_anything_is_stored(
    client, adam, database_tasks, monkeypatch
):
    """A transaction open while the body is read would hold SQLite's one write lock as long:
    every other write of the app would wait for a slow upload."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's path")

    def never(*args, **kwargs):
        raise AssertionError("stored while read, on SQLite")

    monkeypatch.setattr(import_upload.PiecesUploadHandler, "__init__", never)
    client.force_login(adam)

    response = client.post(URL, uploads())

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert import_jobs._files(job)[interchange.SPEND].read() == (SAMPLE / "spend.csv").read_bytes()


@pytest.mark.postgres
def test_on_postgresql_the_pieces_are_stored_while_the_body_is_read(
    client, adam, database_tasks, small_pieces, monkeypatch
):
    """The first piece reaches the database before Django has read the last file."""
    seen: list[str] = []
    write = import_upload.insert_piece
    receive = import_upload.PiecesUploadHandler.receive_data_chunk

    def written(raw, *, file_name, **kwargs):
        seen.append(f"stored {file_name}")
        write(raw, file_name=file_name, **kwargs)

    def received(self, raw_data, start):
        if start == 0:
            seen.append(f"reading {self._name}")
        return receive(self, raw_data, start)

    monkeypatch.setattr(import_upload, "insert_piece", written)
    monkeypatch.setattr(import_upload.PiecesUploadHandler, "receive_data_chunk", received)
    client.force_login(adam)

    assert client.post(URL, uploads()).status_code == 302
    assert seen.index("stored projects.csv") < seen.index("reading outcomes.csv")


@pytest.mark.postgres
def test_a_slow_upload_outlives_the_servers_idle_in_transaction_timeout(
    client, adam, database_tasks, small_pieces, monkeypatch
):
    """The transaction waits on the client between pieces: a database set to end sessions
    idle in a transaction for 1 s must not end an upload whose next piece takes longer."""
    import time

    from django.db import connection

    receive = import_upload.PiecesUploadHandler.receive_data_chunk
    slowed: list[str] = []

    def slow(self, raw_data, start):
        if self._name == "outcomes.csv" and not slowed:
            slowed.append(self._name)
            time.sleep(1.5)  # the client's next bytes take their time
        return receive(self, raw_data, start)

    monkeypatch.setattr(import_upload.PiecesUploadHandler, "receive_data_chunk", slow)
    with connection.cursor() as cursor:
        cursor.execute("SET idle_in_transaction_session_timeout = '1s'")
    try:
        client.force_login(adam)
        response = client.post(URL, uploads())
        assert slowed
        assert response.status_code == 302
        assert ImportJob.objects.get().uploads.filter(file_name="outcomes.csv").exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET idle_in_transaction_session_timeout")


@pytest.mark.parametrize("cut_off", [True, False])
def test_an_upload_cut_off_half_way_keeps_nothing(
    adam, database_tasks, small_pieces, cut_off, monkeypatch
):
    """The uploader closes the tab while the files are sent: whatever pieces were stored go
    with the job (on PostgreSQL several are, before the body breaks off). The same request
    sent whole is queued (the request is built as the server builds it, token and all)."""
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIRequest
    from django.middleware.csrf import get_token
    from django.test import RequestFactory
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    from gates.views.interchange import portfolio_import

    class Sent(io.BytesIO):
        def read(self, size=-1):
            if not cut_off:
                return super().read(size)
            if self.tell() >= CUT:
                raise OSError("the client went away")
            return super().read(CUT - self.tell() if size < 0 else min(size, CUT - self.tell()))

    CUT = 20_000  # bytes sent: into spend.csv, the third file  # noqa: N806
    factory = RequestFactory()
    probe = factory.get(URL)
    body = encode_multipart(BOUNDARY, {**uploads(), "csrfmiddlewaretoken": get_token(probe)})
    request = WSGIRequest(
        factory._base_environ(
            PATH_INFO=str(URL),
            REQUEST_METHOD="POST",
            CONTENT_TYPE=MULTIPART_CONTENT,
            CONTENT_LENGTH=str(len(body)),
            HTTP_COOKIE=f"{settings.CSRF_COOKIE_NAME}={probe.META['CSRF_COOKIE']}",
            **{"wsgi.input": Sent(body)},
        )
    )
    request.user = adam
    stored: list[str] = []
    write = import_upload.insert_piece

    def counted(raw, **piece):
        stored.append(piece["file_name"])
        write(raw, **piece)

    monkeypatch.setattr(import_upload, "insert_piece", counted)

    response = portfolio_import(request)

    if import_upload.stores_as_read():  # PostgreSQL: the first files were stored as sent
        assert "projects.csv" in stored
    if cut_off:
        assert response.status_code == 403  # nobody is left to read it
        assert not ImportJob.objects.exists()
        assert not ImportUpload.objects.exists()
    else:
        assert response.status_code == 302
        assert ImportJob.objects.get().uploads.exists()


def test_an_upload_of_the_csv_files_that_also_carries_a_workbook_imports_the_csv_files(
    client, adam, database_tasks
):
    """The page's two forms send one kind each; a request that sends both kinds is imported
    as the kind it names (here the CSV files, checked by the page), never the other."""
    client.force_login(adam)
    workbook = SimpleUploadedFile("portfolio.xlsx", b"PK\x03\x04 not checked by the page")

    response = client.post(URL, {**uploads(), "workbook": workbook})

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert set(job.uploads.values_list("file_name", flat=True)) == set(FIELDS.values())
    assert job.upload_bytes == sum((SAMPLE / name).stat().st_size for name in FIELDS.values())
