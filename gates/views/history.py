"""A project's history as it was before an import replaced it: read-only, for whoever sees the project."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from gates import services
from gates.models import ArchitectureEstimate, VoteReminder
from gates.models.panel import COMPARISON_SYMBOLS
from portfolio import access
from portfolio.models import Project, ReplacedHistory, User


def _threshold(criterion: dict) -> str:
    """A kill criterion's comparison and number as the review page writes it ("≥ 0.8")."""
    if not criterion.get("comparison") or criterion.get("target") is None:
        return ""
    symbol = COMPARISON_SYMBOLS.get(criterion["comparison"], criterion["comparison"])
    return f"{symbol} {Decimal(criterion['target']).normalize():f}"


def _may_see_open_votes(viewer: User, project: Project, history: ReplacedHistory) -> bool:
    """The blind rule of the review open when the history was replaced, as the review page
    holds it (docs/decision-panel.md): how each voted is seen by those who voted in it (or
    in the project's open review, as its page shows them), and by everyone once the project
    has moved past it (a later decision, or no review open any more). Until then, only who
    voted."""
    voted = any(
        vote.get("voter__email") == viewer.email and vote.get("recommendation")
        for vote in history.project_fields.get("open_votes") or []
    )
    if voted or services.has_voted(viewer, project):
        return True
    return services.review_gate(project) is None or project.decisions_count > len(history.decisions)


def _panel(history: ReplacedHistory, *, blind: bool) -> list[dict]:
    """Each archived decision that had votes or kill criteria, then the open review's votes
    (``blind``: who voted only).

    A history archived before votes and kill criteria were kept has none (its decisions
    have no such entries)."""
    panel = []
    for decision in history.decisions:
        votes = decision.get("votes") or []
        criteria = [
            {**criterion, "threshold": _threshold(criterion)}
            for criterion in decision.get("kill_criteria") or []
        ]
        if votes or criteria:
            panel.append({"decision": decision, "votes": votes, "kill_criteria": criteria})
    open_votes = history.project_fields.get("open_votes") or []
    if open_votes:
        panel.append({"decision": None, "votes": open_votes, "kill_criteria": [], "blind": blind})
    return panel


def _reminders(history: ReplacedHistory) -> list[dict]:
    """The vote reminders e-mailed for its reviews, with what each said (none in a history
    archived before reminders were kept with it)."""
    kinds = dict(VoteReminder.Kind.choices)
    return [
        {**reminder, "kind_label": kinds.get(reminder["kind"], reminder["kind"])}
        for reminder in history.project_fields.get("vote_reminders") or []
    ]


def _cadence_label(estimate: dict | None) -> str:
    if not estimate:
        return ""
    cadence = estimate.get("retraining_cadence") or ""
    return dict(ArchitectureEstimate.Cadence.choices).get(cadence, cadence)


@login_required
@require_GET
def replaced_history(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)  # 404 for a draft not one's own
    history = get_object_or_404(
        ReplacedHistory.objects.select_related("replaced_by"), project=project, pk=pk
    )
    spend_total = sum((Decimal(row["amount"]) for row in history.spend), Decimal(0))
    panel = _panel(history, blind=not _may_see_open_votes(request.user, project, history))
    return render(
        request,
        "gates/replaced_history.html",
        {
            "project": project,
            "history": history,
            "spend_total": spend_total,
            "panel": panel,
            "votes_count": sum(len(part["votes"]) for part in panel),
            "kill_criteria_count": sum(len(part["kill_criteria"]) for part in panel),
            "vote_reminders": _reminders(history),
            "artifacts": history.project_fields.get("artifacts") or [],
            "artifact_uses": history.project_fields.get("artifact_uses") or [],
            "adoption": history.project_fields.get("adoption") or [],
            # As the estimate's page names it ("Monthly"), not as the archive keeps it.
            "retraining": _cadence_label(history.estimate),
        },
    )
