"""Text sent to the API is held to the pages' rules, in their words, naming the field: no NUL
in any text field (the API took "\\u0000nul" as a spend note, 201, and the export wrote it raw
into spend.csv, which the import refuses), and no line break or control character in a
one-line field (a name, a key, a location)."""

from __future__ import annotations

import typing

import pytest
from pydantic import BaseModel

from api import schemas
from api.routers import metrics, panel, plan, projects
from portfolio.models import Artifact, SpendEntry
from tests.api.test_bad_input import _refused
from tests.api.test_digits_as_typed import project  # noqa: F401

NUL = "\u0000nul"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("spend", {"spent_on": "2025-02-03", "amount": "10", "category": "compute"}, "note"),
        ("artifacts", {"kind": "other", "name": "A checklist"}, "description"),
        ("artifacts", {"kind": "other"}, "name"),
        ("artifacts", {"kind": "other", "name": "A checklist"}, "location"),
    ],
)
def test_a_nul_is_refused_naming_the_field(api_as, alice, project, url, body, field):  # noqa: F811
    answer = api_as(alice).post(f"/api/v1/projects/P1/{url}", body | {field: NUL})
    problem = _refused(answer, 400, field)
    assert problem["detail"] == f"{field}: Null characters are not allowed."
    assert not SpendEntry.objects.exists() and not Artifact.objects.exists()


def test_a_decision_s_nested_text_too(api_as, bob, project):  # noqa: F811
    body = {"gate": 1, "decision": "hold", "rationale": "Wait."}
    api = api_as(bob)
    _refused(api.post("/api/v1/projects/P1/decisions", body | {"rationale": NUL}), 400, "rationale")
    answer = api.post(
        "/api/v1/projects/P1/decisions", body | {"kill_criteria": [{"statement": NUL}]}
    )
    _refused(answer, 400, "kill_criteria[0].statement")


@pytest.mark.parametrize("name", ["Two\nlines", "Tab\there", "Right\u202eleft"])
def test_a_one_line_field_refuses_what_the_pages_refuse(api_as, alice, project, name):  # noqa: F811
    answer = api_as(alice).post(
        "/api/v1/projects/P1/artifacts", {"kind": "other", "name": "A", "location": name}
    )
    _refused(answer, 400, "location")
    assert not Artifact.objects.exists()


def test_a_note_may_have_lines(api_as, alice, project):  # noqa: F811
    body = {"spent_on": "2025-02-03", "amount": "10", "category": "compute", "note": "a\nb"}
    assert api_as(alice).post("/api/v1/projects/P1/spend", body).status_code == 201


def _documents() -> list[type[BaseModel]]:
    found, stack = [], [schemas.Input]
    while stack:
        model = stack.pop()
        found.append(model)
        stack.extend(model.__subclasses__())
    return found + [projects.ProjectFilters, metrics.MetricsFilters, plan.PlanQuery]


CHECKED = {schemas.refuse_nul, schemas.check_month}  # a month is digits by its pattern


def _plain_text(annotation) -> bool:
    """Text in ``annotation`` (str, Optional, list, Annotated) that no check of ours reads."""
    if annotation is str:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        if base is str:
            return not CHECKED & {getattr(m, "func", None) for m in metadata}
        return _plain_text(base)
    return any(_plain_text(arg) for arg in typing.get_args(annotation))


@pytest.mark.parametrize("model", _documents(), ids=lambda m: m.__name__)
def test_every_text_field_sent_is_one_of_the_checked_types(model):
    """A new text field as plain ``str`` fails here: use schemas.TextIn or schemas.LineIn."""
    plain = [
        name
        for name, info in model.model_fields.items()
        if _plain_text(
            typing.Annotated[(info.annotation, *info.metadata)]
            if info.metadata
            else info.annotation
        )
    ]
    assert not plain, f"{model.__name__}: {plain}"


assert panel  # the vote's documents are schemas.Input's subclasses
