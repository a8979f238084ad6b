"""The project list: who sees which rows, search, filters and sorting, shared by page and CSV."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from portfolio.models import Project, Role, User

PER_PAGE = 25


@dataclass(frozen=True)
class Column:
    name: str  # the value of ?sort=
    label: str
    order_by: str
    numeric: bool = False
    money: bool = False  # its heading names the currency


COLUMNS = (
    Column("key", "Key", "key"),
    Column("title", "Title", "title"),
    Column("status", "Status", "status"),
    Column("gate", "Gate", "current_gate", numeric=True),
    Column("bucket", "Bucket", "bucket"),
    Column("type", "Type", "research_type"),
    Column("researcher", "Researcher", "researcher__email"),
    Column("pm", "Product manager", "product_manager__email"),
    Column("submitted", "Submitted", "submitted_on"),
    Column("expected", "Expected", "projected_expected", numeric=True, money=True),
    Column("probability", "Probability", "probability", numeric=True),
    Column("funding", "Funding", "funding_granted_total", numeric=True, money=True),
    Column("spend", "Spend", "spend_total", numeric=True, money=True),
)
COLUMNS_BY_NAME = {column.name: column for column in COLUMNS}
DEFAULT_SORT = "key"


def product_manager_choices() -> QuerySet[User]:
    """Whom the Product manager filters offer: everyone who holds the role or manages a
    project, so a former product manager's projects stay findable (the project list's and
    the dashboard's filter alike). Subqueries, not joins: one row per person."""
    holders = User.objects.filter(groups__name=Role.PRODUCT_MANAGER).values("pk")
    managing = Project.objects.filter(product_manager__isnull=False).values("product_manager_id")
    return User.objects.filter(Q(pk__in=holders) | Q(pk__in=managing))


def researcher_choices(user: User) -> QuerySet[User]:
    """Whom the project list's Researcher filter offers ``user``: everyone who holds the role
    or is the researcher of a project ``user`` may open, so a former researcher's projects
    stay findable; someone else's draft names nobody. Subqueries, not joins."""
    holders = User.objects.filter(groups__name=Role.RESEARCHER).values("pk")
    researching = Project.objects.visible_to(user).values("researcher_id")
    return User.objects.filter(Q(pk__in=holders) | Q(pk__in=researching))


def parse_sort(value: str | None) -> tuple[Column, bool] | None:
    """(column, descending) for ``key`` or ``-key``; None when the value names no column."""
    value = (value or DEFAULT_SORT).strip()
    descending = value.startswith("-")
    column = COLUMNS_BY_NAME.get(value.removeprefix("-"))
    return (column, descending) if column else None


def projects_for(
    user: User, filters: dict, *, sort: tuple[Column, bool] | None = None
) -> QuerySet[Project]:
    rows = Project.objects.visible_to(user).select_related("researcher", "product_manager")
    query = filters.get("q", "").strip()
    if query:
        rows = rows.filter(
            Q(key__icontains=query)
            | Q(title__icontains=query)
            | Q(researcher__email__icontains=query)
            | Q(researcher__full_name__icontains=query)
            | Q(product_manager__email__icontains=query)
            | Q(product_manager__full_name__icontains=query)
        )
    if status := filters.get("status"):
        # One status, or several (the list's ticked statuses): any of them.
        statuses = [status] if isinstance(status, str) else list(status)
        rows = rows.filter(status__in=statuses)
    if "gate" in filters:
        rows = rows.filter(current_gate=filters["gate"])
    if "bucket" in filters:
        rows = rows.filter(bucket=filters["bucket"])
    if "research_type" in filters:
        rows = rows.filter(research_type=filters["research_type"])
    if "researcher" in filters:
        rows = rows.filter(researcher=filters["researcher"])
    if "pm" in filters:
        rows = rows.filter(product_manager=filters["pm"])
    rows = rows.annotate(probability=Coalesce("latest_probability", "probability_of_success"))
    column, descending = sort or (COLUMNS_BY_NAME[DEFAULT_SORT], False)
    expression = F(column.order_by)
    ordering = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return rows.order_by(ordering, "key")


def header_links(sort: tuple[Column, bool] | None) -> list[dict]:
    """Each column's header: its current direction and where a click sorts next."""
    current, descending = sort or (COLUMNS_BY_NAME[DEFAULT_SORT], False)
    headers = []
    for column in COLUMNS:
        if column == current:
            direction = "descending" if descending else "ascending"
            next_sort = column.name if descending else f"-{column.name}"
        else:
            direction = ""
            next_sort = column.name
        headers.append({"column": column, "direction": direction, "next": next_sort})
    return headers
