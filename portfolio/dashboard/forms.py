"""The dashboard's filters: read from the query string, so a URL can be shared."""

from __future__ import annotations

import datetime
import re
from collections import Counter

from django import forms
from django.utils import timezone

from portfolio.forms import DateField
from portfolio.metrics import AS_OF_RANGE_MESSAGE, EARLIEST_AS_OF, LATEST_AS_OF
from portfolio.models import Bucket, ResearchType, User
from portfolio.reads.project_list import product_manager_choices


def download_filename(kind: str, filters: dict, extension: str) -> str:
    """A download's file name with the as-of date and every filter it was made with, so two
    downloads of different views never share a name: greenlight-funnel-2026-06-30-revenue-
    pm-example-com.csv."""
    parts = [f"greenlight-{kind}", str(filters["as_of"])]
    for name in ("bucket", "research_type", "product_manager"):
        if value := filters.get(name):
            parts.append(filename_part(value))
    return f"{'-'.join(parts)}.{extension}"


def filename_part(value: object) -> str:
    """A filter's value as a part of a download's file name: pm@example.com is pm-example-com
    (letters and digits only, which every system and the Content-Disposition header take)."""
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")


def product_manager_emails() -> list[list[str]]:
    """Everyone who manages a project or holds the role: [e-mail, name] each, by name (one
    query). The filter's value is the e-mail (a URL names it); the list shows the name."""
    # The project list's filter offers the same people (product_manager_choices).
    people = product_manager_choices().values_list("email", "full_name")
    return sorted(
        ([email, f"{name} ({email})" if name else email] for email, name in people),
        key=lambda person: (person[1].lower(), person[0]),
    )


def people_names() -> dict[str, str]:
    """How the dashboard names people, by lower-case e-mail address (one query): the numbers
    are kept by address (docs/metrics.md's JSON and the CSV downloads name people so), the
    panels show "Bruno Dubois". Two people of one name are told apart by their address;
    someone without a name is not in it (their address is shown)."""
    people = [
        (email.lower(), name)
        for email, name in User.objects.exclude(full_name="").values_list("email", "full_name")
    ]
    shared = Counter(name.casefold() for _, name in people)
    return {
        email: name if shared[name.casefold()] == 1 else f"{name} ({email})"
        for email, name in people
    }


NO_PRODUCT_MANAGER = "No product manager with that e-mail address."


def product_manager_problem(email: str | None) -> str | None:
    """What the dashboard's Product manager filter says of ``email`` (None: a blank one, or
    a product manager's address in any case), so the metrics APIs refuse what it refuses."""
    if not email or not email.strip():
        return None
    form = DashboardFilterForm(
        {"product_manager": email}, product_managers=product_manager_emails()
    )
    form.is_valid()
    errors = form.errors.get("product_manager")
    return str(errors[0]) if errors else None


class DashboardFilterForm(forms.Form):
    as_of = DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text="Numbers as they stood at the end of this day.",
    )
    bucket = forms.ChoiceField(
        label="Strategic bucket",
        required=False,
        choices=[("", "All buckets"), *Bucket.choices],
        error_messages={"invalid_choice": "Choose one of the listed buckets."},
    )
    research_type = forms.ChoiceField(
        label="Research type",
        required=False,
        choices=[("", "All research types"), *ResearchType.choices],
        error_messages={"invalid_choice": "Choose one of the listed research types."},
    )
    product_manager = forms.ChoiceField(
        label="Product manager",
        required=False,
        error_messages={"invalid_choice": NO_PRODUCT_MANAGER},
    )

    def __init__(
        self, data=None, *, product_managers: list[str], today: datetime.date | None = None
    ):
        data = data.copy() if data is not None else {}
        self.today = today or timezone.localdate()
        # The date field shows the day the numbers are for, so a copied URL pins it.
        if not data.get("as_of"):
            data["as_of"] = self.today.isoformat()
        # E-mails are compared ignoring case: a shared link in capitals still works.
        if data.get("product_manager"):
            data["product_manager"] = data["product_manager"].strip().lower()
        super().__init__(data)
        self.fields["product_manager"].choices = [
            ("", "All product managers"),
            # [e-mail, name] pairs; a bare e-mail (an older cached list) is its own label.
            *(
                (person, person) if isinstance(person, str) else (person[0], person[1])
                for person in product_managers
            ),
        ]
        self.fields["as_of"].widget.attrs["max"] = self.today.isoformat()

    def clean_as_of(self) -> datetime.date:
        as_of = self.cleaned_data.get("as_of") or self.today
        if not EARLIEST_AS_OF <= as_of <= LATEST_AS_OF:
            raise forms.ValidationError(AS_OF_RANGE_MESSAGE.capitalize())
        return as_of

    def filters(self) -> dict:
        """The metrics engine's keyword arguments (call after is_valid())."""
        data = self.cleaned_data
        return {
            "as_of": data["as_of"],
            "bucket": data["bucket"] or None,
            "research_type": data["research_type"] or None,
            "product_manager": data["product_manager"] or None,
        }

    def query(self) -> dict:
        """The filters as query-string parameters (for downloads of exactly what is shown)."""
        params = {}
        for name, value in self.filters().items():
            if name == "as_of":
                params[name] = value.isoformat()
            elif value:
                params[name] = value
        return params
