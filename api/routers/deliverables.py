"""Deliverables: everyone who sees a project reads them; only their writer saves them."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from api import schemas
from api.common import may_change, money, permitted_project, person, project_for, unless
from gates import services
from gates.models import ArchitectureEstimate, BusinessCase, FeasibilityStudy
from portfolio import access
from portfolio.models import Project

router = Router(tags=["deliverables"])


def _stamps(deliverable) -> dict:
    return {
        "author": person(deliverable.author),
        "created_at": deliverable.created_at,
        "updated_at": deliverable.updated_at,
    }


def study_out(study: FeasibilityStudy) -> dict:
    return {
        **_stamps(study),
        "findings": study.findings,
        "hypothesis_held": study.hypothesis_held,
        "evidence": study.evidence,
        "confidence": study.confidence,
        "recommended_next_step": study.recommended_next_step,
    }


def estimate_out(estimate: ArchitectureEstimate) -> dict:
    return {
        **_stamps(estimate),
        "build_cost": money(estimate.build_cost),
        "monthly_run_cost": money(estimate.monthly_run_cost),
        "retraining_cadence": estimate.retraining_cadence,
        "cost_per_retrain": money(estimate.cost_per_retrain),
        "three_year_total": money(estimate.three_year_total),
        "platform_reused": estimate.platform_reused,
        "build_or_buy_note": estimate.build_or_buy_note,
    }


def case_out(case: BusinessCase) -> dict:
    return {
        **_stamps(case),
        "customer_problem": case.customer_problem,
        "value_rationale": case.value_rationale,
        "strategic_fit": case.strategic_fit,
        "risks": case.risks,
    }


def _loaded(project: Project) -> Project:
    return Project.objects.select_related(
        "feasibility_study__author", "architecture_estimate__author", "pm_business_case__author"
    ).get(pk=project.pk)


def _or_none(project: Project, name: str, serialize):
    deliverable = getattr(project, name, None) if hasattr(project, name) else None
    return serialize(deliverable) if deliverable is not None else None


@router.get(
    "/projects/{key}/deliverables", response={200: schemas.DeliverablesOut, **schemas.ERRORS}
)
def get_deliverables(request: HttpRequest, key: str):
    """The project's feasibility study, architecture estimate and business case (null if none)."""
    project = _loaded(project_for(request, key))
    return {
        "feasibility_study": _or_none(project, "feasibility_study", study_out),
        "architecture_estimate": _or_none(project, "architecture_estimate", estimate_out),
        "business_case": _or_none(project, "pm_business_case", case_out),
    }


@router.put(
    "/projects/{key}/deliverables/feasibility-study",
    response={200: schemas.FeasibilityStudyOut, **schemas.WRITE_ERRORS},
    auth=may_change(
        unless(
            access.can_write_feasibility_study,
            "Only the project's researcher writes its feasibility study.",
        )
    ),
)
def put_feasibility_study(request: HttpRequest, key: str, payload: schemas.FeasibilityStudyIn):
    """Write or revise the feasibility study: the project's researcher only."""
    project = permitted_project(request)
    study = services.save_feasibility_study(project=project, actor=request.user, **payload.dict())
    return study_out(study)


@router.put(
    "/projects/{key}/deliverables/architecture-estimate",
    response={200: schemas.ArchitectureEstimateOut, **schemas.WRITE_ERRORS},
    auth=may_change(access.architecture_estimate_refusal),
)
def put_architecture_estimate(
    request: HttpRequest, key: str, payload: schemas.ArchitectureEstimateIn
):
    """Write or revise the architecture estimate: the project's architect only (the one it
    is assigned to; unassigned, whoever wrote it or writes it first), once it is asked for."""
    project = permitted_project(request)
    estimate = services.save_architecture_estimate(
        project=project, actor=request.user, **payload.dict()
    )
    return estimate_out(estimate)


@router.put(
    "/projects/{key}/deliverables/business-case",
    response={200: schemas.BusinessCaseOut, **schemas.WRITE_ERRORS},
    auth=may_change(
        unless(
            access.can_write_business_case,
            "Only the project's product manager writes its business case.",
        )
    ),
)
def put_business_case(request: HttpRequest, key: str, payload: schemas.BusinessCaseIn):
    """Write or revise the business case: the project's product manager only."""
    project = permitted_project(request)
    case = services.save_business_case(project=project, actor=request.user, **payload.dict())
    return case_out(case)
