"""The import page's files stored in the database while the request's body is still read.

Django reads a multipart body (to a temporary file each) before the view sees it; the
view then stored the files in the job's pieces (``import_jobs._store``): two passes over
up to hundreds of megabytes, one after the other, while the uploader waits. Here an upload
handler (``PiecesUploadHandler``) hands each 8 MB piece to the database as soon as it has
been read, so that PostgreSQL writes one piece while Django reads the next. The view
(gates/views/interchange.py) creates the job first, in the transaction that will queue
it, after the sign-in and permission checks and before anything reads the body; any
answer but the queued import rolls the pieces back with the job.

The handler still keeps each file on disk as Django's own does (``TemporaryUploadedFile``):
the view checks the files' names and sizes and reads the projects file to tell whether the
upload replaces anything. A file above the upload limit is not stored past it (the view
refuses it, naming its size), and a file field sent twice is refused (the pieces of one
file are numbered once).

The transaction stays open while the body is read: an upload over a slow link holds it as
long (it locks nothing but the new job's row). It turns the server's
``idle_in_transaction_session_timeout`` off for itself, which would otherwise end it between
two pieces; gunicorn's timeout still ends a request that takes too long, and its transaction
with it.

On PostgreSQL the pieces are written by a thread on the request's own connection (psycopg's
connections may be shared between threads; the request's thread does not use it while the
body is read). On SQLite (``stores_as_read`` is false) the view reads the body first, as
Django does, and stores the files after: a transaction open while the body is read would hold
SQLite's one write lock as long, and every other write of the app would wait for a slow
upload.
"""

from __future__ import annotations

import queue
import threading

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import connection

from gates.models import ImportJob

PIECE_BYTES = 8 * 1024 * 1024
_DONE = object()


def stores_as_read() -> bool:
    """Whether uploads are stored while the body is read (PostgreSQL: the module's text)."""
    return connection.vendor == "postgresql"


def insert_piece(raw_connection, *, job_id: int, file_name: str, sequence: int, data) -> None:
    """One piece, sent as a binary parameter on ``raw_connection`` (psycopg's, not Django's).

    Django binds on the client, which would write the piece into the statement as hex text
    (twice its size, parsed back by the server). The column is stored uncompressed
    (migration 0011): the pieces live only until the import.
    """
    import psycopg
    from psycopg import sql

    from gates.models import ImportUpload

    meta = ImportUpload._meta
    statement = sql.SQL("INSERT INTO {} ({}, {}, {}, {}) VALUES (%s, %s, %s, %b)").format(
        sql.Identifier(meta.db_table),
        *(
            sql.Identifier(meta.get_field(f).column)
            for f in ("job", "file_name", "sequence", "data")
        ),
    )
    with psycopg.Cursor(raw_connection) as cursor:
        cursor.execute(statement, (job_id, file_name, sequence, data))


class _Writer:
    """Writes the pieces handed to it, in order, in a thread of its own on the request's
    PostgreSQL connection, at most one piece behind the reader (two pieces in memory)."""

    def __init__(self, job: ImportJob) -> None:
        self.job_id = job.pk
        self.error: BaseException | None = None
        connection.ensure_connection()
        self.raw = connection.connection
        # Between two pieces the transaction waits on the client: a server's
        # idle_in_transaction_session_timeout must not end an upload over a slow link (the
        # request is bounded all the same: gunicorn ends it after GUNICORN_TIMEOUT, and the
        # transaction with the connection). LOCAL: until this transaction ends.
        if not connection.in_atomic_block:
            raise RuntimeError("an upload is stored inside the transaction that queues it")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
        self.pieces: queue.Queue = queue.Queue(maxsize=1)
        self.thread = threading.Thread(
            target=self._run, name=f"import-{job.pk}-pieces", daemon=True
        )
        self.thread.start()

    def put(self, file_name: str, sequence: int, data: bytes | bytearray) -> None:
        self._raise()
        self.pieces.put((file_name, sequence, data))

    def _run(self) -> None:
        while (item := self.pieces.get()) is not _DONE:
            if self.error is not None:
                continue  # drain: the reader learns of the error at its next piece
            file_name, sequence, data = item
            try:
                insert_piece(
                    self.raw, job_id=self.job_id, file_name=file_name, sequence=sequence, data=data
                )
            except BaseException as error:  # noqa: BLE001 - handed to the request's thread
                self.error = error

    def finish(self) -> None:
        """Wait for the last piece to be written; raises what writing one raised."""
        if self.thread.is_alive():
            self.pieces.put(_DONE)
            self.thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error


class PiecesUploadHandler(TemporaryFileUploadHandler):
    """Stores the files of ``fields`` (form field -> the file's name in the format) in
    ``job``'s pieces as the body is read, and keeps each on disk like Django's handler.

    Every file of ``fields`` the request carries is stored (the view then keeps those of the
    kind of upload it names: ``import_jobs.start_import``); a field sent twice has its first
    file stored, and the view refuses the upload. ``close()`` must be called whatever
    happened (it waits for the writer thread).
    """

    def __init__(self, request, *, job: ImportJob, fields: dict[str, str], limit: int) -> None:
        super().__init__(request)
        self.job = job
        self.fields = fields
        self.limit = limit
        self.writer = _Writer(job)
        self._stored: set[str] = set()  # the files' names stored (or being stored)
        self._name: str | None = None

    def new_file(self, field_name, *args, **kwargs) -> None:
        super().new_file(field_name, *args, **kwargs)
        name = self.fields.get(field_name)
        if name is not None and name in self._stored:
            name = None  # a field's second file: not stored (the view refuses the upload)
        self._name = name
        self._buffer = bytearray()
        self._sequence = 0
        self._read = 0
        if name is not None:
            self._stored.add(name)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.file.write(raw_data)
        self._read += len(raw_data)
        if self._name is not None and self._read <= self.limit:
            self._buffer += raw_data
            while len(self._buffer) >= PIECE_BYTES:
                self._store(self._buffer[:PIECE_BYTES])  # a copy: the buffer goes on
                del self._buffer[:PIECE_BYTES]
        return None

    def file_complete(self, file_size: int):
        if self._name is not None and self._buffer and self._read <= self.limit:
            self._store(self._buffer)  # handed over whole: a new buffer follows
        self._buffer = bytearray()  # above the limit: refused by the view, rolled back
        return super().file_complete(file_size)

    def _store(self, piece: bytearray) -> None:
        """Hand ``piece`` to the writer: a bytearray of its own, which nothing changes after."""
        assert self._name is not None
        self.writer.put(self._name, self._sequence, piece)
        self._sequence += 1

    def upload_complete(self) -> None:
        self.writer.finish()

    def close(self, *, quietly: bool = False) -> None:
        """Wait for the writer (the body read or not); raises a piece's error, if any, unless
        ``quietly`` (the request failed already: its error is the one to see)."""
        try:
            self.writer.finish()
        except Exception:
            if not quietly:
                raise
