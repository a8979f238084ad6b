"""Text sent to the API is kept with "\\n" line breaks, as the pages keep it ("\\r\\n" and a
lone "\\r" as "\\n": portfolio.validators.plain_line_endings)."""

from __future__ import annotations

import pytest

from gates.models import BusinessCase
from tests.builders import make_project


@pytest.fixture
def project(alice, bob):
    return make_project(key="GL-0071", researcher=alice, product_manager=bob, current_gate=3)


def test_text_sent_with_carriage_returns_is_kept_with_newlines(api_as, bob, project):
    body = {
        "customer_problem": "Slow reviews\r\nand long queues",
        "value_rationale": "Hours\rsaved",
        "risks": "Drift.\r\n",
    }
    answer = api_as(bob).put("/api/v1/projects/GL-0071/deliverables/business-case", body)
    assert answer.status_code == 200, answer.content
    assert answer.json()["customer_problem"] == "Slow reviews\nand long queues"
    case = BusinessCase.objects.get(project=project)
    assert (case.customer_problem, case.value_rationale, case.risks) == (
        "Slow reviews\nand long queues",
        "Hours\nsaved",
        "Drift.",
    )
