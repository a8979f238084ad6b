"""What a board pack shows: the dashboard's numbers for its filters, and the adopted plan.

Every number comes from the metrics engine, asked for the dashboard's sections
with the dashboard's filters (the same numbers ``/api/metrics`` gives); the
charts' geometry is the dashboard's (``portfolio.dashboard.charts``) and the
planner's (``planning.charts``). Nothing here computes a metric a second way.
"""

from __future__ import annotations

from django.utils import timezone

from planning import engine, inputs
from planning.charts import plan_chart
from planning.models import Scenario
from portfolio.dashboard import charts
from portfolio.dashboard.forms import people_names
from portfolio.errors import DomainError
from portfolio.metrics import DASHBOARD, compute
from portfolio.models import Bucket, Project, ResearchType

PLAN_ROWS = 20  # ranked projects listed around the waterline
OUTCOMES_LISTED = 15
PEOPLE_LISTED = 15


def scope_labels(filters: dict, names: dict[str, str] | None = None) -> list[str]:
    labels = []
    if filters.get("bucket"):
        labels.append(f"Bucket: {dict(Bucket.choices).get(filters['bucket'], filters['bucket'])}")
    if filters.get("research_type"):
        research = dict(ResearchType.choices).get(
            filters["research_type"], filters["research_type"]
        )
        labels.append(f"Research type: {research}")
    if filters.get("product_manager"):
        manager = filters["product_manager"]
        labels.append(f"Product manager: {(names or {}).get(manager.lower(), manager)}")
    return labels


def _keys_in_scope(ranked, filters: dict) -> set[str] | None:
    """The ranked projects the dashboard's filters keep; None when nothing is filtered."""
    conditions = {}
    if filters.get("bucket"):
        conditions["bucket"] = filters["bucket"]
    if filters.get("research_type"):
        conditions["research_type"] = filters["research_type"]
    if filters.get("product_manager"):
        conditions["product_manager__email__iexact"] = filters["product_manager"]
    if not conditions:
        return None
    keys = [row.key for row in ranked]
    return set(Project.objects.filter(key__in=keys, **conditions).values_list("key", flat=True))


def adopted_plan(as_of, filters: dict | None = None) -> dict | None:
    """The adopted scenario's plan, computed as of the pack's date; None if none is adopted.

    The plan is the whole portfolio's (one budget for every project); under the
    dashboard's filters the pack lists the ranked projects those filters keep, with
    their ranks in the whole plan, the ones nearest the waterline first.
    """
    scenario = Scenario.objects.adopted().select_related("adopted_by").first()
    if scenario is None:
        return None
    try:
        plan = engine.compute(inputs.parse(**{**scenario.settings, "as_of": as_of.isoformat()}))
    except DomainError as error:
        return {"scenario": scenario, "error": error.message}
    ranked = plan.ranked
    line = plan.waterline_after or 0
    in_scope = _keys_in_scope(ranked, filters or {})
    if in_scope is None:
        start = max(0, min(line - PLAN_ROWS // 2, len(ranked) - PLAN_ROWS))
        listed = ranked[start : start + PLAN_ROWS]
        scoped = len(ranked)
    else:
        kept = [row for row in ranked if row.key in in_scope]
        nearest = sorted(kept, key=lambda row: (abs(row.rank - line - 0.5), row.rank))
        listed = sorted(nearest[:PLAN_ROWS], key=lambda row: row.rank)
        scoped = len(kept)
    above = [row for row in listed if row.rank <= line]
    return {
        "scenario": scenario,
        "plan": plan,
        "listed": listed,
        "listed_from": listed[0].rank if listed else None,
        "listed_to": listed[-1].rank if listed else None,
        "filtered": in_scope is not None,
        "in_scope": scoped,
        "in_scope_funded": sum(
            1 for row in ranked if row.funded and (in_scope is None or row.key in in_scope)
        ),
        # The thick rule goes under the last listed row above the waterline.
        "rule_after": above[-1].key if above else None,
        "waterline_after": plan.waterline_after,
        "ranked": len(ranked),
        "funded": len(plan.funded_keys),
        "chart": plan_chart(ranked, listed, plan.request.budget),
    }


def pack_context(filters: dict) -> dict:
    """The template's context for ``filters`` (the metrics engine's keyword arguments)."""
    metrics = compute(**filters, sections=DASHBOARD)
    headline = metrics["headline"]
    names = people_names()  # people by name, as on the dashboard
    return {
        "filters": filters,
        "as_of": filters["as_of"],
        "scope_labels": scope_labels(filters, names),
        "names": names,
        "generated_at": timezone.localtime(),
        "metrics": metrics,
        "headline": headline,
        "decided": headline["greenlit"] + headline["killed"],
        "headline_chart": charts.headline_chart(metrics["series"]),
        "funnel": charts.funnel_bars(metrics["funnel"]),
        "reliability_chart": charts.reliability_chart(metrics["reliability"]),
        "outcomes_listed": sorted(
            metrics["outcome_details"], key=lambda o: (-o["annualized_value"], o["key"])
        )[:OUTCOMES_LISTED],
        "calibration_listed": metrics["calibration"]["by_product_manager"][:PEOPLE_LISTED],
        "deciders_listed": metrics["decision_quality"]["by_decider"][:PEOPLE_LISTED],
        "plan": adopted_plan(filters["as_of"], filters),
    }
