"""Sign-in locks: who django-axes has locked out, until when, and unlocking them. Audited.

django-axes locks a sign-in name out after ``AXES_FAILURE_LIMIT`` failed sign-ins, for
``AXES_COOLOFF_TIME`` (an hour). Here it counts a name (as sign-in compares it,
``portfolio.web.signin.lockout_username``) together with the network address
(``AXES_LOCKOUT_PARAMETERS``), so one person may be locked out from one address and not
from another. A person's lock is the name's locks from every address; unlocking ends them
all, through axes' own handler (``AxesProxyHandler.reset_attempts``), so whatever handler
is configured forgets the failures.

The People page reads the locks from axes' database handler's records (``AccessAttempt``,
the default ``AXES_HANDLER``): the failures since the cool-off began, per name and address.
A handler keeping its counts elsewhere (a cache) shows no lock there; unlocking still works.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portfolio import access, audit, versioning
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import User, sign_in_name


@dataclass(frozen=True)
class SignInLock:
    """A name locked out: ``until`` the last of its locks ends, after ``failures`` failed
    sign-ins, from ``addresses`` network addresses."""

    until: datetime.datetime
    failures: int
    addresses: int

    @property
    def until_text(self) -> str:
        """When it ends, to the minute rounded up (it is over by then): "14:05", with the
        date when that is not today."""
        local = timezone.localtime(self.until)
        if local.second or local.microsecond:
            local = local.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        if local.date() == timezone.localdate():
            return local.strftime("%H:%M")
        return local.strftime("%Y-%m-%d %H:%M")

    @property
    def failures_text(self) -> str:
        return f"{self.failures} failed sign-in{'s' if self.failures != 1 else ''}"

    def retry_after(self, now: datetime.datetime | None = None) -> int:
        """Seconds until it ends (for a Retry-After header), at least one."""
        left = (self.until - (now or timezone.now())).total_seconds()
        return max(1, math.ceil(left))


def _username_groups() -> list[tuple[str, ...]]:
    """The lockout parameters that count a name: each as the fields other than the name
    that it counts per (("ip_address",) for the name and address together)."""
    groups = []
    for parameter in get_lockout_parameters(None):
        fields = (parameter,) if isinstance(parameter, str) else tuple(parameter)
        if "username" in fields:
            groups.append(tuple(field for field in fields if field != "username"))
    return groups


def _lock_of(attempts: list[AccessAttempt], limit: int, cool_off) -> datetime.datetime | None:
    """When the lock these counted-together records make ends; None when they make none.

    Each record is forgotten ``cool_off`` after its last failure, and the lock holds while
    the records not yet forgotten still add up to ``limit``: until the record that brings
    the newest ones up to it is forgotten.
    """
    total = 0
    for attempt in sorted(attempts, key=lambda a: a.attempt_time, reverse=True):
        total += attempt.failures_since_start
        if total >= limit:
            return attempt.attempt_time + cool_off
    return None


def _locks(names: list[str], *, address: str | None = None) -> dict[str, SignInLock]:
    if not settings.AXES_ENABLED or not names:
        return {}
    cool_off = get_cool_off(None)
    limit = get_failure_limit(None, None)
    if cool_off is None:
        return {}  # axes' permanent lock (no cool-off) is not this installation's
    now = timezone.now()
    attempts = AccessAttempt.objects.filter(username__in=names, attempt_time__gte=now - cool_off)
    if address is not None:
        attempts = attempts.filter(ip_address=address)
    found: dict[str, list[tuple[datetime.datetime, int]]] = defaultdict(list)
    rows = list(attempts)
    for fields in _username_groups():
        counted: dict[tuple, list[AccessAttempt]] = defaultdict(list)
        for attempt in rows:
            counted[(attempt.username, *(getattr(attempt, f) for f in fields))].append(attempt)
        for (name, *_rest), together in counted.items():
            until = _lock_of(together, limit, cool_off)
            if until is not None and until > now:
                found[name].append((until, sum(a.failures_since_start for a in together)))
    return {
        name: SignInLock(
            until=max(until for until, _ in locks),
            failures=sum(failures for _, failures in locks),
            addresses=len(locks),
        )
        for name, locks in found.items()
    }


def locks_of(people: Iterable[User]) -> dict[int, SignInLock]:
    """The sign-in locks of ``people`` now, by person (pk); the unlocked are left out."""
    by_name = {sign_in_name(person.email): person.pk for person in people}
    return {by_name[name]: lock for name, lock in _locks(list(by_name)).items()}


def lock_of_attempt(*, username: str | None, address: str | None) -> SignInLock | None:
    """The lock a sign-in as ``username`` from ``address`` was refused by, when known."""
    if not username:
        return None
    # Counted per address (AXES_LOCKOUT_PARAMETERS): only this address's failures lock it.
    per_address = all("ip_address" in fields for fields in _username_groups())
    return _locks([username], address=address if per_address else None).get(username)


def check_unlock(*, actor: User, person: User) -> None:
    """Raise unless ``actor`` may unlock ``person``'s sign-in: who may change their roles."""
    if not access.can_manage_roles(actor):
        raise PermissionDenied("Only admins unlock people's sign-in.")
    if person.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Only a superuser unlocks a superuser's sign-in.")


@transaction.atomic
def unlock(*, person: User, actor: User) -> SignInLock:
    """Forget ``person``'s failed sign-ins, so that they may sign in again at once. Audited.

    Raises ``DomainError`` when they are not locked out (the lock ended meanwhile, or
    someone else unlocked them): nothing to do, nothing written.
    """
    check_unlock(actor=actor, person=person)
    name = sign_in_name(person.email)
    lock = _locks([name]).get(name)
    if lock is None:
        raise DomainError(f"{person.email} is not locked out: they may sign in.")
    AxesProxyHandler.reset_attempts(username=name)
    # Nothing the metrics read (versioning.changing with no project).
    with versioning.changing():
        audit.record(
            actor=actor,
            action="sign_in.unlocked",
            obj=person,
            summary=(
                f"{actor.email} unlocked the sign-in of {person.email}, locked out after "
                f"{lock.failures} failed sign-in{'s' if lock.failures != 1 else ''}"
            ),
            changes={"failed_sign_ins": [lock.failures, 0]},
        )
    return lock
