"""The planner's forms, drawn by the one form renderer (templates/_form/)."""

from __future__ import annotations

from django import forms

from planning.services import SCENARIO_NAME_FIELDS
from portfolio import edits
from portfolio.edits import KeepsVersion
from portfolio.forms import Form, MoneyField


class AskField(MoneyField):
    """An ask is in the hundreds of thousands or millions: its examples are."""

    readable = "1000000.50"


class NextStageAskForm(KeepsVersion, Form):
    """A project's next-stage ask: money, a comma only between thousands (``125,000.50``;
    ``1000,50`` is refused, not read as 100,050), as the plan's budget is read; empty or 0
    asks nothing. A refusal beside the field says what to enter ("Enter an amount of at
    least 0."), as every money field does; the service says the same rules naming the field."""

    next_stage_ask = AskField(
        label="Ask",
        required=False,
        help_text="0 or empty: the project asks for nothing.",
    )

    def __init__(self, *args, project=None, **kwargs):
        self.project = project  # the ask as stored: its hidden version_seen (portfolio.edits)
        super().__init__(*args, **kwargs)

    def version_values(self) -> dict | None:
        return edits.values_of(self.project, ("next_stage_ask",))


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
