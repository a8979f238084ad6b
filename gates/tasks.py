"""The gates' background tasks: run daily by the task workers (``settings.SCHEDULED_TASKS``),
the gatekeepers' vote reminders (``manage.py send_vote_reminders`` does the same by hand) and
forgetting the replaces nobody confirmed; queued by a change, asking at once whoever it let
join the panel of an open review."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task

from background.liveness import retry_when_lost
from background.mail import stores_tasks
from gates import import_jobs
from gates.services import send_vote_reminders as remind
from gates.services.votes import ask_joined
from portfolio.panels import chaired_by, gates_naming


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
) -> str:
    """Ask for their vote whoever joined the panel of an open review (``votes.ask_joined``)."""
    sent = ask_joined(people=people, gates=gates, projects=projects)
    return f"{sent} vote request{'s' if sent != 1 else ''} sent"


# Run twice, it asks nobody twice (one request per review and person).
retry_when_lost(ask_new_gatekeepers)


def ask_new_gatekeepers_soon(**kwargs) -> None:
    """Queue ``ask_new_gatekeepers`` with a change that may have let someone join a panel:
    with the database backend the task is written in the change's transaction (both commit,
    or neither), and a backend that runs tasks at once runs it after the commit."""
    if stores_tasks():
        ask_new_gatekeepers.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: ask_new_gatekeepers.enqueue(**kwargs), robust=True)


def panels_may_have_grown(sender, *, person, project=None, **kwargs) -> None:
    """``portfolio.signals.panels_may_have_grown``: ask ``person`` in the open reviews they
    may have joined, the project's (a new product manager) or those of the gates naming
    them or one of their roles (a role given, an account made active again), and those of
    the projects they chair (a product manager's account made active again)."""
    if project is not None:
        ask_new_gatekeepers_soon(people=[person.pk], projects=[project.pk])
        return
    if gates := gates_naming(person):
        ask_new_gatekeepers_soon(people=[person.pk], gates=gates)
    if chaired := chaired_by(person):
        ask_new_gatekeepers_soon(people=[person.pk], projects=chaired)
