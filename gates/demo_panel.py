"""The decision panel in the demo portfolio: past votes and dissent, kill criteria, an override,
and open reviews where the demo gatekeepers have voted.

The imported decisions carry no votes. Their gatekeepers' votes and kill
criteria are history, so they are written directly (frozen with their
decision, as the app would have left them); the open reviews' votes go
through ``cast_vote``, by the people who cast them.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db.models import Prefetch

from gates.models import (
    ArchitectureEstimate,
    DecisionKind,
    Gate,
    GateDecision,
    KillCriterion,
    KillCriterionVerdict,
    Vote,
)
from gates.services import KillMark, cast_vote, gatekeepers, pending_kill_criteria, review_gate
from portfolio.models import Project, Role, Status, User

# The demo sign-ins (seed_demo's): they are left their own vote to cast.
DEMO_SIGN_INS = {"pm@demo.greenlight", "architect@demo.greenlight", "executive@demo.greenlight"}
KILL_CRITERIA = {
    2: [
        ("Signed data-access agreement with the data owner", "", None),
        ("Labelled sample of at least 2,000 cases", ">=", Decimal(2000)),
    ],
    3: [
        ("Precision on the 2025 hold-out", ">=", Decimal("0.80")),
        ("Latency per prediction in milliseconds", "<=", Decimal(200)),
    ],
    4: [
        ("A product team has named an owner", "", None),
        ("Three-year cost within the business case", "", None),
    ],
}
COMMENTS = {
    "go": ["The evidence holds up.", "Worth the next stage.", "Strong case; fund it."],
    "kill": ["The data will not be there in time.", "Too costly to run.", "Weak evidence."],
    "hold": ["Wait for the pilot's numbers.", "Revisit after the reorganisation."],
    "recycle": ["One more round on the hard cases.", "Redo the study on fresh data."],
}


class PanelDemo:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.architects = list(User.objects.filter(groups__name=Role.ARCHITECT).order_by("email"))
        self.executives = list(User.objects.filter(groups__name=Role.EXECUTIVE).order_by("email"))
        self.votes = self.criteria = self.overrides = 0

    def write(self) -> None:
        self.past_votes()
        self.kill_criteria()
        self.open_reviews()

    # --- History -------------------------------------------------------------------

    def _recommendation(self, decision: str) -> str:
        """Most agree with the decision; about one in five dissents."""
        if self.rng.random() < 0.8:
            return decision
        return self.rng.choice([k for k in DecisionKind.values if k != decision])

    def _probability(self, greenlit: bool | None) -> Decimal:
        """Gatekeepers see something of the truth: a noisy lean towards the outcome."""
        lean = 0.5 if greenlit is None else (0.65 if greenlit else 0.35)
        value = min(0.95, max(0.05, self.rng.gauss(lean, 0.18)))
        return Decimal(str(round(value, 2)))

    def past_votes(self) -> None:
        estimates = dict(ArchitectureEstimate.objects.values_list("project_id", "author_id"))
        architects = {a.pk: a for a in self.architects}
        decisions = GateDecision.objects.filter(gate__number__gte=2).select_related(
            "gate", "project__product_manager"
        )
        rows = []
        for decision in decisions.order_by("pk"):
            project = decision.project
            greenlit = {Status.GREENLIT: True, Status.KILLED: False}.get(project.status)
            panel = [project.product_manager]
            architect = architects.get(estimates.get(project.pk))
            if architect is not None:
                panel.append(architect)
            if decision.gate.number == 4:
                panel += self.executives[:2]
            if len(panel) < 2:
                continue
            for person in panel:
                if person.pk != project.product_manager_id and self.rng.random() < 0.1:
                    # Did not vote in time: on the record as such.
                    rows.append(
                        Vote(project=project, gate=decision.gate, voter=person, decision=decision)
                    )
                    continue
                recommendation = (
                    decision.decision
                    if person.pk == project.product_manager_id
                    else self._recommendation(decision.decision)
                )
                rows.append(
                    Vote(
                        project=project,
                        gate=decision.gate,
                        voter=person,
                        decision=decision,
                        recommendation=recommendation,
                        probability_of_success=self._probability(greenlit),
                        comment=self.rng.choice(COMMENTS[recommendation]),
                    )
                )
        Vote.objects.bulk_create(rows, batch_size=500)
        self.votes += sum(1 for v in rows if v.recommendation)

    def kill_criteria(self) -> None:
        """Criteria on go decisions followed by a go at the next gate; a few were overridden."""
        projects = Project.objects.filter(
            status__in=[Status.GREENLIT, Status.ACTIVE]
        ).prefetch_related(
            Prefetch(
                "decisions",
                queryset=GateDecision.objects.select_related("gate").order_by("sequence"),
            )
        )
        gates = {g.number: g for g in Gate.objects.all()}
        for project in projects.order_by("key"):
            decisions = list(project.decisions.all())
            # The last go of a project still in the process: its criteria wait for this review.
            last = decisions[-1] if decisions else None
            if (
                project.status == Status.ACTIVE
                and last is not None
                and last.decision == DecisionKind.GO
                and self.rng.random() < 0.6
            ):
                decisions.append(None)
            for before, after in zip(decisions, decisions[1:], strict=False):
                if before.decision != DecisionKind.GO or before.gate.number == 4:
                    continue
                if self.rng.random() < 0.5:
                    continue
                target = before.gate.number + 1
                registered = [
                    KillCriterion.objects.create(
                        decision=before,
                        project=project,
                        gate=gates[target],
                        position=position,
                        statement=statement,
                        comparison=comparison,
                        target=value,
                    )
                    for position, (statement, comparison, value) in enumerate(
                        KILL_CRITERIA[target], start=1
                    )
                ]
                self.criteria += len(registered)
                if (
                    after is None
                    or after.gate.number != target
                    or after.decision
                    not in (DecisionKind.GO, DecisionKind.KILL, DecisionKind.RECYCLE)
                ):
                    continue
                overridden = after.decision == DecisionKind.GO and self.rng.random() < 0.25
                for number, criterion in enumerate(registered):
                    met = not (overridden and number == 0)
                    KillCriterionVerdict.objects.create(
                        criterion=criterion,
                        decision=after,
                        met=met,
                        note="" if met else "Not yet; the chair went ahead on the evidence so far.",
                    )
                self.overrides += overridden

    # --- Open reviews --------------------------------------------------------------------

    def open_reviews(self) -> None:
        """Where the project's other gatekeepers have voted, waiting for the chair."""
        waiting = Project.objects.filter(status=Status.ACTIVE, current_gate__gte=3).select_related(
            "product_manager"
        )
        opened = 0
        for project in waiting.order_by("key"):
            gate = review_gate(project)
            panel = gatekeepers(project, gate)
            if len(panel) < 2 or opened >= 8:
                continue
            opened += 1
            pending = pending_kill_criteria(project)
            for person in panel[1:]:
                if person.email in DEMO_SIGN_INS:
                    continue
                recommendation = self.rng.choice(["go", "go", "kill", "hold"])
                cast_vote(
                    project=project,
                    gate=gate.number,
                    actor=person,
                    recommendation=recommendation,
                    probability_of_success=self._probability(None),
                    comment=self.rng.choice(COMMENTS[recommendation]),
                    kill_marks=[KillMark(c, self.rng.random() < 0.7) for c in pending],
                )
                self.votes += 1
