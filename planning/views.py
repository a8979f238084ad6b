"""The planning page (/plan/), its scenarios, and a project's next-stage ask.

Every number comes from ``planning.engine``; the query string carries the
whole plan (budget, date, horizon, rate, probabilities, targets, pins), so a
plan can be shared as a link and the page works without JavaScript. htmx
swaps the plan region in place for a what-if.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from planning import access, engine, inputs, services
from planning.charts import plan_chart
from planning.forms import NextStageAskForm, ScenarioRenameForm
from planning.inputs import BUCKETS, PlanRequest
from planning.models import PlanSettings, Scenario
from planning.text import compare_settings, csv_rows
from portfolio import access as portfolio_access
from portfolio import edits
from portfolio.errors import DomainError, add_domain_error
from portfolio.errors import PermissionDenied as ServicePermissionDenied
from portfolio.models import Bucket
from portfolio.web import drafts

TEMPLATE = "planning/plan.html"
SHOWN_TOP = 25  # rows shown from the top of the ranking
SHOWN_AROUND = 15  # rows shown on either side of the waterline
BUCKET_LABELS = dict(Bucket.choices)


def _check_plan_access(request: HttpRequest) -> None:
    if not access.can_plan(request.user):
        raise PermissionDenied("Planning is for product managers, executives and admins.")


def _url(query: list[tuple[str, str]]) -> str:
    return f"{reverse('plan')}?{urlencode(query)}"


def _with_pins(
    request: PlanRequest, key: str, *, pin_in: bool, pin_out: bool, base: str | None = None
) -> str:
    """The plan's link with ``key`` pinned in, pinned out, or neither."""
    keep_in = [k for k in request.pin_in if k != key] + ([key] if pin_in else [])
    keep_out = [k for k in request.pin_out if k != key] + ([key] if pin_out else [])
    if base is None:
        base = _unpinned_url(request)
    pins = [("pin_in", k) for k in keep_in] + [("pin_out", k) for k in keep_out]
    return f"{base}&{urlencode(pins)}" if pins else base


def _unpinned_url(request: PlanRequest) -> str:
    return _url([(n, v) for n, v in inputs.to_query(request) if n not in ("pin_in", "pin_out")])


def _form_values(query: QueryDict, request: PlanRequest | None, defaults: dict) -> dict:
    """What the form shows: the request when it was valid, else what was typed."""
    if request is not None:
        return {
            "budget": f"{request.budget:f}",
            "as_of": request.as_of.isoformat(),
            "horizon": str(request.horizon),
            "discount_rate": f"{request.discount_rate:f}",
            "probabilities": request.probabilities,
            "targets": [
                (b, BUCKET_LABELS[b], f"{request.targets[b]:f}" if b in request.targets else "")
                for b in BUCKETS
            ],
            "pin_in": list(request.pin_in),
            "pin_out": list(request.pin_out),
        }
    return {
        "budget": query.get("budget", f"{defaults['budget']:f}"),
        "as_of": query.get("as_of", ""),
        "horizon": query.get("horizon", ""),
        "discount_rate": query.get("discount_rate", ""),
        "probabilities": query.get("probabilities", inputs.RAW),
        "targets": [(b, BUCKET_LABELS[b], query.get(f"target_{b}", "")) for b in BUCKETS],
        "pin_in": query.getlist("pin_in"),
        "pin_out": query.getlist("pin_out"),
    }


def _shown_rows(plan: engine.Plan, *, everything: bool) -> list:
    """The rows the table shows, in rank order, with a gap marker where rows are left out.

    A large portfolio ranks a thousand projects; the page shows the top of the
    ranking, the rows around the waterline and every pinned or skipped-but-funded
    row, and says how many it leaves out (``?rows=all`` and the CSV have them all).
    """
    ranked = plan.ranked
    if everything or len(ranked) <= SHOWN_TOP + 2 * SHOWN_AROUND:
        return list(ranked)
    line = plan.waterline_after or 0
    request = plan.request
    keep = {
        r.rank
        for r in ranked
        if r.rank <= SHOWN_TOP
        or line - SHOWN_AROUND < r.rank <= line + SHOWN_AROUND
        or r.key in request.pin_in
        or r.key in request.pin_out
    }
    # The first few asks funded below the line (the skip-and-continue ones), too.
    keep.update([r.rank for r in ranked if r.funded and r.below_waterline][:SHOWN_AROUND])
    shown, previous = [], 0
    for row in ranked:
        if row.rank not in keep:
            continue
        if row.rank > previous + 1:
            skipped = ranked[previous : row.rank - 1]
            shown.append(Gap(len(skipped), sum(1 for r in skipped if r.funded)))
        shown.append(row)
        previous = row.rank
    if previous < len(ranked):
        skipped = ranked[previous:]
        shown.append(Gap(len(skipped), sum(1 for r in skipped if r.funded)))
    return shown


@dataclass(frozen=True)
class Gap:
    """Rows the table leaves out: how many, and how many of them are funded."""

    count: int
    funded: int
    is_gap: bool = True


def _waterline(plan: engine.Plan) -> dict | None:
    """What the waterline's banner says: the asks ranked down to it, and what of them is funded.

    The line is where the ranked asks add up to more than the budget (the chart's budget
    line, the board pack's rule). Without targets or pins everything above it is funded;
    with them the money goes elsewhere first (a bucket's share, a pin), so the banner
    says how much above the line is funded rather than that the budget "runs out" there.
    """
    ranked = plan.ranked
    if plan.waterline_after is None or plan.waterline_after >= len(ranked):
        return None
    row = ranked[plan.waterline_after - 1]
    request = plan.request
    return {
        "asked": row.cumulative_ask,
        "funded": row.cumulative_funded,
        "all_above_funded": row.cumulative_funded == row.cumulative_ask,
        "targets": request.has_targets,
        "pins": bool(request.pin_in or request.pin_out),
    }


def _plan_context(plan: engine.Plan, *, everything: bool = False) -> dict:
    request = plan.request
    shown = _shown_rows(plan, everything=everything)
    rows = [row for row in shown if not isinstance(row, Gap)]
    base = _unpinned_url(request)
    project_url = reverse("project_detail", args=["KEY"]).replace("KEY", "{}")
    # What the pinned-in asks leave: a pin in of a bigger ask would only be refused.
    unpinned_budget = request.budget - sum(
        (r.ask for r in plan.ranked if r.reason == engine.PINNED_IN), Decimal(0)
    )
    for row in rows:
        row.url = project_url.format(quote(row.key))
        row.pinned = row.key in request.pin_in or row.key in request.pin_out
        # Offered only where they change the plan: a pin in funds a project left out whose
        # ask the pins leave room for; a pin out takes the money of a funded one.
        row.can_pin_in = not row.pinned and not row.funded and row.ask <= unpinned_budget
        row.can_pin_out = not row.pinned and row.funded
        row.pin_in_url = _with_pins(request, row.key, pin_in=True, pin_out=False, base=base)
        row.pin_out_url = _with_pins(request, row.key, pin_in=False, pin_out=True, base=base)
        row.unpin_url = _with_pins(request, row.key, pin_in=False, pin_out=False, base=base)
        row.waterline_here = row.rank == plan.waterline_after and row.rank < len(plan.ranked)
    no_ask = [r for r in plan.rows if r.rank is None]
    query = urlencode(inputs.to_query(request))
    return {
        "plan": plan,
        "shown": shown,
        "hidden_count": len(plan.ranked) - len(rows),
        "all_rows_url": _url([*inputs.to_query(request), ("rows", "all")]),
        "no_ask": no_ask,
        "waterline": _waterline(plan),
        "no_estimate_count": sum(1 for r in plan.rows if r.no_estimate),
        "chart": plan_chart(plan.ranked, rows, request.budget),
        "buckets": [
            {
                "bucket": b.bucket,
                "label": BUCKET_LABELS[b.bucket],
                "target_share": b.target_share,
                "target": b.target,
                "funded_ask": b.funded_ask,
                "short": b.target is not None and b.funded_ask < b.target,
            }
            for b in plan.buckets
        ],
        "query": query,
        "plan_query_pairs": inputs.to_query(request),
        "csv_url": f"{reverse('plan_csv')}?{query}",
        "pins": [
            {
                "key": k,
                "kind": "in",
                "unpin_url": _with_pins(request, k, pin_in=False, pin_out=False),
            }
            for k in request.pin_in
            if k not in request.pin_out
        ]
        + [
            {
                "key": k,
                "kind": "out",
                "unpin_url": _with_pins(request, k, pin_in=False, pin_out=False),
            }
            for k in request.pin_out
        ],
    }


FIELD_INPUTS = {
    "budget": "id_budget",
    "as_of": "id_as_of",
    "horizon": "id_horizon",
    "discount_rate": "id_discount_rate",
    "probabilities": "id_probabilities",
}


def _invalid_inputs(error: DomainError | None) -> dict:
    """The form's inputs a refused plan marks invalid, and the id of the message beside them.

    As the app's other forms mark a field (templates/_form/field.html): aria-invalid, the
    message beside it, named by aria-describedby. static/js/plan.js marks them the same
    after an htmx swap, which replaces only the plan region below the form.
    """
    if error is None:
        return {}
    if error.field in FIELD_INPUTS:
        input_id = FIELD_INPUTS[error.field]
        return {"inputs": [input_id], "error_id": f"{input_id}_error", "beside": True}
    if error.field == "targets":
        # "Target for revenue: …" is one bucket's; the sum over 1, say, is all of them.
        named = [b for b in BUCKETS if error.message.startswith(f"Target for {b}:")]
        if named:
            input_id = f"id_target_{named[0]}"
            return {"inputs": [input_id], "error_id": f"{input_id}_error", "beside": True}
        return {
            "inputs": [f"id_target_{b}" for b in BUCKETS],
            "error_id": "targets_error",
            "beside": False,
        }
    return {}


def _compute_from_query(query: QueryDict, settings: PlanSettings):
    """(request, plan, error): the plan asked for, or the first problem with the input."""
    defaults = inputs.defaults_from(settings)
    try:
        plan_request = inputs.from_query(query, defaults=defaults)
        plan = engine.compute(plan_request)
    except DomainError as error:
        return None, None, error
    return plan_request, plan, None


@login_required
@require_GET
def plan_page(request: HttpRequest) -> HttpResponse:
    _check_plan_access(request)
    settings = PlanSettings.load()
    plan_request, plan, error = _compute_from_query(request.GET, settings)
    context: dict = {
        "form": _form_values(request.GET, plan_request, inputs.defaults_from(settings)),
        "error": error,
        "invalid": _invalid_inputs(error),
        "can_save": access.can_plan(request.user),
        "adopted": (adopted := Scenario.objects.adopted().first()),
        "adopted_today": services.funded_today(adopted) if adopted else None,
    }
    if plan is not None:
        context.update(_plan_context(plan, everything=request.GET.get("rows") == "all"))
    elif error is not None and error.field in ("pin_in", "pin_out"):
        context["unpinned_url"] = _url(
            [
                (name, value)
                for name in request.GET
                if name not in ("pin_in", "pin_out")
                for value in request.GET.getlist(name)
            ]
        )
    swap = request.htmx and not request.htmx.history_restore_request
    response = render(
        request, f"{TEMPLATE}#plan" if swap else TEMPLATE, context, status=400 if error else 200
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def plan_csv(request: HttpRequest) -> HttpResponse:
    _check_plan_access(request)
    plan_request, plan, error = _compute_from_query(request.GET, PlanSettings.load())
    if error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    return _csv_response(plan, f"plan-{plan_request.as_of.isoformat()}.csv")


def _csv_response(plan: engine.Plan, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerows(csv_rows(plan))
    return response


# --- Scenarios ------------------------------------------------------------------------


def _scenario_plan(scenario: Scenario) -> tuple[engine.Plan | None, DomainError | None]:
    try:
        return engine.compute(inputs.parse(**scenario.settings)), None
    except DomainError as error:
        return None, error


@login_required
@require_http_methods(["GET", "POST"])
def scenario_list(request: HttpRequest) -> HttpResponse:
    _check_plan_access(request)
    error = None
    if request.method == "POST":
        plan_request, _, error = _compute_from_query(request.POST, PlanSettings.load())
        if error is None:
            try:
                scenario = services.save_scenario(
                    name=request.POST.get("name", ""), request=plan_request, actor=request.user
                )
            except ServicePermissionDenied:
                raise PermissionDenied from None
            except DomainError as refused:
                error = refused
            else:
                messages.success(request, f"Scenario “{scenario.name}” saved.")
                return redirect("scenario_list")
    return _scenario_list_page(request, error, "The scenario was not saved")


def _scenario_list_page(
    request: HttpRequest,
    error: DomainError | None,
    refused: str,
    refused_pk: int | None = None,
    *,
    changed_since: list[dict] | None = None,
    said: str = "",
) -> HttpResponse:
    """The list; refused: ``error`` above it (``said`` instead of its message), and the
    rename of ``refused_pk`` open with what was typed. ``changed_since``: a rename refused
    because another was made since the page was opened, its rows saved now / typed."""
    scenarios = list(Scenario.objects.select_related("created_by", "adopted_by"))
    for scenario in scenarios:
        scenario.open_url = _url(list(_settings_query(scenario.settings)))
        scenario.changeable = access.can_change_scenario(request.user, scenario)
        # Each rename form keeps the name it shows (portfolio.edits); a refused one is
        # drawn again from the name as it is now, so renaming again goes through.
        scenario.version_seen = edits.token(
            edits.values_of(scenario, services.SCENARIO_NAME_FIELDS)
        )
    adopted = next((scenario for scenario in scenarios if scenario.adopted), None)
    context = {
        "scenarios": scenarios,
        "adopted_today": services.funded_today(adopted) if adopted else None,
        "error": error,
        "error_said": said or (error.message if error else ""),
        "refused": refused,
        "refused_pk": refused_pk,
        "rename_value": request.POST.get("name", "") if refused_pk else "",
        "changed_since": changed_since,
        "changed_since_refused": changed_since is not None,
        "can_adopt": access.can_adopt(request.user),
    }
    return render(request, "planning/scenarios.html", context, status=400 if error else 200)


@login_required
@require_POST
def scenario_rename(request: HttpRequest, pk: int) -> HttpResponse:
    _check_plan_access(request)
    scenario = get_object_or_404(Scenario, pk=pk)
    old = scenario.name
    form = ScenarioRenameForm(request.POST, scenario=scenario)
    form.is_valid()  # it reads the version seen; the service says what a name may be
    try:
        scenario = services.rename_scenario(
            scenario=scenario,
            name=request.POST.get("name", ""),
            actor=request.user,
            seen=form.version_seen,
        )
    except ServicePermissionDenied:
        raise PermissionDenied from None
    except edits.ChangedSince as changed:
        # Renamed by someone else (or another tab) since this page was opened: not replaced.
        rows = edits.refuse(form, changed)
        return _scenario_list_page(
            request,
            changed,
            f"“{old}” was not renamed",
            refused_pk=pk,
            changed_since=rows,
            said=form.non_field_errors()[0],
        )
    except DomainError as refused:
        return _scenario_list_page(request, refused, f"“{old}” was not renamed", refused_pk=pk)
    if scenario.name != old:
        messages.success(request, f"Scenario “{old}” renamed “{scenario.name}”.")
    return redirect("scenario_list")


@login_required
@require_POST
def scenario_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _check_plan_access(request)
    scenario = get_object_or_404(Scenario, pk=pk)
    try:
        services.delete_scenario(scenario=scenario, actor=request.user)
    except ServicePermissionDenied:
        raise PermissionDenied from None
    except DomainError as refused:
        return _scenario_list_page(request, refused, f"“{scenario.name}” was not deleted")
    messages.success(request, f"Scenario “{scenario.name}” deleted.")
    return redirect("scenario_list")


def _settings_query(settings: dict):
    yield from (
        (name, str(settings[name]))
        for name in ("budget", "as_of", "horizon", "discount_rate", "probabilities")
        if settings.get(name) is not None
    )
    yield from ((f"target_{b}", share) for b, share in settings.get("targets", {}).items())
    yield from (("pin_in", k) for k in settings.get("pin_in", []))
    yield from (("pin_out", k) for k in settings.get("pin_out", []))


@login_required
@require_GET
def scenario_csv(request: HttpRequest, pk: int) -> HttpResponse:
    _check_plan_access(request)
    scenario = get_object_or_404(Scenario, pk=pk)
    plan, error = _scenario_plan(scenario)
    if error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    return _csv_response(plan, f"scenario-{scenario.pk}.csv")


@login_required
@require_POST
def scenario_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    _check_plan_access(request)
    scenario = get_object_or_404(Scenario, pk=pk)
    try:
        scenario = services.adopt_scenario(scenario=scenario, actor=request.user)
    except ServicePermissionDenied:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, f"“{scenario.name}” cannot be adopted: {error.message}")
    else:
        messages.success(
            request,
            f"“{scenario.name}” is the adopted plan: its {len(scenario.funded_keys)} funded "
            "projects show it on their next gate review.",
        )
    return redirect("scenario_list")


@login_required
@require_GET
def scenario_compare(request: HttpRequest) -> HttpResponse:
    _check_plan_access(request)
    scenarios = list(Scenario.objects.all())
    by_id = {str(s.pk): s for s in scenarios}
    first, second = by_id.get(request.GET.get("a", "")), by_id.get(request.GET.get("b", ""))
    context: dict = {"scenarios": scenarios, "first": first, "second": second}
    status = 200
    if not request.GET and len(scenarios) >= 2:
        # Nothing chosen yet: the two most recent, the older first (newest first in the list).
        context.update(first=scenarios[1], second=scenarios[0], suggested=True)
    elif request.GET and (first is None or second is None):
        context["error"] = "Choose two saved scenarios to compare."
        status = 400
    elif first is not None and first == second:
        context["error"] = f"Choose two different scenarios to compare: both are “{first.name}”."
        context["same"] = True
        status = 400
    elif first is not None and second is not None:
        plans = [_scenario_plan(first), _scenario_plan(second)]
        errors = [error for _, error in plans if error]
        if errors:
            context["error"] = errors[0].message
            status = 400
        else:
            context.update(_comparison(plans[0][0], plans[1][0]))
            # The settings as the scenario list writes them, those that differ marked.
            first_parts, second_parts, differ = compare_settings(first.settings, second.settings)
            context["sides"] = list(zip(context["plans"], [first_parts, second_parts], strict=True))
            context["settings_differ"] = differ
    return render(request, "planning/scenario_compare.html", context, status=status)


def _comparison(first: engine.Plan, second: engine.Plan) -> dict:
    a = {r.key: r for r in first.rows}
    b = {r.key: r for r in second.rows}
    changed = []
    for key in sorted(set(a) | set(b)):
        in_a = key in a and a[key].funded
        in_b = key in b and b[key].funded
        if in_a != in_b:
            row = a.get(key) or b.get(key)
            changed.append(
                {
                    "key": key,
                    "title": row.title,
                    "bucket": row.bucket,
                    "ask": row.ask,
                    "first": a[key].reason_label if key in a else "not a candidate",
                    "second": b[key].reason_label if key in b else "not a candidate",
                    "funded_in": "first" if in_a else "second",
                }
            )
    return {
        "plans": [first, second],
        "changed": changed,
        "only_first": sum(1 for c in changed if c["funded_in"] == "first"),
        "only_second": sum(1 for c in changed if c["funded_in"] == "second"),
    }


# --- A project's next-stage ask ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def next_stage_ask_edit(request: HttpRequest, key: str) -> HttpResponse:
    project = portfolio_access.get_project_for_user(request.user, key)
    if not access.can_set_next_stage_ask(request.user, project):
        raise PermissionDenied(
            "Only the project's researcher or product manager sets its ask, until the process ends."
        )
    changed_since = None
    if request.method == "POST":
        form = NextStageAskForm(request.POST, project=project)
        if form.is_valid():
            try:
                services.set_next_stage_ask(
                    project=project,
                    ask=form.cleaned_data["next_stage_ask"],
                    actor=request.user,
                    seen=form.version_seen,
                )
            except ServicePermissionDenied:
                raise PermissionDenied from None
            except edits.ChangedSince as refused:
                # Set by the other (or another tab) since this page was opened: not replaced.
                changed_since = edits.refuse(form, refused)
            except DomainError as refused:
                add_domain_error(form, refused)
            else:
                messages.success(request, f"{project.key}: next-stage ask saved.")
                drafts.saved(request, "next-stage-ask", project.key)
                return redirect("project_detail", key=project.key)
    else:
        ask = project.next_stage_ask
        form = NextStageAskForm(
            initial={"next_stage_ask": "" if ask is None else f"{ask:f}"}, project=project
        )
    error = bool(form.errors)
    context = {"project": project, "form": form, "changed_since": changed_since}
    return render(request, "planning/next_stage_ask.html", context, status=400 if error else 200)
