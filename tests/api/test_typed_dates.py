"""The API reads dates in the digits 0-9 only, as the pages and the admin do
(``portfolio.forms.DateField``): pydantic's date and ``date.fromisoformat`` already refuse
``２０２６-02-03`` and ``2025-02-0٣``, which Django's strptime read. Checked here, body and
query string, so that a change of parser does not let them in: a 400 naming the field, and
nothing written.
"""

from __future__ import annotations

import pytest

from gates.models import GateDecision
from portfolio.models import Artifact, SpendEntry
from tests.api.test_bad_input import _refused
from tests.api.test_digits_as_typed import project  # noqa: F401
from tests.portfolio.test_typed_dates import written_otherwise


@pytest.mark.parametrize("typed", written_otherwise("2025-02-03"))
def test_dates_in_other_digits_are_refused_in_a_document(api_as, alice, bob, project, typed):  # noqa: F811
    api = api_as(alice)
    spend = {"spent_on": typed, "amount": "10", "category": "compute"}
    _refused(api.post("/api/v1/projects/P1/spend", spend), 400, "spent_on")
    artifact = {"kind": "other", "name": "A checklist", "created_on": typed}
    _refused(api.post("/api/v1/projects/P1/artifacts", artifact), 400, "created_on")
    decision = {"gate": 1, "decision": "go", "decided_on": typed}
    _refused(api_as(bob).post("/api/v1/projects/P1/decisions", decision), 400, "decided_on")
    assert not SpendEntry.objects.exists()
    assert not Artifact.objects.exists()
    assert not GateDecision.objects.exists()
    spend["spent_on"] = "2025-02-03"
    assert api.post("/api/v1/projects/P1/spend", spend).status_code == 201


@pytest.mark.parametrize("typed", written_otherwise("2025-06-30"))
def test_an_as_of_in_other_digits_is_refused(api_as, erin, typed):
    api = api_as(erin)
    _refused(api.get(f"/api/v1/metrics?as_of={typed}"), 400, "as_of")
    _refused(api.get(f"/api/v1/plan?budget=60000&as_of={typed}"), 400, "as_of")
    assert api.get("/api/v1/metrics?as_of=2025-06-30").status_code == 200
