"""The planner's forms, drawn by the one form renderer (templates/_form/)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from planning.inputs import WRITTEN, read_number
from planning.services import SCENARIO_NAME_FIELDS
from portfolio import edits
from portfolio.edits import KeepsVersion
from portfolio.errors import DomainError
from portfolio.forms import Form


class NextStageAskForm(KeepsVersion, Form):
    """A project's next-stage ask: money, a comma only between thousands (``125,000.50``;
    ``1000,50`` is refused, not read as 100,050); empty asks nothing. The service says what
    an amount may be (not negative, at most two decimals)."""

    next_stage_ask = forms.CharField(
        label="Ask",
        required=False,
        max_length=40,
        help_text="0 or empty: the project asks for nothing.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, project=None, **kwargs):
        self.project = project  # the ask as stored: its hidden version_seen (portfolio.edits)
        super().__init__(*args, **kwargs)

    def version_values(self) -> dict | None:
        return edits.values_of(self.project, ("next_stage_ask",))

    def clean_next_stage_ask(self) -> Decimal | None:
        value = self.cleaned_data["next_stage_ask"].strip()
        if not value:
            return None
        try:  # as the plan's budget is read: 1000,50 and 1e6 are refused, not 100,050 and 1,000,000
            return read_number(value, written=WRITTEN["budget"], label="Next-stage ask")
        except DomainError as error:
            raise forms.ValidationError(error.message) from None


class ScenarioRenameForm(KeepsVersion, Form):
    """A saved scenario's new name (the service says what a name may be), with the hidden
    ``version_seen`` of the name its page showed (``portfolio.edits``)."""

    name = forms.CharField(label="Name", required=False)

    def __init__(self, *args, scenario, **kwargs):
        self.scenario = scenario
        super().__init__(*args, **kwargs)

    def version_values(self) -> dict | None:
        return edits.values_of(self.scenario, SCENARIO_NAME_FIELDS)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())  # as the service keeps it
