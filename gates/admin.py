from __future__ import annotations

from django.contrib import admin

from gates.models import (
    ArchitectureEstimate,
    BusinessCase,
    Criterion,
    CriterionScore,
    FeasibilityStudy,
    Gate,
    GateDecision,
    Gatekeeper,
    RequiredDeliverable,
)
from gates.tasks import ask_new_gatekeepers_soon
from portfolio.admin import AdminForm, AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline


class CriterionInline(admin.TabularInline):
    model = Criterion
    form = AdminForm  # a name with nothing visible is blank, as on the pages
    fields = ["position", "name", "kind", "weight", "is_active", "help_text"]
    extra = 0


class GatekeeperInline(admin.TabularInline):
    """Who judges the gate besides the project's product manager, who always chairs."""

    model = Gatekeeper
    fields = ["kind", "role", "person"]
    raw_id_fields = ["person"]
    extra = 0


class RequiredDeliverableInline(admin.TabularInline):
    model = RequiredDeliverable
    extra = 0


@admin.register(Gate)
class GateAdmin(AuditedAdmin):
    list_display = ["number", "name"]
    fields = ["number", "name", "purpose"]
    readonly_fields = ["number"]
    inlines = [RequiredDeliverableInline, CriterionInline, GatekeeperInline]

    def has_delete_permission(self, request, obj=None):
        return False  # decisions refer to gates

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Gatekeeper and (formset.new_objects or formset.changed_objects):
            # A row added or changed may put people on the panels of the gate's open
            # reviews: the task worker asks them for their vote at once.
            ask_new_gatekeepers_soon(gates=[form.instance.number])


class ScoreInline(ReadOnlyInline):
    model = CriterionScore
    fields = ["criterion_name", "criterion_kind", "met", "score", "weight"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GateDecision)
class GateDecisionAdmin(ReadOnlyAdmin):
    """Read-only: decisions are history, recorded only through the gate review."""

    list_display = ["project", "gate", "decision", "decided_on", "decided_by", "funding_granted"]
    list_filter = ["decision", "gate"]
    search_fields = ["project__key", "decided_by__email", "rationale"]
    date_hierarchy = "decided_on"
    inlines = [ScoreInline]


@admin.register(FeasibilityStudy, ArchitectureEstimate, BusinessCase)
class DeliverableAdmin(ReadOnlyAdmin):
    """Deliverables are written by their authors on the project's pages (audited there)."""

    list_display = ["project", "author", "updated_at"]
    search_fields = ["project__key"]
    raw_id_fields = ["project", "author"]


@admin.register(Criterion)
class CriterionAdmin(AuditedAdmin):
    list_display = ["name", "gate", "kind", "weight", "is_active"]
    list_filter = ["gate", "kind", "is_active"]
