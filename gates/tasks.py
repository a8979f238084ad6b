"""The gates' background tasks: run daily by the task workers (``settings.SCHEDULED_TASKS``),
the gatekeepers' vote reminders (``manage.py send_vote_reminders`` does the same by hand) and
forgetting the replaces nobody confirmed; queued by a change, asking at once whoever it let
join the panel of an open review.

One task per transaction asks whoever its changes let join a panel. An admin who gives a
person three roles in one save sends ``panels_may_have_grown`` once per role: each used to
queue its own task, asking the same person about overlapping gates. Now the first ask of a
transaction queues the task, and each later ask of the same transaction is added to it
(:func:`ask_new_gatekeepers_soon`):

- With the database backend (:func:`background.mail.stores_tasks`) the task's row is
  written in the change's transaction, as before (both commit, or neither), and a later ask
  rewrites that row's arguments (read back from the row, so an ask whose savepoint was
  rolled back is not kept). A backend that runs tasks at once runs the one task after the
  commit, with every ask of the transaction.
- Which transaction: the pending asks belong to one connection and are registered with
  ``transaction.on_commit``. They are still those of the current transaction while that
  callback is waiting on the connection: the commit runs it (and ends them), a rollback
  discards it with the row, and so does the rollback of the savepoint the first ask was made
  in. An ask that no longer finds its callback waiting starts a new task, so a rolled-back
  change leaves no task and a later transaction is never added to an earlier one's. Outside
  a transaction (autocommit) each ask is its own task.
- The asks are kept as ``asks``, a list of (people, gates, projects): ``votes.ask_joined``
  asks the people among the panels of the open reviews at the gates *and* of the projects,
  so two asks are one only when they differ in one of the three (their union) or one holds
  the other; a role's gates and a product manager's projects stay two asks of one task.
  Each person is still asked once per review: ``ask_joined`` skips who was asked already.
  When tasks run at once, an ask whose savepoint was rolled back while its transaction
  committed is kept: the task then asks whoever of those people sits on those panels and
  was never asked, as the morning's reminders would.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from django.db import transaction
from django.tasks import task

from background.liveness import retry_when_lost
from background.mail import stores_tasks
from gates import import_jobs
from gates.services import send_vote_reminders as remind
from gates.services.votes import ask_joined
from portfolio.panels import chaired_by, gates_naming

# An ask: the pks of the people, the numbers of the gates and the pks of the projects,
# each sorted (None: any).
Ask = tuple[tuple[int, ...] | None, tuple[int, ...] | None, tuple[int, ...] | None]
AXES = ("people", "gates", "projects")


@task
def send_vote_reminders() -> str:
    """E-mail the gatekeepers of open reviews who have not voted (each e-mail once per review)."""
    sent = remind()
    return f"{sent} vote reminder{'s' if sent != 1 else ''} sent"


@task
def forget_unconfirmed_imports() -> str:
    """Delete the files of replaces their uploader did not confirm within the hour."""
    forgotten = import_jobs.forget_unconfirmed()
    return f"{forgotten} unconfirmed replace{'s' if forgotten != 1 else ''} forgotten"


@task
def ask_new_gatekeepers(
    *,
    people: list[int] | None = None,
    gates: list[int] | None = None,
    projects: list[int] | None = None,
    asks: list[dict] | None = None,
) -> str:
    """Ask for their vote whoever joined the panel of an open review (``votes.ask_joined``),
    for each of ``asks`` (a transaction's, each with ``people``, ``gates`` and ``projects``;
    one missing is None), or for ``people``, ``gates`` and ``projects`` (as tasks were queued
    before ``asks``)."""
    if asks is None:
        asks = [{"people": people, "gates": gates, "projects": projects}]
    sent = sum(
        ask_joined(people=ask.get("people"), gates=ask.get("gates"), projects=ask.get("projects"))
        for ask in asks
    )
    return f"{sent} vote request{'s' if sent != 1 else ''} sent"


# Run twice, it asks nobody twice (one request per review and person).
retry_when_lost(ask_new_gatekeepers)


def ask_new_gatekeepers_soon(
    *,
    people: Iterable[int] | None = None,
    gates: Iterable[int] | None = None,
    projects: Iterable[int] | None = None,
) -> None:
    """Queue ``ask_new_gatekeepers`` with a change that may have let someone join a panel,
    one task per transaction (the module's docstring): with the database backend the task is
    written in the change's transaction (both commit, or neither), and a backend that runs
    tasks at once runs it after the commit."""
    ask = _ask(people, gates, projects)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # autocommit: the change is committed already
        ask_new_gatekeepers.enqueue(asks=_stored([ask]))
        return
    pending = _pending.get(connection)
    if pending is None or not pending.waiting_on(connection):
        pending = _pending[connection] = PendingAsks(stores=stores_tasks())
        transaction.on_commit(pending, robust=True)
    pending.add(ask)


class PendingAsks:
    """The asks of the transaction under way on one connection, and the task they make."""

    def __init__(self, *, stores: bool):
        self.stores = stores
        self.asks: list[Ask] = []  # when tasks run at once
        self.task_id: str | None = None  # the task's row, with the database backend
        self.ended = False

    def waiting_on(self, connection) -> bool:
        """Whether these are still the current transaction's asks: its commit has not run
        this callback, and no rollback has discarded it (``run_on_commit`` holds the
        callbacks Django will run; a test's capture runs them and leaves them there)."""
        return not self.ended and any(entry[1] is self for entry in connection.run_on_commit)

    def add(self, ask: Ask) -> None:
        if not self.stores:
            self.asks = merged([*self.asks, ask])
            return
        from django_tasks_db.models import DBTaskResult

        row = DBTaskResult.objects.filter(id=self.task_id) if self.task_id else None
        held = row.values_list("args_kwargs", flat=True).first() if row is not None else None
        if held is None:  # the first ask (or its row is gone with a savepoint)
            self.task_id = str(ask_new_gatekeepers.enqueue(asks=_stored([ask])).id)
            return
        # The row's asks as they are now: one whose savepoint was rolled back is not there.
        asks = merged([*_read(held["kwargs"]), ask])
        row.update(args_kwargs={"args": [], "kwargs": {"asks": _stored(asks)}})

    def __call__(self) -> None:
        """The transaction committed: a backend that runs tasks at once runs the one task."""
        self.ended = True
        if not self.stores:
            ask_new_gatekeepers.enqueue(asks=_stored(self.asks))


# Each connection's (a thread's): the asks of the transaction last under way on it.
_pending: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def merged(asks: Iterable[Ask]) -> list[Ask]:
    """The same requests in as few asks as say them exactly: two that differ in one of
    people, gates and projects become one with the union of it, and an ask that another
    holds goes."""
    result: list[Ask] = []
    for ask in asks:
        result = _with(result, ask)
    return result


def _with(asks: list[Ask], ask: Ask) -> list[Ask]:
    for i, other in enumerate(asks):
        if _holds(other, ask):
            return asks
        if _holds(ask, other) or sum(a != b for a, b in zip(ask, other, strict=True)) == 1:
            joined = tuple(_union(a, b) for a, b in zip(ask, other, strict=True))
            return _with(asks[:i] + asks[i + 1 :], joined)  # the union may join another
    return [*asks, ask]


def _holds(ask: Ask, other: Ask) -> bool:
    """Whether ``ask`` asks everything ``other`` does (None: any)."""
    return all(
        a is None or (b is not None and set(b) <= set(a)) for a, b in zip(ask, other, strict=True)
    )


def _union(a: tuple[int, ...] | None, b: tuple[int, ...] | None) -> tuple[int, ...] | None:
    return None if a is None or b is None else tuple(sorted({*a, *b}))


def _ask(*axes: Iterable[int] | None) -> Ask:
    return tuple(None if pks is None else tuple(sorted({int(pk) for pk in pks})) for pks in axes)


def _stored(asks: Iterable[Ask]) -> list[dict]:
    """As the task's ``asks``: a dict each, without what is None."""
    return [
        {axis: list(pks) for axis, pks in zip(AXES, ask, strict=True) if pks is not None}
        for ask in asks
    ]


def _read(kwargs: dict) -> list[Ask]:
    """The asks of a stored task's keyword arguments (``asks``, or one ask's)."""
    return [_ask(*(ask.get(axis) for axis in AXES)) for ask in kwargs.get("asks", [kwargs])]


def panels_may_have_grown(sender, *, person, project=None, **kwargs) -> None:
    """``portfolio.signals.panels_may_have_grown``: ask ``person`` in the open reviews they
    may have joined, the project's (a new product manager) or those of the gates naming
    them or one of their roles (a role given, an account made active again), and those of
    the projects they chair (a product manager's account made active again). Sent once per
    role an admin gives in one save: the asks of one transaction make one task."""
    if project is not None:
        ask_new_gatekeepers_soon(people=[person.pk], projects=[project.pk])
        return
    if gates := gates_naming(person):
        ask_new_gatekeepers_soon(people=[person.pk], gates=gates)
    if chaired := chaired_by(person):
        ask_new_gatekeepers_soon(people=[person.pk], projects=chaired)
