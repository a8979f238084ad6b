"""Which deliverables a project has, read one way from the process's table of them.

``process.DELIVERABLES`` says, for each kind, the project's reverse relation
that holds it; everything here follows that table, so a new kind of
deliverable is one entry there (and its model in ``gates``).
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import F, QuerySet

from portfolio.models import Project
from portfolio.process import DELIVERABLES


def labels() -> dict[str, str]:
    """{kind: label}, in the order the process defines them."""
    return {deliverable.kind: deliverable.label for deliverable in DELIVERABLES}


def required_by_gate() -> dict[int, list[str]]:
    """{gate number: [deliverable kinds it requires]}, as the admins configured them (one query)."""
    required: dict[int, list[str]] = {}
    rows = apps.get_model("gates", "RequiredDeliverable").objects.values_list(
        "gate__number", "kind"
    )
    for number, kind in rows.order_by("gate__number", "kind"):
        required.setdefault(number, []).append(kind)
    return required


def with_deliverables(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate ``<kind>_pk`` (None when absent) for each kind: LEFT JOINs in the same query."""
    return projects.annotate(**{f"{d.kind}_pk": F(f"{d.relation}__id") for d in DELIVERABLES})


def present_kinds(project: Project) -> set[str]:
    """The kinds a project from :func:`with_deliverables` has."""
    return {d.kind for d in DELIVERABLES if getattr(project, f"{d.kind}_pk", None) is not None}


def present(project: Project) -> set[str]:
    """The kinds of deliverable this project has (one query)."""
    return present_kinds(with_deliverables(Project.objects.filter(pk=project.pk)).get())


def loaded(project: Project) -> dict[str, object]:
    """{kind: the deliverable, its author loaded, or None}, in the process's order (one query)."""
    found = Project.objects.select_related(*[f"{d.relation}__author" for d in DELIVERABLES]).get(
        pk=project.pk
    )
    return {d.kind: getattr(found, d.relation, None) for d in DELIVERABLES}
