"""Projects (the project list's filters and sort), the caller, and the gates with their criteria."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from api import problems, schemas
from api.common import PagingQuery, decimal_text, money, paginate, person, project_for
from gates.models import Gate
from portfolio import process
from portfolio.models import Project, Role, User
from portfolio.reads import project_list as listing

router = Router(tags=["projects"])

SORTS = [c.name for c in listing.COLUMNS] + [f"-{c.name}" for c in listing.COLUMNS]


class ProjectFilters(Schema):
    q: schemas.LineIn = Field(
        "", max_length=200, description="Key, title or a person's e-mail or name."
    )
    status: list[schemas.ProjectStatus] | None = Field(
        None,
        description="One status, or several as repeated parameters (status=active&status=on_hold): "
        "projects in any of them.",
    )
    gate: schemas.IntIn | None = Field(None, ge=process.FIRST_GATE, le=process.LAST_GATE)
    bucket: schemas.Bucket | None = None
    research_type: schemas.ResearchType | None = None
    pm: schemas.LineIn | None = Field(
        None, max_length=254, description="The product manager's e-mail."
    )
    sort: schemas.LineIn = Field(
        listing.DEFAULT_SORT,
        description="A column, descending with a leading '-': " + ", ".join(SORTS[:13]) + ".",
    )


def project_summary(project: Project) -> dict:
    return {
        "key": project.key,
        "title": project.title,
        "status": project.status,
        "current_gate": project.current_gate,
        "research_type": project.research_type or None,
        "bucket": project.bucket or None,
        "researcher": person(project.researcher),
        "product_manager": person(project.product_manager),
        "submitted_on": project.submitted_on,
        "value_kind": project.value_kind or None,
        "projected_low": money(project.projected_low),
        "projected_expected": money(project.projected_expected),
        "projected_high": money(project.projected_high),
        "probability_of_success": decimal_text(project.probability_of_success),
        "current_probability": decimal_text(project.current_probability),
        "next_stage_ask": money(project.next_stage_ask),
        "funding_granted_total": money(project.funding_granted_total),
        "spend_total": money(project.spend_total),
        "decisions_count": project.decisions_count,
        "last_decision_on": project.last_decision_on,
        "last_spend_on": project.last_spend_on,
        "url": project.get_absolute_url(),
    }


@router.get("/projects", response={200: schemas.ProjectPage, **schemas.ERRORS})
def list_projects(request: HttpRequest, filters: Query[ProjectFilters], paging: PagingQuery):
    """Submitted projects and your own drafts, filtered and sorted as on the project list."""
    chosen = {name: value for name, value in filters.dict().items() if value not in (None, "", [])}
    chosen.pop("sort", None)
    if "pm" in chosen:
        manager = User.objects.filter(email__iexact=chosen["pm"].strip()).first()
        if manager is None or not manager.has_role(Role.PRODUCT_MANAGER):
            raise problems.ApiProblem(
                400,
                "invalid-input",
                "Invalid input",
                "pm: no product manager has this e-mail address.",
                field="pm",
            )
        chosen["pm"] = manager
    sort = listing.parse_sort(filters.sort)
    if sort is None:
        raise problems.ApiProblem(
            400,
            "invalid-input",
            "Invalid input",
            f"sort: use one of {', '.join(SORTS)}.",
            field="sort",
        )
    rows = listing.projects_for(request.user, chosen, sort=sort)
    return paginate(request, rows, paging, project_summary)


@router.get("/projects/{key}", response={200: schemas.ProjectDetail, **schemas.ERRORS})
def get_project(request: HttpRequest, key: str):
    """One project, with the researcher's case for the research (``business_case``) and hypothesis."""
    return project_detail(project_for(request, key))


def project_detail(project: Project) -> dict:
    return {
        **project_summary(project),
        "business_case": project.business_case,
        "hypothesis": project.hypothesis,
    }


@router.get("/me", response={200: schemas.Me, **schemas.ERRORS}, tags=["me"])
def me(request: HttpRequest):
    """Who the token acts as, and what it may do."""
    token = request.auth
    return {
        "email": request.user.email,
        "name": request.user.display_name,
        "roles": request.user.roles,
        "token_name": token.name,
        "token_scope": token.scope,
        "token_expires_at": token.expires_at,
    }


@router.get("/gates", response={200: list[schemas.GateOut], **schemas.ERRORS}, tags=["gates"])
def list_gates(request: HttpRequest):
    """The four gates: the deliverables each requires and the criteria a decision scores."""
    gates = Gate.objects.prefetch_related("criteria", "required_deliverables").order_by("number")
    return [
        {
            "number": gate.number,
            "name": gate.name,
            "purpose": gate.purpose,
            "required_deliverables": [r.kind for r in gate.required_deliverables.all()],
            "criteria": [
                {
                    "id": c.pk,
                    "name": c.name,
                    "help_text": c.help_text,
                    "kind": c.kind,
                    "weight": str(c.weight),
                }
                for c in gate.criteria.all()
                if c.is_active
            ],
        }
        for gate in gates
    ]
