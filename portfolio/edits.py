"""Edits made against a record as it was: two tabs, or two people, never lose a save.

The gate decision form carries the project's number of decisions when its page was drawn
(``decisions_seen``) and is refused if a decision was recorded since. The forms that edit
a stored record (the deliverables, a draft proposal, a next-stage ask) do the same with
the record itself: a hidden field, ``version_seen``, holds a digest of the fields the form
edits, as they were when the page was drawn, and that moment.

The service that saves locks the row (``select_for_update``) and compares, in the same
transaction (:func:`check`). When the record changed since, nothing is saved and
``ChangedSince`` says who changed what and when (from the audit trail). The view
(:func:`refuse`) shows the form again as it was typed, the values saved now beside it,
and the hidden field made for the record as it is now: a second save is then made
knowingly and goes through.

A form posted without the field (an API call, a page drawn before this rule) is not
checked, as before.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.db import models
from django.utils import timezone

from portfolio.errors import DomainError
from portfolio.models import AuditEntry

FIELD = "version_seen"


def _plain(value):
    if isinstance(value, Decimal):
        # 150000 and 150000.00 are the same amount.
        return format(value.normalize(), "f") if value == value else str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(_plain(item) for item in value)
    return value


def values_of(record: models.Model | None, names: Iterable[str], **extra) -> dict | None:
    """The stored values of ``names`` (a foreign key by its id), and ``extra`` as given;
    None when there is no record yet."""
    if record is None or record.pk is None:
        return None
    return {
        **{name: record.serializable_value(name) for name in names},
        **extra,
    }


def digest(values: dict | None) -> str:
    plain = None if values is None else {name: _plain(v) for name, v in values.items()}
    text = json.dumps(plain, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def token(values: dict | None, *, now: datetime.datetime | None = None) -> str:
    """What the hidden field holds: the digest and when the page was drawn (microseconds)."""
    moment = now or timezone.now()
    return f"{digest(values)}.{int(moment.timestamp() * 1_000_000)}"


def _opened(seen: str) -> datetime.datetime | None:
    _, _, micros = seen.partition(".")
    if not micros.isdigit():
        return None
    try:
        return datetime.datetime.fromtimestamp(int(micros) / 1_000_000, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None


class ChangedSince(DomainError):
    """The record changed since the form's page was drawn: nothing was saved."""

    def __init__(
        self, message: str, *, record, values: dict | None, entries: list[AuditEntry], what: str
    ):
        super().__init__(message)
        self.record = record
        self.values = values  # the record's as it is now (None: there is none)
        self.entries = entries
        self.what = what

    def sentence(
        self, labels: dict[str, str] | None = None, *, viewer=None, kept: str | None = None
    ) -> str:
        """Who changed what and when; ``viewer``'s own changes said as "you" (another tab).
        ``kept``: what the form does with the text instead of the pages' sentence."""
        return _sentence(self.what, self.entries, labels or {}, viewer, kept=kept)


def _when(at: datetime.datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d at %H:%M}"


def _sentence(
    what: str,
    entries: list[AuditEntry],
    labels: dict[str, str],
    viewer=None,
    *,
    kept: str | None = None,
) -> str:
    def fields(entry: AuditEntry) -> str:
        names = [labels.get(name, name.replace("_", " ")) for name in entry.changes]
        return f" ({', '.join(names)})" if names else ""

    def who(entry: AuditEntry) -> str:
        if viewer is not None and entry.actor_id is not None and entry.actor_id == viewer.pk:
            return "you"
        return str(entry.actor) if entry.actor else "someone"

    if not entries:
        said = f"Since this page was opened, {what} was changed."
    elif len(entries) == 1:
        entry = entries[0]
        verb = getattr(entry, "verb", None) or (
            "wrote" if entry.action.endswith(".created") else "changed"
        )
        said = (
            f"Since this page was opened, {who(entry)} {verb} {what}{fields(entry)} "
            f"on {_when(entry.at)}."
        )
    else:
        said = f"Since this page was opened, {what} was changed {len(entries)} times: " + "; ".join(
            f"by {who(entry)} on {_when(entry.at)}{fields(entry)}" for entry in entries
        )
        said += "."
    return f"{said} " + (
        kept
        or "Nothing was saved from this form: what you typed is kept below, beside "
        "the values saved now. Check them, and save again to replace them."
    )


def check(
    seen: str | None,
    *,
    record: models.Model | None,
    values: dict | None,
    what: str,
    names: Iterable[str] = (),
    actions: dict[str, str] | None = None,
) -> None:
    """Refuse (``ChangedSince``) when ``values``, read from the row locked for this change,
    are not what the form was drawn with. ``seen`` None or empty: nothing to compare.

    ``names``: the fields the form edits, so that only the audit entries that changed
    them are named (an entry that created the record is named too). ``actions``: audit
    actions that change the record without naming its fields (a vote's entries keep the
    review blind), each with the verb that says it ("cast")."""
    if not seen:
        return
    if seen.partition(".")[0] == digest(values):
        return
    entries: list[AuditEntry] = []
    opened = _opened(seen)
    if record is not None and record.pk is not None and opened is not None:
        wanted = set(names)
        found = (
            AuditEntry.objects.filter(
                object_type=record._meta.label, object_id=str(record.pk), at__gt=opened
            )
            .select_related("actor")
            .order_by("at", "id")
        )
        for entry in found:
            if entry.action in (actions or {}):
                entry.changes = {}
                entry.verb = actions[entry.action]
                entries.append(entry)
            elif entry.action.endswith(".created"):
                entry.changes = {}
                entries.append(entry)
            elif touched := {k: v for k, v in entry.changes.items() if k in wanted}:
                entry.changes = touched
                entries.append(entry)
    raise ChangedSince(
        _sentence(what, entries, {}), record=record, values=values, entries=entries, what=what
    )


# --- Forms ---------------------------------------------------------------------------


class KeepsVersion:
    """A form that edits a stored record: its hidden ``version_seen`` field, made from
    :meth:`version_values` when the form is made (the record as stored)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=token(self.version_values())
        )

    def version_values(self) -> dict | None:
        """The stored values the form edits (a model form: its instance's fields)."""
        return values_of(self.instance, self._meta.fields)

    @property
    def version_seen(self) -> str | None:
        return (self.cleaned_data.get(FIELD) or "").strip() or None

    def edited_fields(self) -> dict:
        """The cleaned data without the hidden field."""
        return {name: value for name, value in self.cleaned_data.items() if name != FIELD}


def _shown(field: forms.Field, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(field, forms.ModelMultipleChoiceField):
        pks = [item.pk if isinstance(item, models.Model) else item for item in value]
        found = field.queryset.model._default_manager.filter(pk__in=pks).order_by("pk")
        return ", ".join(str(item) for item in found) or "—"
    if isinstance(field, forms.ModelChoiceField):
        if not isinstance(value, models.Model):
            value = field.queryset.model._default_manager.filter(pk=value).first() or value
        return str(value)
    if isinstance(field, forms.TypedChoiceField):
        # The value is coerced (True for "yes", 7 for "7"): its choice's label.
        for key, label in field.choices:
            if key not in field.empty_values and _coerced(field, key) == value:
                return str(label)
        return str(value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    shown = field.prepare_value(value)
    if isinstance(shown, Decimal):
        shown = format(shown, "f")
    return str(shown)


def _coerced(field: forms.TypedChoiceField, key):
    try:
        return field.coerce(key)
    except (TypeError, ValueError):
        return key


def refuse(
    form: forms.BaseForm, error: ChangedSince, *, saved: dict | None = None, viewer=None
) -> list[dict]:
    """Show the refusal above ``form`` (kept as typed), make its hidden field the record's
    as it is now, and return the rows to show: each field whose value saved now differs
    from what was typed, with both.

    ``saved``: the values saved now by the form's field names, when the record's values
    are kept otherwise (a vote's scorecard); ``viewer``: whose changes are said as "you".
    The form is marked (``changed_since_refused``): its error summary says what happened
    (``_form/errors.html``), not that something typed is wrong."""
    labels = {name: str(field.label or name) for name, field in form.fields.items()}
    form.add_error(None, error.sentence(labels, viewer=viewer))
    form.changed_since_refused = True
    form.data = form.data.copy()
    form.data[form.add_prefix(FIELD)] = token(error.values)
    return differences(form, error.values if saved is None else saved)


def differences(form: forms.BaseForm, saved: dict | None) -> list[dict]:
    """The rows of the changed-since box for ``form``'s fields: each whose value ``saved``
    (by field name) differs from what was typed, with both as the page shows them."""
    labels = {name: str(field.label or name) for name, field in form.fields.items()}
    rows = []
    typed = getattr(form, "cleaned_data", {})
    for name, field in form.fields.items():
        # A hidden field is not typed (the vote form's gate and review round).
        if name == FIELD or name not in typed or field.widget.is_hidden:
            continue
        now = (saved or {}).get(name)
        if _plain(now) == _plain(typed[name]) or (now in (None, "") and typed[name] in (None, "")):
            continue
        rows.append(
            {
                "name": name,
                "label": labels[name],
                "saved": _shown(field, now),
                "typed": _shown(field, typed[name]),
            }
        )
    return rows
