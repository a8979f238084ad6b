"""Tell a person about a change: always in the app, by e-mail as they chose, and say how.

Every hand-over of the process goes through :func:`notify` (see
``portfolio/services/handovers.py`` for who is told what): it records a
``Notification`` (the list behind the header's unread count) and, by the
person's preference for that kind (or overall), queues the e-mail at once,
leaves it for the daily digest, or sends none. E-mail is a background task
(``background/mail.py``) queued with the change, so a rolled-back change tells
nobody. The digests are at the end of this module.

Reading a notification is not audited: it changes no portfolio data, and an
audit entry would bump the data version and throw away the cached metrics on
every click. Preferences are audited.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from background.mail import enqueue_email, send_email, stores_tasks
from portfolio import access, panels
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import (
    EmailTiming,
    Notification,
    NotificationKind,
    NotificationPreference,
    Project,
    Role,
    User,
)

logger = logging.getLogger(__name__)


@dataclass
class Delivery:
    """One notification. ``sent``: None while queued, not yet committed or not e-mailed now."""

    to: User
    subject: str
    sent: bool | None = None
    error: str = ""
    timing: str = EmailTiming.NOW

    def sentence(self) -> str:
        """What to tell the person who made the change, truthfully."""
        name = self.to.display_name
        if self.timing == EmailTiming.DIGEST:
            return f"{name} has been notified in the app and in their daily digest"
        if self.timing == EmailTiming.OFF:
            return f"{name} has been notified in the app"
        if self.sent:
            return f"{name} has been e-mailed"
        if self.sent is False:
            return f"the e-mail to {name} could not be sent, so tell them yourself"
        return f"{name} will be e-mailed"


# --- Preferences ---------------------------------------------------------------------


def email_timing(person: User, kind: str) -> str:
    """The person's choice for ``kind``, else their overall choice, else e-mail at once."""
    chosen = dict(
        NotificationPreference.objects.filter(person=person, kind__in=(kind, "")).values_list(
            "kind", "email"
        )
    )
    return chosen.get(kind) or chosen.get("") or EmailTiming.NOW


def takes_alike(person: User, kind: str, other: str) -> bool:
    """Whether ``person`` chose the same for both kinds (at once, digest or no e-mail): one
    message may then say both (a new proposal and a vote asked, ``announce_review``);
    otherwise each is sent as they chose for it."""
    return email_timing(person, kind) == email_timing(person, other)


# Who each kind can reach (portfolio/services/handovers.py, the digests); the vote request
# goes to the gatekeepers of a gate's panel (portfolio.panels, the one rule of who sits on it).
RECEIVED_BY = {
    NotificationKind.PROPOSAL_SUBMITTED: (Role.PRODUCT_MANAGER,),
    NotificationKind.STUDY_WRITTEN: (Role.PRODUCT_MANAGER,),
    NotificationKind.ESTIMATE_NEEDED: (Role.ARCHITECT,),
    NotificationKind.ESTIMATE_WRITTEN: (Role.PRODUCT_MANAGER,),
    NotificationKind.DECISION_RECORDED: (Role.RESEARCHER, Role.PRODUCT_MANAGER, Role.ARCHITECT),
    NotificationKind.ZOMBIE_DIGEST: (Role.PRODUCT_MANAGER,),
    NotificationKind.IMPORT_ENDED: (Role.ADMIN,),
}


def kinds_for(person: User) -> list[str]:
    """The notification kinds ``person``'s roles (and gatekeeper seats) can bring them."""

    def reaches(kind: str) -> bool:
        if kind == NotificationKind.VOTE_REQUESTED:
            return panels.may_sit_on_a_panel(person)
        if kind == NotificationKind.IMPORT_ENDED:  # a superuser imports without the role
            return access.can_import_portfolio(person)
        return person.has_role(*RECEIVED_BY[kind])

    return [kind for kind in NotificationKind if reaches(kind)]


def preferences_of(person: User) -> dict[str, str]:
    """``{"": overall, kind: timing, …}``: only what the person chose."""
    return dict(person.notification_preferences.values_list("kind", "email"))


@transaction.atomic
def set_notification_preferences(
    *, person: User, actor: User, overall: str, by_kind: dict[str, str]
) -> None:
    """Save a person's e-mail choices; a kind set to "" follows the overall choice."""
    from portfolio import audit, versioning

    if not actor.is_authenticated or actor.pk != person.pk:
        raise PermissionDenied("Each person chooses their own notifications.")
    if overall not in EmailTiming.values:
        raise DomainError("Choose e-mail at once, daily digest or no e-mail.", field="overall")
    for kind, timing in by_kind.items():
        if kind not in NotificationKind.values:
            raise DomainError(f"There is no notification kind {kind!r}.", field=kind)
        if timing and timing not in EmailTiming.values:
            raise DomainError("Choose e-mail at once, daily digest or no e-mail.", field=kind)
    before = preferences_of(person)
    wanted = {"": overall, **{kind: timing for kind, timing in by_kind.items() if timing}}
    wanted.update({kind: before[kind] for kind in before if kind and kind not in by_kind})
    if wanted == before:
        return
    # Nothing the metrics read (versioning.changing with no project).
    with versioning.changing():
        person.notification_preferences.exclude(kind__in=wanted).delete()
        for kind, timing in wanted.items():
            NotificationPreference.objects.update_or_create(
                person=person, kind=kind, defaults={"email": timing}
            )
        audit.record(
            actor=actor,
            action="notifications.preferences",
            obj=person,
            summary=f"{person.email} changed their notification e-mail choices",
            changes={
                kind or "overall": [before.get(kind, ""), wanted.get(kind, "")]
                for kind in sorted(set(before) | set(wanted))
                if before.get(kind) != wanted.get(kind)
            },
        )


# --- Notifying -----------------------------------------------------------------------


def notify(
    *,
    to: User,
    subject: str,
    template: str,
    context: dict,
    kind: str,
    project: Project | None = None,
    link: str = "",
) -> Delivery:
    """Record the notification and queue its e-mail (as ``to`` chose) with the change.

    With a task worker (the database backend) the task row commits with the change
    and the worker sends it, retrying while the mail server refuses
    (background/mail.py); the page says it *will* be e-mailed. A backend that runs
    tasks at once sends it after the commit, and the returned ``Delivery`` says
    whether it went; a failure is also written to the project's history. A page
    never claims an e-mail went when it did not.
    """
    # One line whatever the data holds: a line break in a subject would end the header.
    one_line = " ".join(subject.split())
    timing = email_timing(to, kind)
    Notification.objects.create(
        recipient=to,
        kind=kind,
        project=project,
        subject=one_line.removeprefix("[Greenlight] ")[:300],
        link=link or (project.get_absolute_url() if project else reverse("notification_list")),
        digest_pending=timing == EmailTiming.DIGEST,
    )
    delivery = Delivery(to=to, subject=one_line, timing=timing)
    if timing != EmailTiming.NOW or not to.is_active:
        return delivery
    context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
    body = render_to_string(template, context)
    message = {"subject": delivery.subject, "body": body, "to": [to.email]}
    if stores_tasks():  # same transaction: queued for the worker
        send_email.enqueue(**message)
        return delivery

    def send() -> None:
        result = send_email.enqueue(**message)
        delivery.sent = result.status == TaskResultStatus.SUCCESSFUL
        if not delivery.sent:
            errors = getattr(result, "errors", None) or []
            delivery.error = str(errors[-1].traceback.strip().splitlines()[-1]) if errors else ""
            _record_failure(delivery, project)

    transaction.on_commit(send)
    return delivery


def _record_failure(delivery: Delivery, project: Project | None) -> None:
    from portfolio import audit, versioning

    logger.error("could not e-mail %s about %r", delivery.to.email, delivery.subject)
    try:
        # Nothing the metrics read (versioning.changing with no project).
        with transaction.atomic(), versioning.changing():
            audit.record(
                actor=None,
                action="email.failed",
                project=project,
                summary=f"E-mail to {delivery.to.email} could not be sent: {delivery.subject}",
                changes={"error": ["", delivery.error[:200]]},
            )
    except Exception:  # the database may be what failed; the log line above stays
        logger.exception("could not record the failed e-mail to %s", delivery.to.email)


# --- Reading -------------------------------------------------------------------------


def unread_count(person: User) -> int:
    """One query, whatever the number of notifications (a partial index on unread rows)."""
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def mark_read(*, notification: Notification, actor: User) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied("A notification is read by the person it was sent to.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of ``actor`` read; returns how many."""
    if not actor.is_authenticated:
        raise PermissionDenied("Sign in to read your notifications.")
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Digests --------------------------------------------------------------------------


def send_daily_digests() -> int:
    """One e-mail per person with notifications waiting for their digest; returns how many.

    Each person's notifications are taken in one transaction that also queues the
    e-mail, so a notification is in one digest only, however often this runs.
    """
    people = (
        User.objects.filter(notifications__digest_pending=True, is_active=True)
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for person in people:
        with transaction.atomic():
            waiting = list(
                Notification.objects.select_for_update()
                .filter(recipient=person, digest_pending=True)
                .order_by("created_at", "pk")
            )
            if not waiting:
                continue  # another worker took them
            Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(digest_pending=False)
            body = render_to_string(
                "portfolio/email/daily_digest.txt",
                {
                    "person": person,
                    "notifications": waiting,
                    "site_url": settings.SITE_URL.rstrip("/"),
                },
            )
            count = len(waiting)
            enqueue_email(
                subject=f"[Greenlight] Your daily digest: {count} notification{'s' if count != 1 else ''}",
                body=body,
                to=[person.email],
            )
            sent += 1
    return sent


def send_digests(*, today: datetime.date | None = None) -> int:
    """The weekly digest: each product manager's zombie projects (the metrics' definition).

    A product manager without zombies gets nothing; one already told this week is
    not told again. Recorded as a notification; e-mailed unless they chose no e-mail.
    Returns the number of product managers told.
    """
    from portfolio import metrics

    today = today or timezone.localdate()
    zombies = metrics.compute(as_of=today, sections=("zombies",))["zombies"]
    by_manager: dict[str, list[dict]] = defaultdict(list)
    for zombie in zombies:
        by_manager[zombie["product_manager"]].append(zombie)
    week_start = today - datetime.timedelta(days=today.weekday())
    since = timezone.make_aware(datetime.datetime.combine(week_start, datetime.time.min))
    told = 0
    for manager in User.objects.filter(email__in=by_manager, is_active=True).order_by("pk"):
        with transaction.atomic():
            # Lock the person: two workers running the digest at once tell them once.
            User.objects.select_for_update().filter(pk=manager.pk).first()
            if manager.notifications.filter(
                kind=NotificationKind.ZOMBIE_DIGEST, created_at__gte=since
            ).exists():
                continue
            projects = by_manager[manager.email]
            count = len(projects)
            notify(
                to=manager,
                kind=NotificationKind.ZOMBIE_DIGEST,
                subject=(
                    "[Greenlight] Weekly digest: 1 of your projects looks like a zombie"
                    if count == 1
                    else f"[Greenlight] Weekly digest: {count} of your projects look like zombies"
                ),
                template="portfolio/email/zombie_digest.txt",
                context={
                    "person": manager,
                    "zombies": projects,
                    "today": today,
                },
                link=f"{reverse('dashboard')}?{urlencode({'product_manager': manager.email})}"
                "#zombies-title",
            )
            told += 1
    return told
