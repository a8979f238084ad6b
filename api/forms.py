"""The form of the API tokens page: it validates; api.tokens makes the token."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from api import tokens
from api.models import Scope
from portfolio.forms import DateField, Form


class TokenForm(Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What uses it, such as “finance spend sync”.",
        error_messages={"required": "Give the token a name, such as the script that uses it."},
    )
    scope = forms.ChoiceField(
        label="Scope",
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text="A read token cannot change anything.",
    )
    expires_on = DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text="",  # said in __init__, from API_TOKEN_MAX_DAYS
        # A date that is none is said with a day a token may expire on as the example (a
        # month ahead), so that typing it as told is taken.
        example=lambda: timezone.localdate() + datetime.timedelta(days=30),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser offers no past day and none past the longest lifetime (the service
        # refuses them all the same).
        attrs = self.fields["expires_on"].widget.attrs
        attrs["min"] = timezone.localdate().isoformat()
        attrs["max"] = tokens.latest_expiry().isoformat()
        self.fields["expires_on"].help_text = (
            f"The token works through this day, {tokens.latest_expiry():%Y-%m-%d} at the latest "
            f"(a token lives at most {tokens.max_days()} days). Left empty, it expires "
            f"{tokens.max_days()} days from now."
        )
