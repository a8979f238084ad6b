"""The executive dashboard, its CSV downloads and the JSON metrics API.

Every number comes from ``portfolio.metrics.compute`` (docs/metrics.md
defines them); nothing here computes a metric a second way. Filters live in the query string, so a URL
can be shared and the page works without JavaScript; htmx swaps the panels.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from background.cache import computed_once
from portfolio import versioning
from portfolio.access import can_view_dashboard
from portfolio.dashboard import charts
from portfolio.dashboard.forms import (
    DashboardFilterForm,
    download_filename,
    people_names,
    product_manager_emails,
    product_manager_problem,
)
from portfolio.metrics import (
    AS_OF_RANGE_MESSAGE,
    CSV_TABLES,
    DASHBOARD,
    EARLIEST_AS_OF,
    LATEST_AS_OF,
    SPEC,
    MetricsFilterError,
    Scope,
    calibrated,
    compute,
    incremental,
)
from portfolio.models import Bucket, ResearchType
from portfolio.web import csv as safe_csv
from portfolio.web.context_processors import currency
from portfolio.web.forms import labelled

FILTERS = ("as_of", "bucket", "research_type", "product_manager")
# Cached results are keyed by the data version, so this only bounds memory, not staleness.
CACHE_SECONDS = 600
RISK_SHOWN = 100  # active projects drawn on the risk chart, those with the most spend
ZOMBIES_SHOWN = 12  # zombies listed, those with the most spend since their last decision
OUTCOMES_SHOWN = 50  # outcome details listed, the largest annualized value first
SCORES_SHOWN = 50  # outcome scores listed, the largest annualized value first


def _cache_key(kind: str, version: int, filters: dict) -> str:
    parts = [kind, str(version)] + [f"{name}={filters[name] or ''}" for name in sorted(filters)]
    # Hashed: e-mail addresses and dates make keys no cache backend should have to quote.
    return "greenlight:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def _check_access(request: HttpRequest) -> None:
    if not can_view_dashboard(request.user):
        raise PermissionDenied(
            "The portfolio dashboard is for executives, product managers and admins."
        )


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _check_access(request)
    version = versioning.current()
    form = DashboardFilterForm(request.GET, product_managers=_managers(version))
    swap_panels = request.htmx and not request.htmx.history_restore_request
    context: dict = {"form": form}
    if form.is_valid():
        try:
            context["panels_html"] = panels_html(form, version)
        except MetricsFilterError as error:
            form.add_error(None, str(error))
    if form.errors:
        context["filter_errors"] = _form_messages(form)
    if swap_panels and context.get("panels_html"):
        response = HttpResponse(context["panels_html"])
    else:
        template = "portfolio/dashboard.html#panels" if swap_panels else "portfolio/dashboard.html"
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _managers(version: int) -> list[list[str]]:
    return computed_once(
        f"greenlight:dashboard-managers:{version}",
        functools.partial(_managers_at, version),
        CACHE_SECONDS,
    )


# The product managers this process read last: the shared cache's generation and the data
# version they are of, and them. A spend entry changes nobody's role, name or projects, so
# after spend alone (one small query) they are the same: each spend entry is a new data
# version, and reading them again cost 3–4 ms of every refresh at 5,000 projects.
_last_managers: tuple[str, int, list[list[str]]] | None = None


def _managers_at(version: int) -> list[list[str]]:
    global _last_managers
    generation = incremental.generation()
    last = _last_managers
    if (
        last is not None
        and last[0] == generation
        and versioning.spend_only_between(last[1], version)
    ):
        managers = last[2]
    else:
        managers = product_manager_emails()
    _last_managers = (generation, version, managers)
    return managers


def panels_html(
    form: DashboardFilterForm, version: int, metrics: Callable[[], dict] | None = None
) -> str:
    """The dashboard's panels for the form's filters, rendered once per data version.

    The panels hold no per-person content, so one rendering serves everyone who
    asks for the same filters at the same data version; the worker renders the
    default view after each change (portfolio/tasks.py), so readers find it ready.
    ``metrics``, when given, returns ``compute``'s answer for the form's filters with
    every dashboard section (the refresh shares one computation with the API).
    """

    def render_panels() -> str:
        numbers = metrics() if metrics is not None else dashboard_metrics(form.filters())
        # Rendered without the request (the HTML is shared by everyone who may read
        # the dashboard), so the context processors' CURRENCY comes in by hand.
        # People as they are named now (a name changed in the admin or by the identity
        # provider is audited, and so makes a new data version, and new panels). One query
        # (under a millisecond), read here rather than shared through the cache: the panels
        # are rendered once per data version anyway, and the cache's round trips cost more.
        names = people_names()
        context = {"form": form, **_panels(form, numbers, names), **currency(None)}
        context["panel_html"] = _unchanged_panels_kept(context)
        return render_to_string("portfolio/dashboard.html#panels", context)

    return computed_once(
        _cache_key("dashboard-panels", version, form.filters()), render_panels, CACHE_SECONDS
    )


# Panels that read nothing but these sections, the page's query string (their CSV links) and
# the people's names.
# After spend is merged into the last numbers (metrics.incremental), the sections spend does
# not move are the very objects they were, and so is their panel's HTML: it is kept, not
# rendered again. A test renders each with nothing but these and compares.
PANEL_SECTIONS = {
    "outcomes": ("outcomes", "outcome_details"),
    "calibration": ("calibration", "reliability"),
    "decision_quality": ("decision_quality", "outcome_scores"),
    "decision_panel": ("decision_panel",),
    "assets": ("assets",),
    "adoption": ("adoption",),
}
# panel: ((query, names), its sections, its HTML)
_kept_panels: dict[str, tuple[tuple[str, dict], tuple, str]] = {}


def _unchanged_panels_kept(context: dict) -> dict[str, str]:
    """Each panel of :data:`PANEL_SECTIONS`, rendered, or kept when its sections are the same
    objects as at its last rendering for the same query and names."""
    html = {}
    drawn_for = (context["query"], context["names"])
    for panel, sections in PANEL_SECTIONS.items():
        inputs = tuple(context["metrics"][name] for name in sections)
        kept = _kept_panels.get(panel)
        if (
            kept is not None
            and kept[0] == drawn_for
            and all(a is b for a, b in zip(kept[1], inputs, strict=True))
        ):
            html[panel] = kept[2]
        else:
            html[panel] = render_to_string(f"portfolio/_dashboard_{panel}.html", context)
            _kept_panels[panel] = (drawn_for, inputs, html[panel])
    return html


def api_result(filters: dict, version: int, metrics: Callable[[], dict] | None = None) -> dict:
    """What /api/metrics answers for ``filters``, computed once per data version.

    ``metrics``, when given, returns ``compute``'s answer for ``filters`` with every
    dashboard section: the API's answer is the part of it that metrics.md defines.
    """

    def answer() -> dict:
        if metrics is None:
            return compute(**filters)
        everything = metrics()
        return {"as_of": everything["as_of"], **{name: everything[name] for name in SPEC}}

    return computed_once(_cache_key("api-metrics", version, filters), answer, CACHE_SECONDS)


def refill_cache(version: int) -> None:
    """Compute the default dashboard and API answers for ``version`` (the refresh task).

    Both are for the same filters (every project, as of today) and the API's sections
    are a part of the dashboard's, so the numbers are computed once for both (and not
    at all when a reader already stored both).
    """
    form = DashboardFilterForm({}, product_managers=_managers(version))
    if not form.is_valid():  # no input: only a broken setting could make it invalid
        return
    filters = form.filters()

    @functools.cache
    def metrics() -> dict:
        return dashboard_metrics(filters)

    panels_html(form, version, metrics)
    api_result(filters, version, metrics)


def dashboard_metrics(filters: dict) -> dict:
    """``compute``'s answer with every dashboard section for ``filters``.

    Over every project (no filter), the product managers' calibration records, which
    the risk chart's calibrated probabilities read (``calibrated.records``: always over
    every project), come from the same statement and are kept for this data version;
    and when only spend was recorded since the last numbers this process computed, those
    are brought up to date instead of computed again (``metrics.incremental``).
    With a filter they are a portfolio apart, read on their own.
    """
    if any(filters.get(name) for name in ("bucket", "research_type", "product_manager")):
        return compute(**filters, sections=DASHBOARD)
    checked = Scope.of(as_of=filters.get("as_of"))
    numbers, rows = incremental.dashboard(checked)
    calibrated.keep_records(checked.as_of, rows, incremental.version_of(rows))
    return numbers


def _panels(form: DashboardFilterForm, metrics: dict, names: dict[str, str]) -> dict:
    """The panels' context. People are named by ``names`` (:func:`people_names`); the numbers
    and their downloads keep their addresses."""
    headline = metrics["headline"]
    # Past a hundred bubbles a chart is noise (and slow to draw): the page shows the projects
    # that have spent most, and says so; the CSV downloads have every row.
    risk_shown = sorted(metrics["risk"], key=lambda p: (-p["spend_to_date"], p["key"]))
    risk_shown = sorted(risk_shown[:RISK_SHOWN], key=lambda p: p["key"])
    records = calibrated.records(form.filters()["as_of"] or timezone.localdate())
    project_url = _project_urls()
    for project in risk_shown:
        record = records.get(project["product_manager"].lower(), calibrated.NO_RECORD)
        project["calibration"] = record
        project["calibrated_probability"] = record.calibrate(project["probability"])
        project["url"] = project_url(project["key"])
        project["manager_shown"] = names.get(project["product_manager"], project["product_manager"])
    decided = headline["greenlit"] + headline["killed"]
    query = urlencode(form.query())
    filters = form.filters()
    return {
        "metrics": metrics,
        "headline": headline,
        "decided": decided,
        "open_projects": headline["active"] + headline["on_hold"],
        "killed_share": _share(headline["killed_spend"], headline["cumulative_spend"]),
        "as_of": filters["as_of"],
        "scope_labels": _scope_labels(filters, names),
        "names": names,
        "query": query,
        "csv_urls": {
            table: f"{reverse('dashboard_csv', args=[table])}?{query}" for table in CSV_TABLES
        },
        "json_url": f"{reverse('api_metrics')}?{query}",
        "headline_chart": charts.headline_chart(metrics["series"]),
        "value_bars": charts.value_bars(headline),
        "funnel": charts.funnel_bars(metrics["funnel"]),
        "buckets": charts.bucket_bars(metrics["buckets"]),
        "risk_shown": risk_shown,
        "zombies_shown": [
            {**zombie, "url": project_url(zombie["key"])}
            for zombie in metrics["zombies"][:ZOMBIES_SHOWN]
        ],
        "zombie_spend_since": sum(z["spend_since_decision"] for z in metrics["zombies"]),
        "zombie_spend_recent": sum(z["spend_last_90_days"] for z in metrics["zombies"]),
        "outcomes_shown": _largest_first(metrics["outcome_details"], OUTCOMES_SHOWN, project_url),
        "scores_shown": _largest_first(metrics["outcome_scores"], SCORES_SHOWN, project_url),
        "bubble_chart": charts.bubble_chart(risk_shown),
        "reliability_chart": charts.reliability_chart(metrics["reliability"]),
        "bucket_legend": [
            (value, label)
            for value, label in Bucket.choices
            if any(p["bucket"] == value for p in risk_shown)
        ],
        "outcome_total": sum(metrics["outcomes"].values()),
    }


def _largest_first(rows: list[dict], shown: int, project_url: Callable[[str], str]) -> list[dict]:
    """The ``shown`` rows of the largest annualized value (then by key), each with its
    project's URL."""
    largest = sorted(rows, key=lambda row: (-row["annualized_value"], row["key"]))[:shown]
    return [{**row, "url": project_url(row["key"])} for row in largest]


def _project_urls() -> Callable[[str], str]:
    """Each project page's URL by key, from one ``reverse``: the risk chart and the zombies
    link a few hundred projects, and ``{% url %}`` for each was a third of the panels' time."""
    placeholder = "KEY"  # a key itself: the URL pattern takes it as it takes any key
    pattern = reverse("project_detail", args=[placeholder])
    before, after = pattern.rsplit(placeholder, 1)
    # Keys are letters, digits, hyphens and underscores (project_key_validator): nothing to quote.
    return lambda key: f"{before}{key}{after}"


def _share(part, whole) -> float | None:
    return float(part) / float(whole) if whole else None


def _scope_labels(filters: dict, names: dict[str, str]) -> list[str]:
    labels = []
    if filters["bucket"]:
        labels.append(dict(Bucket.choices)[filters["bucket"]])
    if filters["research_type"]:
        labels.append(f"{dict(ResearchType.choices)[filters['research_type']]} research")
    if filters["product_manager"]:
        manager = filters["product_manager"]
        labels.append(f"product manager {names.get(manager.lower(), manager)}")
    return labels


# --- CSV downloads -----------------------------------------------------------------------------
# Each table is declared by its metrics section (``portfolio.metrics.CSV_TABLES``).


def _write_csv(response: HttpResponse, columns: tuple[str, ...], rows: Iterable[dict]) -> None:
    writer = safe_csv.writer(response)  # no text cell runs as a spreadsheet formula
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[column] for column in columns])


@require_GET
@login_required
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    _check_access(request)
    if table not in CSV_TABLES:
        raise Http404("No such table")
    form = DashboardFilterForm(request.GET, product_managers=product_manager_emails())
    if not form.is_valid():
        return _text_error(" ".join(_form_messages(form)))
    section, spec = CSV_TABLES[table]
    try:
        rows = spec.rows(compute(**form.filters(), sections=(section,))[section])
    except MetricsFilterError as error:
        return _text_error(str(error))
    filename = download_filename(table, form.filters(), "csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    _write_csv(response, spec.columns, rows)
    return response


def _form_messages(form: DashboardFilterForm) -> list[str]:
    """Each problem with the filters, named by its field's label."""
    return [
        labelled(form.fields[name].label, error) if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]


def _text_error(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


# --- JSON API ----------------------------------------------------------------------------------


@require_GET
def api_metrics(request: HttpRequest) -> JsonResponse:
    """``compute(...)`` as JSON: exactly what ``portfolio_metrics --format json`` prints."""
    # An API answers in JSON: no redirect to a sign-in page.
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Sign in to read the portfolio metrics."}, status=401)
    if not can_view_dashboard(request.user):
        return JsonResponse(
            {"error": "The portfolio metrics are for executives, product managers and admins."},
            status=403,
        )
    unknown = sorted(set(request.GET) - set(FILTERS))
    if unknown:
        return JsonResponse(
            {"error": f"Unknown parameter “{unknown[0]}”: use {', '.join(FILTERS)}."}, status=400
        )
    as_of = None
    if request.GET.get("as_of"):
        try:
            as_of = _parse_date(request.GET["as_of"])
        except ValueError:
            return JsonResponse({"error": "as_of: give a date as YYYY-MM-DD."}, status=400)
        if not EARLIEST_AS_OF <= as_of <= LATEST_AS_OF:
            return JsonResponse({"error": f"as_of: {AS_OF_RANGE_MESSAGE}"}, status=400)
    if problem := product_manager_problem(request.GET.get("product_manager")):
        return JsonResponse({"error": f"product_manager: {problem}"}, status=400)
    filters = {
        "as_of": as_of or timezone.localdate(),
        "bucket": request.GET.get("bucket") or None,
        "research_type": request.GET.get("research_type") or None,
        "product_manager": request.GET.get("product_manager") or None,
    }
    try:
        result = api_result(filters, versioning.current())
    except MetricsFilterError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(result)


def _parse_date(text: str) -> datetime.date:
    # Strictly YYYY-MM-DD: fromisoformat alone would also take 20260630 or 2026-W26.
    day = datetime.date.fromisoformat(text)
    if text != day.isoformat():
        raise ValueError(text)
    return day
