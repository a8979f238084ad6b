"""The demo's hand-overs: estimates assigned, e-mail choices, a notification list half read.

Run by ``seed_demo`` after the deliverables and the decision panel (whose services
already told the demo people of studies, estimates and votes, as the app does).
Everything goes through the services, but for marking the older notifications read,
which stands for the person having read them before today.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from portfolio import services
from portfolio.models import Notification, Role, User
from portfolio.reads import worklists

UNREAD_KEPT = 2  # each demo person's newest notifications stay unread


@dataclass
class NotificationsDemo:
    assigned: int = 0
    notifications: int = 0
    zombie_digests: int = 0

    def write(self, *, product_manager: User, architect: User, researcher: User) -> None:
        self._assign(product_manager, architect)
        # Their choices: the product manager reads one e-mail a day but wants votes at once;
        # the researcher is told in the app only about deliverables others write.
        services.set_notification_preferences(
            person=product_manager,
            actor=product_manager,
            overall="digest",
            by_kind={"vote_requested": "now"},
        )
        services.set_notification_preferences(
            person=researcher, actor=researcher, overall="now", by_kind={"estimate_written": "off"}
        )
        self.zombie_digests = services.send_digests()
        self._read_older()
        self.notifications = Notification.objects.count()

    def _assign(self, product_manager: User, architect: User) -> None:
        """The demo product manager gives two waiting estimates to the demo architect and
        one to a colleague; the rest stay in the shared queue."""
        waiting = list(worklists.awaiting_estimate().filter(product_manager=product_manager))
        others = (
            User.objects.filter(groups__name=Role.ARCHITECT, is_active=True)
            .exclude(pk=architect.pk)
            .order_by("email")
        )
        colleague = others.first()
        for project, to in zip(waiting, [architect, architect, colleague], strict=False):
            if to is not None:
                services.assign_architect(project=project, architect=to, actor=product_manager)
                self.assigned += 1

    def _read_older(self) -> None:
        """What a person saw before today is read: each keeps only their newest unread."""
        now = timezone.now()
        for person_id in (
            Notification.objects.values_list("recipient_id", flat=True).distinct().order_by()
        ):
            newest = Notification.objects.filter(recipient_id=person_id).order_by(
                "-created_at", "-id"
            )[:UNREAD_KEPT]
            Notification.objects.filter(recipient_id=person_id, read_at__isnull=True).exclude(
                pk__in=list(newest.values_list("pk", flat=True))
            ).update(read_at=now)
