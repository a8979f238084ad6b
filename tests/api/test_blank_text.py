"""Text with nothing visible in it is blank, on the pages and in the API alike.

A business case PUT as {"customer_problem": "   ", "value_rationale": "\\u200b", ...} was
saved (200), and the gate review counted it as written, where the page refuses "   " as
required. The API now strips text as the pages' fields do, text with no visible character
(white space, a zero-width space, a byte order mark) is blank on both, and a blank
required field is a 400 saying the pages' "This field is required.", naming it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from gates.models import BusinessCase, FeasibilityStudy, GateDecision
from gates.services import present_deliverables
from portfolio.models import Artifact, SpendEntry
from portfolio.validators import is_blank
from tests.api.test_bad_input import _refused
from tests.builders import make_project

REQUIRED = "This field is required."
STUDY = {
    "findings": "It works.",
    "hypothesis_held": "yes",
    "evidence": "A pilot.",
    "confidence": "high",
    "recommended_next_step": "continue",
}


@pytest.fixture
def project(alice, bob):
    return make_project(key="GL-0071", researcher=alice, product_manager=bob, current_gate=3)


def _fields(problem) -> dict[str, str]:
    return {error["field"]: error["message"] for error in problem["errors"]}


@pytest.mark.parametrize(
    "text", ["", "   ", "\t\n", "\u200b", "\ufeff", "\u200b \u2060\u00ad", "\u3164", "\u2800"]
)
def test_text_with_no_visible_character_is_blank(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", " a ", "\u200ba", "·", "0"])
def test_text_with_a_visible_character_is_not(text):
    assert not is_blank(text)


def test_a_business_case_of_blanks_is_refused_naming_each_field(api_as, bob, project):
    body = {
        "customer_problem": "   ",
        "value_rationale": "\u200b",
        "strategic_fit": "Efficiency bucket.",
        "risks": "   ",
    }
    answer = api_as(bob).put("/api/v1/projects/GL-0071/deliverables/business-case", body)
    problem = _refused(answer, 400, "customer_problem")
    assert problem["detail"] == f"customer_problem: {REQUIRED} (and 1 more)"
    assert _fields(problem) == {"customer_problem": REQUIRED, "value_rationale": REQUIRED}
    assert not BusinessCase.objects.exists()
    assert "business_case" not in present_deliverables(project)


def test_a_feasibility_study_of_blanks_is_refused(api_as, alice, project):
    body = STUDY | {"findings": " ", "evidence": "\t\n"}
    answer = api_as(alice).put("/api/v1/projects/GL-0071/deliverables/feasibility-study", body)
    problem = _refused(answer, 400, "findings")
    assert _fields(problem) == {"findings": REQUIRED, "evidence": REQUIRED}
    assert not FeasibilityStudy.objects.exists()


def test_text_is_stripped_as_the_pages_strip_it(api_as, bob, project):
    body = {"customer_problem": "  Slow reviews.\n", "value_rationale": "Hours.", "risks": "\u200b"}
    answer = api_as(bob).put("/api/v1/projects/GL-0071/deliverables/business-case", body)
    assert answer.status_code == 200, answer.content
    assert answer.json()["customer_problem"] == "Slow reviews."
    case = BusinessCase.objects.get()
    assert (case.customer_problem, case.risks) == ("Slow reviews.", "")


def test_the_page_refuses_invisible_text_as_required(client, bob, project):
    client.force_login(bob)
    url = reverse("business_case_edit", args=[project.key])
    answer = client.post(url, {"customer_problem": "\u200b", "value_rationale": "\ufeff\u200b "})
    assert answer.status_code == 400
    body = answer.content.decode()
    for field in ("customer_problem", "value_rationale"):
        assert REQUIRED in body[body.index(f'id="field-{field}"') :]
    assert not BusinessCase.objects.exists()


def test_a_kill_with_an_invisible_rationale_is_refused(api_as, bob, project):
    body = {"gate": 3, "decision": "hold", "rationale": "\u200b"}
    answer = api_as(bob).post("/api/v1/projects/GL-0071/decisions", body)
    problem = _refused(answer, 422, "rationale")
    assert problem["detail"] == "Give the rationale for a kill or a hold."
    assert not GateDecision.objects.exists()


def test_a_kill_criterion_of_blanks_is_refused(api_as, bob, project):
    body = {"gate": 3, "decision": "hold", "rationale": "Wait.", "kill_criteria": []}
    body["kill_criteria"] = [{"statement": "\ufeff "}]
    answer = api_as(bob).post("/api/v1/projects/GL-0071/decisions", body)
    problem = _refused(answer, 400, "kill_criteria[0].statement")
    assert problem["detail"] == f"kill_criteria[0].statement: {REQUIRED}"


def test_an_artifact_named_by_invisible_text_is_refused(api_as, alice, project):
    body = {"kind": "other", "name": "\u200b\u200b"}
    problem = _refused(api_as(alice).post("/api/v1/projects/GL-0071/artifacts", body), 400, "name")
    assert problem["detail"] == f"name: {REQUIRED}"
    assert not Artifact.objects.exists()


def test_an_optional_note_of_invisible_text_is_kept_empty(api_as, alice, project):
    body = {"spent_on": "2026-02-03", "amount": "10", "category": "compute", "note": "\u200b\n"}
    answer = api_as(alice).post("/api/v1/projects/GL-0071/spend", body)
    assert answer.status_code == 201, answer.content
    assert SpendEntry.objects.get().note == ""
