"""Deliverables: everyone who sees a project reads them; only their writer saves them.

Each one's GET and PUT carry an ``ETag``, and a PUT sent with ``If-Match`` is refused
(412) when the deliverable changed since (``api.concurrency``), as its page refuses a save
from a page drawn before another was saved.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from api import concurrency, problems, schemas
from api.common import may_change, money, permitted_project, person, project_for, unless
from gates import services
from gates.models import ArchitectureEstimate, BusinessCase, FeasibilityStudy
from portfolio import access, edits
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


# --- One deliverable: its ETag ---------------------------------------------------------------
# The fields its PUT writes (all of them, as its page's form): what the ETag is the digest of.
STUDY_FIELDS = tuple(schemas.FeasibilityStudyIn.model_fields)
ESTIMATE_FIELDS = tuple(schemas.ArchitectureEstimateIn.model_fields)
CASE_FIELDS = tuple(schemas.BusinessCaseIn.model_fields)


def _tagged(response: HttpResponse, deliverable, names: tuple[str, ...], serialize) -> dict:
    """``serialize(deliverable)``, its ETag made from the row as stored."""
    stored = type(deliverable).objects.select_related("author").get(pk=deliverable.pk)
    concurrency.tagged(response, edits.values_of(stored, names))
    return serialize(stored)


def _one(request: HttpRequest, key: str, response: HttpResponse, model, label: str, names, out):
    project = project_for(request, key)
    deliverable = model.objects.filter(project=project).first()
    if deliverable is None:
        raise problems.not_found(f"{label}: none written yet for {project.key}.")
    return _tagged(response, deliverable, names, out)


@router.get(
    "/projects/{key}/deliverables/feasibility-study",
    response={200: schemas.FeasibilityStudyOut, **schemas.ERRORS},
)
def get_feasibility_study(request: HttpRequest, key: str, response: HttpResponse):
    """The feasibility study (404 when none is written), its ``ETag`` for ``If-Match``."""
    return _one(
        request, key, response, FeasibilityStudy, "Feasibility study", STUDY_FIELDS, study_out
    )


@router.get(
    "/projects/{key}/deliverables/architecture-estimate",
    response={200: schemas.ArchitectureEstimateOut, **schemas.ERRORS},
)
def get_architecture_estimate(request: HttpRequest, key: str, response: HttpResponse):
    """The architecture estimate (404 when none is written), its ``ETag`` for ``If-Match``."""
    return _one(
        request,
        key,
        response,
        ArchitectureEstimate,
        "Architecture estimate",
        ESTIMATE_FIELDS,
        estimate_out,
    )


@router.get(
    "/projects/{key}/deliverables/business-case",
    response={200: schemas.BusinessCaseOut, **schemas.ERRORS},
)
def get_business_case(request: HttpRequest, key: str, response: HttpResponse):
    """The product manager's business case (404 when none is written), its ``ETag``."""
    return _one(request, key, response, BusinessCase, "Business case", CASE_FIELDS, case_out)


@router.put(
    "/projects/{key}/deliverables/feasibility-study",
    response={200: schemas.FeasibilityStudyOut, **concurrency.PUT_ERRORS},
    openapi_extra=concurrency.IF_MATCH,
    auth=may_change(
        unless(
            access.can_write_feasibility_study,
            "Only the project's researcher writes its feasibility study.",
        )
    ),
)
def put_feasibility_study(
    request: HttpRequest, key: str, payload: schemas.FeasibilityStudyIn, response: HttpResponse
):
    """Write or revise the feasibility study: the project's researcher only. Send the ETag
    of your GET in ``If-Match``: a 412 (nothing saved) if it changed since."""
    project = permitted_project(request)
    seen = concurrency.seen(request)
    with concurrency.precondition("the feasibility study", STUDY_FIELDS):
        study = services.save_feasibility_study(
            project=project, actor=request.user, seen=seen, **payload.dict()
        )
    return _tagged(response, study, STUDY_FIELDS, study_out)


@router.put(
    "/projects/{key}/deliverables/architecture-estimate",
    response={200: schemas.ArchitectureEstimateOut, **concurrency.PUT_ERRORS},
    openapi_extra=concurrency.IF_MATCH,
    auth=may_change(access.architecture_estimate_refusal),
)
def put_architecture_estimate(
    request: HttpRequest, key: str, payload: schemas.ArchitectureEstimateIn, response: HttpResponse
):
    """Write or revise the architecture estimate: the project's architect only (the one it
    is assigned to; unassigned, whoever wrote it or writes it first), once it is asked for.
    Send the ETag of your GET in ``If-Match``: a 412 (nothing saved) if it changed since."""
    project = permitted_project(request)
    seen = concurrency.seen(request)
    with concurrency.precondition("the architecture estimate", ESTIMATE_FIELDS):
        estimate = services.save_architecture_estimate(
            project=project, actor=request.user, seen=seen, **payload.dict()
        )
    return _tagged(response, estimate, ESTIMATE_FIELDS, estimate_out)


@router.put(
    "/projects/{key}/deliverables/business-case",
    response={200: schemas.BusinessCaseOut, **concurrency.PUT_ERRORS},
    openapi_extra=concurrency.IF_MATCH,
    auth=may_change(
        unless(
            access.can_write_business_case,
            "Only the project's product manager writes its business case.",
        )
    ),
)
def put_business_case(
    request: HttpRequest, key: str, payload: schemas.BusinessCaseIn, response: HttpResponse
):
    """Write or revise the business case: the project's product manager only. Send the ETag
    of your GET in ``If-Match``: a 412 (nothing saved) if it changed since."""
    project = permitted_project(request)
    seen = concurrency.seen(request)
    with concurrency.precondition("the business case", CASE_FIELDS):
        case = services.save_business_case(
            project=project, actor=request.user, seen=seen, **payload.dict()
        )
    return _tagged(response, case, CASE_FIELDS, case_out)
